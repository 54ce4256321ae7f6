//! The public results page `/public/<facility>` (no login): aggregates only — no comments, no
//! kiosk ids, no staff names — for the current quarter and the eight before it, each form
//! apart, against the target; with the method, a QR code pointing at the page, an embeddable
//! variant (`?embed=1`) and the open data the percentages can be recomputed from.
//!
//! **Small numbers** ([`Suppression`]): a cell of fewer than `rate_n` responses shows its count
//! and "not enough responses" instead of a rate; one under `caution_n` carries "use with
//! caution"; a department under `department_n` is not shown at all. Where hiding one cell would
//! let a reader work it out from the total and the others, the next smallest is hidden with it.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use maud::{Markup, html};

use super::periods::{self, PeriodQuery};
use super::{PageError, blocking, facility_by_slug, fmt, html, layout, locale_of};
use crate::centre::figures::Groups;
use crate::centre::{Centre, Scope};
use crate::i18n::{tr, tr_args};
use crate::report::period::{Calendar, Period};
use crate::survey::{Locale, Summary};

/// The small-number rules of the public page and the open data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suppression {
    /// Fewer responses than this: the count, no rate.
    pub rate_n: u64,
    /// Fewer than this (and at least `rate_n`): the rate with "use with caution".
    pub caution_n: u64,
    /// A department with fewer than this is not shown.
    pub department_n: u64,
}

impl Default for Suppression {
    /// 30 / 100 / 10: Press Ganey's minimum sample, HCAHPS's threshold for publishing, and the
    /// NHS Friends and Family Test's recommended suppression.
    fn default() -> Self {
        Suppression {
            rate_n: 30,
            caution_n: 100,
            department_n: 10,
        }
    }
}

/// How one cell may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// The rate.
    Rate,
    /// The rate, with a caution note.
    Caution,
    /// The count only.
    CountOnly,
    /// Nothing (a department below the threshold, or hidden with one).
    Hidden,
}

impl Suppression {
    /// How a cell of `n` responses is shown on its own.
    pub fn cell(&self, n: u64) -> Cell {
        if n < self.rate_n {
            Cell::CountOnly
        } else if n < self.caution_n {
            Cell::Caution
        } else {
            Cell::Rate
        }
    }

    /// How each of a set of department cells (their response counts) is shown beside their
    /// published total: departments under `department_n` are hidden, rates under `rate_n` are
    /// withheld, and in each case, when what is hidden could be worked out from the total and
    /// the rest (one cell alone, or hidden cells adding up to fewer than the threshold), the
    /// smallest remaining cell is hidden with them.
    pub fn departments(&self, counts: &[u64]) -> Vec<Cell> {
        let mut cells: Vec<Cell> = counts
            .iter()
            .map(|&n| {
                if n < self.department_n {
                    Cell::Hidden
                } else {
                    self.cell(n)
                }
            })
            .collect();
        let mut order: Vec<usize> = (0..counts.len()).collect();
        order.sort_by_key(|&i| counts[i]);
        for (hidden, threshold) in [
            (
                &(|c: Cell| c == Cell::Hidden) as &dyn Fn(Cell) -> bool,
                self.department_n,
            ),
            (&|c: Cell| matches!(c, Cell::Hidden | Cell::CountOnly), self.rate_n),
        ] {
            loop {
                let hidden_n: Vec<u64> = order
                    .iter()
                    .filter(|&&i| hidden(cells[i]))
                    .map(|&i| counts[i])
                    .collect();
                let exposed = !hidden_n.is_empty() && (hidden_n.len() == 1 || hidden_n.iter().sum::<u64>() < threshold);
                let Some(&next) = order.iter().find(|&&i| !hidden(cells[i])) else {
                    break;
                };
                if !exposed {
                    break;
                }
                cells[next] = if threshold == self.department_n {
                    Cell::Hidden
                } else {
                    Cell::CountOnly
                };
            }
        }
        cells
    }
}

/// The quarters the page shows: the one holding `today` and the eight before it, oldest first.
pub fn quarters(today: NaiveDate, calendar: Calendar) -> Vec<Period> {
    let mut out = vec![Period::quarter_of(today, calendar)];
    while out.len() < 9 {
        let first = out.last().and_then(|p| p.from).expect("quarters have dates");
        out.push(Period::quarter_of(first.pred_opt().expect("a day before"), calendar));
    }
    out.reverse();
    out
}

