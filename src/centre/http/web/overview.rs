//! The overview: every facility (for the province and admins) or every department of one
//! facility (for its staff) side by side for a period, worst first, against the target.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::chart::{self, Bar};
use super::periods::{self, PeriodQuery, Strata};
use super::{PageError, Viewer, blocking, fmt, html, layout};
use crate::centre::accounts::Role;
use crate::centre::figures::{ChannelMix, Groups, needed_for_target};
use crate::centre::{Centre, Scope};
use crate::i18n::{tr, tr_args};
use crate::report::period::Period;
use crate::survey::{Judgement, Locale, Summary, Verdict};

/// One line of a comparison table: a facility or department, now and in the previous period.
pub struct Row {
    /// Its name.
    pub name: String,
    /// Its page, if it has one.
    pub link: Option<String>,
    /// This period.
    pub now: Summary,
    /// The period before (for the change).
    pub before: Option<Summary>,
}

/// The verdict in words (`report::text::verdict_words`, as every surface says it).
pub fn verdict_text(locale: Locale, j: Judgement) -> String {
    crate::report::text::verdict_words(locale, j)
}

/// The CSS class of a verdict (the words are always there too).
pub fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Met => "met",
        Verdict::NotMet => "not-met",
        Verdict::Inconclusive => "unsure",
        Verdict::NoData => "none",
    }
}

