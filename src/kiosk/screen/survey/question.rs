//! One question per screen: faces for `scale5`, big buttons for `percent` and `choice`, chips for
//! the follow-up reasons, the keyboard for `text`. Nothing shows which face was tapped.

use iced::widget::{Column, Row, button, column, container, row, space, svg};
use iced::{Center, Fill, Length};

use super::{Message, comment};
use crate::i18n::{Id, tr, tr_args};
use crate::kiosk::screen::{BOLD, choices, text};
use crate::kiosk::session::{Input, OVER_100, Session, Step};
use crate::kiosk::theme::{self, Metrics};
use crate::survey::{Item, ItemKind, Locale};

type Element<'a> = crate::kiosk::screen::Element<'a, Message>;

/// What every survey screen is drawn with: sizes, language, the face images, and whether the
/// "noted" confirmation shows.
#[derive(Clone, Copy)]
pub struct Looks<'a> {
    /// Sizes for the window.
    pub m: Metrics,
    /// The patient's language.
    pub locale: Locale,
    /// The five faces (1 = very dissatisfied … 5 = very satisfied).
    pub faces: &'a [iced::widget::svg::Handle; 5],
    /// The neutral "noted" confirmation shows.
    pub noted: bool,
}

/// The screen for where `session` is.
pub fn view<'a>(looks: &Looks<'a>, session: &'a Session) -> Element<'a> {
    let (m, locale) = (looks.m, looks.locale);
    let Some(item) = session.current_item() else {
        return department(looks, session);
    };
    match (session.step(), &item.kind) {
        (Step::FollowUp(_), _) => follow_up(looks, session, item),
        (Step::Other(_), _) => comment::view(looks, session, &tr(locale, id!("other-title"))),
        (_, kind) => {
            let answers: Element<'a> = match kind {
                ItemKind::Scale5 { .. } => faces(looks),
                ItemKind::Percent { over_100, .. } => percent(m, locale, *over_100),
                ItemKind::Choice { options } => choices(
                    m,
                    options
                        .iter()
                        .enumerate()
                        .map(|(i, o)| (o.text.get(locale).to_string(), Message::Input(Input::Choice(i)))),
                ),
                ItemKind::Text { .. } => return comment::view(looks, session, item.text.get(locale)),
            };
            let mut extra = Vec::new();
            if let ItemKind::Scale5 { not_used: true, .. } = kind {
                extra.push(quiet(m, tr(locale, id!("scale-not-used")), Input::Scale(0)));
            } else if item.optional {
                extra.push(quiet(m, tr(locale, id!("skip")), Input::Skip));
            }
            page(looks, session, question(m, locale, item), answers, extra)
        }
    }
}

/// The frame every question shares: progress and section, the question, the answers, and a
/// footer with Back on the left and the item's extra buttons on the right.
///
/// The header and the footer have fixed heights and the question takes what is left above the
/// answers, so the answers (the faces) sit at the same place on every question, whatever the
/// length of its text, whether "noted" shows, and whatever the footer holds.
pub fn page<'a>(
    looks: &Looks<'a>,
    session: &'a Session,
    question: Element<'a>,
    answers: Element<'a>,
    extra: Vec<Element<'a>>,
) -> Element<'a> {
    let (m, locale) = (looks.m, looks.locale);
    let (current, total) = session.progress();
    let section = session
        .current_item()
        .and_then(|item| session.questionnaire().section_of(&item.code))
        .map(|s| format!("{}. {}", s.code, s.title.get(locale)))
        .unwrap_or_default();
    let mut line = row![
        text(tr_args(
            locale,
            id!("progress"),
            &[("current", current.into()), ("total", total.into())]
        ))
        .size(m.px(28.0))
        .font(BOLD)
        .color(theme::PRIMARY),
        text(section).size(m.px(24.0)).color(theme::MUTED).width(Fill),
    ]
    .spacing(m.px(24.0))
    .align_y(Center);
    if looks.noted {
        line = line.push(
            container(text(tr(locale, id!("recorded"))).size(m.px(24.0)))
                .padding([m.px(6.0), m.px(22.0)])
                .style(theme::toast),
        );
    }
    let header = column![container(line).center_y(m.px(48.0)), progress(m, current, total),].spacing(m.px(6.0));
    column![
        header,
        container(question).center_y(Fill).width(Fill),
        container(answers).center_x(Fill),
        space().height(m.px(20.0)),
        footer(m, locale, extra),
    ]
    .spacing(m.px(20.0))
    .height(Fill)
    .into()
}

