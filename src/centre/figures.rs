//! Figures the centre's pages show, computed from the stored tallies in one pass and grouped
//! (by facility, department, kiosk, month, questionnaire): every number still comes from
//! `survey::summarize`, the one scoring rule. No HTML here; `http::web` renders these.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Centre;
use super::store::{self, Error, Scope, TallyKey, TallyOrigin};
use crate::survey::{Channel, Questionnaire, Summary, Tally, summarize};

/// Which channel and point a page or report counts (`?channel=phone&point=…`): every one when
/// none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Strata {
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Only this point.
    pub point: Option<String>,
}

impl Strata {
    /// `scope` narrowed to these.
    pub fn narrow(&self, scope: Scope) -> Scope {
        Scope {
            channel: self.channel,
            point: self.point.clone(),
            ..scope
        }
    }
}

/// What `strata` narrows a report to, one sentence each, in `locale`.
pub fn strata_words(strata: &Strata, locale: crate::survey::Locale) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = strata.channel {
        out.push(crate::i18n::tr_args(
            locale,
            id!("quarterly-only-channel"),
            &[("channel", crate::report::text::channel_name(locale, c).into())],
        ));
    }
    if let Some(p) = &strata.point {
        out.push(crate::i18n::tr_args(
            locale,
            id!("quarterly-only-point"),
            &[("point", p.clone().into())],
        ));
    }
    out
}

/// How many counted responses (rapid repeats aside) came by each channel (DESIGN §12): shown
/// beside a page's figures, and compared with the period before, since patients answer
/// differently by different channels (HCAHPS: phone answers markedly more positive than mail).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelMix(pub BTreeMap<Channel, u64>);

/// A channel's share moving more than this many points between two periods makes a pooled
/// figure's change doubtful.
pub const MIX_SHIFT_POINTS: f64 = 20.0;

/// Fewer responses than this in either period, and shares are too unsteady to compare (the
/// public page's smallest published count).
pub const MIX_SHIFT_MIN_N: u64 = 30;

impl ChannelMix {
    /// Adds one stored tally row.
    pub fn add(&mut self, key: &TallyKey, tally: &Tally) {
        if !key.rapid_repeat && tally.responses > 0 {
            *self.0.entry(key.channel).or_default() += tally.responses;
        }
    }

    /// Every counted response.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// A channel's share, percent (0 when there are no responses).
    pub fn share(&self, channel: Channel) -> f64 {
        match self.total() {
            0 => 0.0,
            total => 100.0 * *self.0.get(&channel).unwrap_or(&0) as f64 / total as f64,
        }
    }

    /// The channel whose share moved most since `before`, with its share then and now, when it
    /// moved more than [`MIX_SHIFT_POINTS`]; `None` when either period has fewer than
    /// [`MIX_SHIFT_MIN_N`] responses.
    pub fn shift_from(&self, before: &ChannelMix) -> Option<(Channel, f64, f64)> {
        if self.total() < MIX_SHIFT_MIN_N || before.total() < MIX_SHIFT_MIN_N {
            return None;
        }
        Channel::ALL
            .into_iter()
            .map(|c| (c, before.share(c), self.share(c)))
            .filter(|(_, then, now)| (now - then).abs() > MIX_SHIFT_POINTS)
            .max_by(|a, b| (a.2 - a.1).abs().total_cmp(&(b.2 - b.1).abs()))
    }
}

/// Tallies added up per group and questionnaire, before scoring.
#[derive(Debug)]
pub struct Groups<K: Ord> {
    counted: BTreeMap<K, BTreeMap<(String, u32), Tally>>,
    rapid: BTreeMap<K, u64>,
}

