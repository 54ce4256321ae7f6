//! The quarterly report page `/facility/<slug>/report?period=…` (printable on A4: the
//! navigation, the period picker and the edit form are not printed), its `.docx`
//! (`/facility/<slug>/report.docx?period=…`), and the form that saves section IV.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::guard::{Editor, Rule, WholeReader};
use super::periods::{self, PeriodQuery};
use super::{FacilityAccess, PageError, Posted, Viewer, blocking, html, layout};
use crate::centre::Centre;
use crate::centre::figures;
use crate::i18n::tr;
use crate::report::period::Period;
use crate::report::quarterly::QuarterlyReport;

/// Longest section IV accepted.
pub const MAX_ACTIONS: usize = 8000;

/// The report of `facility` for the period asked for.
async fn load(
    centre: &Centre,
    viewer: &Viewer,
    facility: &str,
    q: &PeriodQuery,
) -> Result<(Period, QuarterlyReport), PageError> {
    let locale = viewer.locale;
    let period = q.resolve(locale, centre.today(), centre.calendar)?;
    let strata = q.strata(locale)?;
    let name = periods::name(locale, &period.label).unwrap_or_else(|| periods::describe(locale, &period));
    let c = centre.clone();
    let p = period.clone();
    let f = facility.to_string();
    let report = blocking(move || Ok(figures::quarterly(&c, &f, &p, name, &strata, locale)?)).await?;
    Ok((period, report))
}

/// Whether the reader may edit section IV: the facility's own staff and admins.
fn may_edit(viewer: &Viewer, facility: &str) -> bool {
    Editor::allows(&viewer.user, facility)
}

/// `GET /facility/<slug>/report`.
pub async fn page(
    State(centre): State<Centre>,
    FacilityAccess {
        viewer, facility, slug, ..
    }: FacilityAccess<WholeReader>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let locale = viewer.locale;
    let (period, r) = load(&centre, &viewer, &facility, &q).await?;
    let query = super::overview::serde_urlencoded_period(&q);
    let mut dept_cols = vec![
        tr(locale, id!("quarterly-col-department")),
        tr(locale, id!("quarterly-col-responses")),
        tr(locale, id!("quarterly-col-rate")),
    ];
    dept_cols.extend(r.sections.iter().map(|(c, _)| c.clone()));
    let mut item_cols = vec![
        tr(locale, id!("quarterly-col-code")),
        tr(locale, id!("quarterly-col-question")),
    ];
    item_cols.extend((1..=5).map(|s| s.to_string()));
    item_cols.push(tr(locale, id!("quarterly-col-not-used")));
    item_cols.push("n".into());
    let named = !period.label.contains("..") && period.label != "all";
    let fb_cols = crate::report::quarterly::QuarterlyReport::feedback_head(locale);
    let headline_cols = r.headline_head(locale);
    let trust_cols = QuarterlyReport::trust_head(locale);
    let head = |cols: Vec<String>| html! { thead { tr { @for c in &cols { th scope="col" { (c) } } } } };
    let body = html! {
        div.noprint {
            (periods::picker(locale, &format!("/facility/{slug}/report"), &period, centre.today(), Some(&q.strata(locale)?)))
            p {
                a href={ "/facility/" (slug) "/report.docx" (query) } { (tr(locale, id!("quarterly-download-docx"))) }
                " · " (tr(locale, id!("quarterly-print-hint")))
            }
        }
        article.report {
            div.letterhead {
                div { p { (r.authority_line(locale)) } p { strong.ruled { (facility.to_uppercase()) } } p { (tr(locale, id!("quarterly-number"))) } }
                div { p { strong { (tr(locale, id!("quarterly-nation"))) } } p { strong.ruled { (tr(locale, id!("quarterly-motto"))) } }
                    p { em { (r.place_date(locale)) } } }
            }
            h1.center { (tr(locale, id!("quarterly-title"))) }
            p.center { strong { (crate::i18n::tr_args(locale, id!("quarterly-subtitle"), &[("period", r.period_name.clone().into())])) } }
            p.center { (r.to_line(locale)) }
            @for line in &r.narrowed { p.center { em { (line) } } }
            h2 { (tr(locale, id!("quarterly-part-1"))) }
            p { (crate::i18n::tr_args(locale, id!("quarterly-deployed"), &[("kiosks", r.kiosks.into())])) }
            ul { @for f in &r.forms { li { (QuarterlyReport::form_words(f)) } } }
            @if let Some(line) = r.channels_line(locale) { p { (line) } }
            h2 { (tr(locale, id!("quarterly-part-2"))) }
            p { (tr(locale, id!("quarterly-by-form"))) }
            table.cards {
                (head(trust_cols.clone()))
                tbody { @for row in r.trust_cells(locale) { tr { @for (i, c) in row.iter().enumerate() {
                    @if i == 0 { th scope="row" { (c) } } @else { td.num data-label=(trust_cols[i]) { (c) } }
                } } } }
            }
            p.note { (tr(locale, id!("quarterly-trust-note"))) }
            p { (tr(locale, id!("quarterly-overall"))) }
            table.cards {
                (head(headline_cols.clone()))
                tbody { @for row in r.headline_cells(locale) { tr { @for (i, c) in row.iter().enumerate() {
                    @if i == 0 { th scope="row" { (c) } } @else { td.num data-label=(headline_cols[i]) { (c) } }
                } } } }
            }
            p { (tr(locale, id!("quarterly-by-department"))) }
            div.scroll tabindex="0" { table.cards {
                (head(dept_cols.clone()))
                tbody { @for row in r.department_cells(locale) { tr { @for (i, c) in row.iter().enumerate() {
                    @if i == 0 { th scope="row" { (c) } } @else { td.num data-label=(dept_cols[i]) { (c) } }
                } } } }
            } }
            p { (tr(locale, id!("quarterly-items"))) }
            div.scroll tabindex="0" { table.compact.cards {
                (head(item_cols.clone()))
                tbody { @for row in r.item_cells(locale) { tr { @for (i, c) in row.iter().enumerate() {
                    @if i == 0 { th scope="row" { (c) } } @else if i == 1 { td.wide data-label=(item_cols[1]) { (c) } } @else { td.num data-label=(item_cols[i]) { (c) } }
                } } } }
            } }
            p { (tr(locale, id!("quarterly-feedback"))) }
            @if r.feedback.is_empty() {
                p.note { (tr(locale, id!("quarterly-feedback-none"))) }
            } @else {
                div.scroll tabindex="0" { table.cards {
                    (head(fb_cols.clone()))
                    tbody { @for row in r.feedback_cells(locale) { tr { @for (i, c) in row.iter().enumerate() {
                        @if i == 0 { th scope="row" { (c) } } @else { td.num data-label=(fb_cols[i]) { (c) } }
                    } } } }
                } }
            }
            h2 { (tr(locale, id!("quarterly-part-3"))) }
            ul { @for remark in r.remarks(locale) { li { (remark) } } }
            h2 { (tr(locale, id!("quarterly-part-4"))) }
            @if r.actions.trim().is_empty() {
                p.note { (tr(locale, id!("quarterly-actions-empty"))) }
            } @else {
                div.actions { @for line in r.actions.lines() { p { (line) } } }
            }
            div.signature {
                div { p { strong { em { (tr(locale, id!("quarterly-recipients"))) } } } p { (tr(locale, id!("quarterly-recipient-1"))) } p { (tr(locale, id!("quarterly-recipient-2"))) } }
                div.center {
                    p { strong { (r.signer_title(locale)) } } p { em { (tr(locale, id!("quarterly-sign-here"))) } }
                    p.sign-space {}
                    p { strong { (r.signatory.name) } }
                }
            }
        }
        @if may_edit(&viewer, &facility) && named {
            section.noprint {
                h2 { (tr(locale, id!("quarterly-edit-actions"))) }
                form method="post" action={ "/facility/" (slug) "/report" (query) } {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    input type="hidden" name="period" value=(period.label);
                    label for="actions" { (tr(locale, id!("quarterly-part-4"))) }
                    textarea #actions name="actions" rows="8" maxlength=(MAX_ACTIONS) { (r.actions) }
                    button type="submit" { (tr(locale, id!("quarterly-save"))) }
                }
            }
        }
    };
    Ok(html(layout::page(
        locale,
        &format!("{} · {}", tr(locale, id!("quarterly-title")), facility),
        Some(&viewer),
        body,
    )))
}

