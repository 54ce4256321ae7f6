//! The period a page shows: picked by name (`2026-Q3`, `2026-9M`, …) or by dates, the current
//! quarter by default, and the period it is compared with.

use chrono::{Datelike, Months, NaiveDate};
use maud::{Markup, html};
use serde::Deserialize;

use super::{PageError, fmt};
use crate::centre::figures::ChannelMix;
pub use crate::centre::figures::Strata;
use crate::i18n::{tr, tr_args};
use crate::report::period::{Calendar, Period};
use crate::survey::{Channel, Locale};

/// `?period=2026-Q3` or `?from=2026-07-01&to=2026-07-31`.
#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    /// A period by name.
    pub period: Option<String>,
    /// First day (`YYYY-MM-DD`; empty = open).
    pub from: Option<String>,
    /// Last day.
    pub to: Option<String>,
    /// A department (facility page).
    pub department: Option<String>,
    /// Only responses that came this way (`kiosk`, `phone`…; empty = every channel).
    pub channel: Option<String>,
    /// Only responses from this point of the facility.
    pub point: Option<String>,
    /// `1`: the embeddable variant (public page).
    pub embed: Option<String>,
}

fn day(locale: Locale, field: crate::i18n::Id, text: Option<&str>) -> Result<Option<NaiveDate>, PageError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| {
            PageError::BadRequest(tr_args(
                locale,
                id!("web-error-date"),
                &[("field", tr(locale, field).into())],
            ))
        }),
    }
}

impl PeriodQuery {
    /// The channel and point asked for, each checked.
    pub fn strata(&self, locale: Locale) -> Result<Strata, PageError> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let channel = match given(&self.channel) {
            None => None,
            Some(name) => Some(Channel::parse(&name).ok_or_else(|| {
                PageError::BadRequest(tr_args(
                    locale,
                    id!("web-error-channel"),
                    &[
                        ("field", tr(locale, id!("web-channel-label")).into()),
                        ("value", name.chars().take(40).collect::<String>().into()),
                    ],
                ))
            })?),
        };
        let point = given(&self.point);
        if let Some(p) = &point {
            crate::centre::store::check_name("point", p).map_err(|_| {
                PageError::BadRequest(tr_args(
                    locale,
                    id!("web-error-point"),
                    &[("field", tr(locale, id!("web-point-field")).into())],
                ))
            })?;
        }
        Ok(Strata { channel, point })
    }

    /// The period asked for; the quarter holding `today` when none is.
    pub fn resolve(&self, locale: Locale, today: NaiveDate, calendar: Calendar) -> Result<Period, PageError> {
        let from = day(locale, id!("web-period-from"), self.from.as_deref())?;
        let to = day(locale, id!("web-period-to"), self.to.as_deref())?;
        if from.is_some() || to.is_some() {
            if let (Some(f), Some(t)) = (from, to)
                && f > t
            {
                return Err(PageError::BadRequest(tr(locale, id!("web-error-dates-order"))));
            }
            return Ok(Period::between(from, to));
        }
        match self.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => Ok(Period::quarter_of(today, calendar)),
            // Named by the picker's own label and in the page's language, never the command
            // line's advice.
            Some(p) => Period::parse(p, calendar).map_err(|_| {
                PageError::BadRequest(tr_args(
                    locale,
                    id!("web-error-period"),
                    &[
                        ("field", tr(locale, id!("web-period-label")).into()),
                        ("value", p.chars().take(40).collect::<String>().into()),
                    ],
                ))
            }),
        }
    }
}

/// The period `p` is compared with: the quarter or month before it; the same span a year
/// earlier for half years, nine months and years (cumulative reports compare with last year's);
/// the same number of days just before for dates. `None` for an open period.
pub fn previous(p: &Period) -> Option<Period> {
    let (from, to) = (p.from?, p.to?);
    let whole_months = from.day() == 1 && (to + chrono::Duration::days(1)).day() == 1;
    if whole_months {
        let months = (to.year() - from.year()) as u32 * 12 + to.month() + 1 - from.month();
        let back = if months <= 3 { months } else { 12 };
        let f = from.checked_sub_months(Months::new(back))?;
        let t = (to + chrono::Duration::days(1)).checked_sub_months(Months::new(back))? - chrono::Duration::days(1);
        return Some(Period::between(Some(f), Some(t)));
    }
    let days = (to - from).num_days() + 1;
    Some(Period::between(
        Some(from - chrono::Duration::days(days)),
        Some(from - chrono::Duration::days(1)),
    ))
}

/// How a period reads on a page: `Quý 3/2026 (01/07/2026 – 30/09/2026)`.
pub fn describe(locale: Locale, p: &Period) -> String {
    let span = match (p.from, p.to) {
        (Some(f), Some(t)) => format!("{} – {}", fmt::date(f), fmt::date(t)),
        (Some(f), None) => tr_args(locale, id!("web-period-since"), &[("day", fmt::date(f).into())]),
        (None, Some(t)) => tr_args(locale, id!("web-period-until"), &[("day", fmt::date(t).into())]),
        (None, None) => return tr(locale, id!("web-period-all")),
    };
    match name(locale, &p.label) {
        Some(n) => format!("{n} ({span})"),
        None => span,
    }
}