/// The id of the filled part of the progress bar (tests measure it).
pub const PROGRESS_DONE: &str = "progress-done";
/// The id of the whole progress bar.
pub const PROGRESS_BAR: &str = "progress-bar";

/// A bar across the screen, filled up to the question on screen (3 of 7: three sevenths), so
/// how far there is to go reads at a glance, without reading the numbers.
fn progress<'a>(m: Metrics, current: usize, total: usize) -> Element<'a> {
    let total = total.max(1);
    let done = current.min(total);
    let height = m.px(12.0);
    let mut bar = Row::new().width(Fill).height(height);
    if done > 0 {
        bar = bar.push(
            container(space())
                .id(PROGRESS_DONE)
                .width(Length::FillPortion(done as u16))
                .height(height)
                .style(theme::progress_done),
        );
    }
    if done < total {
        bar = bar.push(space().width(Length::FillPortion((total - done) as u16)));
    }
    container(bar)
        .id(PROGRESS_BAR)
        .width(Fill)
        .height(height)
        .style(theme::progress_track)
        .into()
}

/// The footer: Back on the left, the step's own buttons on the right, always the same height.
fn footer<'a>(m: Metrics, locale: Locale, extra: Vec<Element<'a>>) -> Element<'a> {
    let mut footer = Row::new().spacing(m.px(24.0)).align_y(Center);
    footer = footer.push(quiet(m, tr(locale, id!("back")), Input::Back));
    footer = footer.push(space::horizontal());
    for e in extra {
        footer = footer.push(e);
    }
    container(footer).center_y(m.px(92.0)).into()
}

/// The question text, in large type, with its help line.
pub fn question<'a>(m: Metrics, locale: Locale, item: &'a Item) -> Element<'a> {
    let mut col = column![
        text(item.text.get(locale))
            .size(m.px(46.0))
            .font(BOLD)
            .center()
            .width(Fill)
    ]
    .spacing(m.px(14.0))
    .align_x(Center);
    if let Some(help) = &item.help {
        col = col.push(
            text(help.get(locale))
                .size(m.px(28.0))
                .color(theme::MUTED)
                .center()
                .width(Fill),
        );
    }
    col.into()
}

/// A quiet footer button (Back, Skip, Not used).
pub fn quiet<'a>(m: Metrics, label: String, input: Input) -> Element<'a> {
    crate::kiosk::screen::quiet_button(m, label, Message::Input(input))
}

/// The primary footer button (Continue, Send).
pub fn forward<'a>(m: Metrics, label: String, input: Input) -> Element<'a> {
    crate::kiosk::screen::forward_button(m, label, Message::Input(input))
}

/// The words under face `value` (1–5).
fn scale_word(value: u8) -> Id {
    match value {
        0 | 1 => id!("scale-1"),
        2 => id!("scale-2"),
        3 => id!("scale-3"),
        4 => id!("scale-4"),
        _ => id!("scale-5"),
    }
}

fn faces<'a>(looks: &Looks<'a>) -> Element<'a> {
    let (m, locale) = (looks.m, looks.locale);
    let face = |value: u8| {
        let content = column![
            svg(looks.faces[usize::from(value.clamp(1, 5)) - 1].clone())
                .width(m.px(120.0))
                .height(m.px(120.0)),
            text(tr(locale, scale_word(value)))
                .size(m.px(27.0))
                .center()
                .width(Fill),
        ]
        .spacing(m.px(14.0))
        .align_x(Center);
        button(container(content).center(Fill))
            .width(Fill)
            .height(m.px(270.0))
            .padding(m.px(10.0))
            .style(theme::face(value))
            .on_press(Message::Input(Input::Scale(value)))
    };
    let faces = Row::from_vec((1..=5).map(|v| face(v).into()).collect())
        .spacing(m.px(18.0))
        .width(Fill);
    container(faces).width(Fill).max_width(m.px(1600.0)).into()
}

