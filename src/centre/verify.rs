//! `hailong centre verify`: the centre checks what it holds against itself. Each kiosk's chain as
//! stored (sequence numbers contiguous, each `prev_hash` the hash before it, each hash the hash
//! of the stored content, the hash column the body's hash), and the daily and monthly tallies
//! and each facility's roll-up recomputed from the stored responses. Every finding says which
//! side is wrong: what arrived from a kiosk was checked on ingest, so a chain that no longer
//! holds at the centre was changed at the centre, while a hole recorded as a gap when the
//! batches arrived is the kiosk's.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::store::{self, CentreStore, Error, TallyKey};
use crate::store::{GENESIS, StoredResponse};
use crate::survey::Tally;

/// Where a problem lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The centre's own copy was changed after it was stored.
    Centre,
    /// The kiosk never sent it, or sent it broken (recorded when it arrived).
    Kiosk,
}

/// One thing that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The kiosk concerned (for a finding in a facility's roll-up, the facility).
    pub kiosk_id: String,
    /// The sequence number concerned, if one.
    pub seq: Option<u64>,
    /// Which side is wrong.
    pub side: Side,
    /// What, in words.
    pub what: String,
}

/// What `centre verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// Kiosks whose chains were walked.
    pub kiosks: usize,
    /// Responses checked.
    pub responses: u64,
    /// Tally cells compared (daily, monthly and the facilities' roll-ups).
    pub tally_cells: u64,
    /// Feedback items whose logs were replayed.
    pub feedback_items: usize,
    /// Everything that does not hold, kiosk by kiosk in sequence order.
    pub findings: Vec<Finding>,
}

impl Verified {
    /// Whether any finding puts the blame on the centre's copy.
    pub fn centre_altered(&self) -> bool {
        self.findings.iter().any(|f| f.side == Side::Centre)
    }
}

/// Walks every kiosk's chain and recomputes every tally (blocking; reads everything once).
pub fn verify(store: &dyn CentreStore, tz: chrono_tz::Tz) -> Result<Verified, Error> {
    let mut out = Verified::default();
    let events = store.events()?;
    // The kiosks' chains and those the centre keeps itself (phone, ticket, poster).
    let mut kiosks: Vec<(String, u64, String)> = store
        .kiosks()?
        .into_iter()
        .chain(store.chains()?)
        .filter_map(|k| k.kiosk_id.map(|id| (id, k.last_seq, k.facility)))
        .collect();
    kiosks.sort();
    // Each facility's roll-up recomputed: the sum of its kiosks' monthly tallies.
    let mut facilities: BTreeMap<String, BTreeMap<TallyKey, Tally>> = BTreeMap::new();
    for (kiosk_id, last_seq, facility) in kiosks {
        out.kiosks += 1;
        // Holes and breaks recorded when batches arrived: the kiosk's doing, not the centre's.
        // (The audit's events about responses changed on the kiosk after they were sent are
        // about rows the centre holds, so they excuse nothing here.)
        let mine = |e: &&store::Event| e.kiosk_id == kiosk_id && !is_audit_finding(&e.detail);
        let recorded_gaps: Vec<(u64, u64)> = events
            .iter()
            .filter(mine)
            .filter(|e| e.kind == "gap")
            .filter_map(|e| gap_range(&e.detail))
            .collect();
        let recorded_breaks: HashSet<u64> = events
            .iter()
            .filter(mine)
            .filter(|e| e.kind == "tamper")
            .filter_map(|e| e.seq)
            .collect();
        let mut walk = Walk {
            kiosk_id: &kiosk_id,
            previous: None,
            daily: BTreeMap::new(),
            recorded_gaps: &recorded_gaps,
            recorded_breaks: &recorded_breaks,
            findings: Vec::new(),
            tz,
            count: 0,
        };
        store.for_each_chain_row(&kiosk_id, &mut |row| walk.row(&row))?;
        let held_up_to = walk.previous.as_ref().map_or(0, |(seq, _)| *seq);
        if last_seq > held_up_to {
            walk.hole(held_up_to + 1, last_seq);
        }
        let Walk {
            daily,
            mut findings,
            count,
            ..
        } = walk;
        out.responses += count;
        let monthly = store::by_month(&daily);
        let rollup = facilities.entry(facility).or_default();
        for (key, tally) in &monthly {
            rollup.entry(key.clone()).or_default().merge(tally);
        }
        for (table, recomputed) in [("daily", daily), ("monthly", monthly)] {
            let mut stored = BTreeMap::new();
            store.stored_tallies(&kiosk_id, table == "monthly", &mut |key, tally| {
                stored.insert(key, tally);
            })?;
            out.tally_cells += compare_tallies(&kiosk_id, table, &stored, &recomputed, &mut findings);
        }
        out.findings.extend(findings);
    }
    let mut stored: BTreeMap<String, BTreeMap<TallyKey, Tally>> = BTreeMap::new();
    store.for_each_facility_tally(&store::Scope::default(), &mut |facility, key, tally| {
        stored.entry(facility.to_string()).or_default().insert(key, tally);
    })?;
    let names: std::collections::BTreeSet<String> = stored.keys().chain(facilities.keys()).cloned().collect();
    let none = BTreeMap::new();
    for facility in names {
        let (s, r) = (
            stored.get(&facility).unwrap_or(&none),
            facilities.get(&facility).unwrap_or(&none),
        );
        out.tally_cells += compare_tallies(&facility, "facility roll-up", s, r, &mut out.findings);
    }
    Ok(out)
}

