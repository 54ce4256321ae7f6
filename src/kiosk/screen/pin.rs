//! The staff PIN pad, opened by the hidden corner gesture of the welcome screen (and, on a kiosk
//! that cannot start, of the failure screen: [`pad_view`] draws both).

use iced::widget::{Row, button, center, column, container};
use iced::{Center, Fill};

use super::{BOLD, Element, text};
use crate::i18n::{tr, tr_args};
use crate::kiosk::app::HardKey;
use crate::kiosk::staff::pin;
use crate::kiosk::theme::{self, Metrics};

/// A key of the PIN pad: the pad's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinKey {
    /// 0–9.
    Digit(char),
    /// Delete the last digit.
    Delete,
    /// Check the PIN.
    Submit,
    /// Back to the welcome screen.
    Cancel,
}

/// The pad's message: a key.
pub type Message = PinKey;

/// The PIN being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PinEntry {
    /// Digits so far.
    pub typed: String,
    /// Waiting for the check.
    pub checking: bool,
    /// The last PIN was wrong.
    pub wrong: bool,
}

impl PinEntry {
    /// Applies a digit, Delete or Submit while the pad takes input (Cancel is the caller's);
    /// returns the typed PIN, now waiting for its check, when it is submitted.
    pub fn press(&mut self, key: PinKey) -> Option<String> {
        match key {
            PinKey::Digit(d) if self.typed.len() < *pin::PIN_LEN.end() => {
                self.typed.push(d);
                self.wrong = false;
            }
            PinKey::Delete => {
                self.typed.pop();
            }
            PinKey::Submit if !self.typed.is_empty() => {
                self.checking = true;
                return Some(std::mem::take(&mut self.typed));
            }
            _ => {}
        }
        None
    }
}

/// The pad's keys for a key of a USB keyboard: digits, Backspace, Enter, Escape. A digit never
/// submits the PIN: only Enter (or "Vào") does.
pub fn keys_of(key: HardKey) -> Vec<PinKey> {
    match key {
        HardKey::Text(text) => text.chars().filter(char::is_ascii_digit).map(PinKey::Digit).collect(),
        HardKey::Backspace => vec![PinKey::Delete],
        HardKey::Enter => vec![PinKey::Submit],
        HardKey::Escape => vec![PinKey::Cancel],
    }
}

/// The kiosk's PIN pad: the entry, and the length of the PIN last submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pin {
    entry: PinEntry,
    submitted: usize,
}

/// What the kiosk does after a key or a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing.
    None,
    /// Back to the welcome screen.
    Leave,
    /// Check `pin` against `hash` off the UI thread.
    Check {
        /// The configured hash.
        hash: String,
        /// What was typed.
        pin: String,
    },
    /// The PIN is right: open staff mode. `short_pin` is its number of digits when it is
    /// shorter than a new PIN must be (a PIN of an older version; staff are asked to change it).
    Open {
        /// Digits of a PIN shorter than [`pin::NEW_PIN_LEN`].
        short_pin: Option<usize>,
    },
}

impl Pin {
    /// Handles a key. `hash` is the configured PIN hash (empty: none set, the pad takes no
    /// digits); `locked` whether too many wrong tries locked the pad.
    pub fn update(&mut self, key: PinKey, hash: &str, locked: bool) -> Action {
        match key {
            PinKey::Cancel => Action::Leave,
            _ if self.entry.checking || hash.is_empty() || locked => Action::None,
            _ => match self.entry.press(key) {
                Some(pin) => {
                    self.submitted = pin.len();
                    Action::Check {
                        hash: hash.to_string(),
                        pin,
                    }
                }
                None => Action::None,
            },
        }
    }

    /// The check of the PIN submitted came back.
    pub fn checked(&mut self, ok: bool) -> Action {
        if ok {
            let short = self.submitted < *pin::NEW_PIN_LEN.start();
            Action::Open {
                short_pin: short.then_some(self.submitted),
            }
        } else {
            self.entry = PinEntry {
                wrong: true,
                ..PinEntry::default()
            };
            Action::None
        }
    }

