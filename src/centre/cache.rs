//! Tallies kept in memory between page loads. The pages add up the same facility-months again
//! and again (the overview reads two periods of every facility, the public page nine quarters),
//! and most of a page's time went on reading and parsing those rows. Here each facility-month
//! (or the part of one a period covers) is read once, kept as parsed rows, and used while the
//! month's stamp stands: every change to a facility's tallies bumps the stamps of the months it
//! touches in the same transaction (see [`CentreStore::tally_stamps`]), so a process sees another
//! process's batches on PostgreSQL as soon as they commit, and a page never shows rows older
//! than the stamps it read first. The stamps are one small query per page; a month whose stamp
//! moved is read again, alone.
//!
//! Two levels are kept: a facility's rows (per department and questionnaire) and its kiosks'
//! rows (the same per kiosk, for the facility page); and at each level, besides the month
//! parts, each period's total per facility (read as one period, versioned by a hash of its
//! months' stamps), since adding up a province's months again on every load was most of what
//! was left of the overview's time. The memory held is bounded ([`CACHE_BYTES`],
//! estimated); the least recently used parts go first.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{Months, NaiveDate};

use super::store::{CentreStore, Comment, Error, Scope, TallyKey, TallyStamp, month_start};
use crate::survey::Tally;

/// About how much memory the cached rows may take (estimated from their item counts).
pub const CACHE_BYTES: usize = 256 << 20;

/// A period longer than this many months is read from the store directly (no page asks for one;
/// an "any dates" request could).
const MAX_MONTHS: usize = 120;

/// When more facilities than this miss a part, it is read for every facility in one query
/// rather than one query each (one facility's rows are one index range; every facility's cost
/// about as much as fifty of those).
const ONE_BY_ONE: usize = 16;

/// Which rows a part holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Level {
    /// A facility's roll-up (its kiosks added up).
    Facility,
    /// Each of its kiosks apart.
    Kiosk,
}

/// What a part spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Span {
    /// One month's days inside a period, as stored; versioned by the month's stamp.
    Month,
    /// A whole period added up; versioned by a hash of its months' stamps.
    Period,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PartKey {
    level: Level,
    span: Span,
    facility: String,
    from: NaiveDate,
    to: NaiveDate,
}

/// A facility's rows of a part as read, by kiosk (empty at the facility level) and key.
type KeyedRows = BTreeMap<(String, TallyKey), Tally>;

/// Each facility with the version its part must have to be used.
type Versions = Vec<(String, i64)>;

/// One stored row, as a caller sees it.
#[derive(Debug)]
struct Row {
    /// The kiosk (empty at the facility level).
    kiosk: String,
    /// Its key, the day being the part's first.
    key: TallyKey,
    tally: Tally,
}

/// A facility's rows of one part of a month, as of `version`.
#[derive(Debug)]
struct Part {
    version: i64,
    /// Per department (and kiosk at the kiosk level).
    rows: Vec<Row>,
    /// At the facility level, the same added up over departments and points (both `""`), per
    /// channel, for the figures of whole facilities and their channel mix.
    forms: Vec<Row>,
    bytes: usize,
}

impl Part {
    fn new(version: i64, level: Level, rows: KeyedRows) -> Part {
        let mut forms: BTreeMap<TallyKey, Tally> = BTreeMap::new();
        if level == Level::Facility {
            for ((_, key), tally) in &rows {
                let key = TallyKey {
                    department: String::new(),
                    point: String::new(),
                    ..key.clone()
                };
                forms.entry(key).or_default().merge(tally);
            }
        }
        let rows: Vec<Row> = rows
            .into_iter()
            .map(|((kiosk, key), tally)| Row { kiosk, key, tally })
            .collect();
        let forms: Vec<Row> = forms
            .into_iter()
            .map(|(key, tally)| Row {
                kiosk: String::new(),
                key,
                tally,
            })
            .collect();
        let bytes = 128 + rows.iter().chain(&forms).map(Row::bytes).sum::<usize>();
        Part {
            version,
            rows,
            forms,
            bytes,
        }
    }
}

