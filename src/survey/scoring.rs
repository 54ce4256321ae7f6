//! The figures the 95 % target is measured on (DESIGN §5). Pure functions, no I/O.
//!
//! Scoring has two steps. [`Tally::add`] folds one response into counts; tallies merge by
//! addition, so the store can keep one per day and department and a report only adds up a few
//! hundred of them. [`summarize`] turns merged tallies into rates, means and intervals.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::Questionnaire;
use super::response::{Answer, Response, Status};

/// Counts of one set of responses, enough to compute every figure of DESIGN §5.
///
/// Stored as JSON (the kiosk's and the centre's daily tallies), so fields are only ever added,
/// each with a serde default. A tally written before a field existed reads it as its default;
/// for the counts of comprehensive satisfaction that default is "unknown" (`None`), never 0,
/// so an old row makes that one figure unknown instead of wrong until it is recomputed from
/// the responses (the kiosk's store does so when it opens an older database).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Responses folded in.
    pub responses: u64,
    /// Of those, how many were abandoned part-way.
    #[serde(default)]
    pub partial: u64,
    /// Responses with at least one answered scale item (1–5).
    #[serde(default)]
    pub respondents: u64,
    /// Respondents (complete or partial) whose every answered scale item is 4 or 5. Kept for
    /// older versions reading the tally; no figure uses it since comprehensive satisfaction
    /// counts complete responses only.
    #[serde(default)]
    pub comprehensive: u64,
    /// Complete responses with at least one answered scale item: the denominator of
    /// comprehensive satisfaction. `None` in a tally written before it was counted.
    #[serde(default)]
    pub complete_respondents: Option<u64>,
    /// Of those, the ones whose every answered scale item is 4 or 5: its numerator. `None` in a
    /// tally written before it was counted.
    #[serde(default)]
    pub complete_comprehensive: Option<u64>,
    /// Per scale item, the count of each value 0 ("not used") to 5.
    #[serde(default)]
    pub scale: BTreeMap<String, [u64; 6]>,
    /// Per percent item, count and sum.
    #[serde(default)]
    pub percent: BTreeMap<String, PercentTally>,
    /// Per choice item and follow-up (`A1.why`), the count of each option or reason.
    #[serde(default)]
    pub choice: BTreeMap<String, BTreeMap<String, u64>>,
    /// Per text item, how many non-empty answers.
    #[serde(default)]
    pub text: BTreeMap<String, u64>,
}

/// Count and sum of a percent item's answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PercentTally {
    /// Answers.
    pub n: u64,
    /// Their sum.
    pub sum: u64,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            responses: 0,
            partial: 0,
            respondents: 0,
            comprehensive: 0,
            complete_respondents: Some(0),
            complete_comprehensive: Some(0),
            scale: BTreeMap::new(),
            percent: BTreeMap::new(),
            choice: BTreeMap::new(),
            text: BTreeMap::new(),
        }
    }
}

/// Adds `b` to `a`; unknown (from an old tally) stays unknown.
fn add_known(a: &mut Option<u64>, b: Option<u64>) {
    *a = a.zip(b).map(|(a, b)| a + b);
}

impl Tally {
    /// Folds one response in.
    pub fn add(&mut self, r: &Response) {
        self.responses += 1;
        if r.status == Status::Partial {
            self.partial += 1;
        }
        let mut answered = 0;
        let mut all_satisfied = true;
        for (code, answer) in &r.answers {
            match answer {
                Answer::Scale(v) => {
                    let v = (*v).min(5);
                    slot(&mut self.scale, code)[usize::from(v)] += 1;
                    if v >= 1 {
                        answered += 1;
                        all_satisfied &= v >= 4;
                    }
                }
                Answer::Percent(v) => {
                    let p = slot(&mut self.percent, code);
                    p.n += 1;
                    p.sum += u64::from(*v);
                }
                Answer::Choice { option, .. } => {
                    *slot(slot(&mut self.choice, code), option) += 1;
                }
                Answer::Reasons(reasons) => {
                    let counts = slot(&mut self.choice, code);
                    for reason in reasons {
                        *slot(counts, reason) += 1;
                    }
                }
                Answer::Text(t) => {
                    if !t.trim().is_empty() {
                        *slot(&mut self.text, code) += 1;
                    }
                }
            }
        }
        if answered > 0 {
            self.respondents += 1;
            if all_satisfied {
                self.comprehensive += 1;
            }
            // A patient who walked away cannot be "satisfied with everything" (DESIGN §5).
            if r.status == Status::Complete {
                add_known(&mut self.complete_respondents, Some(1));
                if all_satisfied {
                    add_known(&mut self.complete_comprehensive, Some(1));
                }
            }
        }
    }