fn percent<'a>(m: Metrics, locale: Locale, over_100: bool) -> Element<'a> {
    let mut values: Vec<(String, u16)> = (0..=10).map(|i| (format!("{} %", i * 10), i * 10)).collect();
    if over_100 {
        values.push((tr(locale, id!("percent-over")), OVER_100));
    }
    let columns = if m.portrait { 3 } else { 4 };
    let rows = values.chunks(columns).map(|chunk| {
        let mut r = Row::new().spacing(m.px(18.0));
        for (label, value) in chunk {
            r = r.push(
                button(text(label.clone()).size(m.px(38.0)).font(BOLD).center().width(Fill))
                    .width(Fill)
                    .padding([m.px(26.0), m.px(10.0)])
                    .style(theme::option)
                    .on_press(Message::Input(Input::Percent(*value))),
            );
        }
        for _ in chunk.len()..columns {
            r = r.push(space().width(Fill));
        }
        r.into()
    });
    Column::from_iter(rows)
        .spacing(m.px(18.0))
        .max_width(m.px(1300.0))
        .into()
}

fn follow_up<'a>(looks: &Looks<'a>, session: &'a Session, item: &'a Item) -> Element<'a> {
    let (m, locale) = (looks.m, looks.locale);
    let Some(follow) = item.follow_up() else {
        return space().into();
    };
    // Which question the reasons are about, above the reasons' own prompt.
    let prompt = column![
        text(item.text.get(locale))
            .size(m.px(28.0))
            .color(theme::MUTED)
            .center()
            .width(Fill),
        text(follow.prompt.get(locale))
            .size(m.px(46.0))
            .font(BOLD)
            .center()
            .width(Fill),
        text(tr(locale, id!("follow-up-hint")))
            .size(m.px(28.0))
            .color(theme::MUTED)
            .center()
            .width(Fill),
    ]
    .spacing(m.px(14.0));
    let per_row = if m.portrait { 2 } else { 3 };
    let chips = follow.reasons.chunks(per_row).enumerate().map(|(row_index, chunk)| {
        let mut r = Row::new().spacing(m.px(18.0));
        for (i, reason) in chunk.iter().enumerate() {
            let picked = session.reason_picked(&reason.code);
            let label = text(reason.text.get(locale)).size(m.px(30.0)).center().width(Fill);
            r = r.push(
                button(if picked { label.font(BOLD) } else { label })
                    .width(Fill)
                    .padding([m.px(28.0), m.px(20.0)])
                    .style(theme::chip(picked))
                    .on_press(Message::Input(Input::Reason(row_index * per_row + i))),
            );
        }
        for _ in chunk.len()..per_row {
            r = r.push(space().width(Fill));
        }
        r.into()
    });
    let chips = Column::from_iter(chips).spacing(m.px(18.0)).max_width(m.px(1400.0));
    page(
        looks,
        session,
        prompt.into(),
        chips.into(),
        vec![forward(m, tr(locale, id!("next")), Input::Continue)],
    )
}

fn department<'a>(looks: &Looks<'a>, session: &'a Session) -> Element<'a> {
    let (m, locale) = (looks.m, looks.locale);
    let options = session
        .departments()
        .iter()
        .enumerate()
        .map(|(i, name)| (name.clone(), Message::Input(Input::Department(i))));
    column![
        container(
            text(tr(locale, id!("department-title")))
                .size(m.px(46.0))
                .font(BOLD)
                .center()
                .width(Fill)
        )
        .center_y(Length::FillPortion(1)),
        container(choices(m, options))
            .center_x(Fill)
            .height(Length::FillPortion(3)),
        footer(m, locale, Vec::new()),
    ]
    .spacing(m.px(20.0))
    .into()
}
