//! Bursts (DESIGN §12, issue 27 §3.5): more completed answers from one point than patients
//! could plausibly give, through the channels anyone with a phone can reach (phone, ticket,
//! poster). They are flagged for staff to review, never blocked — a ward's patients share one
//! network address, and a busy morning is real.
//!
//! Two rules, over the completed responses of one point and channel:
//! - a minute with more than [`PER_MINUTE`] (consecutive such minutes make one burst);
//! - an hour with at least [`HOUR_AT_LEAST`] and [`HOUR_TIMES`] times the point's usual hour
//!   (the lower median of its other hours with any answer in the period; none on a first day),
//!   unless the minute bursts in it hold all of it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, DurationRound, Utc};

use crate::survey::Channel;

/// A minute with more completed answers than this from one point is a burst.
pub const PER_MINUTE: u64 = 10;
/// An hour with this many times the point's usual hour is a burst…
pub const HOUR_TIMES: u64 = 5;
/// …when it holds at least this many.
pub const HOUR_AT_LEAST: u64 = 30;

/// Completed responses of one point and channel in one minute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinuteCount {
    /// The point.
    pub point: String,
    /// The channel.
    pub channel: Channel,
    /// The minute's start.
    pub minute: DateTime<Utc>,
    /// How many.
    pub n: u64,
}

/// Why a stretch of time was flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// More than [`PER_MINUTE`] a minute.
    Minute,
    /// An hour [`HOUR_TIMES`] times the usual: the usual hour's count.
    Hour {
        /// The point's usual (median) hour.
        usual: u64,
    },
}

/// A burst to review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Burst {
    /// The point.
    pub point: String,
    /// The channel.
    pub channel: Channel,
    /// Its start.
    pub from: DateTime<Utc>,
    /// Its end (exclusive).
    pub to: DateTime<Utc>,
    /// Completed responses in it.
    pub n: u64,
    /// Which rule flagged it.
    pub rule: Rule,
}

