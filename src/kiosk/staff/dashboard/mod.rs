//! The dashboard page: the overall rate against the target with n and the interval, the
//! sections as bars, the five weakest items, the trend, the counts and the latest comments.
//! The figures ([`data`]) are computed off the UI thread; [`charts`] draws the bars and trend.

pub mod charts;
pub mod data;

use std::sync::Arc;

use iced::widget::{Column, Row, canvas, column, container, row, scrollable};
use iced::{Fill, FillPortion};

use charts::{Bars, TICKS, Trend};
pub use data::{DashboardData, PeriodChoice, load};

use super::tab;
use crate::i18n::{tr, tr_args};
use crate::kiosk::problem::StoreProblem;
use crate::kiosk::screen::{BOLD, Element, text};
use crate::kiosk::theme::{self, Metrics};
use crate::report::{self, text::count, text::percent};
use crate::survey::{Locale, Questionnaire, Summary, Verdict};

/// The id of the dashboard's scrollable area (tests check that it need not scroll).
pub const SCROLL: &str = "dashboard-scroll";

/// The dashboard page's state.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The period shown.
    pub choice: PeriodChoice,
    /// The figures, once computed for `choice`.
    pub data: Option<Arc<DashboardData>>,
    /// Why they could not be computed.
    pub load_error: Option<StoreProblem>,
}

/// What staff did on the page, or the figures coming back.
#[derive(Debug, Clone)]
pub enum Message {
    /// The period switch.
    Period(PeriodChoice),
    /// The figures computed.
    Loaded(Result<Arc<DashboardData>, StoreProblem>),
}

/// What the page asks of staff mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing.
    None,
    /// Compute the figures for this period (off the UI thread).
    Load(PeriodChoice),
}

impl Dashboard {
    /// The page on `choice`, its figures not yet loaded.
    pub fn new(choice: PeriodChoice) -> Dashboard {
        Dashboard {
            choice,
            data: None,
            load_error: None,
        }
    }

    /// Handles one message.
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Period(choice) => {
                self.choice = choice;
                self.data = None;
                return Action::Load(choice);
            }
            Message::Loaded(Ok(data)) if data.choice == self.choice => {
                self.data = Some(data);
                self.load_error = None;
            }
            Message::Loaded(Ok(_)) => {} // an older request; the current one is on its way
            Message::Loaded(Err(e)) => self.load_error = Some(e),
        }
        Action::None
    }

    /// Draws the page for `questionnaire`, times in the facility's time zone `tz`.
    pub fn view<'a>(
        &'a self,
        m: Metrics,
        locale: Locale,
        questionnaire: &'a Questionnaire,
        tz: chrono_tz::Tz,
    ) -> Element<'a, Message> {
        let mut switch = Row::new().spacing(m.px(8.0));
        for choice in PeriodChoice::ALL {
            switch = switch.push(tab(
                m,
                tr(locale, choice.message_id()),
                self.choice == choice,
                Message::Period(choice),
            ));
        }
        let body: Element<'a, Message> = match (&self.data, &self.load_error) {
            (Some(data), _) => figures(m, locale, questionnaire, tz, data),
            (None, Some(e)) => text(e.describe(locale)).size(m.px(24.0)).color(theme::DANGER).into(),
            (None, None) => text(tr(locale, id!("staff-loading")))
                .size(m.px(28.0))
                .color(theme::MUTED)
                .into(),
        };
        column![switch, body].spacing(m.px(16.0)).into()
    }
}

fn verdict_line(locale: Locale, s: &Summary) -> (String, iced::Color) {
    let j = s.judgement();
    (report::text::verdict_words(locale, j), verdict_colour(j.verdict))
}

/// The colour of a verdict (the words are on the page too).
fn verdict_colour(verdict: Verdict) -> iced::Color {
    match verdict {
        Verdict::Met => theme::SUCCESS,
        Verdict::NotMet => theme::DANGER,
        Verdict::Inconclusive => theme::AMBER,
        Verdict::NoData => theme::MUTED,
    }
}

/// The staff dashboard's figures for the period: the headline and weakest items on the left,
/// the sections, the trend and the latest comments on the right (one column when portrait).
fn figures<'a>(
    m: Metrics,
    locale: Locale,
    q: &'a Questionnaire,
    tz: chrono_tz::Tz,
    data: &'a DashboardData,
) -> Element<'a, Message> {
    let (bars, trend) = charts(m, locale, q, data);
    let card = |content: Element<'a, Message>| container(content).padding(m.px(14.0)).width(Fill).style(theme::card);
    let left = column![
        card(headline(m, locale, &data.summary)),
        card(lowest(m, locale, q, &data.summary))
    ]
    .spacing(m.px(14.0));
    let right = column![
        card(
            column![text(tr(locale, id!("dash-sections"))).size(m.px(22.0)).font(BOLD), bars]
                .spacing(m.px(8.0))
                .into()
        ),
        card(
            column![text(tr(locale, id!("dash-trend"))).size(m.px(22.0)).font(BOLD), trend]
                .spacing(m.px(8.0))
                .into()
        ),
        card(comments(m, locale, tz, data)),
    ]
    .spacing(m.px(14.0));
    let layout: Element<'a, Message> = if m.portrait {
        column![left, right].spacing(m.px(14.0)).into()
    } else {
        row![left.width(FillPortion(2)), right.width(FillPortion(3))]
            .spacing(m.px(14.0))
            .into()
    };
    // Fits 1280×800 and 1920×1080 without scrolling; on smaller or portrait screens the
    // scrollbar has its own lane beside the cards instead of covering their right borders.
    scrollable(layout).id(SCROLL).spacing(m.px(8.0)).height(Fill).into()
}