impl<K: Ord> Default for Groups<K> {
    fn default() -> Self {
        Groups {
            counted: BTreeMap::new(),
            rapid: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Clone> Groups<K> {
    /// Adds one stored tally row to `group`.
    pub fn add(&mut self, group: K, key: &TallyKey, tally: &Tally) {
        if key.rapid_repeat {
            *self.rapid.entry(group).or_default() += tally.responses;
        } else {
            self.counted
                .entry(group)
                .or_default()
                .entry((key.questionnaire_id.clone(), key.questionnaire_version))
                .or_default()
                .merge(tally);
        }
    }

    /// Scores every group (a group holding only rapid repeats has an empty summary).
    pub fn summaries(self, centre: &Centre) -> Result<BTreeMap<K, Summary>, Error> {
        let mut out = BTreeMap::new();
        let mut keys: Vec<K> = self.counted.keys().cloned().collect();
        keys.extend(self.rapid.keys().cloned());
        keys.sort();
        keys.dedup();
        for k in keys {
            let parts = self.counted.get(&k);
            let mut counted: Vec<(&Questionnaire, &Tally)> = Vec::new();
            for ((id, version), tally) in parts.into_iter().flatten() {
                let q = centre.catalog.get(id, *version).ok_or_else(|| {
                    Error::Corrupt(format!("responses refer to unknown questionnaire {id}@{version}"))
                })?;
                counted.push((q, tally));
            }
            counted.sort_by_key(|(q, _)| q.key());
            let rapid = self.rapid.get(&k).copied().unwrap_or(0);
            out.insert(k, summarize(&counted, rapid, &centre.scoring));
        }
        Ok(out)
    }
}

/// The summaries of `scope`, grouped by `group` (which may drop a row by returning `None`).
pub fn grouped<K: Ord + Clone>(
    centre: &Centre,
    scope: &Scope,
    mut group: impl FnMut(&TallyOrigin, &TallyKey) -> Option<K>,
) -> Result<BTreeMap<K, Summary>, Error> {
    let mut groups = Groups::default();
    centre.store.for_each_tally_row(scope, &mut |origin, key, tally| {
        if let Some(k) = group(origin, &key) {
            groups.add(k, &key, &tally);
        }
    })?;
    groups.summaries(centre)
}

/// More satisfied answers, all satisfied, that would lift `satisfied` of `answers` to
/// `target_pct`: the least k with (satisfied + k) / (answers + k) ≥ target. `Some(0)` when the
/// target is met; `None` when no number of answers can reach it (a 100 % target with a
/// dissatisfied answer already given) or there are no answers.
pub fn needed_for_target(satisfied: u64, answers: u64, target_pct: f64) -> Option<u64> {
    if answers == 0 {
        return None;
    }
    let t = target_pct / 100.0;
    let (s, n) = (satisfied as f64, answers as f64);
    if s >= t * n - 1e-9 {
        return Some(0);
    }
    if t >= 1.0 {
        return None;
    }
    let k = ((t * n - s) / (1.0 - t) - 1e-9).ceil().max(0.0) as u64;
    Some(k)
}

/// The first day of the month `day` is in.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    store::month_start(day)
}

/// The periods section II of a report on `period` sets beside it: for a quarter, the quarter
/// before and the same quarter a year earlier; for a month, likewise; for the cumulative
/// reports (6 months, 9 months, the year), the same span a year earlier; none for dates.
pub fn compared_periods(
    period: &crate::report::period::Period,
    calendar: crate::report::Calendar,
) -> Vec<crate::report::period::Period> {
    use crate::report::period::Period;
    let Some((year, rest)) = period.label.split_once('-').map_or_else(
        || period.label.parse::<i32>().ok().map(|y| (y, "")),
        |(y, r)| y.parse::<i32>().ok().map(|y| (y, r)),
    ) else {
        return Vec::new();
    };
    let label = |y: i32, r: &str| {
        if r.is_empty() {
            y.to_string()
        } else {
            format!("{y}-{r}")
        }
    };
    let mut labels = Vec::new();
    if let Some(q) = rest.strip_prefix('Q').and_then(|q| q.parse::<u32>().ok()) {
        labels.push(if q == 1 {
            label(year - 1, "Q4")
        } else {
            label(year, &format!("Q{}", q - 1))
        });
    } else if let Ok(m) = rest.parse::<u32>() {
        labels.push(if m == 1 {
            label(year - 1, "12")
        } else {
            label(year, &format!("{:02}", m - 1))
        });
    }
    labels.push(label(year - 1, rest));
    labels.iter().filter_map(|l| Period::parse(l, calendar).ok()).collect()
}

/// The quarterly report of `facility` for `period` (named `period_name`) over `strata`, with
/// section IV as its staff saved it, in `locale`.
pub fn quarterly(
    centre: &Centre,
    facility: &str,
    period: &crate::report::period::Period,
    period_name: String,
    strata: &Strata,
    locale: crate::survey::Locale,
) -> Result<crate::report::quarterly::QuarterlyReport, Error> {
    use crate::report::quarterly::{Form, ItemLine, QuarterlyReport};
    let scope = strata.narrow(Scope {
        facility: Some(facility.to_string()),
        from: period.from,
        to: period.to,
        ..Scope::default()
    });
    let (mut total, mut departments, mut forms) = (Groups::default(), Groups::default(), Groups::default());
    let mut by_trust = Groups::default();
    let mut mix = ChannelMix::default();
    centre
        .tallies
        .facility_totals(centre.store.as_ref(), &scope, true, &mut |_, key, tally| {
            total.add((), key, tally);
            mix.add(key, tally);
            departments.add(key.department.clone(), key, tally);
            let form = (key.questionnaire_id.clone(), key.questionnaire_version);
            by_trust.add((form.clone(), key.channel.is_self_survey()), key, tally);
            forms.add(form, key, tally);
        })?;
    let empty = || summarize(&[], 0, &centre.scoring);
    let total = total.summaries(centre)?.remove(&()).unwrap_or_else(empty);
    let mut by_trust = by_trust.summaries(centre)?;
    let forms = forms
        .summaries(centre)?
        .into_iter()
        .filter_map(|((id, version), s)| {
            let q = centre.catalog.get(&id, version)?;
            let mut part = |self_survey: bool| {
                by_trust
                    .remove(&((id.clone(), version), self_survey))
                    .unwrap_or_else(empty)
            };
            Some(Form {
                title: q.title.get(locale).to_string(),
                self_survey: part(true),
                independent: part(false),
                id,
                version,
                source: q.source.clone(),
                responses: s.responses,
            })
        })
        .collect();
    let mut sections: Vec<(String, String)> = Vec::new();
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for q in centre.catalog.all() {
        for s in &q.sections {
            if total.sections.contains_key(&s.code) && !sections.iter().any(|(c, _)| c == &s.code) {
                sections.push((s.code.clone(), s.title.get(locale).to_string()));
            }
            for i in &s.items {
                texts
                    .entry(i.code.clone())
                    .or_insert_with(|| i.text.get(locale).to_string());
            }
        }
    }
    sections.sort();
    let items = total
        .items
        .iter()
        .map(|(code, f)| ItemLine {
            code: code.clone(),
            text: texts.get(code).cloned().unwrap_or_default(),
            figures: f.figures.clone(),
        })
        .collect();
    let kiosks = centre
        .store
        .kiosks_of(facility)?
        .iter()
        .filter(|k| k.revoked_at.is_none())
        .count();
    let actions = centre
        .store
        .report_actions(facility, &period.label)?
        .map(|(text, _, _)| text)
        .unwrap_or_default();
    let feedback = feedback_lines(centre, facility, period, locale)?;
    let mut compared = Vec::new();
    for p in compared_periods(period, centre.calendar) {
        let scope = strata.narrow(Scope {
            facility: Some(facility.to_string()),
            from: p.from,
            to: p.to,
            ..Scope::default()
        });
        let mut total = Groups::default();
        centre
            .tallies
            .facility_totals(centre.store.as_ref(), &scope, true, &mut |_, key, tally| {
                total.add((), key, tally);
            })?;
        let name = crate::report::text::period_name(locale, &p.label).unwrap_or_else(|| p.label.clone());
        compared.push((name, total.summaries(centre)?.remove(&()).unwrap_or_else(empty)));
    }
    Ok(QuarterlyReport {
        authority: centre.letterhead.authority.clone(),
        signatory: centre.letterhead.facilities.get(facility).cloned().unwrap_or_default(),
        compared,
        narrowed: strata_words(strata, locale),
        channels: mix.0.into_iter().collect(),
        facility: facility.to_string(),
        feedback,
        period_name,
        from: period.from,
        to: period.to,
        date: centre.today(),
        kiosks,
        forms,
        sections,
        departments: departments.summaries(centre)?.into_iter().collect(),
        items,
        actions,
        target: centre.scoring.target_pct,
        total,
    })
}

/// The feedback box's lines for the quarterly report: items of `facility` received in
/// `period`, by kind, by channel, and the total, as they stand today.
fn feedback_lines(
    centre: &Centre,
    facility: &str,
    period: &crate::report::period::Period,
    locale: crate::survey::Locale,
) -> Result<Vec<crate::report::quarterly::FeedbackLine>, Error> {
    use crate::centre::feedback::{self, ItemFilter, day_start};
    use crate::feedback::{Channel, Item, Kind};
    use crate::i18n::tr;
    use crate::report::quarterly::FeedbackLine;
    let tz = centre.web.tz;
    let filter = ItemFilter {
        facility: Some(facility.to_string()),
        from: period.from.and_then(|d| day_start(tz, d)),
        to: period.to.and_then(|d| d.succ_opt()).and_then(|d| day_start(tz, d)),
        ..ItemFilter::default()
    };
    let (mut items, _) = feedback::load_items(centre.feedback.as_ref(), &filter)?;
    items.retain(|i| i.kind != Kind::Invalid);
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let today = centre.today();
    let line = |label: String, of: &mut dyn Iterator<Item = &Item>| {
        let f = feedback::figures(of, today, tz);
        FeedbackLine {
            label,
            received: f.received,
            on_time: f.on_time,
            late: f.late,
            pending: f.pending,
            overdue: f.overdue,
        }
    };
    let mut lines = Vec::new();
    for kind in Kind::ALL.into_iter().filter(|k| *k != Kind::Invalid) {
        let l = line(
            tr(locale, crate::centre::feedback::kind_id(kind)),
            &mut items.iter().filter(|i| i.kind == kind),
        );
        if l.received > 0 {
            lines.push(l);
        }
    }
    for channel in Channel::ALL {
        let l = line(
            tr(locale, crate::centre::feedback::channel_id(channel)),
            &mut items.iter().filter(|i| i.submission.channel == channel),
        );
        if l.received > 0 {
            lines.push(l);
        }
    }
    lines.push(line(tr(locale, id!("quarterly-fb-total")), &mut items.iter()));
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mix_that_moved_more_than_twenty_points_is_named() {
        let mix = |counts: &[(Channel, u64)]| ChannelMix(counts.iter().copied().collect());
        let before = mix(&[(Channel::Kiosk, 90), (Channel::Phone, 10)]);
        // 10 % → 40 % by phone: 30 points, named with both shares.
        let now = mix(&[(Channel::Kiosk, 60), (Channel::Phone, 40)]);
        let (channel, then, share) = now.shift_from(&before).unwrap();
        assert!(matches!(channel, Channel::Kiosk | Channel::Phone));
        assert!((share - then).abs() > 29.9 && (share - then).abs() < 30.1);
        // 10 % → 25 %: within the bound; a period with few responses compares with nothing.
        let few = mix(&[(Channel::Kiosk, 29)]);
        assert_eq!(
            now.shift_from(&few),
            None,
            "29 responses before: too few to compare shares"
        );
        assert!(now.shift_from(&mix(&[(Channel::Kiosk, 30)])).is_some());
        assert_eq!(
            mix(&[(Channel::Kiosk, 75), (Channel::Phone, 25)]).shift_from(&before),
            None
        );
        assert_eq!(now.shift_from(&ChannelMix::default()), None);
        // Rapid repeats are not counted.
        let mut m = ChannelMix::default();
        let key = |rapid_repeat| TallyKey {
            day: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            department: String::new(),
            questionnaire_id: "kiosk-nhanh".into(),
            questionnaire_version: 1,
            rapid_repeat,
            channel: Channel::Phone,
            point: String::new(),
        };
        let tally = Tally {
            responses: 3,
            ..Tally::default()
        };
        m.add(&key(false), &tally);
        m.add(&key(true), &tally);
        assert_eq!(m.total(), 3);
        assert_eq!(m.share(Channel::Phone), 100.0);
        // A mix lists the channels as reports do: the facility's own survey, then independent.
        let mut sorted = Channel::ALL;
        sorted.sort();
        assert_eq!(sorted, Channel::ALL);
    }

    #[test]
    fn answers_needed_to_reach_the_target() {
        // 90 of 100 at 95 %: (90 + k) / (100 + k) ≥ 0.95 → k ≥ 100.
        assert_eq!(needed_for_target(90, 100, 95.0), Some(100));
        assert_eq!(needed_for_target(95, 100, 95.0), Some(0));
        assert_eq!(needed_for_target(99, 100, 95.0), Some(0));
        // 18 of 20: (18 + k) / (20 + k) ≥ 0.95 → k ≥ 20.
        assert_eq!(needed_for_target(18, 20, 95.0), Some(20));
        assert_eq!(needed_for_target(9, 10, 100.0), None);
        assert_eq!(needed_for_target(0, 0, 95.0), None);
        // One short of a round number is still one more answer.
        assert_eq!(needed_for_target(94, 99, 95.0), Some(1));
    }
}
