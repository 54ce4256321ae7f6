//! `hailong centre demo-data`: simulated kiosks in several facilities, their responses chained
//! as a kiosk chains them and stored through the same ingest code as `POST /api/v1/responses`.
//! Each kiosk stands at a point of its facility; one response in twelve was filled by a helper
//! (channel `interview`), the rest by the patients (`kiosk`).

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::store::{CentreStore, Error};
use super::{new_token, token_hash};
use crate::store::{GENESIS, StoredResponse, link};
use crate::survey::demo::{DemoOptions, generate};
use crate::survey::{Answer, Catalog, Channel};

/// District names for the simulated facilities.
const DISTRICTS: [&str; 12] = [
    "Ba Vì",
    "Đan Phượng",
    "Hoài Đức",
    "Mê Linh",
    "Phúc Thọ",
    "Quốc Oai",
    "Sóc Sơn",
    "Thạch Thất",
    "Thanh Oai",
    "Thường Tín",
    "Ứng Hòa",
    "Mỹ Đức",
];

/// The `f`th simulated facility's name: a district's, numbered from the second round of
/// districts on, so that any number of facilities stay distinct facilities.
pub fn facility_name(f: usize) -> String {
    let district = DISTRICTS[f % DISTRICTS.len()];
    match f / DISTRICTS.len() {
        0 => format!("Trung tâm Y tế huyện {district}"),
        round => format!("Trung tâm Y tế huyện {district} {}", round + 1),
    }
}

/// Where each simulated kiosk stands (its point), by its number in the facility.
const POINTS: [&str; 4] = ["Khu tiếp đón", "Khu khám bệnh", "Khoa Nội", "Khoa Nhi"];

/// Every how many responses a simulated kiosk's helper filled the form for a patient (channel
/// `interview`); the others are the patients' own (`kiosk`).
const INTERVIEW_EVERY: u64 = 12;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Facilities.
    pub facilities: usize,
    /// Kiosks in each.
    pub kiosks_per_facility: usize,
    /// Responses per kiosk.
    pub responses: usize,
    /// Seed: the same seed gives the same data.
    pub seed: u64,
    /// Last day covered.
    pub end: NaiveDate,
    /// The facility time zone.
    pub tz: chrono_tz::Tz,
    /// The questionnaire the kiosks ask (its latest version).
    pub questionnaire: String,
}

/// Fills the centre; returns the number of responses stored. Facilities differ in how
/// satisfied their patients are: the first is the best, later ones fall below 95 %.
pub fn fill(
    store: &dyn CentreStore,
    catalog: &Catalog,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, Error> {
    let q = catalog
        .latest(&opts.questionnaire)
        .map_err(|e| Error::NotFound(e.to_string()))?;
    let mut stored = 0;
    for f in 0..opts.facilities {
        let facility = facility_name(f);
        // From the best facility to the worst: low answers lifted to 4–5 (70 % … 0 %), good
        // answers pulled down to 2–3 (0 % … 12 %).
        let position = f as f64 / opts.facilities.max(2).saturating_sub(1) as f64;
        let (better, worse) = (0.7 * (1.0 - position), 0.12 * position);
        for k in 0..opts.kiosks_per_facility {
            let kiosk_seed = opts.seed.wrapping_mul(1_000_003).wrapping_add((f * 1000 + k) as u64);
            let mut rng = ChaCha8Rng::seed_from_u64(kiosk_seed);
            let enrolment = store.add_kiosk(&facility, &format!("Kiosk {}", k + 1), &token_hash(&new_token()))?;
            let kiosk_id = format!("demo-{f:02}-{k:02}-{kiosk_seed:x}");
            let demo = DemoOptions {
                responses: opts.responses,
                seed: kiosk_seed,
                end: opts.end,
                departments: vec!["Khoa Khám bệnh".into(), "Khoa Nội".into(), "Khoa Nhi".into()],
                tz: opts.tz,
            };
            let mut batch = Vec::with_capacity(500);
            let (mut seq, mut prev) = (0u64, GENESIS.to_string());
            let mut failure = None;
            generate(q, &demo, |mut r| {
                if failure.is_some() {
                    return;
                }
                for a in r.answers.values_mut() {
                    match a {
                        Answer::Scale(v @ 4..=5) if rng.random_bool(worse) => {
                            *v = if rng.random_bool(0.7) { 3 } else { 2 }
                        }
                        Answer::Scale(v @ 1..=3) if rng.random_bool(better) => {
                            *v = if rng.random_bool(0.5) { 4 } else { 5 }
                        }
                        _ => {}
                    }
                }
                seq += 1;
                r.channel = Some(if seq % INTERVIEW_EVERY == 0 {
                    Channel::Interview
                } else {
                    Channel::Kiosk
                });
                r.point = Some(POINTS[k % POINTS.len()].to_string());
                let hash = link(&prev, seq, &kiosk_id, &r);
                batch.push(StoredResponse {
                    seq,
                    kiosk_id: kiosk_id.clone(),
                    response: r,
                    prev_hash: std::mem::replace(&mut prev, hash.clone()),
                    hash,
                });
                if batch.len() == 500 {
                    // Like a kiosk, each batch says how many responses are still to come.
                    let waiting = Some((opts.responses as u64).saturating_sub(seq));
                    match store.ingest(&enrolment, &kiosk_id, &batch, waiting, catalog) {
                        Ok(result) => {
                            stored += result.accepted.len() as u64;
                            progress(stored);
                        }
                        Err(e) => failure = Some(e),
                    }
                    batch.clear();
                }
            });
            if let Some(e) = failure {
                return Err(e);
            }
            if !batch.is_empty() {
                stored += store
                    .ingest(&enrolment, &kiosk_id, &batch, Some(0), catalog)?
                    .accepted
                    .len() as u64;
                progress(stored);
            }
        }
    }
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::facility_name;

    #[test]
    fn two_hundred_facilities_have_two_hundred_names() {
        let names: std::collections::BTreeSet<String> = (0..200).map(facility_name).collect();
        assert_eq!(names.len(), 200);
        assert_eq!(facility_name(0), "Trung tâm Y tế huyện Ba Vì");
        assert_eq!(facility_name(12), "Trung tâm Y tế huyện Ba Vì 2");
    }
}