    /// Draws the pad: `has_pin` whether a PIN is set, `locked` the seconds it stays locked.
    pub fn view<'a>(
        &self,
        m: Metrics,
        locale: crate::survey::Locale,
        has_pin: bool,
        locked: Option<u64>,
    ) -> Element<'a, Message> {
        pad_view(m, locale, &self.entry, has_pin, locked)
    }
}

/// The PIN pad: `has_pin` whether a PIN is set, `locked` the seconds it stays locked.
pub fn pad_view<'a>(
    m: Metrics,
    locale: crate::survey::Locale,
    entry: &PinEntry,
    has_pin: bool,
    locked: Option<u64>,
) -> Element<'a, Message> {
    let mut content = column![
        text(tr(locale, id!("pin-title")))
            .size(m.px(44.0))
            .font(BOLD)
            .center()
            .width(Fill)
    ]
    .spacing(m.px(24.0))
    .align_x(Center)
    .width(m.px(560.0));
    if !has_pin {
        content = content.push(
            text(tr(locale, id!("pin-not-set")))
                .size(m.px(26.0))
                .center()
                .width(Fill),
        );
    } else if let Some(secs) = locked {
        let left = format!("{}:{:02}", secs / 60, secs % 60);
        content = content.push(
            text(tr_args(locale, id!("pin-locked"), &[("left", left.into())]))
                .size(m.px(28.0))
                .color(theme::DANGER)
                .center()
                .width(Fill),
        );
    } else {
        let dots = if entry.typed.is_empty() {
            " ".to_string()
        } else {
            "●  ".repeat(entry.typed.len()).trim_end().to_string()
        };
        content = content.push(
            container(text(dots).size(m.px(40.0)).center().width(Fill))
                .padding(m.px(14.0))
                .width(Fill)
                .style(theme::card),
        );
        let line = if entry.checking {
            tr(locale, id!("pin-checking"))
        } else if entry.wrong {
            tr(locale, id!("pin-wrong"))
        } else {
            tr(locale, id!("pin-hint"))
        };
        let color = if entry.wrong { theme::DANGER } else { theme::MUTED };
        content = content.push(text(line).size(m.px(24.0)).color(color).center().width(Fill));
        content = content.push(pad(m, locale));
    }
    content = content.push(
        button(
            text(tr(locale, id!("pin-cancel")))
                .size(m.px(28.0))
                .center()
                .width(Fill),
        )
        .width(Fill)
        .padding(m.px(18.0))
        .style(theme::secondary)
        .on_press(PinKey::Cancel),
    );
    center(content).into()
}

fn pad<'a>(m: Metrics, locale: crate::survey::Locale) -> Element<'a, Message> {
    let key = |label: String, press: PinKey, primary: bool| {
        button(text(label).size(m.px(36.0)).font(BOLD).center().width(Fill))
            .width(Fill)
            .padding(m.px(20.0))
            .style(if primary { theme::primary } else { theme::option })
            .on_press(press)
    };
    let rows = [['1', '2', '3'], ['4', '5', '6'], ['7', '8', '9']].map(|r| {
        Row::from_vec(
            r.iter()
                .map(|d| key(d.to_string(), PinKey::Digit(*d), false).into())
                .collect(),
        )
        .spacing(m.px(14.0))
        .width(Fill)
        .into()
    });
    let mut col = iced::widget::Column::from_vec(rows.into())
        .spacing(m.px(14.0))
        .width(Fill);
    col = col.push(
        Row::new()
            .push(key(tr(locale, id!("pin-delete")), PinKey::Delete, false))
            .push(key("0".into(), PinKey::Digit('0'), false))
            .push(key(tr(locale, id!("pin-ok")), PinKey::Submit, true))
            .spacing(m.px(14.0))
            .width(Fill),
    );
    col.into()
}