    /// Adds another tally's counts to this one.
    pub fn merge(&mut self, other: &Tally) {
        self.responses += other.responses;
        self.partial += other.partial;
        self.respondents += other.respondents;
        self.comprehensive += other.comprehensive;
        add_known(&mut self.complete_respondents, other.complete_respondents);
        add_known(&mut self.complete_comprehensive, other.complete_comprehensive);
        add_each(&mut self.scale, &other.scale, |mine, theirs| {
            for (m, o) in mine.iter_mut().zip(theirs) {
                *m += o;
            }
        });
        add_each(&mut self.percent, &other.percent, |mine, theirs| {
            mine.n += theirs.n;
            mine.sum += theirs.sum;
        });
        add_each(&mut self.choice, &other.choice, |mine, theirs| {
            add_each(mine, theirs, |m, o| *m += o)
        });
        add_each(&mut self.text, &other.text, |m, o| *m += o);
    }
}

/// Adds each of `other`'s values to `mine`'s under the same key with `add` (which, added to a
/// default value, gives the value added). The pages add up thousands of tallies of one
/// questionnaire, which hold the same keys: then one walk of the two sorted maps does it, with
/// no look-up; otherwise each key is looked up.
fn add_each<V: Default + Clone>(mine: &mut BTreeMap<String, V>, other: &BTreeMap<String, V>, add: impl Fn(&mut V, &V)) {
    if mine.is_empty() {
        mine.clone_from(other);
    } else if mine.len() == other.len() && mine.keys().eq(other.keys()) {
        for ((_, m), (_, o)) in mine.iter_mut().zip(other) {
            add(m, o);
        }
    } else {
        for (key, o) in other {
            add(slot(mine, key), o);
        }
    }
}

/// The value under `key`, inserted as the default first if missing. Unlike `entry`, it
/// allocates the key only when it is new: tallying a response finds nearly every key there.
fn slot<'a, V: Default>(map: &'a mut BTreeMap<String, V>, key: &str) -> &'a mut V {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), V::default());
    }
    map.get_mut(key).expect("present")
}

/// Settings that change how figures are computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringOptions {
    /// The target satisfaction rate in percent (default 95).
    pub target_pct: f64,
    /// The percent item whose mean is the expectation figure (default `G1`).
    pub expectation_item: String,
    /// The choice item of the return/recommend question (default `G2`).
    pub return_item: String,
    /// Its options that count as "would return" (default `4` and `5`).
    pub return_options: Vec<String>,
}

impl Default for ScoringOptions {
    fn default() -> Self {
        ScoringOptions {
            target_pct: 95.0,
            expectation_item: "G1".into(),
            return_item: "G2".into(),
            return_options: vec!["4".into(), "5".into()],
        }
    }
}

/// The 95 % Wilson score interval for `k` successes in `n` trials, in percent.
///
/// ```
/// let (low, high) = hailong::survey::scoring::wilson_pct(12, 15).unwrap();
/// assert!((low - 54.81).abs() < 0.01 && (high - 92.95).abs() < 0.01);
/// assert_eq!(hailong::survey::scoring::wilson_pct(0, 0), None);
/// ```
pub fn wilson_pct(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    const Z: f64 = 1.959_963_984_540_054;
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = Z * Z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some((((centre - half) * 100.0).max(0.0), ((centre + half) * 100.0).min(100.0)))
}

fn pct(k: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| k as f64 * 100.0 / n as f64)
}

/// Satisfaction figures of one item, one section or everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figures {
    /// Answers on the 1–5 scale (n).
    pub answers: u64,
    /// Of those, answers of 4 or 5.
    pub satisfied: u64,
    /// `satisfied / answers` in percent.
    #[serde(serialize_with = "round2")]
    pub satisfied_pct: Option<f64>,
    /// Mean of the answers.
    #[serde(serialize_with = "round2")]
    pub mean_score: Option<f64>,
    /// Lower end of the 95 % Wilson interval of `satisfied_pct`.
    #[serde(serialize_with = "round2")]
    pub ci_low_pct: Option<f64>,
    /// Upper end of that interval.
    #[serde(serialize_with = "round2")]
    pub ci_high_pct: Option<f64>,
    /// Answers of "not used" (excluded from every figure).
    pub not_used: u64,
    /// How many answers of 1, 2, 3, 4 and 5.
    pub counts: [u64; 5],
}