/// The name of a named period (`2026-Q3` → `Quý 3/2026`).
pub fn name(locale: Locale, label: &str) -> Option<String> {
    crate::report::text::period_name(locale, label)
}

/// The period picker: this year's and last year's periods, each year a group in reading
/// order (the four quarters, then the cumulative reports: 6 months, 9 months, the year), and
/// two dates; with `strata`, a channel too (and the point asked for, kept).
pub fn picker(locale: Locale, action: &str, current: &Period, today: NaiveDate, strata: Option<&Strata>) -> Markup {
    let mut groups = Vec::new();
    for year in [today.year(), today.year() - 1] {
        let mut options = Vec::new();
        for suffix in ["Q1", "Q2", "Q3", "Q4", "H1", "9M", ""] {
            let label = if suffix.is_empty() {
                year.to_string()
            } else {
                format!("{year}-{suffix}")
            };
            if let Some(n) = name(locale, &label) {
                options.push((label, n));
            }
        }
        groups.push((year, options));
    }
    html! {
        form.picker method="get" action=(action) {
            label for="period" { (tr(locale, id!("web-period-label"))) }
            select #period name="period" {
                @for (year, options) in &groups {
                    optgroup label=(year) {
                        @for (value, text) in options {
                            option value=(value) selected[*value == current.label] { (text) }
                        }
                    }
                }
            }
            span.or { (tr(locale, id!("web-period-or"))) }
            label for="from" { (tr(locale, id!("web-period-from"))) }
            input #from type="date" name="from" value=(current.from.filter(|_| current.label.contains("..")).map(|d| d.to_string()).unwrap_or_default());
            label for="to" { (tr(locale, id!("web-period-to"))) }
            input #to type="date" name="to" value=(current.to.filter(|_| current.label.contains("..")).map(|d| d.to_string()).unwrap_or_default());
            @if let Some(strata) = strata {
                span.field {
                    label for="channel" { (tr(locale, id!("web-channel-label"))) }
                    select #channel name="channel" {
                        option value="" selected[strata.channel.is_none()] { (tr(locale, id!("web-channel-all"))) }
                        @for c in Channel::ALL {
                            option value=(c.as_str()) selected[strata.channel == Some(c)] { (crate::report::text::channel_name(locale, c)) }
                        }
                    }
                }
                @if let Some(p) = &strata.point {
                    input type="hidden" name="point" value=(p);
                }
            }
            button type="submit" { (tr(locale, id!("web-period-show"))) }
        }
    }
}

/// The channel mix of what a page counts, and a warning when it moved more than
/// [`crate::centre::figures::MIX_SHIFT_POINTS`] since the period before; nothing without responses.
pub fn mix(locale: Locale, now: &ChannelMix, before: Option<&ChannelMix>, strata: &Strata) -> Markup {
    let total = now.total();
    let shift = before.and_then(|b| now.shift_from(b));
    html! {
        @if let Some(p) = &strata.point {
            p.note { (tr_args(locale, id!("web-point-only"), &[("point", p.clone().into())])) }
        }
        @if total > 0 {
            p.mix {
                (tr(locale, id!("web-mix-label"))) ": "
                (crate::report::text::channel_mix(locale, &now.0.iter().map(|(c, n)| (*c, *n)).collect::<Vec<_>>()))
            }
        }
        @if let Some((channel, then, share)) = shift {
            p.warning role="note" {
                (tr_args(locale, id!("web-mix-shift"), &[
                    ("points", fmt::count(locale, crate::centre::figures::MIX_SHIFT_POINTS as u64).into()),
                    ("channel", crate::report::text::channel_name(locale, channel).into()),
                    ("before", fmt::pct(locale, Some(then)).into()),
                    ("now", fmt::pct(locale, Some(share)).into()),
                ]))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn each_period_is_compared_with_the_one_a_reader_expects() {
        for (period, from, to) in [
            ("2026-Q1", "2025-10-01", "2025-12-31"),
            ("2026-Q3", "2026-04-01", "2026-06-30"),
            ("2026-03", "2026-02-01", "2026-02-28"),
            ("2026-9M", "2025-01-01", "2025-09-30"),
            ("2026-H1", "2025-01-01", "2025-06-30"),
            ("2026", "2025-01-01", "2025-12-31"),
        ] {
            let p = previous(&Period::parse(period, Calendar::default()).unwrap()).unwrap();
            assert_eq!((p.from.unwrap(), p.to.unwrap()), (d(from), d(to)), "{period}");
        }
        let p = previous(&Period::between(Some(d("2026-07-10")), Some(d("2026-07-19")))).unwrap();
        assert_eq!((p.from.unwrap(), p.to.unwrap()), (d("2026-06-30"), d("2026-07-09")));
        assert!(previous(&Period::all()).is_none());
    }

    #[test]
    fn named_periods_read_in_vietnamese() {
        assert_eq!(name(Locale::Vi, "2026-Q3").unwrap(), "Quý 3/2026");
        assert_eq!(name(Locale::Vi, "2026-9M").unwrap(), "9 tháng đầu năm 2026");
        assert_eq!(name(Locale::En, "2026-H1").unwrap(), "First half of 2026");
    }
}