impl Row {
    /// About how much memory the row holds: each map entry with its key's heap string and its
    /// share of a map node, and each map's first node (checked against the growth of the
    /// process's resident size over the benchmark's overview: about 22 kB for a byt-ngoai-tru
    /// tally of a facility's quarter).
    fn bytes(&self) -> usize {
        let t = &self.tally;
        let entries =
            t.scale.len() + t.percent.len() + t.text.len() + t.choice.values().map(|c| 1 + c.len()).sum::<usize>();
        let maps = 4 + t.choice.len();
        256 + self.kiosk.len()
            + self.key.department.len()
            + self.key.point.len()
            + self.key.questionnaire_id.len()
            + entries * 112
            + maps * 448
    }
}

#[derive(Debug, Default)]
struct Inner {
    parts: HashMap<PartKey, (Arc<Part>, u64)>,
    bytes: usize,
    clock: u64,
    /// The latest comments per scope and count, with the hash of the stamps they were read at.
    comments: HashMap<(Scope, usize), KeptComments>,
}

/// A kept comment list: the stamps' hash it was read at, the list, when it was last used.
type KeptComments = (i64, Arc<Vec<Comment>>, u64);

/// How many comment lists are kept (the least recently used go first).
const COMMENT_LISTS: usize = 1000;

/// The cache (one per centre process, shared by its requests).
#[derive(Debug, Default)]
pub struct TallyCache {
    inner: Mutex<Inner>,
}

/// How many parts a call found and how many it read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reads {
    /// Parts used from memory.
    pub kept: usize,
    /// Parts read from the store.
    pub read: usize,
}

/// The parts of `from..=to` within each month: (month, first day, last day).
fn parts_of(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    if from > to {
        return out;
    }
    let mut month = month_start(from);
    while month <= to {
        let next = month.checked_add_months(Months::new(1));
        let last = next.and_then(|n| n.pred_opt()).unwrap_or(NaiveDate::MAX);
        out.push((month, from.max(month), to.min(last)));
        match next {
            Some(n) => month = n,
            None => break,
        }
    }
    out
}

