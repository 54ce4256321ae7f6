//! Inline SVG charts. Each has a labelled axis, the target line with its label, a title for
//! screen readers, and the same figures in a table next to it (a chart is never the only way to
//! read a number, and colour never the only way to read a verdict).

use maud::{Markup, html};

use super::fmt;
use crate::survey::Locale;

/// One bar: a label, a rate with its 95 % interval, and whether it is shown as a rate at all.
pub struct Bar {
    /// What the bar is.
    pub label: String,
    /// The satisfaction rate (`None`: no bar, the label says why).
    pub pct: Option<f64>,
    /// The interval's ends.
    pub ci: (Option<f64>, Option<f64>),
    /// A CSS class for the verdict (`met`, `not-met`, `unsure`), with the verdict also in words
    /// in the table.
    pub class: &'static str,
}

const WIDTH: f64 = 720.0;
const LABEL: f64 = 230.0;
const ROW: f64 = 28.0;
/// The phone drawing's width: on a 390 px screen its text is drawn at about its own size.
const PHONE: f64 = 360.0;

/// Horizontal bars on a 0–100 % axis with the target line, drawn twice: for a wide screen
/// (labels left of the bars) and for a phone (each label above its bar). Values sit in a
/// column right of the 100 % line, where the target line never crosses them.
pub fn bars(locale: Locale, title: &str, bars: &[Bar], target: f64) -> Markup {
    html! {
        (bars_wide(locale, title, bars, target))
        (bars_phone(locale, title, bars, target))
    }
}

fn bars_wide(locale: Locale, title: &str, bars: &[Bar], target: f64) -> Markup {
    let plot = WIDTH - LABEL - 70.0;
    let x = |pct: f64| LABEL + plot * pct.clamp(0.0, 100.0) / 100.0;
    let height = 40.0 + ROW * bars.len() as f64 + 30.0;
    let axis_y = 30.0 + ROW * bars.len() as f64;
    html! {
        svg.chart.wide viewBox={ "0 0 " (WIDTH) " " (height) } role="img" aria-label=(title) {
            title { (title) }
            @for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line.grid x1=(x(tick)) x2=(x(tick)) y1="24" y2=(axis_y) {}
                text.tick x=(x(tick)) y=(axis_y + 18.0) text-anchor="middle" { (fmt::whole_pct(tick)) }
            }
            line.axis x1=(x(0.0)) x2=(x(100.0)) y1=(axis_y) y2=(axis_y) {}
            @for (i, b) in bars.iter().enumerate() {
                @let y = 30.0 + ROW * i as f64;
                text.label x=(LABEL - 8.0) y=(y + 15.0) text-anchor="end" { (clip(&b.label, 32)) }
                @if let Some(p) = b.pct {
                    rect class={ "bar " (b.class) } x=(x(0.0)) y=(y + 3.0) width=(x(p) - x(0.0)) height=(ROW - 10.0) {}
                    @if let (Some(lo), Some(hi)) = b.ci {
                        line.ci x1=(x(lo)) x2=(x(hi)) y1=(y + ROW / 2.0 - 1.0) y2=(y + ROW / 2.0 - 1.0) {}
                    }
                    text.value x=(WIDTH - 4.0) y=(y + 15.0) text-anchor="end" { (fmt::pct(locale, Some(p))) }
                }
            }
            line.target x1=(x(target)) x2=(x(target)) y1="18" y2=(axis_y) {}
            text.target x=(x(target)) y="14" text-anchor="middle" { (fmt::pct(locale, Some(target))) }
        }
    }
}

