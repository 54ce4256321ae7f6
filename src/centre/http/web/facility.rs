//! A facility's page: its departments, kiosks and sections A–E for a period, the weakest items,
//! the monthly trend against the target, partial and rapid-repeat counts, the latest comments
//! and each kiosk's health. A department account sees its own department's figures in every
//! block (each headed with its scope), and the facility's overall rate only to compare.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, Months};
use maud::html;

use super::chart;
use super::overview::{Row, comparison, empty, headline, worst_first};
use super::periods::{self, PeriodQuery, Strata};
use super::{FacilityAccess, FacilityReader, PageError, blocking, fmt, html, layout};
use crate::centre::accounts::Role;
use crate::centre::figures::{ChannelMix, Groups, month_of};
use crate::centre::phone::burst::{self, Burst, Rule};
use crate::centre::store::{Comment, EventCounts, KioskInfo};
use crate::centre::{Centre, Scope};
use crate::i18n::{tr, tr_args};
use crate::report::period::Period;
use crate::survey::{Locale, Summary};

/// How many comments the page lists.
const COMMENTS: usize = 20;
/// How many items the "weakest" table lists.
const WEAKEST: usize = 10;
/// How many months the trend shows (ending with the period's last month).
const TREND_MONTHS: u32 = 12;

struct Data {
    /// The reader's scope: the facility, or their own department.
    total: Summary,
    /// The whole facility, for a department account to compare with (`None` otherwise).
    facility_total: Option<Summary>,
    departments: BTreeMap<String, Summary>,
    departments_before: BTreeMap<String, Summary>,
    kiosks: BTreeMap<String, Summary>,
    months: BTreeMap<chrono::NaiveDate, Summary>,
    comments: std::sync::Arc<Vec<Comment>>,
    health: Vec<(KioskInfo, EventCounts)>,
    /// The channel mix of what the page counts, now and in the period before.
    mix: ChannelMix,
    mix_before: Option<ChannelMix>,
    /// Bursts of answers by phone, ticket or poster to review (whole-facility readers only).
    bursts: Vec<Burst>,
}

fn load(
    centre: &Centre,
    facility: &str,
    own_department: Option<&str>,
    period: &Period,
    strata: &Strata,
) -> Result<Data, PageError> {
    let scope = strata.narrow(Scope {
        facility: Some(facility.to_string()),
        from: period.from,
        to: period.to,
        ..Scope::default()
    });
    let (mut mix, mut mix_before) = (ChannelMix::default(), None);
    let (mut total, mut whole, mut departments, mut kiosks) = (
        Groups::default(),
        Groups::default(),
        Groups::default(),
        Groups::default(),
    );
    let store = centre.store.as_ref();
    centre
        .tallies
        .kiosk_totals(store, &scope, &mut |_, kiosk, key, tally| {
            whole.add((), key, tally);
            if own_department.is_none_or(|d| d == key.department) {
                total.add((), key, tally);
                mix.add(key, tally);
                departments.add(key.department.clone(), key, tally);
                kiosks.add(kiosk.to_string(), key, tally);
            }
        })?;
    let mut departments_before = Groups::default();
    if let Some(prev) = periods::previous(period) {
        let before = Scope {
            from: prev.from,
            to: prev.to,
            ..scope.clone()
        };
        let mut before_mix = ChannelMix::default();
        centre
            .tallies
            .facility_totals(store, &before, true, &mut |_, key, tally| {
                if own_department.is_none_or(|d| d == key.department) {
                    departments_before.add(key.department.clone(), key, tally);
                    before_mix.add(key, tally);
                }
            })?;
        mix_before = Some(before_mix);
    }
    // The trend: the months up to the period's end (or today), for the reader's department when
    // they have one.
    let last = period.to.unwrap_or_else(|| centre.today());
    let first = month_of(last)
        .checked_sub_months(Months::new(TREND_MONTHS - 1))
        .unwrap_or(last);
    let trend_scope = strata.narrow(Scope {
        facility: Some(facility.to_string()),
        department: own_department.map(str::to_string),
        from: Some(first),
        to: Some(last),
        ..Scope::default()
    });
    let mut months = Groups::default();
    centre
        .tallies
        .facility_rows(store, &trend_scope, false, &mut |_, key, tally| {
            months.add(month_of(key.day), key, tally);
        })?;
    let comments = centre.tallies.latest_comments(
        store,
        &Scope {
            department: own_department.map(str::to_string),
            ..scope.clone()
        },
        COMMENTS,
    )?;
    let health = if own_department.is_some() {
        Vec::new()
    } else {
        let counts = centre.store.event_counts(Some(facility))?;
        centre
            .store
            .kiosks_of(facility)?
            .into_iter()
            .filter(|k| k.revoked_at.is_none())
            .map(|k| {
                let c = k
                    .kiosk_id
                    .as_ref()
                    .and_then(|id| counts.get(id))
                    .copied()
                    .unwrap_or_default();
                (k, c)
            })
            .collect()
    };
    let bursts = match own_department {
        Some(_) => Vec::new(),
        None => burst::bursts(&centre.phone.minute_counts(facility, period.from, period.to)?),
    };
    let mut months = months.summaries(centre)?;
    let mut m = month_of(first);
    while m <= last {
        months.entry(m).or_insert_with(|| empty(centre));
        let Some(next) = m.checked_add_months(Months::new(1)) else {
            break;
        };
        m = next;
    }
    Ok(Data {
        total: total.summaries(centre)?.remove(&()).unwrap_or_else(|| empty(centre)),
        facility_total: match own_department {
            Some(_) => Some(whole.summaries(centre)?.remove(&()).unwrap_or_else(|| empty(centre))),
            None => None,
        },
        departments: departments.summaries(centre)?,
        departments_before: departments_before.summaries(centre)?,
        kiosks: kiosks.summaries(centre)?,
        months,
        comments,
        health,
        mix,
        mix_before,
        bursts,
    })
}

