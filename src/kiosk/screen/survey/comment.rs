//! The comment screen: the typed text in a card and the on-screen keyboard, for a `text` item
//! or the words of an "other" answer.

use iced::Fill;
use iced::widget::{Row, column, container};

use super::Message;
use super::question::{Looks, forward, page, quiet};
use crate::i18n::tr;
use crate::kiosk::screen::keyboard::keys;
use crate::kiosk::screen::{BOLD, text};
use crate::kiosk::session::{Input, Session};
use crate::kiosk::theme;
use crate::kiosk::typing::Mode;

type Element<'a> = crate::kiosk::screen::Element<'a, Message>;

/// The keyboard for the item (or "other" answer) on screen, under `prompt`.
pub fn view<'a>(looks: &Looks<'a>, session: &'a Session, prompt: &str) -> Element<'a> {
    let (m, locale) = (looks.m, looks.locale);
    let Some(composer) = session.composer.as_ref() else {
        return iced::widget::space().into();
    };
    let (shown, count) = crate::kiosk::screen::keyboard::typed(m, locale, composer);
    let hint = match composer.mode() {
        Mode::Telex => tr(locale, id!("keyboard-hint-telex")),
        Mode::Plain => tr(locale, id!("keyboard-hint-plain")),
    };
    let top = column![
        text(prompt.to_string())
            .size(m.px(36.0))
            .font(BOLD)
            .center()
            .width(Fill),
        container(shown)
            .padding(m.px(20.0))
            .width(Fill)
            .height(m.px(if m.portrait { 260.0 } else { 130.0 }))
            .style(theme::card),
        Row::new()
            .push(text(hint).size(m.px(20.0)).color(theme::MUTED).width(Fill))
            .push(text(count).size(m.px(20.0)).color(theme::MUTED))
            .spacing(m.px(16.0)),
    ]
    .spacing(m.px(12.0));
    let send_label = if session.is_last() {
        tr(locale, id!("send"))
    } else {
        tr(locale, id!("next"))
    };
    let mut extra = Vec::new();
    if composer.is_empty() {
        extra.push(quiet(m, tr(locale, id!("skip")), Input::Skip));
    }
    extra.push(forward(m, send_label, Input::Continue));
    page(
        looks,
        session,
        top.into(),
        keys(m, locale, composer, "", Message::Key),
        extra,
    )
}