fn bars_phone(locale: Locale, title: &str, bars: &[Bar], target: f64) -> Markup {
    const ROW: f64 = 44.0;
    let (left, plot) = (8.0, PHONE - 8.0 - 62.0);
    let x = |pct: f64| left + plot * pct.clamp(0.0, 100.0) / 100.0;
    let axis_y = 26.0 + ROW * bars.len() as f64;
    let height = axis_y + 24.0;
    html! {
        svg.chart.phone viewBox={ "0 0 " (PHONE) " " (height) } role="img" aria-label=(title) {
            title { (title) }
            @for tick in [0.0, 50.0, 100.0] {
                line.grid x1=(x(tick)) x2=(x(tick)) y1="20" y2=(axis_y) {}
                text.tick x=(x(tick)) y=(axis_y + 16.0) text-anchor=(if tick == 0.0 { "start" } else { "middle" }) { (fmt::whole_pct(tick)) }
            }
            line.axis x1=(x(0.0)) x2=(x(100.0)) y1=(axis_y) y2=(axis_y) {}
            @for (i, b) in bars.iter().enumerate() {
                @let y = 26.0 + ROW * i as f64;
                text.label x=(left) y=(y + 12.0) { (clip(&b.label, 40)) }
                @if let Some(p) = b.pct {
                    rect class={ "bar " (b.class) } x=(x(0.0)) y=(y + 18.0) width=(x(p) - x(0.0)) height="16" {}
                    @if let (Some(lo), Some(hi)) = b.ci {
                        line.ci x1=(x(lo)) x2=(x(hi)) y1=(y + 26.0) y2=(y + 26.0) {}
                    }
                    text.value x=(PHONE - 4.0) y=(y + 31.0) text-anchor="end" { (fmt::pct(locale, Some(p))) }
                }
            }
            line.target x1=(x(target)) x2=(x(target)) y1="16" y2=(axis_y) {}
            text.target x=(x(target)) y="12" text-anchor="middle" { (fmt::pct(locale, Some(target))) }
        }
    }
}

/// A monthly trend: points joined by a line, on a y-axis from a round number below the lowest
/// value (or the target) up to 100 %, with the target line; drawn for a wide screen and for a
/// phone (every other month named, so names do not run into each other).
pub fn trend(locale: Locale, title: &str, points: &[(String, Option<f64>)], target: f64) -> Markup {
    html! {
        (trend_drawing(locale, title, points, target, WIDTH, 1, "wide"))
        (trend_drawing(locale, title, points, target, PHONE, 2, "phone"))
    }
}

fn trend_drawing(
    locale: Locale,
    title: &str,
    points: &[(String, Option<f64>)],
    target: f64,
    w: f64,
    every: usize,
    class: &str,
) -> Markup {
    let (h, left, top, bottom, right) = (260.0, 56.0, 20.0, 40.0, 30.0);
    let lowest = points.iter().filter_map(|p| p.1).fold(target, f64::min);
    let floor = ((lowest - 5.0) / 10.0).floor().max(0.0) * 10.0;
    let y = |pct: f64| top + (h - top - bottom) * (100.0 - pct.clamp(floor, 100.0)) / (100.0 - floor).max(1.0);
    let step = if points.len() > 1 {
        (w - left - 10.0 - right) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| left + 10.0 + step * i as f64;
    let step_pct = if 100.0 - floor > 50.0 {
        20.0
    } else if 100.0 - floor > 20.0 {
        10.0
    } else {
        5.0
    };
    let ticks: Vec<f64> = (0..)
        .map(|i| floor + step_pct * i as f64)
        .take_while(|t| *t <= 100.0)
        .collect();
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.1.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
        .collect();
    let last = points.len().saturating_sub(1);
    html! {
        svg class={ "chart " (class) } viewBox={ "0 0 " (w) " " (h) } role="img" aria-label=(title) {
            title { (title) }
            @for t in &ticks {
                line.grid x1=(left) x2=(w - 10.0) y1=(y(*t)) y2=(y(*t)) {}
                text.tick x=(left - 6.0) y=(y(*t) + 4.0) text-anchor="end" { (fmt::whole_pct(*t)) }
            }
            line.axis x1=(left) x2=(left) y1=(top) y2=(h - bottom) {}
            line.target x1=(left) x2=(w - 10.0) y1=(y(target)) y2=(y(target)) {}
            text.target x=(left + 4.0) y=(y(target) - 5.0) { (fmt::pct(locale, Some(target))) }
            @if path.len() > 1 { polyline.trend points=(path.join(" ")) {} }
            @for (i, p) in points.iter().enumerate() {
                // The last month is always named; the others every `every`th, counted from it.
                @if (last - i).is_multiple_of(every) {
                    text.tick x=(x(i)) y=(h - bottom + 18.0) text-anchor="middle" { (p.0) }
                }
                @if let Some(v) = p.1 { circle.point cx=(x(i)) cy=(y(v)) r="4" {} }
            }
        }
    }
}

fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(n - 1).collect();
        s.push('…');
        s
    }
}