/// The bursts in `counts` (any order), newest first.
pub fn bursts(counts: &[MinuteCount]) -> Vec<Burst> {
    let mut by_stream: BTreeMap<(&str, Channel), BTreeMap<DateTime<Utc>, u64>> = BTreeMap::new();
    for c in counts {
        *by_stream
            .entry((c.point.as_str(), c.channel))
            .or_default()
            .entry(c.minute)
            .or_default() += c.n;
    }
    let minute = Duration::minutes(1);
    let hour = Duration::hours(1);
    let mut out = Vec::new();
    for ((point, channel), minutes) in by_stream {
        let flag = |from, to, n, rule| Burst {
            point: point.to_string(),
            channel,
            from,
            to,
            n,
            rule,
        };
        // Minutes over the limit, consecutive ones joined.
        let mut found: Vec<Burst> = Vec::new();
        for (&at, &n) in minutes.iter().filter(|(_, n)| **n > PER_MINUTE) {
            match found.last_mut() {
                Some(last) if last.to == at => {
                    last.to = at + minute;
                    last.n += n;
                }
                _ => found.push(flag(at, at + minute, n, Rule::Minute)),
            }
        }
        // Hours against the point's usual hour.
        let mut hours: BTreeMap<DateTime<Utc>, u64> = BTreeMap::new();
        for (&at, &n) in &minutes {
            *hours.entry(at.duration_trunc(hour).unwrap_or(at)).or_default() += n;
        }
        let sorted: Vec<u64> = {
            let mut v: Vec<u64> = hours.values().copied().collect();
            v.sort_unstable();
            v
        };
        let minute_bursts = found.len();
        for (&at, &n) in &hours {
            // The usual hour: the (lower) median of the point's other hours with answers, so an
            // hour is never its own yardstick; with no other hour, none.
            let mut others = sorted.clone();
            if let Ok(i) = others.binary_search(&n) {
                others.remove(i);
            }
            let usual = others.get(others.len().saturating_sub(1) / 2).copied().unwrap_or(0);
            // What the minute bursts in it already show; the hour is flagged for more than that.
            let shown: u64 = found[..minute_bursts]
                .iter()
                .filter(|b| b.from >= at && b.to <= at + hour)
                .map(|b| b.n)
                .sum();
            if n >= HOUR_AT_LEAST && n >= HOUR_TIMES * usual.max(1) && n > shown {
                found.push(flag(at, at + hour, n, Rule::Hour { usual }));
            }
        }
        out.extend(found);
    }
    out.sort_by(|a, b| b.from.cmp(&a.from).then_with(|| a.point.cmp(&b.point)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn count(point: &str, minute: &str, n: u64) -> MinuteCount {
        MinuteCount {
            point: point.into(),
            channel: Channel::Poster,
            minute: at(minute),
            n,
        }
    }

    #[test]
    fn more_than_ten_a_minute_is_flagged_and_consecutive_minutes_make_one_burst() {
        let counts = vec![
            count("Sảnh chờ", "2026-11-15T02:00:00Z", 10),
            count("Sảnh chờ", "2026-11-15T03:00:00Z", 11),
            count("Sảnh chờ", "2026-11-15T03:01:00Z", 14),
            count("Sảnh chờ", "2026-11-15T03:03:00Z", 12),
            count("Khoa Nhi", "2026-11-15T03:01:00Z", 9),
        ];
        let found = bursts(&counts);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(
            (found[0].from, found[0].to, found[0].n),
            (at("2026-11-15T03:03:00Z"), at("2026-11-15T03:04:00Z"), 12)
        );
        assert_eq!(
            (found[1].from, found[1].to, found[1].n),
            (at("2026-11-15T03:00:00Z"), at("2026-11-15T03:02:00Z"), 25)
        );
        assert!(found.iter().all(|b| b.point == "Sảnh chờ" && b.rule == Rule::Minute));
    }

    #[test]
    fn an_hour_five_times_the_usual_is_flagged_unless_its_flagged_minutes_hold_it_all() {
        // Usual: 4 an hour; one hour of 40, spread 8 a minute over 5 minutes.
        let mut counts: Vec<MinuteCount> = (0..9)
            .map(|h| count("Khoa Nội", &format!("2026-11-15T0{h}:10:00Z"), 4))
            .collect();
        for m in 0..5 {
            counts.push(count("Khoa Nội", &format!("2026-11-16T02:1{m}:00Z"), 8));
        }
        let found = bursts(&counts);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].rule, Rule::Hour { usual: 4 });
        assert_eq!((found[0].from, found[0].n), (at("2026-11-16T02:00:00Z"), 40));
        // A busy hour that is not many times the usual one is not.
        let mut steady: Vec<MinuteCount> = (0..9)
            .flat_map(|h| (1..5).map(move |m| count("Khoa Nội", &format!("2026-11-15T0{h}:{m}0:00Z"), 5)))
            .collect();
        steady.push(count("Khoa Nội", "2026-11-16T02:10:00Z", 9));
        steady.push(count("Khoa Nội", "2026-11-16T02:20:00Z", 9));
        steady.push(count("Khoa Nội", "2026-11-16T02:30:00Z", 9));
        steady.push(count("Khoa Nội", "2026-11-16T02:40:00Z", 9));
        assert!(bursts(&steady).is_empty());
        // An hour whose minute was flagged is listed too, with its whole count.
        let mut flagged = counts.clone();
        flagged.push(count("Khoa Nội", "2026-11-16T02:30:00Z", 11));
        let found = bursts(&flagged);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!((found[0].rule, found[0].n), (Rule::Minute, 11));
        assert_eq!((found[1].rule, found[1].n), (Rule::Hour { usual: 4 }, 51));
        // All of an hour in its flagged minutes: the minutes say it.
        let only = vec![count("Sảnh chờ", "2026-11-16T02:30:00Z", 31)];
        let found = bursts(&only);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].rule, Rule::Minute);
        // A first day: a flood of 40 in an hour with no other hour to compare is flagged; 20 is not.
        let first: Vec<MinuteCount> = (0..5)
            .map(|m| count("Sảnh chờ", &format!("2026-11-16T02:1{m}:00Z"), 8))
            .collect();
        assert_eq!(bursts(&first).len(), 1);
        assert!(bursts(&first[..2]).is_empty());
        // Two hours, one flooded: the flood is compared with the other hour, not itself.
        let mut two = first.clone();
        two.push(count("Sảnh chờ", "2026-11-16T05:10:00Z", 4));
        let found = bursts(&two);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!((found[0].n, found[0].rule), (40, Rule::Hour { usual: 4 }));
    }
}
