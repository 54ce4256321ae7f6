//! The public results page `/public/<facility>` (no login): aggregates only — no comments, no
//! kiosk ids, no staff names — for the current quarter and the eight before it, each form
//! apart, against the target; with the method, a QR code pointing at the page, an embeddable
//! variant (`?embed=1`) and the open data the percentages can be recomputed from.
//!
//! **Small numbers** ([`Suppression`]): a cell of fewer than `rate_n` responses shows its count
//! and "not enough responses" instead of a rate; one under `caution_n` carries "use with
//! caution"; a department under `department_n` is not shown at all. Where hiding one cell would
//! let a reader work it out from the total and the others, the next smallest is hidden with it.
//! What is shown comes from the day's snapshot ([`crate::centre::published`]): a running
//! quarter to the end of yesterday, taken once a day, its withheld cells kept withheld.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use maud::{Markup, html};

use super::periods::{self, PeriodQuery};
use super::{PageError, blocking, facility_by_slug, fmt, html, layout, locale_of};
use crate::centre::Centre;
use crate::centre::published::{self, Quarter};
pub use crate::centre::published::{Cell, Suppression, quarters};
use crate::i18n::{tr, tr_args};
use crate::report::period::Period;
use crate::survey::Locale;

struct Published {
    facility: String,
    /// The nine quarters, oldest first, as snapshots (see [`crate::centre::published`]).
    quarters: Vec<Quarter>,
    /// The forms any of them holds.
    forms: Vec<String>,
    /// The feedback box in the latest quarter.
    feedback: crate::centre::feedback::Figures,
    /// Published answers of the nine quarters, newest first: when published, the kind, the text.
    answers: Vec<Answer>,
}

/// A published answer: when it was published, the item's kind, the text.
type Answer = (NaiveDate, crate::feedback::Kind, String);

