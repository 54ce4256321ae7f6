//! The quarterly report a facility sends to the Department of Health (Sở Y tế), as data: its
//! header, I. what was deployed, II. the results, III. remarks by the five groups A–E, IV.
//! problems and actions (the facility's own text), recipients and the signature block. The
//! centre's web page renders it as HTML for printing, `report::docx::quarterly` as a Word file
//! the facility edits and signs.

use chrono::NaiveDate;
use serde::Serialize;

use crate::i18n::{tr, tr_args};
use crate::survey::{Figures, Locale, Summary, Verdict};

/// Where a facility's report is dated and who signs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Signatory {
    /// The place in "Ba Vì, ngày … tháng … năm …".
    pub place: String,
    /// The signer's title (`GIÁM ĐỐC`, `KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC`).
    pub title: String,
    /// The signer's name.
    pub name: String,
}

/// One questionnaire used in the period.
#[derive(Debug, Clone, Serialize)]
pub struct Form {
    /// Its title.
    pub title: String,
    /// Its id and version (`kiosk-nhanh` v1).
    pub id: String,
    /// Its version.
    pub version: u32,
    /// The decision it follows (`QĐ 3869/QĐ-BYT …`), when the file says.
    pub source: Option<String>,
    /// Responses on it in the period.
    pub responses: u64,
    /// Its responses the facility took itself (kiosk, paper, interview: "tự khảo sát").
    pub self_survey: Summary,
    /// Its responses patients gave on their own phones (phone, ticket, poster: independent).
    pub independent: Summary,
}

/// One question of the item table: the share of each score and of "not used".
#[derive(Debug, Clone, Serialize)]
pub struct ItemLine {
    /// Its code.
    pub code: String,
    /// The question.
    pub text: String,
    /// Its figures.
    pub figures: Figures,
}

/// One line of the feedback box's table: what was received in the period and how it stands.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FeedbackLine {
    /// A kind, a channel, or the total.
    pub label: String,
    /// Received.
    pub received: u32,
    /// Settled by the deadline.
    pub on_time: u32,
    /// Settled after it.
    pub late: u32,
    /// Open, within the deadline.
    pub pending: u32,
    /// Open, past it.
    pub overdue: u32,
}

/// Everything the report says, in the reader's language.
#[derive(Debug, Clone, Serialize)]
pub struct QuarterlyReport {
    /// The facility.
    pub facility: String,
    /// The period's name (`Quý 1/2026`).
    pub period_name: String,
    /// Its first and last day.
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
    /// The day it was made.
    pub date: NaiveDate,
    /// Kiosks enrolled at the facility.
    pub kiosks: usize,
    /// Forms used, with their responses.
    pub forms: Vec<Form>,
    /// The whole facility.
    pub total: Summary,
    /// Section codes and titles, in order.
    pub sections: Vec<(String, String)>,
    /// Each department (name, summary).
    pub departments: Vec<(String, Summary)>,
    /// Every scale question.
    pub items: Vec<ItemLine>,
    /// The feedback box: by kind, by channel, then the total (empty when nothing was received).
    pub feedback: Vec<FeedbackLine>,
    /// Section IV: the facility's own text (problems and actions).
    pub actions: String,
    /// Counted responses by the channel they came by, in `Channel::ALL`'s order.
    pub channels: Vec<(crate::survey::Channel, u64)>,
    /// What the report is narrowed to, in words (a channel, a point); empty for the whole
    /// facility.
    pub narrowed: Vec<String>,
    /// The target, %.
    pub target: f64,
    /// The Department of Health it goes to, as written after "Kính gửi:" (`[report]
    /// authority`; empty: left as dots to fill in).
    pub authority: String,
    /// Where it is dated and who signs it (`[report.facilities."…"]`; empty fields: dots).
    pub signatory: Signatory,
    /// Periods set beside this one in section II (the quarter before, the same quarter a year
    /// earlier), each with its name and figures.
    pub compared: Vec<(String, Summary)>,
}

