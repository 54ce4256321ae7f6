//! The comment screen: the typed text in a card and an on-screen keyboard that types
//! Vietnamese (Telex) or plain letters.

use iced::widget::{Row, button, column, container};
use iced::{Center, Fill, FillPortion, Length};

use super::question::{forward, page, quiet};
use super::{BOLD, Element, text};
use crate::i18n::{tr, tr_args};
use crate::kiosk::app::{KeyPress, Kiosk, Message};
use crate::kiosk::session::{Input, Session};
use crate::kiosk::theme::{self, Metrics};
use crate::kiosk::typing::{Composer, Mode};

const ROWS: [&str; 4] = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

pub fn view<'a>(kiosk: &'a Kiosk, session: &'a Session, prompt: &str) -> Element<'a> {
    let m = kiosk.metrics();
    let locale = kiosk.locale();
    let Some(composer) = session.composer.as_ref() else {
        return iced::widget::space().into();
    };
    let typed = composer.text();
    let shown = if typed.is_empty() {
        text(tr(locale, "keyboard-placeholder"))
            .size(m.px(32.0))
            .color(theme::MUTED)
    } else {
        text(typed).size(m.px(34.0))
    };
    let hint = match composer.mode() {
        Mode::Telex => tr(locale, "keyboard-hint-telex"),
        Mode::Plain => tr(locale, "keyboard-hint-plain"),
    };
    let count = tr_args(
        locale,
        "keyboard-count",
        &[("count", composer.len().into()), ("max", composer.max_len().into())],
    );
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
        tr(locale, "send")
    } else {
        tr(locale, "next")
    };
    let mut extra = Vec::new();
    if composer.is_empty() {
        extra.push(quiet(m, tr(locale, "skip"), Input::Skip));
    }
    extra.push(forward(m, send_label, Input::Continue));
    page(kiosk, session, top.into(), keys(m, locale, composer, ""), extra)
}

/// The id of the highlighted key of the typing mode on (tests check it is the mode's).
pub const MODE_ON: &str = "keyboard-mode-on";

/// The keys for `composer`. `symbols` adds a row of extra characters (staff typing addresses:
/// `:/-_@`). The two mode keys name their mode and the one on is filled, so the keyboard always
/// shows how it types; Shift capitalises one letter, caps lock every letter until pressed again.
pub fn keys<'a>(m: Metrics, locale: crate::survey::Locale, composer: &Composer, symbols: &str) -> Element<'a> {
    let capitals = composer.capitals();
    let mode = composer.mode();
    let height = m.px(84.0);
    let key = |label: String, press: KeyPress, width: Length| {
        button(text(label).size(m.px(34.0)).center().width(Fill))
            .width(width)
            .height(height)
            .padding(m.px(6.0))
            .style(theme::key)
            .on_press(Message::Key(press))
    };
    let special = |label: String, press: KeyPress, width: u16, on: bool| {
        button(container(text(label).size(m.px(24.0)).center()).center(Fill))
            .width(FillPortion(width))
            .height(height)
            .padding(m.px(6.0))
            .style(theme::special_key(on))
            .on_press(Message::Key(press))
    };
    let letters = |row: &str| -> Vec<Element<'a>> {
        row.chars()
            .map(|c| {
                let label = if capitals {
                    c.to_uppercase().collect()
                } else {
                    c.to_string()
                };
                key(label, KeyPress::Char(c), FillPortion(2)).into()
            })
            .collect()
    };
    let spacing = m.px(10.0);
    let mut rows = column![].spacing(spacing).width(Fill).max_width(m.px(1500.0));
    if !symbols.is_empty() {
        let extra = symbols
            .chars()
            .map(|c| key(c.to_string(), KeyPress::Char(c), FillPortion(2)).into())
            .collect();
        rows = rows.push(Row::from_vec(extra).spacing(spacing).width(Fill));
    }
    rows = rows.push(Row::from_vec(letters(ROWS[0])).spacing(spacing).width(Fill));
    rows = rows.push(Row::from_vec(letters(ROWS[1])).spacing(spacing).width(Fill));
    let mut home = vec![special(tr(locale, "keyboard-caps"), KeyPress::CapsLock, 3, composer.caps()).into()];
    home.extend(letters(ROWS[2]));
    rows = rows.push(Row::from_vec(home).spacing(spacing).width(Fill));
    let mut bottom = vec![special(tr(locale, "keyboard-shift"), KeyPress::Shift, 3, composer.shift()).into()];
    bottom.extend(letters(ROWS[3]));
    bottom.push(special(tr(locale, "keyboard-delete"), KeyPress::Delete, 3, false).into());
    rows = rows.push(Row::from_vec(bottom).spacing(spacing).width(Fill));
    let mode_key = |id: &str, key_mode: Mode| -> Element<'a> {
        let on = mode == key_mode;
        let key = container(special(tr(locale, id), KeyPress::Mode(key_mode), 1, on)).width(FillPortion(3));
        if on { key.id(MODE_ON).into() } else { key.into() }
    };
    rows = rows.push(
        Row::new()
            .push(mode_key("keyboard-telex", Mode::Telex))
            .push(mode_key("keyboard-plain", Mode::Plain))
            .push(key(",".into(), KeyPress::Char(','), FillPortion(1)))
            .push(special(tr(locale, "keyboard-space"), KeyPress::Space, 7, false))
            .push(key(".".into(), KeyPress::Char('.'), FillPortion(1)))
            .push(key("?".into(), KeyPress::Char('?'), FillPortion(1)))
            .spacing(spacing)
            .width(Fill)
            .align_y(Center),
    );
    rows.into()
}