struct Walk<'a> {
    kiosk_id: &'a str,
    /// The last row seen: its sequence number and its hash.
    previous: Option<(u64, String)>,
    daily: BTreeMap<TallyKey, Tally>,
    recorded_gaps: &'a [(u64, u64)],
    recorded_breaks: &'a HashSet<u64>,
    findings: Vec<Finding>,
    tz: chrono_tz::Tz,
    count: u64,
}

impl Walk<'_> {
    fn find(&mut self, seq: Option<u64>, side: Side, what: String) {
        self.findings.push(Finding {
            kiosk_id: self.kiosk_id.to_string(),
            seq,
            side,
            what,
        });
    }

    fn hole(&mut self, from: u64, to: u64) {
        // Part of a recorded gap may have arrived since: a hole inside one is still the kiosk's.
        if self.recorded_gaps.iter().any(|&(a, b)| a <= from && to <= b) {
            let what = format!("responses {from}–{to} never arrived from the kiosk (recorded as a gap on arrival)");
            self.find(Some(from), Side::Kiosk, what);
        } else {
            let what = format!("responses {from}–{to} are missing at the centre: deleted from its database");
            self.find(Some(from), Side::Centre, what);
        }
    }

    fn row(&mut self, row: &store::ChainRow) {
        let (seq, hash_column, body) = (row.seq, row.hash.as_str(), row.body.as_str());
        self.count += 1;
        let expected = self.previous.as_ref().map_or(1, |(s, _)| s + 1);
        if seq > expected {
            self.hole(expected, seq - 1);
        }
        let stored: StoredResponse = match serde_json::from_str(body) {
            Ok(r) => r,
            Err(e) => {
                self.find(
                    Some(seq),
                    Side::Centre,
                    format!("response {seq}: its stored body does not parse ({e})"),
                );
                self.previous = Some((seq, hash_column.to_string()));
                return;
            }
        };
        if stored.seq != seq || stored.kiosk_id != self.kiosk_id {
            let what = format!(
                "response {seq}: its body says kiosk {:?} seq {}: moved at the centre",
                stored.kiosk_id, stored.seq
            );
            self.find(Some(seq), Side::Centre, what);
        }
        let recomputed = crate::store::link(&stored.prev_hash, stored.seq, &stored.kiosk_id, &stored.response);
        if recomputed != stored.hash {
            let what = format!("response {seq}: its content was changed at the centre (it no longer matches its hash)");
            self.find(Some(seq), Side::Centre, what);
        }
        if hash_column != stored.hash {
            let what = format!("response {seq}: the centre's hash column was changed (it is not the response's hash)");
            self.find(Some(seq), Side::Centre, what);
        }
        let link_expected = match &self.previous {
            Some((s, h)) if *s + 1 == seq => Some(h.as_str()),
            None if seq == 1 => Some(GENESIS),
            _ => None,
        };
        if let Some(prev) = link_expected
            && stored.prev_hash != prev
            && !self.recorded_breaks.contains(&seq)
        {
            let what = format!("response {seq}: does not link to the response before it at the centre");
            self.find(Some(seq), Side::Centre, what);
        }
        // Stored with times nobody can believe: in no figure, so in no tally.
        if !row.clock_suspect {
            store::add_to_tallies(&mut self.daily, &stored, self.tz);
        }
        self.previous = Some((seq, stored.hash));
    }
}