fn load(centre: &Centre, slug: &str) -> Result<Published, PageError> {
    let facility = facility_by_slug(centre, slug)?.ok_or(PageError::NotFound)?;
    let quarters = published::facility(centre, &facility)?;
    let mut forms: Vec<String> = quarters.iter().flat_map(|q| q.forms.keys().cloned()).collect();
    forms.sort();
    forms.dedup();
    let periods: Vec<Period> = quarters
        .iter()
        .map(|q| Period::between(Some(q.from), Some(q.to)))
        .collect();
    let (feedback, answers) = feedback_block(centre, &facility, &periods)?;
    Ok(Published {
        facility,
        quarters,
        forms,
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
fn rate(locale: Locale, cell: Cell, responses: u64, pct: Option<f64>) -> Markup {
    match cell {
        Cell::Hidden => html! {},
        Cell::CountOnly if responses == 0 => html! { span.small-n { (tr(locale, id!("web-public-none"))) } },
        Cell::CountOnly => html! {
            span.small-n { (tr_args(locale, id!("web-public-too-few"), &[("n", fmt::count(locale, responses).into())])) }
        },
        Cell::Rate | Cell::Caution => html! {
            (fmt::pct(locale, pct))
            @if cell == Cell::Caution {
                " " span.caution { (tr_args(locale, id!("web-public-caution"), &[("n", fmt::count(locale, responses).into())])) }
            }
        },
    }
}

/// "(to 14/11/2026)" for a quarter not over: its figures end with that day.
fn through_note(locale: Locale, q: &Quarter) -> Markup {
    if q.through == Some(q.to) {
        return html! {};
    }
    match q.through {
        Some(day) => {
            html! { " " span.note { (tr_args(locale, id!("web-public-to-date"), &[("day", fmt::date(day).into())])) } }
        }
        None => html! { " " span.note { (tr(locale, id!("web-public-from-tomorrow"))) } },
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
    let site = super::site_url(&centre, &headers);
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
        @for form in &published.forms {
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
                        @let none = super::overview::empty(&centre);
                        @let s = quarter.forms.get(form).map_or(&none, |f| &f.summary);
                        @let cell = rules.cell(s.responses);
                        tr {
                            th scope="row" {
                                (periods::name(locale, &quarter.label).unwrap_or_default())
                                (through_note(locale, quarter))
                            }
                            td.num { (fmt::count(locale, s.responses)) }
                            td.num { (rate(locale, cell, s.responses, s.satisfied_pct)) }
                            td { @if cell != Cell::CountOnly {
                                span class={ "verdict " (super::overview::verdict_class(s.verdict)) } { (super::overview::verdict_text(locale, s.judgement())) }
                            } }
                        }
                    } }
                } }
                @if let Some(f) = latest.forms.get(form).filter(|f| rules.cell(f.summary.responses) != Cell::CountOnly) {
                    h3 { (tr_args(locale, id!("web-public-sections"), &[("quarter", periods::name(locale, &latest.label).unwrap_or_default().into())])) }
                    div.scroll tabindex="0" { table {
                        thead { tr {
                            th scope="col" { (tr(locale, id!("web-col-section"))) }
                            th.num scope="col" { (tr(locale, id!("web-col-rate"))) }
                        } }
                        tbody { @for (code, sec) in &f.summary.sections { tr {
                            th scope="row" { (section_title(&centre, locale, form, code)) }
                            td.num { (fmt::pct(locale, sec.satisfied_pct)) }
                        } } }
                    } }
                    @if !f.departments.is_empty() {
                        h3 { (tr(locale, id!("web-public-departments"))) }
                        div.scroll tabindex="0" { table {
                            thead { tr {
                                th scope="col" { (tr(locale, id!("web-col-department"))) }
                                th.num scope="col" { (tr(locale, id!("web-col-responses"))) }
                                th.num scope="col" { (tr(locale, id!("web-col-rate"))) }
                            } }
                            tbody { @for (name, d) in &f.departments { tr {
                                th scope="row" { @if name.is_empty() { (tr(locale, id!("web-no-department"))) } @else { (name) } }
                                td.num { (fmt::count(locale, d.responses)) }
                                td.num { @if d.withheld_earlier {
                                    span.small-n { (tr(locale, id!("web-public-withheld-earlier"))) }
                                } @else { (rate(locale, d.cell, d.responses, d.satisfied_pct)) } }
                            } } }
                        } }
                    }
                    @if f.hidden_departments {
                        p.note { (tr_args(locale, id!("web-public-departments-hidden"), &[("n", rules.department_n.into())])) }
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
                @for form in &published.forms {
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
                li { (tr_args(locale, id!("web-public-updated"), &[("day", fmt::date(latest.taken_on).into())])) }
                li { (tr(locale, id!("web-public-snapshot"))) }
            }
            p {
                a href={ "/public/" (slug) "/open-data.csv" } download { (tr(locale, id!("web-public-open-data"))) }
            }
        }
        @if !embed {
            section.share {
                h2 { (tr(locale, id!("web-public-share"))) }
                img.qr src={ "/public/" (slug) "/qr.svg" } width="180" height="180" alt=(tr(locale, id!("web-public-qr-alt")));
                // Absolute, like the QR code: it is pasted on the hospital's own website.
                p { (tr(locale, id!("web-public-embed"))) " " code { "<iframe src=\"" (site) "/public/" (slug) "?embed=1\" title=\"" (title) "\" width=\"100%\" height=\"600\"></iframe>" } }
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

/// `GET /public/<slug>/open-data.csv`: what every published percentage is computed from, for
/// each quarter and form whose rate is published: the facility's count of each score per item
/// (and of "not used"), and each published department's counts over all its items. Every rate
/// is (score 4 + score 5) / (scores 1–5) of its rows. Cells the page withholds are left out.
/// UTF-8 with a byte-order mark, so that Excel shows Vietnamese.
pub async fn open_data(State(centre): State<Centre>, Path(slug): Path<String>) -> Result<Response, PageError> {
    let c = centre.clone();
    let s = slug.clone();
    let published = blocking(move || load(&c, &s)).await?;
    let rules = centre.web.public;
    let mut out = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    let columns = [
        "facility",
        "quarter",
        "from",
        "to",
        "through",
        "questionnaire",
        "department",
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
    for quarter in &published.quarters {
        let through = quarter.through.map(|d| d.to_string()).unwrap_or_default();
        let head = |form: &str, department: &str, section: &str, item: &str| {
            vec![
                published.facility.clone(),
                quarter.label.clone(),
                quarter.from.to_string(),
                quarter.to.to_string(),
                through.clone(),
                form.to_string(),
                department.to_string(),
                section.to_string(),
                item.to_string(),
            ]
        };
        for (form, f) in &quarter.forms {
            if rules.cell(f.summary.responses) == Cell::CountOnly {
                continue;
            }
            for (code, item) in &f.summary.items {
                let mut row = head(form, "", &item.section, code);
                row.extend(item.figures.counts.iter().map(u64::to_string));
                row.push(item.figures.not_used.to_string());
                row.push(f.summary.responses.to_string());
                rows.push(row);
            }
            for (name, d) in &f.departments {
                let Some((counts, not_used)) = d.counts.filter(|_| d.cell.shows_rate()) else {
                    continue;
                };
                let mut row = head(form, name, "", "");
                row.extend(counts.iter().map(u64::to_string));
                row.push(not_used.to_string());
                row.push(d.responses.to_string());
                rows.push(row);
            }
        }
    }
    for row in rows {
        let row: Vec<String> = row.iter().map(|c| crate::text::csv_cell(c).into_owned()).collect();
        out.write_record(&row).map_err(PageError::internal)?;
    }
    let body = out.into_inner().map_err(|e| PageError::internal(e.to_string()))?;
    let name = format!(
        "attachment; filename=\"{}-open-data.csv\"",
        crate::text::slug(&published.facility)
    );
    Ok((
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
        .into_response())
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
