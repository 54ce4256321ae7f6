//! The centre server (DESIGN §8): axum on tokio, kiosks post their responses, reports come
//! out as the same DESIGN §5 JSON as the kiosk's `hailong report`.

pub mod api;
pub mod demo;
pub mod postgres;
pub mod sqlite;
pub mod store;

use std::collections::HashMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::config::ScoringConfig;
use crate::report::{Report, period::Period};
use crate::survey::{Catalog, Questionnaire, ScoringOptions, Tally, summarize};
pub use store::{CentreStore, Scope};

/// What every request handler shares.
#[derive(Clone)]
pub struct Centre {
    /// The storage backend.
    pub store: Arc<dyn CentreStore>,
    /// The questionnaires responses are checked against.
    pub catalog: Arc<Catalog>,
    /// Target and G1/G2 settings for reports.
    pub scoring: ScoringOptions,
}

/// A new random 256-bit token, as 64 hex digits.
pub fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the centre stores of a token: its SHA-256 (a 256-bit random token needs no slow hash).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The default scoring options, from `[scoring]` and the target.
pub fn scoring(target_pct: f64, s: &ScoringConfig) -> ScoringOptions {
    ScoringOptions {
        target_pct,
        expectation_item: s.expectation_item.clone(),
        return_item: s.return_item.clone(),
        return_options: s.return_options.clone(),
    }
}

/// The DESIGN §5 report over everything the centre holds in `scope` (blocking).
pub fn report(centre: &Centre, scope: &Scope, period: &Period) -> Result<Report, store::Error> {
    let mut tallies: HashMap<(String, u32, bool), Tally> = HashMap::new();
    centre.store.for_each_response(scope, &mut |s| {
        let r = &s.response;
        tallies
            .entry((r.questionnaire_id.clone(), r.questionnaire_version, r.rapid_repeat))
            .or_default()
            .add(r);
    })?;
    let mut counted: Vec<(&Questionnaire, &Tally)> = Vec::new();
    let mut rapid = 0;
    for ((id, version, is_rapid), tally) in &tallies {
        if *is_rapid {
            rapid += tally.responses;
            continue;
        }
        let q = centre
            .catalog
            .get(id, *version)
            .ok_or_else(|| store::Error::Corrupt(format!("responses refer to unknown questionnaire {id}@{version}")))?;
        counted.push((q, tally));
    }
    counted.sort_by_key(|(q, _)| q.key());
    Ok(Report {
        facility: scope.facility.clone().unwrap_or_default(),
        period: period.label.clone(),
        from: period.from,
        to: period.to,
        department: scope.department.clone(),
        questionnaire: None,
        summary: summarize(&counted, rapid, &centre.scoring),
    })
}

/// Opens the storage a `--database` value names: `postgres://…` (or `postgresql://…`) for
/// PostgreSQL, `sqlite:PATH` or a plain path for SQLite.
pub fn open_store(database: &str, tz: chrono_tz::Tz) -> Result<Arc<dyn CentreStore>, store::Error> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PostgresCentre::open(database, tz)?))
    } else {
        let path = std::path::Path::new(database.strip_prefix("sqlite:").unwrap_or(database));
        Ok(Arc::new(sqlite::SqliteCentre::open(path, tz)?))
    }
}

/// Serves `centre` on `listener` until `shutdown` resolves; requests in flight finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    centre: Centre,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, api::app(centre))
        .with_graceful_shutdown(shutdown)
        .await
}