impl TallyCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The facility roll-up's rows of `scope` (as [`CentreStore::for_each_facility_tally`]
    /// gives them), each row's day being the first of its part of a month (a month's first day
    /// when the period covers it whole). With `by_department` false the rows are added up over
    /// departments (each row's department is `""`) unless the scope names one.
    pub fn facility_rows(
        &self,
        store: &dyn CentreStore,
        scope: &Scope,
        by_department: bool,
        f: &mut dyn FnMut(&str, &TallyKey, &Tally),
    ) -> Result<Reads, Error> {
        self.walk(
            store,
            Level::Facility,
            Span::Month,
            scope,
            &mut facility_view(scope, by_department, f),
        )
    }

    /// Each kiosk's rows of `scope` (as [`CentreStore::for_each_tally_row`] gives them):
    /// `f(facility, kiosk, key, tally)`, each row's day being the first of its part of a month.
    pub fn kiosk_rows(
        &self,
        store: &dyn CentreStore,
        scope: &Scope,
        f: &mut dyn FnMut(&str, &str, &TallyKey, &Tally),
    ) -> Result<Reads, Error> {
        self.walk(store, Level::Kiosk, Span::Month, scope, &mut kiosk_view(f))
    }

    /// The facility roll-up's rows of `scope` added up over the whole period (each row's day
    /// is the period's first): per department with `by_department` (or when the scope names
    /// one), else added up over departments too (department `""`). What the overview and the
    /// previous period's figures need, kept per facility and period while the stamps of its
    /// months stand.
    pub fn facility_totals(
        &self,
        store: &dyn CentreStore,
        scope: &Scope,
        by_department: bool,
        f: &mut dyn FnMut(&str, &TallyKey, &Tally),
    ) -> Result<Reads, Error> {
        self.walk(
            store,
            Level::Facility,
            Span::Period,
            scope,
            &mut facility_view(scope, by_department, f),
        )
    }

    /// Each kiosk's rows of `scope` added up over the whole period (each row's day is the
    /// period's first): `f(facility, kiosk, key, tally)`, per department.
    pub fn kiosk_totals(
        &self,
        store: &dyn CentreStore,
        scope: &Scope,
        f: &mut dyn FnMut(&str, &str, &TallyKey, &Tally),
    ) -> Result<Reads, Error> {
        self.walk(store, Level::Kiosk, Span::Period, scope, &mut kiosk_view(f))
    }

    /// Walks `scope` at `level`, cut into `span`s: each month part (versioned by its month's
    /// stamp) or the whole period (versioned by the hash of its months' stamps, per facility).
    /// `f(facility, Some(row), part)` for each row the scope's department admits, and once per
    /// part with `None` for a caller that reads the part whole (see `facility_view`).
    fn walk(
        &self,
        store: &dyn CentreStore,
        level: Level,
        span: Span,
        scope: &Scope,
        f: &mut dyn FnMut(&str, Option<&Row>, &Part),
    ) -> Result<Reads, Error> {
        let Some((from, to)) = bounded(scope).filter(|_| scope.kiosk.is_none()) else {
            return direct(store, level, scope, f);
        };
        let stamps = stamps_of(store, scope, from, to)?;
        // Each span and the version of each facility's part of it.
        let spans: Vec<(NaiveDate, NaiveDate, Versions)> = match span {
            Span::Month => {
                let mut by_month: BTreeMap<NaiveDate, Versions> = BTreeMap::new();
                for s in stamps {
                    by_month.entry(s.month).or_default().push((s.facility, s.version));
                }
                parts_of(from, to)
                    .into_iter()
                    .filter_map(|(month, lo, hi)| Some((lo, hi, by_month.remove(&month)?)))
                    .collect()
            }
            Span::Period => {
                let mut by_facility: BTreeMap<String, Vec<(NaiveDate, i64)>> = BTreeMap::new();
                for s in stamps {
                    by_facility.entry(s.facility).or_default().push((s.month, s.version));
                }
                let versions = by_facility
                    .into_iter()
                    .map(|(facility, mut months)| {
                        months.sort();
                        (facility, hash_of(&months))
                    })
                    .collect();
                vec![(from, to, versions)]
            }
        };
        let mut reads = Reads::default();
        for (lo, hi, wanted) in spans {
            let key = |facility: &str| PartKey {
                level,
                span,
                facility: facility.to_string(),
                from: lo,
                to: hi,
            };
            let mut found: Vec<(&str, Arc<Part>)> = Vec::with_capacity(wanted.len());
            let mut missing: Vec<(&str, i64)> = Vec::new();
            {
                let mut inner = self.lock();
                inner.clock += 1;
                let now = inner.clock;
                for (facility, version) in &wanted {
                    match inner.parts.get_mut(&key(facility)) {
                        Some((part, used)) if part.version == *version => {
                            *used = now;
                            found.push((facility, part.clone()));
                        }
                        _ => missing.push((facility, *version)),
                    }
                }
            }
            reads.kept += found.len();
            reads.read += missing.len();
            if !missing.is_empty() {
                // A period's total is read from the store as one period too (its rows keyed by
                // its first day), not added up from kept month parts, which would hold each
                // facility's rows once more per month (a province's overview of two quarters
                // took 300 MB that way).
                let mut read = if missing.len() > ONE_BY_ONE && scope.facility.is_none() {
                    fetch(store, level, None, lo, hi)?
                } else {
                    let mut all = HashMap::new();
                    for (facility, _) in &missing {
                        all.extend(fetch(store, level, Some(facility), lo, hi)?);
                    }
                    all
                };
                let mut inner = self.lock();
                for (facility, version) in missing {
                    let part = Part::new(version, level, read.remove(facility).unwrap_or_default());
                    found.push((facility, inner.keep(key(facility), part)));
                }
                inner.evict(CACHE_BYTES);
            }
            emit(&mut found, scope, f);
        }
        Ok(reads)
    }

    /// The latest `limit` comments of `scope` (as [`CentreStore::latest_comments`] gives them),
    /// kept while the stamps of the scope's months stand: a comment is stored with its response,
    /// whose tallies bump its month's stamp in the same transaction.
    pub fn latest_comments(
        &self,
        store: &dyn CentreStore,
        scope: &Scope,
        limit: usize,
    ) -> Result<Arc<Vec<Comment>>, Error> {
        let Some((from, to)) = bounded(scope) else {
            return Ok(Arc::new(store.latest_comments(scope, limit)?));
        };
        let mut stamps: Vec<(String, NaiveDate, i64)> = stamps_of(store, scope, from, to)?
            .into_iter()
            .map(|s| (s.facility, s.month, s.version))
            .collect();
        stamps.sort();
        let version = hash_of(&stamps);
        let key = (scope.clone(), limit);
        {
            let mut inner = self.lock();
            inner.clock += 1;
            let now = inner.clock;
            if let Some((v, comments, used)) = inner.comments.get_mut(&key)
                && *v == version
            {
                *used = now;
                return Ok(comments.clone());
            }
        }
        let comments = Arc::new(store.latest_comments(scope, limit)?);
        let mut inner = self.lock();
        let now = inner.clock;
        inner.comments.insert(key, (version, comments.clone(), now));
        if inner.comments.len() > COMMENT_LISTS {
            let mut by_age: Vec<(u64, (Scope, usize))> = inner
                .comments
                .iter()
                .map(|(k, (_, _, used))| (*used, k.clone()))
                .collect();
            by_age.sort_by_key(|(used, _)| *used);
            for (_, k) in by_age.into_iter().take(COMMENT_LISTS / 4) {
                inner.comments.remove(&k);
            }
        }
        Ok(comments)
    }
}

