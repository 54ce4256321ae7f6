//! Each backend's schema as numbered SQL files beside this one (`sqlite/0001_responses.sql`,
//! `postgres/…`), run in order at start, each in its own transaction. A database records how many
//! have run (SQLite's `user_version`, PostgreSQL's `hailong_schema`). Some migrations are followed
//! by work SQL cannot do (tallies recomputed from the stored responses, slugs made from names):
//! each backend names those steps by migration number. A file, once released, is never edited:
//! a change of schema is a new file.

/// One migration: its file's name (without `.sql`) and its statements.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// `0001_responses`: its number, then what it is about.
    pub name: &'static str,
    /// The statements, run as one batch.
    pub sql: &'static str,
}

macro_rules! migrations {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(Migration { name: $name, sql: include_str!(concat!($dir, "/", $name, ".sql")) }),*]
    };
}

/// The embedded SQLite backend's migrations, in order.
pub const SQLITE: &[Migration] = migrations!("sqlite":
    "0001_responses",
    "0002_tallies",
    "0003_revocable_tokens_and_clock",
    "0004_accounts_and_reports",
    "0005_feedback_box_and_alerts",
    "0006_facility_tallies",
    "0007_tally_stamps",
    "0008_login_throttle",
    "0009_feedback_by_device",
    "0010_public_snapshots",
    "0011_facility_slugs",
    "0012_channels",
    "0013_phone",
    "0014_printed_codes",
);

/// The PostgreSQL backend's migrations, in order.
pub const POSTGRES: &[Migration] = migrations!("postgres":
    "0001_responses",
    "0002_tallies",
    "0003_ingest_speed",
    "0004_revocable_tokens_and_clock",
    "0005_accounts_and_reports",
    "0006_feedback_box_and_alerts",
    "0007_facility_tallies",
    "0008_tally_stamps",
    "0009_login_throttle",
    "0010_feedback_by_device",
    "0011_public_snapshots",
    "0012_facility_slugs",
    "0013_channels",
    "0014_phone",
    "0015_printed_codes",
);

/// Where in a backend's list the work SQL cannot do falls, by index from 0 (index 11 is the
/// file numbered 0012).
#[derive(Debug, Clone, Copy)]
pub struct CodeSteps {
    /// The migrations after which the tallies are recomputed from the stored responses: the
    /// one that added them, the one after which a tally counts complete responses apart, and
    /// the one that keeps them per channel and point.
    pub tallies: &'static [usize],
    /// The migration that adds the facility roll-up (`tallies_facility`).
    pub facility_tallies: usize,
    /// The migration that adds `tally_stamps`: merges in earlier ones have no table to bump.
    pub stamps: usize,
    /// The migration that gives facilities their stored, unique slugs.
    pub slugs: usize,
}

/// What to do after one migration's SQL, in its transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct After {
    /// Recompute the kiosks' tallies from the stored responses.
    pub backfill: bool,
    /// Rebuild the facility roll-up from the kiosks' monthly rows; `Some(true)` bumps every
    /// tally stamp too.
    pub rebuild_facility: Option<bool>,
    /// Give every facility its slug.
    pub slugs: bool,
}

impl CodeSteps {
    /// The work after migration `i` when migrations from `first` on are pending. The tallies
    /// are recomputed once, after the last pending migration that asks for it, when the tables
    /// have their final shape (an earlier one may have a shape a later migration replaces).
    pub fn after(&self, i: usize, first: usize) -> After {
        let last_tallies = self.tallies.iter().copied().filter(|&t| t >= first).max();
        let last_facility = self
            .tallies
            .iter()
            .copied()
            .chain([self.facility_tallies])
            .filter(|&t| t >= first && t >= self.facility_tallies)
            .max();
        After {
            backfill: last_tallies == Some(i),
            rebuild_facility: (last_facility == Some(i)).then_some(i >= self.stamps),
            slugs: i == self.slugs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tallies_are_recomputed_once_after_the_last_migration_that_asks() {
        let steps = CodeSteps {
            tallies: &[1, 2, 11],
            facility_tallies: 5,
            stamps: 6,
            slugs: 10,
        };
        let work = |first: usize| -> Vec<(usize, After)> {
            (first..12)
                .map(|i| (i, steps.after(i, first)))
                .filter(|(_, a)| *a != After::default())
                .collect()
        };
        let at_11 = After {
            backfill: true,
            rebuild_facility: Some(true),
            slugs: false,
        };
        let slugs = After {
            slugs: true,
            ..After::default()
        };
        // A new database, one from before the roll-up, one from before the slugs.
        assert_eq!(work(0), [(10, slugs), (11, at_11)]);
        assert_eq!(work(3), [(10, slugs), (11, at_11)]);
        assert_eq!(work(11), [(11, at_11)]);
        // A list whose last tallies migration is before the roll-up's.
        let old = CodeSteps {
            tallies: &[1, 2],
            ..steps
        };
        assert!(old.after(2, 0).backfill);
        assert_eq!(old.after(5, 0).rebuild_facility, Some(false));
        assert!(!old.after(5, 3).backfill);
    }

    /// Every file in the folder is listed, in order, numbered from 1 without a gap: a file
    /// added but not listed (or listed out of order) would never run, or run in the wrong order.
    #[test]
    fn every_file_is_listed_in_order() {
        for (dir, list) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src/centre/migrations")
                .join(dir);
            let mut files: Vec<String> = std::fs::read_dir(&path)
                .expect("the migrations folder")
                .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            let listed: Vec<String> = list.iter().map(|m| format!("{}.sql", m.name)).collect();
            assert_eq!(files, listed, "{dir}: the folder and the list differ");
            for (i, m) in list.iter().enumerate() {
                assert_eq!(
                    m.name[..4].parse::<usize>().ok(),
                    Some(i + 1),
                    "{dir}: {} is out of place",
                    m.name
                );
                assert!(!m.sql.trim().is_empty(), "{dir}: {} is empty", m.name);
            }
        }
    }
}