/// A labelled figure of section II.
pub struct Line {
    /// What it is.
    pub label: String,
    /// The value, formatted.
    pub value: String,
    /// Its n, formatted (`3.711`).
    pub n: String,
    /// The same figure in each of [`QuarterlyReport::compared`], formatted.
    pub compared: Vec<String>,
}

fn pct(locale: Locale, v: Option<f64>) -> String {
    super::text::percent(locale, v)
}

fn share(locale: Locale, k: u64, n: u64) -> String {
    if n == 0 {
        "—".into()
    } else {
        pct(locale, Some(100.0 * k as f64 / n as f64))
    }
}

impl QuarterlyReport {
    /// The overall figures of section II.2, each with its n (grouped as the reader writes
    /// numbers) and its value in the compared periods: the rate, its verdict against the target
    /// (`report::verdict`, worded as on every other surface), the mean, and those of the other
    /// indicators the forms used asked (a form without G1 has no expectation row).
    pub fn headline(&self, locale: Locale) -> Vec<Line> {
        let count = |n| super::text::count(locale, n);
        let mean = |s: &Summary| {
            s.mean_score
                .map_or_else(|| "—".into(), |m| super::text::decimal(locale, m, 2))
        };
        type Value<'a> = Box<dyn Fn(&Summary) -> String + 'a>;
        let mut rows: Vec<(String, Value, u64)> = vec![
            (
                tr(locale, id!("quarterly-rate")),
                Box::new(|s: &Summary| pct(locale, s.satisfied_pct)),
                self.total.answers,
            ),
            (
                crate::i18n::tr_args(
                    locale,
                    id!("quarterly-verdict"),
                    &[("target", pct(locale, Some(self.target)).into())],
                ),
                Box::new(|s: &Summary| super::text::verdict_words(locale, s.judgement())),
                self.total.answers,
            ),
            (tr(locale, id!("quarterly-mean")), Box::new(mean), self.total.answers),
        ];
        let t = &self.total;
        if t.comprehensive_respondents > 0 {
            rows.push((
                tr(locale, id!("quarterly-comprehensive")),
                Box::new(|s: &Summary| pct(locale, s.comprehensive_pct)),
                t.comprehensive_respondents,
            ));
        }
        if t.expectation_n > 0 {
            rows.push((
                tr(locale, id!("quarterly-expectation")),
                Box::new(|s: &Summary| pct(locale, s.expectation_mean)),
                t.expectation_n,
            ));
        }
        if t.return_n > 0 {
            rows.push((
                tr(locale, id!("quarterly-return")),
                Box::new(|s: &Summary| pct(locale, s.return_pct)),
                t.return_n,
            ));
        }
        rows.into_iter()
            .map(|(label, value, n)| Line {
                value: value(&self.total),
                compared: self.compared.iter().map(|(_, s)| value(s)).collect(),
                label,
                n: count(n),
            })
            .collect()
    }

    /// The letterhead's first line: the Department of Health in capitals, or dots to fill in.
    pub fn authority_line(&self, locale: Locale) -> String {
        if self.authority.trim().is_empty() {
            tr(locale, id!("quarterly-authority"))
        } else {
            self.authority.trim().to_uppercase()
        }
    }

    /// "Kính gửi: Sở Y tế Hà Nội", or with dots to fill in.
    pub fn to_line(&self, locale: Locale) -> String {
        if self.authority.trim().is_empty() {
            tr(locale, id!("quarterly-to"))
        } else {
            crate::i18n::tr_args(
                locale,
                id!("quarterly-to-named"),
                &[("authority", self.authority.trim().to_string().into())],
            )
        }
    }

