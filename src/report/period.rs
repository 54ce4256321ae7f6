//! Reporting periods: quarters, halves, nine months, years, months or explicit dates, counted in
//! facility-local days (DESIGN §5).

use chrono::{Datelike, Duration, NaiveDate};

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

fn months(label: &str, year: i32, first: u32, last: u32) -> Option<Period> {
    Some(Period {
        label: label.to_string(),
        from: Some(NaiveDate::from_ymd_opt(year, first, 1)?),
        to: Some(last_day_of_month(year, last)?),
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
    /// report), `2026`, `2026-03` or `all`.
    ///
    /// ```
    /// use hailong::report::Period;
    /// let q3 = Period::parse("2026-Q3").unwrap();
    /// assert_eq!(q3.from.unwrap().to_string(), "2026-07-01");
    /// assert_eq!(q3.to.unwrap().to_string(), "2026-09-30");
    /// assert!(Period::parse("2026-Q5").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
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
        let period = match rest {
            None => months(&label, year, 1, 12),
            Some("Q1") => months(&label, year, 1, 3),
            Some("Q2") => months(&label, year, 4, 6),
            Some("Q3") => months(&label, year, 7, 9),
            Some("Q4") => months(&label, year, 10, 12),
            Some("H1") => months(&label, year, 1, 6),
            Some("H2") => months(&label, year, 7, 12),
            Some("9M") => months(&label, year, 1, 9),
            Some(m) if m.len() == 2 => {
                let month: u32 = m.parse().map_err(|_| err())?;
                if !(1..=12).contains(&month) {
                    return Err(err());
                }
                months(&label, year, month, month)
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

    /// The quarter containing `day`.
    pub fn quarter_of(day: NaiveDate) -> Period {
        let q = (day.month() - 1) / 3;
        months(&format!("{}-Q{}", day.year(), q + 1), day.year(), q * 3 + 1, q * 3 + 3).expect("valid quarter")
    }

    /// Whether `day` falls in this period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}
