//! Numbers and dates as the reader writes them: `95,3 %`, `2.000.000`, `01/10/2026` in
//! Vietnamese; `95.3 %`, `2,000,000` in English (dates stay day first, as on Vietnamese forms).

use chrono::NaiveDate;

use crate::report::text::decimal;
use crate::survey::Locale;

/// A percentage with one decimal, or `—`.
pub fn pct(locale: Locale, v: Option<f64>) -> String {
    crate::report::text::percent(locale, v)
}

/// An axis label: a whole percentage (`90 %`).
pub fn whole_pct(v: f64) -> String {
    format!("{v:.0} %")
}

/// A signed change in percentage points with one decimal (`+1,2`, `−0,4`), or `—`.
pub fn points(locale: Locale, v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(v) if v.abs() < 0.05 => decimal(locale, 0.0, 1),
        Some(v) if v > 0.0 => format!("+{}", decimal(locale, v, 1)),
        Some(v) => format!("−{}", decimal(locale, -v, 1)),
    }
}

/// A mean score with two decimals, or `—`.
pub fn mean(locale: Locale, v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| decimal(locale, v, 2))
}

/// A count with thousands grouped (`2.000.000` / `2,000,000`).
pub fn count(locale: Locale, n: u64) -> String {
    crate::report::text::count(locale, n)
}

/// A day as `dd/mm/yyyy`.
pub fn date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// A 95 % interval as `93,1–96,0 %`, or `—`.
pub fn interval(locale: Locale, low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("{}–{} %", decimal(locale, l, 1), decimal(locale, h, 1)),
        _ => "—".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_numbers() {
        assert_eq!(count(Locale::Vi, 2_000_000), "2.000.000");
        assert_eq!(count(Locale::En, 2_000_000), "2,000,000");
        assert_eq!(count(Locale::Vi, 999), "999");
        assert_eq!(pct(Locale::Vi, Some(95.26)), "95,3 %");
        assert_eq!(points(Locale::Vi, Some(-0.44)), "−0,4");
        assert_eq!(points(Locale::En, Some(1.25)), "+1.2");
        assert_eq!(interval(Locale::Vi, Some(93.06), Some(96.0)), "93,1–96,0 %");
        assert_eq!(date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()), "01/03/2026");
    }
}