/// Worst first: the lowest rate at the top, groups without answers last.
pub fn worst_first(rows: &mut [Row]) {
    rows.sort_by(|a, b| match (a.now.satisfied_pct, b.now.satisfied_pct) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.name.cmp(&b.name)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
}

/// The comparison table and its chart.
pub fn comparison(locale: Locale, first_column: &str, rows: &[Row], target: f64) -> Markup {
    let bars: Vec<Bar> = rows
        .iter()
        .map(|r| Bar {
            label: r.name.clone(),
            pct: r.now.satisfied_pct,
            ci: (r.now.ci_low_pct, r.now.ci_high_pct),
            class: verdict_class(r.now.verdict),
        })
        .collect();
    let needed_label = tr_args(
        locale,
        id!("web-col-needed"),
        &[("target", fmt::pct(locale, Some(target)).into())],
    );
    html! {
        (chart::bars(locale, &tr(locale, id!("web-chart-rates")), &bars, target))
        div.scroll tabindex="0" {
            table.cards {
                caption { (tr(locale, id!("web-table-caption"))) }
                thead { tr {
                    th scope="col" { (first_column) }
                    th.num scope="col" { (tr(locale, id!("web-col-responses"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-rate"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-interval"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-mean"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-comprehensive"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-return"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-change"))) }
                    th.num scope="col" { (needed_label) }
                    th scope="col" { (tr(locale, id!("web-col-verdict"))) }
                } }
                tbody {
                    @for r in rows {
                        @let s = &r.now;
                        @let change = match (s.satisfied_pct, r.before.as_ref().and_then(|b| b.satisfied_pct)) {
                            (Some(a), Some(b)) => Some(a - b),
                            _ => None,
                        };
                        tr {
                            th scope="row" {
                                @if let Some(link) = &r.link { a href=(link) { (r.name) } } @else { (r.name) }
                            }
                            td.num data-label=(tr(locale, id!("web-col-responses"))) { (fmt::count(locale, s.responses)) }
                            td.num data-label=(tr(locale, id!("web-col-rate"))) { (fmt::pct(locale, s.satisfied_pct)) }
                            td.num data-label=(tr(locale, id!("web-col-interval"))) { (fmt::interval(locale, s.ci_low_pct, s.ci_high_pct)) }
                            td.num data-label=(tr(locale, id!("web-col-mean"))) { (fmt::mean(locale, s.mean_score)) }
                            td.num data-label=(tr(locale, id!("web-col-comprehensive"))) { (fmt::pct(locale, s.comprehensive_pct)) }
                            td.num data-label=(tr(locale, id!("web-col-return"))) { (fmt::pct(locale, s.return_pct)) }
                            td.num data-label=(tr(locale, id!("web-col-change"))) { (fmt::points(locale, change)) }
                            td.num data-label=(needed_label) { (needed_for_target(s.satisfied, s.answers, target).map_or_else(|| "—".into(), |k| fmt::count(locale, k))) }
                            td data-label=(tr(locale, id!("web-col-verdict"))) { span class={ "verdict " (verdict_class(s.verdict)) } { (verdict_text(locale, s.judgement())) } }
                        }
                    }
                }
            }
        }
    }
}

/// The headline figures of a summary.
pub fn headline(locale: Locale, s: &Summary) -> Markup {
    html! {
        dl.headline {
            div { dt { (tr(locale, id!("web-col-rate"))) } dd.big { (fmt::pct(locale, s.satisfied_pct)) } }
            div { dt { (tr(locale, id!("web-col-verdict"))) } dd { span class={ "verdict " (verdict_class(s.verdict)) } { (verdict_text(locale, s.judgement())) } } }
            div { dt { (tr(locale, id!("web-col-interval"))) } dd { (fmt::interval(locale, s.ci_low_pct, s.ci_high_pct)) } }
            div { dt { (tr(locale, id!("web-col-responses"))) } dd { (fmt::count(locale, s.responses)) } }
            div { dt { (tr(locale, id!("web-col-answers"))) } dd { (fmt::count(locale, s.answers)) } }
            div { dt { (tr(locale, id!("web-col-mean"))) } dd { (fmt::mean(locale, s.mean_score)) } }
            div { dt { (tr(locale, id!("web-col-comprehensive"))) } dd { (fmt::pct(locale, s.comprehensive_pct)) } }
            div { dt { (tr(locale, id!("web-col-return"))) } dd { (fmt::pct(locale, s.return_pct)) } }
        }
    }
}

/// Summaries of `period` grouped by facility (or by department within `facility`), their
/// total and its channel mix, from one pass over the tallies of `strata`.
fn rows_of(
    centre: &Centre,
    facility: Option<&str>,
    period: &Period,
    strata: &Strata,
) -> Result<(BTreeMap<String, Summary>, Summary, ChannelMix), PageError> {
    let scope = strata.narrow(Scope {
        facility: facility.map(str::to_string),
        from: period.from,
        to: period.to,
        ..Scope::default()
    });
    let mut mix = ChannelMix::default();
    let by_department = facility.is_some();
    let mut groups = Groups::default();
    let mut total = Groups::default();
    centre.tallies.facility_totals(
        centre.store.as_ref(),
        &scope,
        by_department,
        &mut |facility, key, tally| {
            let group = if by_department {
                key.department.clone()
            } else {
                facility.to_string()
            };
            groups.add(group, key, tally);
            total.add((), key, tally);
            mix.add(key, tally);
        },
    )?;
    let total = total.summaries(centre)?.remove(&()).unwrap_or_else(|| empty(centre));
    Ok((groups.summaries(centre)?, total, mix))
}

/// The summary of nothing (a facility without responses in the period).
pub fn empty(centre: &Centre) -> Summary {
    crate::survey::summarize(&[], 0, &centre.scoring)
}

/// `GET /overview`.
pub async fn page(
    State(centre): State<Centre>,
    viewer: Viewer,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let locale = viewer.locale;
    if viewer.user.role == Role::Department {
        return Ok(Redirect::to(&super::home_of(&viewer.user)).into_response());
    }
    let today = centre.today();
    let period = q.resolve(locale, today, centre.calendar)?;
    let strata = q.strata(locale)?;
    let facility = if viewer.user.sees_every_facility() {
        None
    } else {
        viewer.user.facility.clone()
    };
    let c = centre.clone();
    let p = period.clone();
    let f = facility.clone();
    let st = strata.clone();
    let result = blocking(move || {
        let (now, total, mix) = rows_of(&c, f.as_deref(), &p, &st)?;
        let before = match periods::previous(&p) {
            Some(prev) => Some(rows_of(&c, f.as_deref(), &prev, &st)?),
            None => None,
        };
        let (before, mix_before) = match before {
            Some((rows, _, mix)) => (Some(rows), Some(mix)),
            None => (None, None),
        };
        let names = match &f {
            None => super::facilities(&c)?,
            Some(_) => now.keys().cloned().collect(),
        };
        Ok((now, before, total, names, mix, mix_before))
    })
    .await;
    let (mut now, mut before, total, names, mix, mix_before) = result?;
    let target = centre.scoring.target_pct;
    let mut rows: Vec<Row> = names
        .into_iter()
        .map(|name| Row {
            link: facility.is_none().then(|| {
                let query = serde_urlencoded_period(&q);
                format!("/facility/{}{query}", crate::text::slug(&name))
            }),
            now: now.remove(&name).unwrap_or_else(|| empty(&centre)),
            before: before.as_mut().and_then(|b| b.remove(&name)),
            name: if facility.is_some() && name.is_empty() {
                tr(locale, id!("web-no-department"))
            } else {
                name
            },
        })
        .collect();
    worst_first(&mut rows);
    let title = match &facility {
        None => tr(locale, id!("web-overview-title")),
        Some(f) => tr_args(
            locale,
            id!("web-overview-facility-title"),
            &[("facility", f.clone().into())],
        ),
    };
    let first_column = tr(
        locale,
        if facility.is_none() {
            id!("web-col-facility")
        } else {
            id!("web-col-department")
        },
    );
    let body = html! {
        h1 { (title) }
        p.period { (periods::describe(locale, &period)) }
        (periods::picker(locale, "/overview", &period, today, Some(&strata)))
        p.downloads {
            @let base = facility.as_deref().map_or_else(|| "/overview".to_string(), |f| format!("/facility/{}", crate::text::slug(f)));
            @let query = serde_urlencoded_period(&q);
            (tr(locale, id!("web-export-label"))) " "
            a href={ (base) "/export.csv" (query) } download { (tr(locale, id!("web-export-csv"))) }
            " · "
            a href={ (base) "/export.xlsx" (query) } download { (tr(locale, id!("web-export-xlsx"))) }
        }
        (headline(locale, &total))
        (periods::mix(locale, &mix, mix_before.as_ref(), &strata))
        h2 { (tr_args(locale, id!("web-overview-compare"), &[("count", rows.len().into())])) }
        (comparison(locale, &first_column, &rows, target))
        p.note { (tr_args(locale, id!("web-needed-note"), &[("target", fmt::pct(locale, Some(target)).into())])) }
    };
    Ok(html(layout::page(locale, &title, Some(&viewer), body)))
}

/// The period part of a link (`?period=…` or `?from=…&to=…`), carried from page to page.
pub fn serde_urlencoded_period(q: &PeriodQuery) -> String {
    let mut pairs = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("period", &q.period),
        ("from", &q.from),
        ("to", &q.to),
        ("channel", &q.channel),
        ("point", &q.point),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            pairs.append_pair(k, v);
        }
    }
    let s = pairs.finish();
    if s.is_empty() { s } else { format!("?{s}") }
}
