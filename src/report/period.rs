//! Reporting periods: quarters, halves, nine months, years, months or explicit dates, counted in
//! facility-local days (DESIGN §5), on the facility's reporting [`Calendar`].

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// A day of the month on which a province closes its monthly figures: 1 to 28, so every month
/// has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct CutOffDay(u8);

impl CutOffDay {
    /// The first and last day allowed.
    pub const RANGE: std::ops::RangeInclusive<u8> = 1..=28;

    /// `day` if it is 1–28.
    pub fn new(day: u8) -> Option<CutOffDay> {
        Self::RANGE.contains(&day).then_some(CutOffDay(day))
    }

    /// The day.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for CutOffDay {
    type Error = String;
    fn try_from(day: u8) -> Result<Self, String> {
        CutOffDay::new(day).ok_or_else(|| format!("a cut-off day is 1 to 28, not {day}"))
    }
}

impl From<CutOffDay> for u8 {
    fn from(d: CutOffDay) -> u8 {
        d.0
    }
}

/// How the year is cut into reporting months, and so into quarters, halves and years
/// (`[report] cutoff_day` in hailong.toml).
///
/// ```
/// use hailong::report::{Calendar, Period, period::CutOffDay};
/// let fourteenth = Calendar::CutOff(CutOffDay::new(14).unwrap());
/// let q1 = Period::parse("2026-Q1", fourteenth).unwrap();
/// assert_eq!(q1.from.unwrap().to_string(), "2025-12-15");
/// assert_eq!(q1.to.unwrap().to_string(), "2026-03-14");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    /// Calendar months: Q1 is 1 January – 31 March (the default).
    #[default]
    Quarters,
    /// Months closed on this day: with the 14th, "March" is 15 February – 14 March and Q1 is
    /// 15 December of the year before – 14 March.
    CutOff(CutOffDay),
}

impl Calendar {
    /// The first and last day of reporting month `month` (1–12) of `year`.
    pub fn month(self, year: i32, month: u32) -> Option<(NaiveDate, NaiveDate)> {
        match self {
            Calendar::Quarters => Some((
                NaiveDate::from_ymd_opt(year, month, 1)?,
                last_day_of_month(year, month)?,
            )),
            Calendar::CutOff(d) => {
                let day = u32::from(d.get());
                let (py, pm) = if month == 1 { (year - 1, 12) } else { (year, month - 1) };
                let to = NaiveDate::from_ymd_opt(year, month, day)?;
                Some((NaiveDate::from_ymd_opt(py, pm, day)? + Duration::days(1), to))
            }
        }
    }

    /// The reporting month (year, month) that `day` falls in.
    pub fn month_of(self, day: NaiveDate) -> (i32, u32) {
        match self {
            Calendar::CutOff(d) if day.day() > u32::from(d.get()) => {
                if day.month() == 12 {
                    (day.year() + 1, 1)
                } else {
                    (day.year(), day.month() + 1)
                }
            }
            _ => (day.year(), day.month()),
        }
    }
}

/// A span of facility-local days, or everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// How it was asked for (`2026-Q1`, `2026`, `2026-01-05..2026-02-01`, `all`).
    pub label: String,
    /// First day, inclusive (`None` = from the beginning).
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (`None` = up to now).
    pub to: Option<NaiveDate>,
}

/// A period that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "period `{0}` is not understood: use 2026-Q1 … 2026-Q4, 2026-H1, 2026-H2, 2026-9M, 2026, 2026-03, or --from/--to YYYY-MM-DD"
)]
pub struct PeriodError(pub String);

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).map(|d| d - Duration::days(1))
}

fn months(calendar: Calendar, label: &str, year: i32, first: u32, last: u32) -> Option<Period> {
    Some(Period {
        label: label.to_string(),
        from: Some(calendar.month(year, first)?.0),
        to: Some(calendar.month(year, last)?.1),
    })
}

impl Period {
    /// Everything stored.
    pub fn all() -> Period {
        Period {
            label: "all".into(),
            from: None,
            to: None,
        }
    }

    /// Parses `2026-Q1`…`Q4`, `2026-H1`/`H2`, `2026-9M` (January–September, the "Q3" cumulative
    /// report), `2026`, `2026-03` or `all`, with months as `calendar` cuts them.
    ///
    /// ```
    /// use hailong::report::{Calendar, Period};
    /// let q3 = Period::parse("2026-Q3", Calendar::Quarters).unwrap();
    /// assert_eq!(q3.from.unwrap().to_string(), "2026-07-01");
    /// assert_eq!(q3.to.unwrap().to_string(), "2026-09-30");
    /// assert!(Period::parse("2026-Q5", Calendar::Quarters).is_err());
    /// ```
    pub fn parse(text: &str, calendar: Calendar) -> Result<Period, PeriodError> {
        let err = || PeriodError(text.to_string());
        let t = text.trim().to_ascii_uppercase();
        if t == "ALL" {
            return Ok(Period::all());
        }
        let (year, rest) = match t.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (t.as_str(), None),
        };
        if year.len() != 4 {
            return Err(err());
        }
        let year: i32 = year.parse().map_err(|_| err())?;
        if !(2000..=2100).contains(&year) {
            return Err(err());
        }
        let label = t.clone();
        let months = |first, last| months(calendar, &label, year, first, last);
        let period = match rest {
            None => months(1, 12),
            Some("Q1") => months(1, 3),
            Some("Q2") => months(4, 6),
            Some("Q3") => months(7, 9),
            Some("Q4") => months(10, 12),
            Some("H1") => months(1, 6),
            Some("H2") => months(7, 12),
            Some("9M") => months(1, 9),
            Some(m) if m.len() == 2 => {
                let month: u32 = m.parse().map_err(|_| err())?;
                if !(1..=12).contains(&month) {
                    return Err(err());
                }
                months(month, month)
            }
            _ => None,
        };
        period.ok_or_else(err)
    }

    /// An explicit span; either end may be open.
    pub fn between(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Period {
        let show = |d: Option<NaiveDate>| d.map_or_else(String::new, |d| d.to_string());
        Period {
            label: format!("{}..{}", show(from), show(to)),
            from,
            to,
        }
    }

    /// The reporting quarter containing `day`.
    pub fn quarter_of(day: NaiveDate, calendar: Calendar) -> Period {
        let (year, month) = calendar.month_of(day);
        let q = (month - 1) / 3;
        months(calendar, &format!("{year}-Q{}", q + 1), year, q * 3 + 1, q * 3 + 3).expect("valid quarter")
    }

    /// The reporting month containing `day` (`2026-04`).
    pub fn month_of(day: NaiveDate, calendar: Calendar) -> Period {
        let (year, month) = calendar.month_of(day);
        months(calendar, &format!("{year}-{month:02}"), year, month, month).expect("valid month")
    }

    /// The reporting year containing `day` (`2026`).
    pub fn year_of(day: NaiveDate, calendar: Calendar) -> Period {
        let (year, _) = calendar.month_of(day);
        months(calendar, &year.to_string(), year, 1, 12).expect("valid year")
    }

    /// Whether `day` falls in this period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}