    /// "Ba Vì, ngày 07 tháng 12 năm 2026" (dots for a place not configured).
    pub fn place_date(&self, locale: Locale) -> String {
        let place = self.signatory.place.trim();
        crate::i18n::tr_args(
            locale,
            id!("quarterly-place-date"),
            &[
                (
                    "place",
                    if place.is_empty() {
                        "……".to_string()
                    } else {
                        place.to_string()
                    }
                    .into(),
                ),
                ("day", format!("{:02}", chrono::Datelike::day(&self.date)).into()),
                ("month", format!("{:02}", chrono::Datelike::month(&self.date)).into()),
                ("year", chrono::Datelike::year(&self.date).to_string().into()),
            ],
        )
    }

    /// The signer's title (`GIÁM ĐỐC` unless configured).
    pub fn signer_title(&self, locale: Locale) -> String {
        let title = self.signatory.title.trim();
        if title.is_empty() {
            tr(locale, id!("quarterly-signer"))
        } else {
            title.to_uppercase()
        }
    }

    /// A form as the report names it: its title and the decision it follows, in words (never
    /// the file's id).
    pub fn form_words(form: &Form) -> String {
        match &form.source {
            Some(source) => format!("{}: {source}", form.title),
            None => form.title.clone(),
        }
    }

    /// Section I's line of how the responses came: each channel with its count and share;
    /// `None` without responses.
    pub fn channels_line(&self, locale: Locale) -> Option<String> {
        if self.channels.iter().all(|&(_, n)| n == 0) {
            return None;
        }
        Some(tr_args(
            locale,
            id!("quarterly-channels"),
            &[("list", crate::report::text::channel_mix(locale, &self.channels).into())],
        ))
    }

    /// Section II's first table head: each form's self-survey beside its independent survey,
    /// as the Sở reports them ("KQ tự khảo sát của đơn vị" beside "KQ khảo sát qua QR").
    pub fn trust_head(locale: Locale) -> Vec<String> {
        [
            id!("quarterly-col-form"),
            id!("quarterly-col-self-n"),
            id!("quarterly-col-self-rate"),
            id!("quarterly-col-independent-n"),
            id!("quarterly-col-independent-rate"),
            id!("quarterly-col-responses"),
        ]
        .into_iter()
        .map(|id| tr(locale, id))
        .collect()
    }

    /// Section II's first table, in the order of [`QuarterlyReport::trust_head`]: a rate is
    /// "—" where no response came that way.
    pub fn trust_cells(&self, locale: Locale) -> Vec<Vec<String>> {
        let count = |n: u64| crate::report::text::count(locale, n);
        let rate = |s: &Summary| crate::report::text::percent(locale, s.satisfied_pct.filter(|_| s.responses > 0));
        self.forms
            .iter()
            .map(|f| {
                vec![
                    f.title.clone(),
                    count(f.self_survey.responses),
                    rate(&f.self_survey),
                    count(f.independent.responses),
                    rate(&f.independent),
                    count(f.responses),
                ]
            })
            .collect()
    }

    /// Section II's table head: the figure, this period, each compared period, n.
    pub fn headline_head(&self, locale: Locale) -> Vec<String> {
        let mut head = vec![tr(locale, id!("quarterly-col-figure")), self.period_name.clone()];
        head.extend(self.compared.iter().map(|(name, _)| name.clone()));
        head.push("n".into());
        head
    }

    /// Section II's table cells, in the order of [`QuarterlyReport::headline_head`].
    pub fn headline_cells(&self, locale: Locale) -> Vec<Vec<String>> {
        self.headline(locale)
            .into_iter()
            .map(|l| {
                let mut row = vec![l.label, l.value];
                row.extend(l.compared);
                row.push(l.n);
                row
            })
            .collect()
    }