/// The label of a section code, from the first questionnaire that has it.
fn section_title(centre: &Centre, locale: Locale, code: &str) -> String {
    centre
        .catalog
        .all()
        .flat_map(|q| &q.sections)
        .find(|s| s.code == code)
        .map_or_else(|| code.to_string(), |s| format!("{code}. {}", s.title.get(locale)))
}

/// The question of an item code, from the first questionnaire that has it.
fn item_text(centre: &Centre, locale: Locale, code: &str) -> String {
    centre
        .catalog
        .all()
        .flat_map(|q| &q.sections)
        .flat_map(|s| &s.items)
        .find(|i| i.code == code)
        .map_or_else(String::new, |i| i.text.get(locale).to_string())
}

/// `GET /facility/<slug>`.
pub async fn page(
    State(centre): State<Centre>,
    FacilityAccess { viewer, facility, .. }: FacilityReader,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let locale = viewer.locale;
    let today = centre.today();
    let period = q.resolve(locale, today, centre.calendar)?;
    let strata = q.strata(locale)?;
    let c = centre.clone();
    let own_department = (viewer.user.role == Role::Department)
        .then(|| viewer.user.department.clone())
        .flatten();
    let p = period.clone();
    let own = own_department.clone();
    let f = facility.clone();
    let st = strata.clone();
    let mut data = blocking(move || load(&c, &f, own.as_deref(), &p, &st)).await?;
    let target = centre.scoring.target_pct;
    let mut departments: Vec<Row> = std::mem::take(&mut data.departments)
        .into_iter()
        .map(|(name, now)| Row {
            before: data.departments_before.remove(&name),
            link: None,
            name: if name.is_empty() {
                tr(locale, id!("web-no-department"))
            } else {
                name
            },
            now,
        })
        .collect();
    worst_first(&mut departments);
    let names: BTreeMap<String, String> = data
        .health
        .iter()
        .filter_map(|(k, _)| k.kiosk_id.clone().map(|id| (id, k.name.clone())))
        .collect();
    let mut kiosks: Vec<Row> = std::mem::take(&mut data.kiosks)
        .into_iter()
        .map(|(id, now)| Row {
            name: names.get(&id).cloned().unwrap_or(id),
            link: None,
            now,
            before: None,
        })
        .collect();
    worst_first(&mut kiosks);
    let s = &data.total;
    let weakest = s.weakest(WEAKEST);
    // Every block says whose figures it shows: the facility's, or the department's own.
    let scope_label = own_department
        .clone()
        .unwrap_or_else(|| tr(locale, id!("web-facility-total")));
    let scoped = |what: String| {
        tr_args(
            locale,
            id!("web-scoped"),
            &[("what", what.into()), ("scope", scope_label.clone().into())],
        )
    };
    let trend: Vec<(String, Option<f64>)> = data
        .months
        .iter()
        .map(|(m, s)| (format!("{:02}/{}", m.month(), m.year() % 100), s.satisfied_pct))
        .collect();
    let tz = centre.web.tz;
    let when = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string();
    let title = facility.clone();
    let slug = crate::text::slug(&facility);
    let may_open_cases = crate::centre::feedback::may_enter(&viewer.user, &facility);
    let body = html! {
        h1 { (title) }
        p.period { (periods::describe(locale, &period)) }
        (periods::picker(locale, &format!("/facility/{}", crate::text::slug(&facility)), &period, today, Some(&strata)))
        @if viewer.user.role != Role::Department {
            p { a href={ "/facility/" (crate::text::slug(&facility)) "/report" (super::overview::serde_urlencoded_period(&q)) } { (tr(locale, id!("web-facility-report"))) } }
        }
        p.downloads {
            (tr(locale, id!("web-export-label"))) " "
            a href={ "/facility/" (crate::text::slug(&facility)) "/export.csv" (super::overview::serde_urlencoded_period(&q)) } download { (tr(locale, id!("web-export-csv"))) }
            " · "
            a href={ "/facility/" (crate::text::slug(&facility)) "/export.xlsx" (super::overview::serde_urlencoded_period(&q)) } download { (tr(locale, id!("web-export-xlsx"))) }
        }
        @if let Some(d) = viewer.user.department.as_ref().filter(|_| viewer.user.role == Role::Department) {
            p.note { (tr_args(locale, id!("web-facility-department-only"), &[("department", d.clone().into())])) }
        }
        h2 { (scope_label.clone()) }
        (headline(locale, s))
        (periods::mix(locale, &data.mix, data.mix_before.as_ref(), &strata))
        @if let Some(whole) = &data.facility_total {
            p.note { (tr_args(locale, id!("web-facility-compare-whole"), &[
                ("rate", fmt::pct(locale, whole.satisfied_pct).into()),
                ("n", fmt::count(locale, whole.answers).into()),
            ])) }
        }
        p { (tr_args(locale, id!("web-facility-counts"), &[
            ("responses", fmt::count(locale, s.responses).into()),
            ("partial", fmt::count(locale, s.partial_responses).into()),
            ("rapid", fmt::count(locale, s.rapid_repeat_responses).into()),
        ])) }
        section {
            h2 { (tr(locale, id!("web-facility-departments"))) }
            (comparison(locale, &tr(locale, id!("web-col-department")), &departments, target))
        }
        section {
            h2 { (scoped(tr(locale, id!("web-facility-sections")))) }
            div.scroll tabindex="0" { table.cards {
                thead { tr {
                    th scope="col" { (tr(locale, id!("web-col-section"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-answers"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-rate"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-interval"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-mean"))) }
                } }
                tbody { @for (code, f) in &s.sections { tr {
                    th scope="row" { (section_title(&centre, locale, code)) }
                    td.num data-label=(tr(locale, id!("web-col-answers"))) { (fmt::count(locale, f.answers)) }
                    td.num data-label=(tr(locale, id!("web-col-rate"))) { (fmt::pct(locale, f.satisfied_pct)) }
                    td.num data-label=(tr(locale, id!("web-col-interval"))) { (fmt::interval(locale, f.ci_low_pct, f.ci_high_pct)) }
                    td.num data-label=(tr(locale, id!("web-col-mean"))) { (fmt::mean(locale, f.mean_score)) }
                } } }
            } }
        }
        section {
            h2 { (scoped(tr_args(locale, id!("web-facility-weakest"), &[("count", weakest.len().into())]))) }
            div.scroll tabindex="0" { table.cards {
                thead { tr {
                    th scope="col" { (tr(locale, id!("web-col-item"))) }
                    th scope="col" { (tr(locale, id!("web-col-question"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-answers"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-rate"))) }
                    th.num scope="col" { (tr(locale, id!("web-col-mean"))) }
                } }
                tbody { @for (code, f) in &weakest { tr {
                    th scope="row" { (code) }
                    td.wide data-label=(tr(locale, id!("web-col-question"))) { (item_text(&centre, locale, code)) }
                    td.num data-label=(tr(locale, id!("web-col-answers"))) { (fmt::count(locale, f.figures.answers)) }
                    td.num data-label=(tr(locale, id!("web-col-rate"))) { (fmt::pct(locale, f.figures.satisfied_pct)) }
                    td.num data-label=(tr(locale, id!("web-col-mean"))) { (fmt::mean(locale, f.figures.mean_score)) }
                } } }
            } }
        }
        section {
            h2 { (scoped(tr(locale, id!("web-facility-trend")))) }
            (chart::trend(locale, &tr(locale, id!("web-facility-trend")), &trend, target))
            div.scroll tabindex="0" { table.compact {
                thead { tr {
                    th scope="col" { (tr(locale, id!("web-col-month"))) }
                    @for (m, _) in &trend { th.num scope="col" { (m) } }
                } }
                tbody {
                    tr { th scope="row" { (tr(locale, id!("web-col-rate"))) } @for (_, v) in &trend { td.num { (fmt::pct(locale, *v)) } } }
                    tr { th scope="row" { (tr(locale, id!("web-col-responses"))) } @for s in data.months.values() { td.num { (fmt::count(locale, s.responses)) } } }
                }
            } }
        }
        @if !kiosks.is_empty() && own_department.is_none() {
            section {
                h2 { (tr(locale, id!("web-facility-kiosks"))) }
                (comparison(locale, &tr(locale, id!("web-col-kiosk")), &kiosks, target))
            }
        }
        @if !data.health.is_empty() {
            section {
                h2 { (tr(locale, id!("web-facility-health"))) }
                div.scroll tabindex="0" { table.cards {
                    thead { tr {
                        th scope="col" { (tr(locale, id!("web-col-kiosk"))) }
                        th scope="col" { (tr(locale, id!("web-col-last-sync"))) }
                        th.num scope="col" { (tr(locale, id!("web-col-received"))) }
                        th.num scope="col" { (tr(locale, id!("web-col-waiting"))) }
                        th.num scope="col" { (tr(locale, id!("web-col-gaps"))) }
                        th.num scope="col" { (tr(locale, id!("web-col-tampers"))) }
                        th.num scope="col" { (tr(locale, id!("web-col-clock"))) }
                    } }
                    tbody { @for (k, c) in &data.health { tr {
                        th scope="row" { (k.name) }
                        td data-label=(tr(locale, id!("web-col-last-sync"))) { (k.last_sync_at.map_or_else(|| tr(locale, id!("web-never")), when)) }
                        td.num data-label=(tr(locale, id!("web-col-received"))) { (fmt::count(locale, k.last_seq)) }
                        td.num data-label=(tr(locale, id!("web-col-waiting"))) class=(if k.waiting.is_some_and(|n| n > 0) { "warn" } else { "" }) {
                            (k.waiting.map_or_else(|| tr(locale, id!("web-not-reported")), |n| fmt::count(locale, n)))
                        }
                        td.num data-label=(tr(locale, id!("web-col-gaps"))) class=(if c.gaps > 0 { "warn" } else { "" }) { (fmt::count(locale, c.gaps)) }
                        td.num data-label=(tr(locale, id!("web-col-tampers"))) class=(if c.tampers > 0 { "warn" } else { "" }) { (fmt::count(locale, c.tampers)) }
                        td.num data-label=(tr(locale, id!("web-col-clock"))) class=(if c.clock > 0 { "warn" } else { "" }) { (fmt::count(locale, c.clock)) }
                    } } }
                } }
            }
        }
        @if !data.bursts.is_empty() {
            section #bursts {
                h2 { (tr(locale, id!("web-facility-bursts"))) }
                p { (tr(locale, id!("web-facility-bursts-note"))) }
                div.scroll tabindex="0" { table.cards {
                    thead { tr {
                        th scope="col" { (tr(locale, id!("web-col-when"))) }
                        th scope="col" { (tr(locale, id!("web-col-point"))) }
                        th scope="col" { (tr(locale, id!("web-col-channel"))) }
                        th.num scope="col" { (tr(locale, id!("web-col-responses"))) }
                        th scope="col" { (tr(locale, id!("web-col-why"))) }
                    } }
                    tbody { @for b in &data.bursts { tr {
                        th scope="row" { (when(b.from)) "–" (b.to.with_timezone(&tz).format("%H:%M")) }
                        td data-label=(tr(locale, id!("web-col-point"))) { (b.point) }
                        td data-label=(tr(locale, id!("web-col-channel"))) { (crate::report::text::channel_name(locale, b.channel)) }
                        td.num data-label=(tr(locale, id!("web-col-responses"))) { (fmt::count(locale, b.n)) }
                        td data-label=(tr(locale, id!("web-col-why"))) { (match b.rule {
                            Rule::Minute => tr_args(locale, id!("web-burst-minute"), &[("limit", burst::PER_MINUTE.into())]),
                            Rule::Hour { usual } => tr_args(locale, id!("web-burst-hour"), &[("usual", fmt::count(locale, usual).into())]),
                        }) }
                    } } }
                } }
            }
        }
        section {
            h2 { (tr(locale, id!("web-facility-comments"))) }
            @if data.comments.is_empty() {
                p { (tr(locale, id!("web-facility-no-comments"))) }
            } @else {
                ul.comments { @for cm in data.comments.iter() { li {
                    p.comment-text { (cm.text) }
                    p.meta { (when(cm.at)) @if let Some(d) = &cm.department { " · " (d) } }
                    @if may_open_cases && cm.from_unsatisfied() {
                        form.inline method="post" action={ "/feedback/" (slug) "/from-comment" } {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            input type="hidden" name="response" value=(cm.response.0);
                            button.small type="submit" { (tr(locale, id!("web-facility-to-case"))) }
                        }
                    }
                } } }
            }
        }
    };
    Ok(html(layout::page(locale, &title, Some(&viewer), body)))
}