impl Figures {
    fn add_counts(&mut self, counts: &[u64; 6]) {
        self.not_used += counts[0];
        for (m, c) in self.counts.iter_mut().zip(&counts[1..]) {
            *m += c;
        }
    }

    fn finish(mut self) -> Figures {
        self.answers = self.counts.iter().sum();
        self.satisfied = self.counts[3] + self.counts[4];
        let sum: u64 = self.counts.iter().zip(1u64..).map(|(c, v)| c * v).sum();
        self.satisfied_pct = pct(self.satisfied, self.answers);
        self.mean_score = (self.answers > 0).then(|| sum as f64 / self.answers as f64);
        let ci = wilson_pct(self.satisfied, self.answers);
        self.ci_low_pct = ci.map(|c| c.0);
        self.ci_high_pct = ci.map(|c| c.1);
        self
    }
}

/// Figures of one scale item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemFigures {
    /// The section the item belongs to.
    pub section: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: Figures,
    /// Follow-up reasons picked after a low rating, by reason code.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reasons: BTreeMap<String, u64>,
}

/// How the overall rate stands against the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No answers at all.
    NoData,
    /// The rate is at or above the target and the interval does not reach below it.
    Met,
    /// The interval lies wholly below the target.
    NotMet,
    /// The interval spans the target: too few answers to say.
    Inconclusive,
}

/// The one verdict rule (DESIGN §5), for the whole report, a section, an item or any other
/// row: `satisfied` answers of 4–5 out of `answers` on the 1–5 scale against `target_pct`,
/// judged by the 95 % Wilson interval ([`wilson_pct`]) so a small sample is not read as a
/// failure. Met when the interval's low end is at or above the target, not met when its high
/// end is below it, inconclusive when it spans the target, no data without answers.
///
/// [`summarize`] uses it for [`Summary::verdict`]; every surface (the CLI, staff mode's
/// dashboard, the report model) calls it as `report::verdict`.
///
/// ```
/// use hailong::survey::{Verdict, scoring::verdict};
/// assert_eq!(verdict(12, 15, 95.0), Verdict::NotMet); // 54,8–93,0 %: wholly below
/// assert_eq!(verdict(19, 20, 95.0), Verdict::Inconclusive); // 95 %, but 76,4–99,1 %
/// assert_eq!(verdict(0, 0, 95.0), Verdict::NoData);
/// ```
pub fn verdict(satisfied: u64, answers: u64, target_pct: f64) -> Verdict {
    match wilson_pct(satisfied, answers) {
        None => Verdict::NoData,
        Some((low, _)) if low >= target_pct => Verdict::Met,
        Some((_, high)) if high < target_pct => Verdict::NotMet,
        Some(_) => Verdict::Inconclusive,
    }
}

/// Why an inconclusive verdict is inconclusive, so it can be said in words that are not an
/// excuse: too few answers to judge at all, or enough answers for a rate that sits close to
/// the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "why")]
pub enum Unsettled {
    /// So few answers that even all of them satisfied would not show the target met (below 73
    /// answers at a 95 % target).
    TooFew,
    /// The interval contains the target. `more`: how many more answers, at today's rate,
    /// would settle it either way (none when the rate equals the target or it would take
    /// more than ten million).
    Close {
        /// Answers still needed at today's rate.
        more: Option<u64>,
    },
}

/// A verdict with, when it is inconclusive, the reason ([`Unsettled`]): what every surface
/// puts into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Judgement {
    /// The verdict of [`verdict`].
    pub verdict: Verdict,
    /// Why it is inconclusive; `None` for the other verdicts.
    pub unsettled: Option<Unsettled>,
}

/// The [`verdict`] of `satisfied` of `answers` against `target_pct`, with the reason when it
/// is inconclusive.
///
/// ```
/// use hailong::survey::scoring::{Unsettled, judge};
/// // 19 of 20: even 20 of 20 could not show 95 %.
/// assert_eq!(judge(19, 20, 95.0).unsettled, Some(Unsettled::TooFew));
/// // 775 answers at 94,4 %: close, and about 5.300 more at that rate would show it below.
/// let j = judge(732, 775, 95.0);
/// assert_eq!(j.unsettled, Some(Unsettled::Close { more: Some(5_293) }));
/// ```
pub fn judge(satisfied: u64, answers: u64, target_pct: f64) -> Judgement {
    let v = verdict(satisfied, answers, target_pct);
    let unsettled = (v == Verdict::Inconclusive).then(|| {
        if verdict(answers, answers, target_pct) != Verdict::Met {
            Unsettled::TooFew
        } else {
            Unsettled::Close {
                more: to_settle(satisfied, answers, target_pct),
            }
        }
    });
    Judgement { verdict: v, unsettled }
}

