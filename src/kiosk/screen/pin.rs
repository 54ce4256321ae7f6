//! The staff PIN pad, opened by the hidden corner gesture.

use iced::widget::{Row, button, center, column, container};
use iced::{Center, Fill};

use super::{BOLD, Element, text};
use crate::i18n::{tr, tr_args};
use crate::kiosk::app::{Kiosk, Message, PinEntry, PinKey};
use crate::kiosk::theme::{self, Metrics};

pub fn view<'a>(kiosk: &'a Kiosk, entry: &'a PinEntry) -> Element<'a> {
    pad_view(
        kiosk.metrics(),
        kiosk.locale(),
        entry,
        !kiosk.config().staff_pin_hash.is_empty(),
        kiosk.pin_locked_for(),
    )
}

/// The PIN pad: `has_pin` whether a PIN is set, `locked` the seconds it stays locked.
pub fn pad_view<'a>(
    m: Metrics,
    locale: crate::survey::Locale,
    entry: &PinEntry,
    has_pin: bool,
    locked: Option<u64>,
) -> Element<'a> {
    let mut content = column![
        text(tr(locale, "pin-title"))
            .size(m.px(44.0))
            .font(BOLD)
            .center()
            .width(Fill)
    ]
    .spacing(m.px(24.0))
    .align_x(Center)
    .width(m.px(560.0));
    if !has_pin {
        content = content.push(text(tr(locale, "pin-not-set")).size(m.px(26.0)).center().width(Fill));
    } else if let Some(secs) = locked {
        let left = format!("{}:{:02}", secs / 60, secs % 60);
        content = content.push(
            text(tr_args(locale, "pin-locked", &[("left", left.into())]))
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
            tr(locale, "pin-checking")
        } else if entry.wrong {
            tr(locale, "pin-wrong")
        } else {
            tr(locale, "pin-hint")
        };
        let color = if entry.wrong { theme::DANGER } else { theme::MUTED };
        content = content.push(text(line).size(m.px(24.0)).color(color).center().width(Fill));
        content = content.push(pad(m, locale));
    }
    content = content.push(
        button(text(tr(locale, "pin-cancel")).size(m.px(28.0)).center().width(Fill))
            .width(Fill)
            .padding(m.px(18.0))
            .style(theme::secondary)
            .on_press(Message::Pin(PinKey::Cancel)),
    );
    center(content).into()
}

fn pad<'a>(m: Metrics, locale: crate::survey::Locale) -> Element<'a> {
    let key = |label: String, press: PinKey, primary: bool| {
        button(text(label).size(m.px(36.0)).font(BOLD).center().width(Fill))
            .width(Fill)
            .padding(m.px(20.0))
            .style(if primary { theme::primary } else { theme::option })
            .on_press(Message::Pin(press))
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
            .push(key(tr(locale, "pin-delete"), PinKey::Delete, false))
            .push(key("0".into(), PinKey::Digit('0'), false))
            .push(key(tr(locale, "pin-ok"), PinKey::Submit, true))
            .spacing(m.px(14.0))
            .width(Fill),
    );
    col.into()
}
