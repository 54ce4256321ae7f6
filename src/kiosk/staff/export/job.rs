//! Exporting from the kiosk to a USB drive: finding the drives, naming the file, running the
//! same exporter as `hailong export` (temp file, then rename), and saying what went wrong in
//! words staff understand.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;

use crate::config::Config;
use crate::kiosk::staff::dashboard::PeriodChoice;
use crate::report::export::{self, ExportError, Format};
use crate::report::{self};
use crate::store::Store;

/// Where removable drives are mounted on Linux (`/media/<user>/<label>`,
/// `/run/media/<user>/<label>`).
pub const REMOVABLE_ROOTS: [&str; 2] = ["/media", "/run/media"];

/// A place an export can go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The directory.
    pub dir: PathBuf,
    /// Whether it is a removable drive (otherwise the data directory).
    pub removable: bool,
}

/// The mounted drives under `roots` (two levels down, as desktop automounters place them),
/// then the data directory.
pub fn destinations(roots: &[PathBuf], data_dir: &Path) -> Vec<Destination> {
    let mut drives = Vec::new();
    for root in roots {
        let Ok(users) = std::fs::read_dir(root) else { continue };
        for user in users.flatten().filter(|e| e.path().is_dir()) {
            let Ok(mounts) = std::fs::read_dir(user.path()) else {
                continue;
            };
            drives.extend(mounts.flatten().map(|m| m.path()).filter(|p| p.is_dir()));
        }
    }
    drives.sort();
    let mut out: Vec<Destination> = drives
        .into_iter()
        .map(|dir| Destination { dir, removable: true })
        .collect();
    out.push(Destination {
        dir: data_dir.to_path_buf(),
        removable: false,
    });
    out
}

/// Rows written so far and rows in all, shared with the screen's progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    /// (done, total).
    pub fn get(&self) -> (u64, u64) {
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }
}

/// One export to run.
#[derive(Debug, Clone)]
pub struct Job {
    /// Which period.
    pub choice: PeriodChoice,
    /// CSV or XLSX.
    pub format: Format,
    /// Destination directory.
    pub dir: PathBuf,
    /// Progress, read by the screen.
    pub progress: Arc<Progress>,
}

/// Why an export failed, in the words the screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No space left on the drive.
    Full,
    /// The drive is read-only or not writable.
    ReadOnly,
    /// The drive went away.
    Removed,
    /// More responses than one Excel sheet holds.
    TooManyRows(u64),
    /// The database could not be read.
    Store(crate::kiosk::problem::StoreProblem),
    /// Anything else, with the detail.
    Other(String),
}

impl Failure {
    fn of_io(e: &std::io::Error) -> Failure {
        use std::io::ErrorKind::*;
        match e.kind() {
            StorageFull | QuotaExceeded | FileTooLarge => Failure::Full,
            ReadOnlyFilesystem | PermissionDenied => Failure::ReadOnly,
            NotFound => Failure::Removed,
            _ => Failure::Other(e.to_string()),
        }
    }
}

/// The file name: `hailong-<period>.<ext>`, e.g. `hailong-2026-Q4.xlsx`.
pub fn file_name(period_label: &str, format: Format) -> String {
    let label: String = period_label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
        .collect();
    let ext = match format {
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
    };
    format!("hailong-{label}.{ext}")
}

/// Runs `job` (blocking) and returns the file written and the number of responses in it.
pub fn run(store: &Store, config: &Config, job: &Job, today: NaiveDate) -> Result<(PathBuf, u64), Failure> {
    let period = job.choice.period(today, config.calendar());
    let out = job.dir.join(file_name(&period.label, job.format));
    if !job.dir.is_dir() {
        return Err(Failure::Removed);
    }
    let report = report::build(
        store,
        &config.facility_name,
        &period,
        None,
        None,
        &config.scoring_options(),
    )
    .map_err(|e| Failure::Store(crate::kiosk::problem::StoreProblem::of(&e)))?;
    let filter = report::filter(&period, None, None);
    let request = export::Request {
        filter: &filter,
        locale: config.default_locale,
        out: &out,
        report: &report,
    };
    let progress = &job.progress;
    let n = export::export(store, job.format, &request, &mut |done, total| {
        progress.total.store(total, Ordering::Relaxed);
        progress.done.store(done, Ordering::Relaxed);
    })
    .map_err(|e| match &e {
        ExportError::Write { source, .. } => Failure::of_io(source),
        ExportError::Source(e) => Failure::Store(crate::kiosk::problem::StoreProblem::of(e)),
        ExportError::TooManyRows(n) => Failure::TooManyRows(*n),
        _ => Failure::Other(e.to_string()),
    })?;
    Ok((out, n))
}
