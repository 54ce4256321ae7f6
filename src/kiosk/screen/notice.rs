//! "Are you still there?": shown instead of the question after the idle timeout, so the last
//! answers are no longer on screen while the kiosk waits.

use iced::widget::{button, center, column, container};
use iced::{Center, Fill};

use super::{BOLD, Element, text};
use crate::i18n::{tr, tr_args};
use crate::kiosk::app::{Kiosk, Message};
use crate::kiosk::theme;

pub fn still_there(kiosk: &Kiosk) -> Element<'_> {
    let m = kiosk.metrics();
    let locale = kiosk.locale();
    let left = kiosk.still_there_left().unwrap_or(0);
    let card = column![
        text(tr(locale, "idle-title"))
            .size(m.px(56.0))
            .font(BOLD)
            .center()
            .width(Fill),
        text(tr_args(locale, "idle-body", &[("seconds", left.into())]))
            .size(m.px(32.0))
            .center()
            .width(Fill),
        button(
            text(tr(locale, "idle-continue"))
                .size(m.px(36.0))
                .font(BOLD)
                .center()
                .width(Fill)
        )
        .width(m.px(520.0))
        .padding([m.px(30.0), m.px(30.0)])
        .style(theme::primary)
        .on_press(Message::StillHere),
    ]
    .spacing(m.px(36.0))
    .align_x(Center)
    .width(Fill);
    center(
        container(card)
            .padding(m.px(60.0))
            .max_width(m.px(1100.0))
            .style(theme::card),
    )
    .into()
}