struct Published {
    facility: String,
    quarters: Vec<Period>,
    /// Per form (questionnaire id): per quarter start, the summary.
    forms: BTreeMap<String, BTreeMap<NaiveDate, Summary>>,
    /// Per form: the latest quarter's departments.
    departments: BTreeMap<String, BTreeMap<String, Summary>>,
    /// The feedback box in the latest quarter.
    feedback: crate::centre::feedback::Figures,
    /// Published answers of the nine quarters, newest first: when published, the kind, the text.
    answers: Vec<Answer>,
}

/// A published answer: when it was published, the item's kind, the text.
type Answer = (NaiveDate, crate::feedback::Kind, String);

fn load(centre: &Centre, slug: &str) -> Result<Published, PageError> {
    let facility = facility_by_slug(centre, slug)?.ok_or(PageError::NotFound)?;
    let quarters = quarters(centre.today(), centre.calendar);
    let latest = quarters.last().and_then(|q| q.from).expect("quarters have dates");
    let mut forms: Groups<(String, NaiveDate)> = Groups::default();
    let mut departments: Groups<(String, String)> = Groups::default();
    // A quarter at a time: with a cut-off day a month lies in two quarters.
    for quarter in &quarters {
        let start = quarter.from.expect("quarters have dates");
        let scope = Scope {
            facility: Some(facility.clone()),
            from: quarter.from,
            to: quarter.to,
            ..Scope::default()
        };
        let by_department = start == latest;
        centre
            .tallies
            .facility_totals(centre.store.as_ref(), &scope, by_department, &mut |_, key, tally| {
                forms.add((key.questionnaire_id.clone(), start), key, tally);
                if by_department {
                    departments.add((key.questionnaire_id.clone(), key.department.clone()), key, tally);
                }
            })?;
    }
    let mut by_form: BTreeMap<String, BTreeMap<NaiveDate, Summary>> = BTreeMap::new();
    for ((form, start), s) in forms.summaries(centre)? {
        by_form.entry(form).or_default().insert(start, s);
    }
    let mut by_department: BTreeMap<String, BTreeMap<String, Summary>> = BTreeMap::new();
    for ((form, department), s) in departments.summaries(centre)? {
        by_department.entry(form).or_default().insert(department, s);
    }
    let (feedback, answers) = feedback_block(centre, &facility, &quarters)?;
    Ok(Published {
        facility,
        quarters,
        forms: by_form,
        departments: by_department,
        feedback,
        answers,
    })
}

/// The "you said, we did" block: the latest quarter's figures, and the answers a leader
/// published for items received in the nine quarters (at most 20, newest first).
fn feedback_block(
    centre: &Centre,
    facility: &str,
    quarters: &[Period],
) -> Result<(crate::centre::feedback::Figures, Vec<Answer>), PageError> {
    use crate::centre::feedback;
    let tz = centre.web.tz;
    let start = |q: &Period| feedback::day_start(tz, q.from?);
    let latest = quarters.last().and_then(start);
    let (items, _) = feedback::load_items(
        centre.feedback.as_ref(),
        &super::feedback::inbox::since(facility, quarters.first().and_then(start)),
    )?;
    let figures = feedback::figures(
        items
            .iter()
            .filter(|i| latest.is_none_or(|s| i.submission.received_at >= s)),
        centre.today(),
        tz,
    );
    let mut answers: Vec<Answer> = items
        .iter()
        .filter_map(|i| {
            let (text, at) = i.published.as_ref()?;
            Some((at.with_timezone(&tz).date_naive(), i.kind, text.clone()))
        })
        .collect();
    answers.sort_by_key(|a| std::cmp::Reverse(a.0));
    answers.truncate(20);
    Ok((figures, answers))
}