/// The days of `scope` when the cache serves it: both ends given and at most [`MAX_MONTHS`]
/// months (`None`: read it from the store directly).
fn bounded(scope: &Scope) -> Option<(NaiveDate, NaiveDate)> {
    let (from, to) = (scope.from?, scope.to?);
    (parts_of(from, to).len() <= MAX_MONTHS).then_some((from, to))
}

/// The stamps of `scope`'s facility (or every facility) for the months from `from` to `to`.
fn stamps_of(store: &dyn CentreStore, scope: &Scope, from: NaiveDate, to: NaiveDate) -> Result<Vec<TallyStamp>, Error> {
    store.tally_stamps(scope.facility.as_deref(), month_start(from), month_start(to))
}

/// What a facility-level walk hands over: each part's forms (rows added up over departments and
/// points) of the scope's channel when the caller wants no departments and the scope names no
/// department or point, else each row.
fn facility_view<'a>(
    scope: &Scope,
    by_department: bool,
    f: &'a mut dyn FnMut(&str, &TallyKey, &Tally),
) -> impl FnMut(&str, Option<&Row>, &Part) + 'a {
    let forms = !by_department && scope.department.is_none() && scope.point.is_none();
    let channel = scope.channel;
    move |facility, row, part| match (forms, row) {
        (true, None) => {
            for r in part.forms.iter().filter(|r| channel.is_none_or(|c| c == r.key.channel)) {
                f(facility, &r.key, &r.tally);
            }
        }
        (false, Some(row)) => f(facility, &row.key, &row.tally),
        _ => {}
    }
}

/// What a kiosk-level walk hands over: each row with its kiosk.
fn kiosk_view<'a>(f: &'a mut dyn FnMut(&str, &str, &TallyKey, &Tally)) -> impl FnMut(&str, Option<&Row>, &Part) + 'a {
    move |facility, row, _| {
        if let Some(row) = row {
            f(facility, &row.kiosk, &row.key, &row.tally);
        }
    }
}

/// A version made of stamps: their hash (in this process; nothing of it is stored).
fn hash_of<T: std::hash::Hash>(stamps: &T) -> i64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    stamps.hash(&mut h);
    h.finish() as i64
}

/// Hands `found` to `f` in facility order: each part once whole (`None`), then each of its
/// rows that the scope's department, channel and point admit.
fn emit(found: &mut [(&str, Arc<Part>)], scope: &Scope, f: &mut dyn FnMut(&str, Option<&Row>, &Part)) {
    found.sort_by(|a, b| a.0.cmp(b.0));
    for (facility, part) in found.iter() {
        f(facility, None, part);
        for row in &part.rows {
            if scope.department.as_ref().is_none_or(|d| *d == row.key.department)
                && scope.channel.is_none_or(|c| c == row.key.channel)
                && scope.point.as_ref().is_none_or(|p| *p == row.key.point)
            {
                f(facility, Some(row), part);
            }
        }
    }
}

impl Inner {
    /// Keeps `part` under `key` (replacing an older one), used now.
    fn keep(&mut self, key: PartKey, part: Part) -> Arc<Part> {
        let part = Arc::new(part);
        self.bytes += part.bytes;
        let now = self.clock;
        if let Some((old, _)) = self.parts.insert(key, (part.clone(), now)) {
            self.bytes -= old.bytes;
        }
        part
    }

    /// Drops the least recently used parts until the rest take at most three quarters of
    /// `limit`, when they take more than `limit`.
    fn evict(&mut self, limit: usize) {
        tracing::debug!(parts = self.parts.len(), bytes = self.bytes, "tally cache");
        if self.bytes <= limit {
            return;
        }
        let mut by_age: Vec<(u64, PartKey)> = self.parts.iter().map(|(k, (_, used))| (*used, k.clone())).collect();
        by_age.sort_by_key(|(used, _)| *used);
        for (_, key) in by_age {
            if self.bytes <= limit / 4 * 3 {
                break;
            }
            if let Some((part, _)) = self.parts.remove(&key) {
                self.bytes -= part.bytes;
            }
        }
    }
}

