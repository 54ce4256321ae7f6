//! Thank you: a warm message, the QR code for the facility's feedback page or hotline, and a
//! Done button; a tap anywhere, or `thank_you_secs` (default 20 s), returns to Welcome.

use std::time::{Duration, Instant};

use iced::widget::{button, center, column, container, mouse_area, qr_code};
use iced::{Center, Fill};

use super::{BOLD, Element, text};
use crate::i18n::tr;
use crate::kiosk::theme::{self, Metrics};
use crate::survey::Locale;

/// The thank-you screen, up since a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thanks {
    since: Instant,
}

/// What the patient did on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// "Done", or a tap anywhere on the screen.
    Done,
}

/// What the kiosk does about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Stay.
    None,
    /// Back to Welcome, for the next patient.
    Done,
}

impl Thanks {
    /// The screen, appearing at `now`.
    pub fn new(now: Instant) -> Thanks {
        Thanks { since: now }
    }

    /// Handles one message.
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Done => Action::Done,
        }
    }

    /// The clock at `now`: done once it has shown for `shown`.
    pub fn tick(&self, now: Instant, shown: Duration) -> Action {
        if now.saturating_duration_since(self.since) >= shown {
            Action::Done
        } else {
            Action::None
        }
    }

    /// Draws the screen, with the QR code `qr` if the facility has one.
    pub fn view<'a>(&self, m: Metrics, locale: Locale, qr: Option<&'a qr_code::Data>) -> Element<'a, Message> {
        let mut content = column![
            text(tr(locale, id!("thanks-title")))
                .size(m.px(62.0))
                .font(BOLD)
                .color(theme::PRIMARY)
                .center()
                .width(Fill),
            text(tr(locale, id!("thanks-body")))
                .size(m.px(34.0))
                .center()
                .width(Fill),
        ]
        .spacing(m.px(30.0))
        .align_x(Center)
        .width(Fill)
        .max_width(m.px(1400.0));
        if let Some(data) = qr {
            content = content.push(
                container(
                    column![
                        qr_code(data).total_size(m.px(260.0)),
                        text(tr(locale, id!("thanks-qr")))
                            .size(m.px(24.0))
                            .color(theme::MUTED)
                            .center()
                            .width(Fill),
                    ]
                    .spacing(m.px(12.0))
                    .align_x(Center)
                    .width(m.px(440.0)),
                )
                .padding(m.px(24.0))
                .style(theme::card),
            );
        }
        content = content.push(
            button(
                text(tr(locale, id!("thanks-done")))
                    .size(m.px(32.0))
                    .center()
                    .width(Fill),
            )
            .width(m.px(360.0))
            .padding([m.px(22.0), m.px(30.0)])
            .style(theme::secondary)
            .on_press(Message::Done),
        );
        mouse_area(center(content).width(Fill).height(Fill))
            .on_press(Message::Done)
            .into()
    }
}
