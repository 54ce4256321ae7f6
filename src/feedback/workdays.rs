//! Working days: deadlines of the feedback box are counted in them (weekends and public
//! holidays skipped). The holidays are data (`assets/holidays-vn.toml`, or a centre's own file
//! named by `[feedback] holidays`), listed per year because the lunar ones (Tết, Giỗ Tổ) and the
//! days off the government moves move every year.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

/// The calendar shipped with hailong: Vietnam's public holidays for the years it lists.
pub const BUILT_IN: &str = include_str!("../../assets/holidays-vn.toml");

/// Days that are not working days besides Saturdays and Sundays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays {
    days: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

/// A holiday file that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HolidayError {
    /// Not TOML of the expected shape.
    #[error("the holiday calendar is not valid: {0}")]
    Syntax(String),
    /// A day listed under another year.
    #[error("the holiday calendar lists {day} under the year {year}")]
    WrongYear {
        /// The year it is listed under.
        year: i32,
        /// The day.
        day: NaiveDate,
    },
    /// A range that ends before it starts, or spans more than a month.
    #[error("the holiday calendar's range {from} – {to} is not a range of at most 31 days")]
    BadRange {
        /// Its first day.
        from: NaiveDate,
        /// Its last day.
        to: NaiveDate,
    },
    /// The same year twice.
    #[error("the holiday calendar lists the year {0} twice")]
    DuplicateYear(i32),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    year: Vec<Year>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Year {
    year: i32,
    #[serde(default)]
    #[allow(dead_code)]
    source: String,
    days: Vec<Day>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Day {
    #[serde(default)]
    date: Option<NaiveDate>,
    #[serde(default)]
    from: Option<NaiveDate>,
    #[serde(default)]
    to: Option<NaiveDate>,
    #[allow(dead_code)]
    name: String,
}

impl Holidays {
    /// The calendar shipped with hailong.
    pub fn built_in() -> Holidays {
        Holidays::parse(BUILT_IN).expect("the built-in holiday calendar is valid")
    }

    /// A calendar from TOML: `[[year]]` tables with `year`, `source` and `days`, each day a
    /// `date` or a `from`–`to` range, with its `name`.
    pub fn parse(text: &str) -> Result<Holidays, HolidayError> {
        let file: File = toml::from_str(text).map_err(|e| HolidayError::Syntax(e.to_string()))?;
        let mut out = Holidays::default();
        for y in file.year {
            if !out.years.insert(y.year) {
                return Err(HolidayError::DuplicateYear(y.year));
            }
            for d in y.days {
                let (from, to) = match (d.date, d.from, d.to) {
                    (Some(day), None, None) => (day, day),
                    (None, Some(from), Some(to)) => (from, to),
                    _ => {
                        return Err(HolidayError::Syntax(format!(
                            "{:?} needs either `date` or both `from` and `to`",
                            d.name
                        )));
                    }
                };
                if to < from || (to - from).num_days() > 31 {
                    return Err(HolidayError::BadRange { from, to });
                }
                for day in from.iter_days().take_while(|day| *day <= to) {
                    if day.year() != y.year {
                        return Err(HolidayError::WrongYear { year: y.year, day });
                    }
                    out.days.insert(day);
                }
            }
        }
        Ok(out)
    }

    /// Whether the calendar lists `year`'s holidays (outside those years only weekends are
    /// skipped, and the centre warns).
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The years listed.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Whether `day` is a working day: not a Saturday, a Sunday or a listed holiday.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.days.contains(&day)
    }

    /// The `n`th working day after `day` (the day of receipt itself is not counted, as the
    /// laws count "within n days of receipt"). `n = 0` is `day`.
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let mut d = day;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().expect("dates stay far from chrono's limits");
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// How many working days lie after `from` up to and including `to` (0 when `to ≤ from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weekends_are_skipped() {
        let h = Holidays::default();
        // Friday + 1 working day = Monday.
        assert_eq!(h.add_working_days(d("2026-03-06"), 1), d("2026-03-09"));
        assert_eq!(h.add_working_days(d("2026-03-06"), 0), d("2026-03-06"));
        // Received on a Saturday: the first working day is Monday.
        assert_eq!(h.add_working_days(d("2026-03-07"), 1), d("2026-03-09"));
        assert_eq!(h.add_working_days(d("2026-03-02"), 10), d("2026-03-16"));
        assert_eq!(h.working_days_between(d("2026-03-02"), d("2026-03-16")), 10);
    }

    #[test]
    fn tet_is_not_worked() {
        let h = Holidays::built_in();
        assert!(h.covers(2026) && h.covers(2027));
        // Received Thursday 12 February 2026; Tết Bính Ngọ is off from Saturday 14 to Sunday
        // 22 February. 5 working days: 13, 23, 24, 25, 26 February.
        assert_eq!(h.add_working_days(d("2026-02-12"), 5), d("2026-02-26"));
        assert!(!h.is_working_day(d("2026-02-17")));
        assert!(h.is_working_day(d("2026-02-23")));
        // Giỗ Tổ Hùng Vương (10/3 lunar) falls on Sunday 26 April 2026: Monday 27 is off; then
        // 30 April and 1 May.
        assert!(!h.is_working_day(d("2026-04-27")));
        assert_eq!(h.add_working_days(d("2026-04-24"), 2), d("2026-04-29"));
        assert_eq!(h.add_working_days(d("2026-04-29"), 1), d("2026-05-04"));
        // National Day.
        assert!(!h.is_working_day(d("2026-09-02")));
        // Tết Đinh Mùi 2027 (6 February).
        assert!(!h.is_working_day(d("2027-02-08")));
    }

    #[test]
    fn a_bad_calendar_names_its_problem() {
        assert!(matches!(Holidays::parse("year = 3"), Err(HolidayError::Syntax(_))));
        let wrong = "[[year]]\nyear = 2026\ndays = [{ date = \"2027-01-01\", name = \"x\" }]";
        assert_eq!(
            Holidays::parse(wrong),
            Err(HolidayError::WrongYear {
                year: 2026,
                day: d("2027-01-01")
            })
        );
        let backwards = "[[year]]\nyear = 2026\ndays = [{ from = \"2026-02-10\", to = \"2026-02-01\", name = \"x\" }]";
        assert!(matches!(Holidays::parse(backwards), Err(HolidayError::BadRange { .. })));
        let twice = "[[year]]\nyear = 2026\ndays = []\n[[year]]\nyear = 2026\ndays = []";
        assert_eq!(Holidays::parse(twice), Err(HolidayError::DuplicateYear(2026)));
    }
}