/// The least number of further answers, at the rate `satisfied / answers`, after which the
/// Wilson interval no longer contains `target_pct`.
fn to_settle(satisfied: u64, answers: u64, target_pct: f64) -> Option<u64> {
    const CAP: u64 = 10_000_000;
    let p = satisfied as f64 / answers as f64;
    let t = target_pct / 100.0;
    if (p - t).abs() < 1e-12 {
        return None;
    }
    // Whether `n` answers at rate `p` would be settled (the interval's bounds use real counts).
    let settled = |n: u64| {
        let (nf, z2) = (n as f64, 1.959_963_984_540_054_f64.powi(2));
        let denom = 1.0 + z2 / nf;
        let centre = (p + z2 / (2.0 * nf)) / denom;
        let half = (z2.sqrt() / denom) * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
        if p > t { centre - half >= t } else { centre + half < t }
    };
    let (mut lo, mut hi) = (answers, answers.max(1));
    while !settled(hi) {
        if hi >= CAP {
            return None;
        }
        lo = hi;
        hi = (hi * 2).min(CAP);
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if settled(mid) { hi = mid } else { lo = mid }
    }
    Some(hi.saturating_sub(answers))
}

/// Every figure of DESIGN §5 for one set of responses; `hailong report --json` prints this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Summary {
    /// Responses counted (complete + partial, rapid repeats excluded).
    pub responses: u64,
    /// Of those, partial ones.
    pub partial_responses: u64,
    /// Rapid repeats, stored but not counted.
    pub rapid_repeat_responses: u64,
    /// Responses with at least one answered scale item.
    pub respondents: u64,
    /// Answered scale items (n of the satisfaction rate).
    pub answers: u64,
    /// Answers of 4 or 5.
    pub satisfied: u64,
    /// Tỷ lệ hài lòng chung, percent.
    #[serde(serialize_with = "round2")]
    pub satisfied_pct: Option<f64>,
    /// Điểm trung bình.
    #[serde(serialize_with = "round2")]
    pub mean_score: Option<f64>,
    /// Lower end of the 95 % Wilson interval.
    #[serde(serialize_with = "round2")]
    pub ci_low_pct: Option<f64>,
    /// Upper end of the 95 % Wilson interval.
    #[serde(serialize_with = "round2")]
    pub ci_high_pct: Option<f64>,
    /// Answers marked "not used".
    pub not_used: u64,
    /// Complete responses whose every answered scale item was 4 or 5 (0 when unknown).
    pub comprehensive: u64,
    /// Complete responses with at least one answered scale item: the n of
    /// `comprehensive_pct` (0 when unknown).
    #[serde(default)]
    pub comprehensive_respondents: u64,
    /// Tỷ lệ hài lòng toàn diện: `comprehensive` of `comprehensive_respondents`, percent.
    /// `None` without complete respondents, or when a tally stored by an older version (which
    /// did not count complete responses apart) is part of the figures.
    #[serde(serialize_with = "round2")]
    pub comprehensive_pct: Option<f64>,
    /// Mức đáp ứng mong đợi: mean of the expectation item (may exceed 100).
    #[serde(serialize_with = "round2")]
    pub expectation_mean: Option<f64>,
    /// n of the expectation mean.
    pub expectation_n: u64,
    /// Tỷ lệ quay lại / giới thiệu, percent.
    #[serde(serialize_with = "round2")]
    pub return_pct: Option<f64>,
    /// n of the return rate.
    pub return_n: u64,
    /// The target in percent.
    pub target_pct: f64,
    /// The verdict is met (the same rule as `verdict`, never the point rate alone).
    pub meets_target: bool,
    /// The plain-language verdict staff read.
    pub verdict: Verdict,
    /// Why an inconclusive verdict is inconclusive ([`judge`]); absent for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsettled: Option<Unsettled>,
    /// Per section code.
    pub sections: BTreeMap<String, Figures>,
    /// Per scale item code.
    pub items: BTreeMap<String, ItemFigures>,
    /// Distribution of every choice item (G2, the cost question, demographics).
    pub choices: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Figures {
    /// How these figures stand against `target_pct` ([`judge`]).
    pub fn judge(&self, target_pct: f64) -> Judgement {
        judge(self.satisfied, self.answers, target_pct)
    }
}

