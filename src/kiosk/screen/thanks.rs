//! Thank you: a warm message, the QR code for the facility's feedback page or hotline, and a
//! Done button; a tap anywhere, or `thank_you_secs` (default 20 s), returns to Welcome.

use iced::widget::{button, center, column, container, mouse_area, qr_code};
use iced::{Center, Fill};

use super::{BOLD, Element, text};
use crate::i18n::tr;
use crate::kiosk::app::{Kiosk, Message};
use crate::kiosk::theme;

pub fn view(kiosk: &Kiosk) -> Element<'_> {
    let m = kiosk.metrics();
    let locale = kiosk.locale();
    let mut content = column![
        text(tr(locale, "thanks-title"))
            .size(m.px(62.0))
            .font(BOLD)
            .color(theme::PRIMARY)
            .center()
            .width(Fill),
        text(tr(locale, "thanks-body")).size(m.px(34.0)).center().width(Fill),
    ]
    .spacing(m.px(30.0))
    .align_x(Center)
    .width(Fill)
    .max_width(m.px(1400.0));
    if let Some(data) = kiosk.qr() {
        content = content.push(
            container(
                column![
                    qr_code(data).total_size(m.px(260.0)),
                    text(tr(locale, "thanks-qr"))
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
        button(text(tr(locale, "thanks-done")).size(m.px(32.0)).center().width(Fill))
            .width(m.px(360.0))
            .padding([m.px(22.0), m.px(30.0)])
            .style(theme::secondary)
            .on_press(Message::ThanksDone),
    );
    mouse_area(center(content).width(Fill).height(Fill))
        .on_press(Message::ThanksDone)
        .into()
}