/// A rate as the public may read it.
fn rate(locale: Locale, cell: Cell, s: &Summary) -> Markup {
    match cell {
        Cell::Hidden => html! {},
        Cell::CountOnly if s.responses == 0 => html! { span.small-n { (tr(locale, id!("web-public-none"))) } },
        Cell::CountOnly => html! {
            span.small-n { (tr_args(locale, id!("web-public-too-few"), &[("n", fmt::count(locale, s.responses).into())])) }
        },
        Cell::Rate | Cell::Caution => html! {
            (fmt::pct(locale, s.satisfied_pct))
            @if cell == Cell::Caution {
                " " span.caution { (tr_args(locale, id!("web-public-caution"), &[("n", fmt::count(locale, s.responses).into())])) }
            }
        },
    }
}

fn form_title(centre: &Centre, locale: Locale, id: &str) -> String {
    centre
        .catalog
        .all()
        .filter(|q| q.id == id)
        .max_by_key(|q| q.version)
        .map_or_else(|| id.to_string(), |q| q.title.get(locale).to_string())
}

/// `GET /public/<slug>` (`?embed=1`: without navigation, for a facility's own website).
pub async fn page(
    State(centre): State<Centre>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let locale = locale_of(&headers);
    let c = centre.clone();
    let s = slug.clone();
    let published = match blocking(move || load(&c, &s)).await {
        Ok(p) => p,
        Err(e) => return e.render(locale),
    };
    let rules = centre.web.public;
    let target = centre.scoring.target_pct;
    let embed = q.embed.as_deref() == Some("1");
    let title = tr_args(
        locale,
        id!("web-public-title"),
        &[("facility", published.facility.clone().into())],
    );
    let latest = published.quarters.last().expect("nine quarters");
    let body = html! {
        h1 { (title) }
        p { (tr_args(locale, id!("web-public-intro"), &[("target", fmt::pct(locale, Some(target)).into())])) }
        @if published.forms.is_empty() {
            p { (tr(locale, id!("web-public-nothing"))) }
        }
        @for (form, by_quarter) in &published.forms {
            section.form {
                h2 { (form_title(&centre, locale, form)) }
                div.scroll tabindex="0" { table {
                    caption { (tr(locale, id!("web-public-quarters"))) }
                    thead { tr {
                        th scope="col" { (tr(locale, id!("web-col-quarter"))) }
                        th.num scope="col" { (tr(locale, id!("web-col-responses"))) }
                        th.num scope="col" { (tr(locale, id!("web-col-rate"))) }
                        th scope="col" { (tr(locale, id!("web-col-against-target"))) }
                    } }
                    tbody { @for quarter in published.quarters.iter().rev() {
                        @let start = quarter.from.expect("dated");
                        @let none = super::overview::empty(&centre);
                        @let s = by_quarter.get(&start).unwrap_or(&none);
                            @let cell = rules.cell(s.responses);
                            tr {
                                th scope="row" {
                                    (periods::name(locale, &quarter.label).unwrap_or_default())
                                    @if quarter == latest { " " span.note { (tr_args(locale, id!("web-public-to-date"), &[("day", fmt::date(centre.today()).into())])) } }
                                }
                                td.num { (fmt::count(locale, s.responses)) }
                                td.num { (rate(locale, cell, s)) }
                                td { @if cell != Cell::CountOnly {
                                    span class={ "verdict " (super::overview::verdict_class(s.verdict)) } { (super::overview::verdict_text(locale, s.verdict)) }
                                } }
                            }
                    } }
                } }
                @if let Some(s) = by_quarter.get(&latest.from.expect("dated")).filter(|s| rules.cell(s.responses) != Cell::CountOnly) {
                    h3 { (tr_args(locale, id!("web-public-sections"), &[("quarter", periods::name(locale, &latest.label).unwrap_or_default().into())])) }
                    div.scroll tabindex="0" { table {
                        thead { tr {
                            th scope="col" { (tr(locale, id!("web-col-section"))) }
                            th.num scope="col" { (tr(locale, id!("web-col-rate"))) }
                        } }
                        tbody { @for (code, f) in &s.sections { tr {
                            th scope="row" { (section_title(&centre, locale, form, code)) }
                            td.num { (fmt::pct(locale, f.satisfied_pct)) }
                        } } }
                    } }
                    @if let Some(depts) = published.departments.get(form) {
                        @let names: Vec<&String> = depts.keys().collect();
                        @let counts: Vec<u64> = depts.values().map(|d| d.responses).collect();
                        @let cells = rules.departments(&counts);
                        @if names.len() > 1 && cells.iter().any(|c| *c != Cell::Hidden) {
                            h3 { (tr(locale, id!("web-public-departments"))) }
                            div.scroll tabindex="0" { table {
                                thead { tr {
                                    th scope="col" { (tr(locale, id!("web-col-department"))) }
                                    th.num scope="col" { (tr(locale, id!("web-col-responses"))) }
                                    th.num scope="col" { (tr(locale, id!("web-col-rate"))) }
                                } }
                                tbody { @for (i, name) in names.iter().enumerate() {
                                    @if cells[i] != Cell::Hidden { tr {
                                        th scope="row" { @if name.is_empty() { (tr(locale, id!("web-no-department"))) } @else { (name) } }
                                        td.num { (fmt::count(locale, counts[i])) }
                                        td.num { (rate(locale, cells[i], &depts[*name])) }
                                    } }
                                } }
                            } }
                        }
                        @if names.len() > 1 && cells.contains(&Cell::Hidden) {
                            p.note { (tr_args(locale, id!("web-public-departments-hidden"), &[("n", rules.department_n.into())])) }
                        }
                    }
                }
            }
        }
        section.said-did {
            h2 { (tr(locale, id!("fb-public-title"))) }
            (super::feedback::inbox::figures_table(locale, &published.feedback, &tr_args(locale, id!("fb-public-figures"), &[("quarter", periods::name(locale, &latest.label).unwrap_or_default().into())])))
            @if published.answers.is_empty() {
                p { (tr(locale, id!("fb-public-none"))) }
            } @else {
                ul.answers { @for (day, kind, text) in &published.answers {
                    li { span.note { (fmt::date(*day)) " · " (super::feedback::kind_name(locale, *kind)) } p { (text) } }
                } }
            }
            @if !embed {
                p { a href={ "/gop-y/" (slug) } { (tr(locale, id!("fb-public-send"))) } " · " a href="/theo-doi" { (tr(locale, id!("fb-follow-link"))) } }
            }
        }
        section.method {
            h2 { (tr(locale, id!("web-public-method"))) }
            ul {
                @for form in published.forms.keys() {
                    @if let Some(q) = centre.catalog.all().filter(|q| &q.id == form).max_by_key(|q| q.version) {
                        li { (q.title.get(locale)) " (" (q.id) ", " (tr_args(locale, id!("web-public-version"), &[("version", q.version.into())])) ")"
                            @if let Some(src) = &q.source { ": " (src) } }
                    }
                }
                li { (tr_args(locale, id!("web-public-formula"), &[("target", fmt::pct(locale, Some(target)).into())])) }
                li { (tr(locale, id!("web-public-exclusions"))) }
                li { (tr_args(locale, id!("web-public-small-numbers"), &[
                    ("rate", rules.rate_n.into()), ("caution", rules.caution_n.into()), ("department", rules.department_n.into())
                ])) }
                li { (tr_args(locale, id!("web-public-updated"), &[("day", fmt::date(centre.today()).into())])) }
            }
            p {
                a href={ "/public/" (slug) "/open-data.csv" } download { (tr(locale, id!("web-public-open-data"))) }
            }
        }
        @if !embed {
            section.share {
                h2 { (tr(locale, id!("web-public-share"))) }
                img.qr src={ "/public/" (slug) "/qr.svg" } width="180" height="180" alt=(tr(locale, id!("web-public-qr-alt")));
                p { (tr(locale, id!("web-public-embed"))) " " code { "<iframe src=\"/public/" (slug) "?embed=1\"></iframe>" } }
            }
        }
    };
    let markup = if embed {
        layout::bare(locale, &title, body)
    } else {
        layout::page(locale, &title, None, body)
    };
    let mut response = html(markup);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    if embed {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors *; base-uri 'none'",
            ),
        );
    }
    response
}

