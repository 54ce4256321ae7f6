//! Realistic, deterministic demo responses for `hailong demo-data`, benchmarks and tests.
//!
//! The same seed, questionnaire, count and end date always give the same responses: ids,
//! times and answers come from one seeded ChaCha generator. Mostly 4–5, with weaker items and
//! departments, follow-up reasons after low ratings, a few partial responses and rapid
//! repeats, Vietnamese comments, spread over the year before `end`.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use super::model::{ItemKind, Locale, Questionnaire};
use super::response::{Answer, Response, ResponseId, Status};

#[derive(Deserialize)]
struct Samples {
    departments: Vec<String>,
    positive_vi: Vec<String>,
    negative_vi: Vec<String>,
    positive_en: Vec<String>,
    negative_en: Vec<String>,
    other_vi: Vec<String>,
}

fn samples() -> Samples {
    toml::from_str(include_str!("../../assets/demo/samples.toml")).expect("assets/demo/samples.toml is valid")
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// How many responses.
    pub responses: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Last facility-local day of the year covered.
    pub end: NaiveDate,
    /// Departments to spread responses over; empty = the sample departments.
    pub departments: Vec<String>,
    /// The facility's time zone (responses fall in opening hours, 7:00–17:00 local).
    pub tz: chrono_tz::Tz,
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Generates the responses in submission order, passing each to `sink`.
pub fn generate(q: &Questionnaire, opts: &DemoOptions, mut sink: impl FnMut(Response)) {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let samples = samples();
    let departments = if opts.departments.len() >= 2 {
        opts.departments.clone()
    } else {
        samples.departments.clone()
    };
    // Each department has its own level; some stay below the 95 % target.
    let levels: Vec<f64> = (0..departments.len())
        .map(|i| [0.975, 0.93, 0.96, 0.90, 0.985, 0.95][i % 6])
        .collect();

    let first_day = opts.end - Duration::days(364);
    let mut times: Vec<i64> = (0..opts.responses)
        .map(|_| {
            let day = first_day + Duration::days(rng.random_range(0..365));
            let secs = rng.random_range(7 * 3600..17 * 3600);
            let local = day.and_hms_opt(0, 0, 0).expect("midnight exists") + Duration::seconds(secs);
            opts.tz
                .from_local_datetime(&local)
                .earliest()
                .map_or(0, |t| t.with_timezone(&Utc).timestamp_millis())
        })
        .collect();
    times.sort_unstable();

    let mut previous: Option<Response> = None;
    for submitted_ms in times {
        let submitted = DateTime::<Utc>::from_timestamp_millis(submitted_ms).expect("valid time");
        // About one in two hundred is the same patient tapping through again at once.
        if let Some(prev) = previous.as_ref().filter(|_| rng.random_bool(0.005)) {
            let mut again = prev.clone();
            let millis: [u8; 10] = rng.random();
            again.id = ResponseId(uuid::Builder::from_unix_timestamp_millis(submitted_ms as u64, &millis).into_uuid());
            again.started_at = submitted - Duration::seconds(rng.random_range(8..20));
            again.submitted_at = submitted;
            again.rapid_repeat = true;
            sink(again);
            continue;
        }
        let d = rng.random_range(0..departments.len());
        let response = one(
            q,
            &mut rng,
            &samples,
            &departments[d],
            levels[d],
            submitted,
            submitted_ms,
        );
        if response.status == Status::Complete {
            previous = Some(response.clone());
        }
        sink(response);
    }
}

fn one(
    q: &Questionnaire,
    rng: &mut ChaCha8Rng,
    samples: &Samples,
    department: &str,
    level: f64,
    submitted: DateTime<Utc>,
    submitted_ms: i64,
) -> Response {
    let locale = if rng.random_bool(0.9) { Locale::Vi } else { Locale::En };
    // A patient's overall mood shifts every answer a little.
    let mood: f64 = rng.random_range(-0.04..0.03);
    let mut answers = BTreeMap::new();
    let mut low = false;
    for item in q.items() {
        let answer = match &item.kind {
            ItemKind::Scale5 { not_used, follow_up } => {
                if *not_used && rng.random_bool(0.06) {
                    Answer::Scale(0)
                } else {
                    let difficulty = match item.code.chars().next() {
                        Some('B') => -0.04, // waiting times
                        Some('C') => -0.03, // toilets, waiting rooms
                        _ => 0.0,
                    };
                    let p = (level + difficulty + mood).clamp(0.5, 0.995);
                    let v = if rng.random_bool(p) {
                        if rng.random_bool(0.55) { 5 } else { 4 }
                    } else {
                        *pick(rng, &[3, 3, 3, 3, 3, 3, 2, 2, 2, 1])
                    };
                    if let Some(f) = follow_up.as_ref().filter(|f| f.applies_to(v)) {
                        low = true;
                        let n = rng.random_range(1..=2.min(f.reasons.len()));
                        let mut reasons: Vec<String> = Vec::new();
                        while reasons.len() < n {
                            let r = pick(rng, &f.reasons).code.clone();
                            if !reasons.contains(&r) {
                                reasons.push(r);
                            }
                        }
                        answers.insert(item.follow_up_code(), Answer::Reasons(reasons));
                    }
                    Answer::Scale(v)
                }
            }
            ItemKind::Percent { over_100, .. } => {
                let v: u16 = if *over_100 && rng.random_bool(0.05) {
                    *pick(rng, &[110, 120])
                } else {
                    *pick(rng, &[70, 80, 80, 90, 90, 90, 100, 100, 100, 100])
                };
                Answer::Percent(v)
            }
            ItemKind::Choice { options } => {
                // Options are listed worst to best in the Ministry forms; the last one or two
                // ("other", "don't know") are rare.
                let n = options.len();
                let weights: Vec<u32> = (0..n)
                    .map(|i| {
                        if options[i].other {
                            1
                        } else {
                            [2, 3, 6, 30, 59, 5][i.min(5)]
                        }
                    })
                    .collect();
                let total: u32 = weights.iter().sum();
                let mut roll = rng.random_range(0..total);
                let mut chosen = 0;
                for (i, w) in weights.iter().enumerate() {
                    if roll < *w {
                        chosen = i;
                        break;
                    }
                    roll -= w;
                }
                let option = &options[chosen];
                Answer::Choice {
                    option: option.code.clone(),
                    other: option.other.then(|| pick(rng, &samples.other_vi).clone()),
                }
            }
            ItemKind::Text { .. } => {
                if !rng.random_bool(if low { 0.35 } else { 0.07 }) {
                    continue;
                }
                let list = match (locale, low) {
                    (Locale::Vi, false) => &samples.positive_vi,
                    (Locale::Vi, true) => &samples.negative_vi,
                    (Locale::En, false) => &samples.positive_en,
                    (Locale::En, true) => &samples.negative_en,
                };
                Answer::Text(pick(rng, list).clone())
            }
        };
        answers.insert(item.code.clone(), answer);
    }
    let mut status = Status::Complete;
    // About three in a hundred walk away part-way: keep the first few answers only.
    if rng.random_bool(0.03) {
        let order: Vec<String> = q.items().map(|i| i.code.clone()).collect();
        let keep = rng.random_range(1..order.len().max(2));
        let kept: Vec<&String> = order.iter().take(keep).collect();
        let mut partial = answers.clone();
        partial.retain(|code, _| {
            kept.iter()
                .any(|k| code == *k || code.strip_suffix(".why") == Some(k.as_str()))
        });
        if !partial.is_empty() {
            answers = partial;
            status = Status::Partial;
        }
    }
    let bytes: [u8; 10] = rng.random();
    Response {
        id: ResponseId(uuid::Builder::from_unix_timestamp_millis(submitted_ms as u64, &bytes).into_uuid()),
        questionnaire_id: q.id.clone(),
        questionnaire_version: q.version,
        department: Some(department.to_string()),
        locale,
        started_at: submitted - Duration::seconds(rng.random_range(25..(30 + 8 * q.items().count() as i64))),
        submitted_at: submitted,
        status,
        rapid_repeat: false,
        answers,
        channel: None,
        point: None,
        repeat_device: false,
    }
}