impl Summary {
    /// How the overall rate stands against the target ([`judge`]).
    pub fn judgement(&self) -> Judgement {
        // Recomputed rather than read from `unsettled`, which a summary stored by an older
        // version (a public snapshot) lacks; the rule is the same, so it agrees with `verdict`.
        judge(self.satisfied, self.answers, self.target_pct)
    }

    /// The weakest items, at most `count`: the lowest rate first; of equal rates the one with
    /// more answers (the surer), then by code. Items without answers are left out. Every
    /// surface that lists weak items (staff mode, the centre's pages, the quarterly report)
    /// takes them from here.
    pub fn weakest(&self, count: usize) -> Vec<(&str, &ItemFigures)> {
        let mut items: Vec<(&str, &ItemFigures, f64)> = self
            .items
            .iter()
            .filter_map(|(code, f)| f.figures.satisfied_pct.map(|p| (code.as_str(), f, p)))
            .collect();
        items.sort_by(|a, b| {
            a.2.total_cmp(&b.2)
                .then_with(|| b.1.figures.answers.cmp(&a.1.figures.answers))
                .then_with(|| a.0.cmp(b.0))
        });
        items.into_iter().take(count).map(|(code, f, _)| (code, f)).collect()
    }
}

fn round2<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_f64((v * 100.0).round() / 100.0),
        None => s.serialize_none(),
    }
}

/// Computes the figures of DESIGN §5 from the tallies of counted responses, each with the
/// questionnaire it was given with (which says which section an item is in).
pub fn summarize(parts: &[(&Questionnaire, &Tally)], rapid_repeat_responses: u64, opts: &ScoringOptions) -> Summary {
    let mut total = Tally::default();
    let mut sections: BTreeMap<String, Figures> = BTreeMap::new();
    let mut items: BTreeMap<String, ItemFigures> = BTreeMap::new();
    for (q, tally) in parts {
        total.merge(tally);
        for (code, counts) in &tally.scale {
            let section = q.section_of(code).map_or_else(|| "?".to_string(), |s| s.code.clone());
            sections.entry(section.clone()).or_default().add_counts(counts);
            let item = items.entry(code.clone()).or_default();
            item.section = section;
            item.figures.add_counts(counts);
        }
    }
    let mut overall = Figures::default();
    for counts in total.scale.values() {
        overall.add_counts(counts);
    }
    let overall = overall.finish();
    for (code, item) in items.iter_mut() {
        item.figures = std::mem::take(&mut item.figures).finish();
        if let Some(reasons) = total.choice.get(&super::model::follow_up_code_of(code)) {
            item.reasons = reasons.clone();
        }
    }
    let sections = sections.into_iter().map(|(k, f)| (k, f.finish())).collect();
    let choices = total
        .choice
        .iter()
        .filter(|(code, _)| !code.ends_with(".why"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();

    let expectation = total.percent.get(&opts.expectation_item).copied().unwrap_or_default();
    let returns = total.choice.get(&opts.return_item);
    let return_n: u64 = returns.map_or(0, |r| r.values().sum());
    let return_yes: u64 = returns.map_or(0, |r| {
        r.iter()
            .filter(|(option, _)| opts.return_options.contains(option))
            .map(|(_, n)| n)
            .sum()
    });

    let Judgement { verdict, unsettled } = judge(overall.satisfied, overall.answers, opts.target_pct);
    let meets_target = verdict == Verdict::Met;

    Summary {
        responses: total.responses,
        partial_responses: total.partial,
        rapid_repeat_responses,
        respondents: total.respondents,
        answers: overall.answers,
        satisfied: overall.satisfied,
        satisfied_pct: overall.satisfied_pct,
        mean_score: overall.mean_score,
        ci_low_pct: overall.ci_low_pct,
        ci_high_pct: overall.ci_high_pct,
        not_used: overall.not_used,
        comprehensive: total.complete_comprehensive.unwrap_or(0),
        comprehensive_respondents: total.complete_respondents.unwrap_or(0),
        comprehensive_pct: total
            .complete_comprehensive
            .zip(total.complete_respondents)
            .and_then(|(k, n)| pct(k, n)),
        expectation_mean: (expectation.n > 0).then(|| expectation.sum as f64 / expectation.n as f64),
        expectation_n: expectation.n,
        return_pct: pct(return_yes, return_n),
        return_n,
        target_pct: opts.target_pct,
        meets_target,
        verdict,
        unsettled,
        sections,
        items,
        choices,
    }
}