fn section_title(centre: &Centre, locale: Locale, form: &str, code: &str) -> String {
    centre
        .catalog
        .all()
        .filter(|q| q.id == form)
        .flat_map(|q| &q.sections)
        .find(|s| s.code == code)
        .map_or_else(|| code.to_string(), |s| format!("{code}. {}", s.title.get(locale)))
}

/// `GET /public/<slug>/open-data.csv`: for each quarter and form whose rate is published, the
/// count of each score per item (and of "not used"): every published percentage is
/// (score 4 + score 5) / (scores 1–5). Cells the page withholds are left out.
pub async fn open_data(State(centre): State<Centre>, headers: HeaderMap, Path(slug): Path<String>) -> Response {
    let locale = locale_of(&headers);
    let c = centre.clone();
    let s = slug.clone();
    let published = match blocking(move || load(&c, &s)).await {
        Ok(p) => p,
        Err(e) => return e.render(locale),
    };
    let rules = centre.web.public;
    let mut out = csv::Writer::from_writer(Vec::new());
    let columns = [
        "facility",
        "quarter",
        "from",
        "to",
        "questionnaire",
        "section",
        "item",
        "score_1",
        "score_2",
        "score_3",
        "score_4",
        "score_5",
        "not_used",
        "responses",
    ];
    let mut rows = vec![columns.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for (form, by_quarter) in &published.forms {
        for quarter in &published.quarters {
            let Some(s) = quarter.from.and_then(|f| by_quarter.get(&f)) else {
                continue;
            };
            if rules.cell(s.responses) == Cell::CountOnly {
                continue;
            }
            for (code, item) in &s.items {
                let f = &item.figures;
                let mut row = vec![
                    published.facility.clone(),
                    quarter.label.clone(),
                    quarter.from.map(|d| d.to_string()).unwrap_or_default(),
                    quarter.to.map(|d| d.to_string()).unwrap_or_default(),
                    form.clone(),
                    item.section.clone(),
                    code.clone(),
                ];
                row.extend(f.counts.iter().map(u64::to_string));
                row.push(f.not_used.to_string());
                row.push(s.responses.to_string());
                rows.push(row);
            }
        }
    }
    for row in rows {
        if out.write_record(&row).is_err() {
            return PageError::Internal.render(locale);
        }
    }
    let body = out.into_inner().unwrap_or_default();
    let name = format!(
        "attachment; filename=\"{}-open-data.csv\"",
        crate::text::slug(&published.facility)
    );
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&name).unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /public/<slug>/qr.svg`: a QR code of the page's address.
pub async fn qr(State(centre): State<Centre>, headers: HeaderMap, Path(slug): Path<String>) -> Response {
    let locale = locale_of(&headers);
    let c = centre.clone();
    let s = slug.clone();
    if let Err(e) = blocking(move || facility_by_slug(&c, &s)?.ok_or(PageError::NotFound)).await {
        return e.render(locale);
    }
    let url = format!("{}/public/{slug}", super::site_url(&centre, &headers));
    let Some(svg) = super::qr_svg(&url) else {
        return PageError::Internal.render(locale);
    };
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        svg,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cells_are_withheld_and_cannot_be_worked_out() {
        let rules = Suppression::default();
        assert_eq!(rules.cell(29), Cell::CountOnly);
        assert_eq!(rules.cell(30), Cell::Caution);
        assert_eq!(rules.cell(100), Cell::Rate);
        // One department under 10: hidden, and the next smallest with it.
        assert_eq!(
            rules.departments(&[500, 8, 200, 150]),
            vec![Cell::Rate, Cell::Hidden, Cell::Rate, Cell::Hidden]
        );
        // Two under 10 adding up to under 10: a third goes too.
        assert_eq!(
            rules.departments(&[3, 4, 400, 50]),
            vec![Cell::Hidden, Cell::Hidden, Cell::Rate, Cell::Hidden]
        );
        // One rate withheld (n < 30): another withheld with it.
        assert_eq!(
            rules.departments(&[20, 300, 40]),
            vec![Cell::CountOnly, Cell::Rate, Cell::CountOnly]
        );
        // Nothing small: all shown.
        assert_eq!(rules.departments(&[120, 300]), vec![Cell::Rate, Cell::Rate]);
    }

    #[test]
    fn nine_quarters_end_with_todays() {
        let q = quarters(NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(), Calendar::default());
        assert_eq!(q.len(), 9);
        assert_eq!(q[0].label, "2024-Q4");
        assert_eq!(q[8].label, "2026-Q4");
    }
}
