//! "Are you still there?": shown instead of the question after the idle timeout, so the last
//! answers are no longer on screen while the kiosk waits.

use iced::widget::{button, center, column, container};
use iced::{Center, Fill};

use super::Message;
use crate::i18n::{tr, tr_args};
use crate::kiosk::screen::{BOLD, Element, text};
use crate::kiosk::theme::{self, Metrics};
use crate::survey::Locale;

/// The question, with the seconds `left` before the session closes.
pub fn view<'a>(m: Metrics, locale: Locale, left: u64) -> Element<'a, Message> {
    let card = column![
        text(tr(locale, id!("idle-title")))
            .size(m.px(56.0))
            .font(BOLD)
            .center()
            .width(Fill),
        text(tr_args(locale, id!("idle-body"), &[("seconds", left.into())]))
            .size(m.px(32.0))
            .center()
            .width(Fill),
        button(
            text(tr(locale, id!("idle-continue")))
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