/// `GET /facility/<slug>/report.docx`.
pub async fn docx(
    State(centre): State<Centre>,
    FacilityAccess { viewer, facility, .. }: FacilityAccess<WholeReader>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let locale = viewer.locale;
    let (period, r) = load(&centre, &viewer, &facility, &q).await?;
    let bytes = blocking(move || crate::report::docx::quarterly(&r, locale).map_err(PageError::internal)).await?;
    let name = format!(
        "attachment; filename=\"bao-cao-hai-long-{}-{}.docx\"",
        crate::text::slug(&facility),
        crate::text::slug(&period.label)
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&name).unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The section IV form.
#[derive(Debug, Deserialize)]
pub struct ActionsForm {
    period: String,
    actions: String,
}

/// `POST /facility/<slug>/report`: saves section IV (the facility's staff and admins).
pub async fn save(
    State(centre): State<Centre>,
    FacilityAccess {
        viewer, facility, slug, ..
    }: FacilityAccess<Editor>,
    Posted(form): Posted<ActionsForm>,
) -> Result<Response, PageError> {
    let locale = viewer.locale;
    if form.actions.chars().count() > MAX_ACTIONS {
        return Err(PageError::BadRequest(tr(locale, id!("quarterly-too-long"))));
    }
    let period = PeriodQuery {
        period: Some(form.period.clone()),
        ..PeriodQuery::default()
    }
    .resolve(locale, centre.today(), centre.calendar)?;
    let label = period.label.clone();
    let user = viewer.user.clone();
    let text = form.actions.replace("\r\n", "\n");
    blocking(move || {
        centre.store.set_report_actions(&facility, &label, &text, &user.name)?;
        tracing::info!(user = ?user.name, facility = ?facility, period = ?label, "report section IV saved");
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/facility/{slug}/report?period={}", period.label)).into_response())
}