/// The rate against the target, its verdict in words, the interval and the counts.
fn headline<'a>(m: Metrics, locale: Locale, s: &Summary) -> Element<'a, Message> {
    let (verdict, color) = verdict_line(locale, s);
    let interval = match (s.ci_low_pct, s.ci_high_pct) {
        (Some(lo), Some(hi)) => format!("{} – {}", percent(locale, Some(lo)), percent(locale, Some(hi))),
        _ => "—".into(),
    };
    column![
        text(tr(locale, id!("dash-rate"))).size(m.px(22.0)).color(theme::MUTED),
        text(percent(locale, s.satisfied_pct))
            .size(m.px(84.0))
            .font(BOLD)
            .color(color),
        text(tr_args(
            locale,
            id!("dash-target"),
            &[("target", percent(locale, Some(s.target_pct)).into())]
        ))
        .size(m.px(24.0)),
        text(verdict).size(m.px(26.0)).font(BOLD).color(color),
        text(tr_args(
            locale,
            id!("dash-n"),
            &[("n", count(locale, s.answers).into()), ("interval", interval.into())]
        ))
        .size(m.px(20.0))
        .color(theme::MUTED),
        text(tr_args(
            locale,
            id!("dash-counts"),
            &[
                ("responses", count(locale, s.responses).into()),
                ("partial", count(locale, s.partial_responses).into()),
                ("rapid", count(locale, s.rapid_repeat_responses).into())
            ]
        ))
        .size(m.px(20.0))
        .color(theme::MUTED),
    ]
    .spacing(m.px(6.0))
    .into()
}

/// The five items with the lowest rates.
fn lowest<'a>(m: Metrics, locale: Locale, q: &Questionnaire, s: &Summary) -> Element<'a, Message> {
    let mut lowest = Column::new()
        .spacing(m.px(6.0))
        .push(text(tr(locale, id!("dash-lowest"))).size(m.px(22.0)).font(BOLD));
    for (code, f) in s.weakest(5) {
        let name = q.item(code).map_or(String::new(), |i| i.text.get(locale).to_string());
        lowest = lowest.push(
            text(format!(
                "{code} · {} (n = {}) · {}",
                percent(locale, f.figures.satisfied_pct),
                count(locale, f.figures.answers),
                clip(&name, 70)
            ))
            .size(m.px(19.0)),
        );
    }
    lowest.into()
}

/// The sections' bars and the monthly trend, each with its labelled axis and the target line.
fn charts<'a>(
    m: Metrics,
    locale: Locale,
    q: &Questionnaire,
    data: &DashboardData,
) -> (Element<'a, Message>, Element<'a, Message>) {
    let s = &data.summary;
    let sections: Vec<(String, String, Option<f64>, iced::Color)> = q
        .sections
        .iter()
        .filter_map(|sec| {
            let f = s.sections.get(&sec.code)?;
            Some((
                format!("{}. {}", sec.code, clip(sec.title.get(locale), 34)),
                percent(locale, f.satisfied_pct),
                f.satisfied_pct,
                verdict_colour(report::verdict(f.satisfied, f.answers, s.target_pct)),
            ))
        })
        .collect();
    let target_label = tr_args(
        locale,
        id!("dash-target"),
        &[("target", percent(locale, Some(s.target_pct)).into())],
    );
    // Whole percentages on the axes ("0 %" … "100 %"), in the Vietnamese format.
    let tick_labels: Vec<String> = TICKS.iter().map(|t| format!("{t:.0} %")).collect();
    let bars_height = Bars::height(sections.len(), m.px(34.0), m.px(19.0));
    let bars = canvas(Bars {
        rows: sections,
        target: s.target_pct,
        target_label: target_label.clone(),
        tick_labels: tick_labels.clone(),
        text_size: m.px(19.0),
    })
    .width(Fill)
    .height(bars_height);
    let trend = canvas(Trend {
        points: data
            .trend
            .iter()
            .map(|p| (p.label.clone(), p.satisfied_pct, verdict_colour(p.verdict)))
            .collect(),
        target: s.target_pct,
        text_size: m.px(18.0),
        target_label,
        tick_labels,
    })
    .width(Fill)
    .height(m.px(170.0));
    (bars.into(), trend.into())
}

/// The latest comments, with when they were written.
fn comments<'a>(m: Metrics, locale: Locale, tz: chrono_tz::Tz, data: &DashboardData) -> Element<'a, Message> {
    let mut comments = Column::new()
        .spacing(m.px(6.0))
        .push(text(tr(locale, id!("dash-comments"))).size(m.px(22.0)).font(BOLD));
    if data.comments.is_empty() {
        comments = comments.push(text("—").size(m.px(19.0)));
    }
    for (at, comment) in &data.comments {
        let when = at.with_timezone(&tz).format("%d/%m %H:%M").to_string();
        comments = comments.push(text(format!("{when} · {}", clip(comment, 80))).size(m.px(19.0)));
    }
    comments.into()
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}
