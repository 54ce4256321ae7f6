//! The on-screen keyboard that types Vietnamese (Telex) or plain letters, for the comment screen
//! and the settings fields; and what a key, on screen or on a USB keyboard, does to the text.

use iced::widget::{Row, button, column, container};
use iced::{Center, Fill, FillPortion, Length};

use super::{Element, text};
use crate::i18n::tr;
use crate::kiosk::app::HardKey;
use crate::kiosk::theme::{self, Metrics};
use crate::kiosk::typing::{Composer, Mode};

/// A key of the on-screen keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPress {
    /// A letter, digit or punctuation key.
    Char(char),
    /// The space bar.
    Space,
    /// Delete the last character.
    Delete,
    /// Capitalise the next letter.
    Shift,
    /// Capitalise every letter until pressed again.
    CapsLock,
    /// Type in this mode (the key of the mode on is highlighted).
    Mode(Mode),
}

/// Types an on-screen key into `composer`.
pub fn press(composer: &mut Composer, key: KeyPress) {
    match key {
        KeyPress::Char(c) => composer.key(c),
        KeyPress::Space => composer.space(),
        KeyPress::Delete => composer.backspace(),
        KeyPress::Shift => composer.toggle_shift(),
        KeyPress::CapsLock => composer.toggle_caps(),
        KeyPress::Mode(mode) => composer.set_mode(mode),
    }
}

/// Types a real keyboard's key into `composer` (Enter and Escape are the screen's).
pub fn type_hard(composer: &mut Composer, key: HardKey) {
    match key {
        HardKey::Text(text) => text.chars().for_each(|c| composer.typed(c)),
        HardKey::Backspace => composer.backspace(),
        HardKey::Enter | HardKey::Escape => {}
    }
}

/// What is typed so far (or the placeholder, when nothing is), and the count of characters
/// against the most allowed ("12/500 ký tự").
pub fn typed<'a>(m: Metrics, locale: crate::survey::Locale, composer: &Composer) -> (iced::widget::Text<'a>, String) {
    let typed = composer.text();
    let shown = if typed.is_empty() {
        text(tr(locale, id!("keyboard-placeholder")))
            .size(m.px(32.0))
            .color(theme::MUTED)
    } else {
        text(typed).size(m.px(34.0))
    };
    let count = crate::i18n::tr_args(
        locale,
        id!("keyboard-count"),
        &[("count", composer.len().into()), ("max", composer.max_len().into())],
    );
    (shown, count)
}

const ROWS: [&str; 4] = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

/// The id of the highlighted key of the typing mode on (tests check it is the mode's).
pub const MODE_ON: &str = "keyboard-mode-on";

/// The keys for `composer`. `symbols` adds a row of extra characters (staff typing addresses:
/// `:/-_@`). The two mode keys name their mode and the one on is filled, so the keyboard always
/// shows how it types; Shift capitalises one letter, caps lock every letter until pressed again.
/// A key sends `on_key` of what it types.
pub fn keys<'a, M: Clone + 'a>(
    m: Metrics,
    locale: crate::survey::Locale,
    composer: &Composer,
    symbols: &str,
    on_key: fn(KeyPress) -> M,
) -> Element<'a, M> {
    let capitals = composer.capitals();
    let mode = composer.mode();
    let height = m.px(84.0);
    let key = |label: String, press: KeyPress, width: Length| {
        button(text(label).size(m.px(34.0)).center().width(Fill))
            .width(width)
            .height(height)
            .padding(m.px(6.0))
            .style(theme::key)
            .on_press(on_key(press))
    };
    let special = |label: String, press: KeyPress, width: u16, on: bool| {
        button(container(text(label).size(m.px(24.0)).center()).center(Fill))
            .width(FillPortion(width))
            .height(height)
            .padding(m.px(6.0))
            .style(theme::special_key(on))
            .on_press(on_key(press))
    };
    let letters = |row: &str| -> Vec<Element<'a, M>> {
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
    let mut home = vec![special(tr(locale, id!("keyboard-caps")), KeyPress::CapsLock, 3, composer.caps()).into()];
    home.extend(letters(ROWS[2]));
    rows = rows.push(Row::from_vec(home).spacing(spacing).width(Fill));
    let mut bottom = vec![special(tr(locale, id!("keyboard-shift")), KeyPress::Shift, 3, composer.shift()).into()];
    bottom.extend(letters(ROWS[3]));
    bottom.push(special(tr(locale, id!("keyboard-delete")), KeyPress::Delete, 3, false).into());
    rows = rows.push(Row::from_vec(bottom).spacing(spacing).width(Fill));
    let mode_key = |id: crate::i18n::Id, key_mode: Mode| -> Element<'a, M> {
        let on = mode == key_mode;
        let key = container(special(tr(locale, id), KeyPress::Mode(key_mode), 1, on)).width(FillPortion(3));
        if on { key.id(MODE_ON).into() } else { key.into() }
    };
    rows = rows.push(
        Row::new()
            .push(mode_key(id!("keyboard-telex"), Mode::Telex))
            .push(mode_key(id!("keyboard-plain"), Mode::Plain))
            .push(key(",".into(), KeyPress::Char(','), FillPortion(1)))
            .push(special(tr(locale, id!("keyboard-space")), KeyPress::Space, 7, false))
            .push(key(".".into(), KeyPress::Char('.'), FillPortion(1)))
            .push(key("?".into(), KeyPress::Char('?'), FillPortion(1)))
            .spacing(spacing)
            .width(Fill)
            .align_y(Center),
    );
    rows.into()
}