/// Reads the rows of `facility` (every facility when `None`) from `from` to `to` at `level`,
/// keyed as a part holds them (the day set to `from`).
fn fetch(
    store: &dyn CentreStore,
    level: Level,
    facility: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<String, KeyedRows>, Error> {
    let scope = Scope {
        facility: facility.map(str::to_string),
        from: Some(from),
        to: Some(to),
        ..Scope::default()
    };
    let mut out: HashMap<String, KeyedRows> = HashMap::new();
    let mut add = |facility: &str, kiosk: &str, key: TallyKey, tally: Tally| {
        let key = TallyKey { day: from, ..key };
        let rows = match out.get_mut(facility) {
            Some(rows) => rows,
            None => out.entry(facility.to_string()).or_default(),
        };
        match rows.get_mut(&(kiosk.to_string(), key.clone())) {
            Some(t) => t.merge(&tally),
            None => {
                rows.insert((kiosk.to_string(), key), tally);
            }
        }
    };
    match level {
        Level::Facility => {
            store.for_each_facility_tally(&scope, &mut |facility, key, tally| add(facility, "", key, tally))?
        }
        Level::Kiosk => store.for_each_tally_row(&scope, &mut |origin, key, tally| {
            add(&origin.facility, &origin.kiosk, key, tally)
        })?,
    }
    Ok(out)
}

/// Reads `scope` from the store, bypassing the cache (an open-ended period, one kiosk's rows).
fn direct(
    store: &dyn CentreStore,
    level: Level,
    scope: &Scope,
    f: &mut dyn FnMut(&str, Option<&Row>, &Part),
) -> Result<Reads, Error> {
    // Rows are handed over one at a time, each as a part of its own (a part's forms are its
    // rows added up over departments and points: for one row, the row with those cleared).
    let mut emit = |facility: &str, kiosk: &str, key: TallyKey, tally: Tally| {
        let mut rows = BTreeMap::new();
        rows.insert((kiosk.to_string(), key), tally);
        let part = Part::new(0, level, rows);
        f(facility, None, &part);
        for row in &part.rows {
            f(facility, Some(row), &part);
        }
    };
    match level {
        Level::Facility => {
            store.for_each_facility_tally(scope, &mut |facility, key, tally| emit(facility, "", key, tally))?
        }
        Level::Kiosk => store.for_each_tally_row(scope, &mut |origin, key, tally| {
            emit(&origin.facility, &origin.kiosk, key, tally)
        })?,
    }
    Ok(Reads::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn a_period_is_cut_at_month_ends() {
        assert_eq!(
            parts_of(d("2026-01-15"), d("2026-03-14")),
            vec![
                (d("2026-01-01"), d("2026-01-15"), d("2026-01-31")),
                (d("2026-02-01"), d("2026-02-01"), d("2026-02-28")),
                (d("2026-03-01"), d("2026-03-01"), d("2026-03-14")),
            ]
        );
        assert_eq!(
            parts_of(d("2026-02-03"), d("2026-02-03")),
            vec![(d("2026-02-01"), d("2026-02-03"), d("2026-02-03"))]
        );
        assert!(parts_of(d("2026-02-03"), d("2026-02-02")).is_empty());
    }

    #[test]
    fn the_least_recently_used_parts_go_first() {
        let mut inner = Inner::default();
        for (i, name) in ["a", "b", "c", "d"].into_iter().enumerate() {
            let part = Arc::new(Part::new(1, Level::Facility, BTreeMap::new()));
            inner.bytes += part.bytes;
            let key = PartKey {
                level: Level::Facility,
                span: Span::Month,
                facility: name.into(),
                from: d("2026-01-01"),
                to: d("2026-01-31"),
            };
            inner.parts.insert(key, (part, i as u64));
        }
        let each = inner.bytes / 4;
        inner.evict(each * 3 - 1);
        let mut left: Vec<String> = inner.parts.keys().map(|k| k.facility.clone()).collect();
        left.sort();
        // Over the limit, parts go oldest first until three quarters of it are left.
        assert_eq!(left, ["c", "d"]);
        assert_eq!(inner.bytes, each * 2);
    }
}
