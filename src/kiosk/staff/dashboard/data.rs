//! The figures of the staff dashboard, computed off the UI thread by the same `report` code
//! the CLI uses, so the kiosk, `hailong report` and the exports always agree.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::report::{self, Calendar, period::Period};
use crate::store::Store;
use crate::survey::{ScoringOptions, Summary, Verdict};

/// The periods staff can switch between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodChoice {
    /// Today.
    Today,
    /// Monday to today.
    ThisWeek,
    /// This calendar month.
    ThisMonth,
    /// This quarter of the reporting calendar.
    ThisQuarter,
    /// The quarter before.
    LastQuarter,
    /// This calendar year.
    ThisYear,
}

impl PeriodChoice {
    /// Every choice, in the order of the switch.
    pub const ALL: [PeriodChoice; 6] = [
        PeriodChoice::Today,
        PeriodChoice::ThisWeek,
        PeriodChoice::ThisMonth,
        PeriodChoice::ThisQuarter,
        PeriodChoice::LastQuarter,
        PeriodChoice::ThisYear,
    ];

    /// The Fluent id of its label.
    pub fn message_id(self) -> crate::i18n::Id {
        match self {
            PeriodChoice::Today => id!("period-today"),
            PeriodChoice::ThisWeek => id!("period-week"),
            PeriodChoice::ThisMonth => id!("period-month"),
            PeriodChoice::ThisQuarter => id!("period-quarter"),
            PeriodChoice::LastQuarter => id!("period-last-quarter"),
            PeriodChoice::ThisYear => id!("period-year"),
        }
    }

    /// The period, for a facility whose local date is `today`, on its reporting `calendar`.
    /// Months, quarters and years are the reporting calendar's and carry the same labels as
    /// `hailong report --period`.
    pub fn period(self, today: NaiveDate, calendar: Calendar) -> Period {
        match self {
            PeriodChoice::Today => Period::between(Some(today), Some(today)),
            PeriodChoice::ThisWeek => {
                let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
                Period::between(Some(monday), Some(today))
            }
            PeriodChoice::ThisMonth => Period::month_of(today, calendar),
            PeriodChoice::ThisQuarter => Period::quarter_of(today, calendar),
            PeriodChoice::LastQuarter => {
                let first = Period::quarter_of(today, calendar)
                    .from
                    .expect("a quarter has a first day");
                Period::quarter_of(first - Duration::days(1), calendar)
            }
            PeriodChoice::ThisYear => Period::year_of(today, calendar),
        }
    }
}

/// One point of the trend chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    /// "T3" (month) or "17/11" (week starting on that day).
    pub label: String,
    /// Satisfaction rate in this bucket, if anyone answered.
    pub satisfied_pct: Option<f64>,
    /// Answers in this bucket.
    pub answers: u64,
    /// The bucket's verdict against the target (`report::verdict`, as the headline's).
    pub verdict: Verdict,
}

/// Everything the dashboard shows for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardData {
    /// The choice it was computed for.
    pub choice: PeriodChoice,
    /// Its dates.
    pub period: Period,
    /// The DESIGN §5 figures (the same as `hailong report --json`).
    pub summary: Summary,
    /// Satisfaction by month (this year) or by week.
    pub trend: Vec<TrendPoint>,
    /// The latest comments, newest first.
    pub comments: Vec<(DateTime<Utc>, String)>,
}

/// Computes the dashboard (blocking: a few milliseconds on a million responses, thanks to the
/// daily tallies).
pub fn load(
    store: &Store,
    choice: PeriodChoice,
    today: NaiveDate,
    opts: &ScoringOptions,
    calendar: Calendar,
) -> Result<DashboardData, crate::store::Error> {
    let period = choice.period(today, calendar);
    let filter = report::filter(&period, None, None);
    let summary = report::summary(store, &filter, opts)?;
    let mut trend = Vec::new();
    for (label, bucket) in buckets(choice, &period, today, calendar) {
        let s = report::summary(store, &report::filter(&bucket, None, None), opts)?;
        trend.push(TrendPoint {
            label,
            satisfied_pct: s.satisfied_pct,
            answers: s.answers,
            verdict: s.verdict,
        });
    }
    let comments = store.latest_comments(&filter, 5)?;
    Ok(DashboardData {
        choice,
        period,
        summary,
        trend,
        comments,
    })
}

/// The trend's buckets: months for the year, weeks otherwise (the last eight weeks for today
/// and this week, which are too short to show a trend of their own).
fn buckets(choice: PeriodChoice, period: &Period, today: NaiveDate, calendar: Calendar) -> Vec<(String, Period)> {
    if choice == PeriodChoice::ThisYear {
        let (year, month) = calendar.month_of(today);
        return (1..=month)
            .map(|m| {
                let p = Period::parse(&format!("{year}-{m:02}"), calendar).expect("valid month");
                (format!("T{m}"), p)
            })
            .collect();
    }
    let end = period.to.unwrap_or(today).min(today);
    let start = match choice {
        PeriodChoice::Today | PeriodChoice::ThisWeek => end - Duration::weeks(8) + Duration::days(1),
        _ => period.from.unwrap_or(end),
    };
    let mut out = Vec::new();
    let mut from = start - Duration::days(i64::from(start.weekday().num_days_from_monday()));
    while from <= end {
        let to = from + Duration::days(6);
        let bucket = Period::between(Some(from.max(start)), Some(to.min(end)));
        out.push((format!("{}/{}", from.day(), from.month()), bucket));
        from = to + Duration::days(1);
    }
    out
}