    /// Section III: one remark per group A–E, judged by `report::verdict` like every other
    /// surface, naming the group's weakest item (`Summary::weakest`).
    pub fn remarks(&self, locale: Locale) -> Vec<String> {
        self.sections
            .iter()
            .map(|(code, title)| {
                let Some(f) = self.total.sections.get(code) else {
                    return tr_args(
                        locale,
                        id!("quarterly-remark-none"),
                        &[("section", format!("{code}. {title}").into())],
                    );
                };
                let weakest = self
                    .total
                    .weakest(usize::MAX)
                    .into_iter()
                    .find(|(_, i)| &i.section == code)
                    .map(|(c, i)| format!("{c} ({})", pct(locale, i.figures.satisfied_pct)))
                    .unwrap_or_default();
                let judgement = f.judge(self.target);
                let id = match judgement.verdict {
                    Verdict::Met => id!("quarterly-remark-met"),
                    Verdict::NotMet => id!("quarterly-remark-not-met"),
                    Verdict::Inconclusive | Verdict::NoData => id!("quarterly-remark-unsettled"),
                };
                tr_args(
                    locale,
                    id,
                    &[
                        ("section", format!("{code}. {title}").into()),
                        ("rate", pct(locale, f.satisfied_pct).into()),
                        ("n", super::text::count(locale, f.answers).into()),
                        ("target", pct(locale, Some(self.target)).into()),
                        ("verdict", super::text::verdict_words(locale, judgement).into()),
                        ("weakest", weakest.into()),
                    ],
                )
            })
            .collect()
    }

    /// The item table's cells: code, question, the share (percent, no sign) of each score 1–5
    /// and of "not used", n.
    pub fn item_cells(&self, locale: Locale) -> Vec<Vec<String>> {
        self.items
            .iter()
            .map(|i| {
                let f = &i.figures;
                let all = f.answers + f.not_used;
                let mut row = vec![i.code.clone(), i.text.clone()];
                // Percent, without the sign: the table's heading says so, and the columns stay
                // narrow enough for A4 portrait.
                let plain = |k: u64| {
                    if all == 0 {
                        "—".to_string()
                    } else {
                        super::text::decimal(locale, 100.0 * k as f64 / all as f64, 1)
                    }
                };
                row.extend(f.counts.iter().map(|&k| plain(k)));
                row.push(plain(f.not_used));
                row.push(super::text::count(locale, all));
                row
            })
            .collect()
    }

    /// The department table's cells: department, responses, then each section's rate.
    pub fn department_cells(&self, locale: Locale) -> Vec<Vec<String>> {
        self.departments
            .iter()
            .map(|(name, s)| {
                let mut row = vec![
                    if name.is_empty() {
                        tr(locale, id!("web-no-department"))
                    } else {
                        name.clone()
                    },
                    super::text::count(locale, s.responses),
                    pct(locale, s.satisfied_pct),
                ];
                row.extend(
                    self.sections
                        .iter()
                        .map(|(code, _)| pct(locale, s.sections.get(code).and_then(|f| f.satisfied_pct))),
                );
                row
            })
            .collect()
    }

    /// The feedback table's column headings.
    pub fn feedback_head(locale: Locale) -> Vec<String> {
        [
            id!("quarterly-fb-col-what"),
            id!("fb-fig-received"),
            id!("fb-fig-on-time"),
            id!("fb-fig-late"),
            id!("fb-fig-pending"),
            id!("fb-fig-overdue"),
        ]
        .iter()
        .map(|k| tr(locale, *k))
        .collect()
    }

    /// The feedback table's cells: what, received, on time and late with their share of what
    /// was settled, pending within time, overdue.
    pub fn feedback_cells(&self, locale: Locale) -> Vec<Vec<String>> {
        self.feedback
            .iter()
            .map(|l| {
                let settled = u64::from(l.on_time + l.late);
                vec![
                    l.label.clone(),
                    l.received.to_string(),
                    format!("{} ({})", l.on_time, share(locale, l.on_time.into(), settled)),
                    format!("{} ({})", l.late, share(locale, l.late.into(), settled)),
                    l.pending.to_string(),
                    l.overdue.to_string(),
                ]
            })
            .collect()
    }
}