/// The range of a gap recorded on arrival ("responses 12–14 missing", as `store::plan` words it).
fn gap_range(detail: &str) -> Option<(u64, u64)> {
    let range = detail.strip_prefix("responses ")?.strip_suffix(" missing")?;
    let (a, b) = range.split_once('–')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Whether an event is the chain audit's finding about a response changed on the kiosk after
/// it was sent (`store::compare_audit`), not something found when a batch arrived.
fn is_audit_finding(detail: &str) -> bool {
    detail.ends_with("on the kiosk after it was synced") || detail.ends_with("from the kiosk after it was synced")
}

/// Compares stored tally cells with recomputed ones; returns how many cells were compared.
fn compare_tallies(
    kiosk_id: &str,
    table: &str,
    stored: &BTreeMap<TallyKey, Tally>,
    recomputed: &BTreeMap<TallyKey, Tally>,
    findings: &mut Vec<Finding>,
) -> u64 {
    let keys: std::collections::BTreeSet<&TallyKey> = stored.keys().chain(recomputed.keys()).collect();
    let empty = Tally::default();
    for key in &keys {
        let (s, r) = (stored.get(key).unwrap_or(&empty), recomputed.get(key).unwrap_or(&empty));
        if s != r {
            findings.push(Finding {
                kiosk_id: kiosk_id.to_string(),
                seq: None,
                side: Side::Centre,
                what: format!(
                    "{table} tally {} / {} / {}@{}{}: stored {} responses ({} satisfied answers), recomputed from the responses {} ({})",
                    key.day,
                    if key.department.is_empty() { "—" } else { &key.department },
                    key.questionnaire_id,
                    key.questionnaire_version,
                    if key.rapid_repeat { " (rapid repeats)" } else { "" },
                    s.responses,
                    satisfied(s),
                    r.responses,
                    satisfied(r),
                ),
            });
        }
    }
    keys.len() as u64
}

fn satisfied(t: &Tally) -> u64 {
    t.scale.values().map(|counts| counts[4] + counts[5]).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_read_as_the_ranges_ingest_wrote_and_audit_findings_are_told_apart() {
        assert_eq!(gap_range("responses 12–14 missing"), Some((12, 14)));
        assert_eq!(gap_range("responses 7–7 missing"), Some((7, 7)));
        assert_eq!(
            gap_range("response 01… (seq 3) was removed from the kiosk after it was synced"),
            None
        );
        assert!(is_audit_finding(
            "response 01… (seq 3) was removed from the kiosk after it was synced"
        ));
        assert!(is_audit_finding(
            "response 01… (seq 3) was altered on the kiosk after it was synced"
        ));
        assert!(!is_audit_finding("responses 12–14 missing"));
        assert!(!is_audit_finding(
            "chain broken: prev_hash does not match the response before"
        ));
    }
}
