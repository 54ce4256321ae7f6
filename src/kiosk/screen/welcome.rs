//! Welcome: the facility, one inviting line, a big start button and the language buttons.

use iced::widget::{button, center, column, row, space};
use iced::{Center, Fill};

use super::{BOLD, Element, text};
use crate::i18n::tr;
use crate::kiosk::app::{Kiosk, Message};
use crate::kiosk::theme;
use crate::survey::Locale;

pub fn view(kiosk: &Kiosk) -> Element<'_> {
    let m = kiosk.metrics();
    let locale = kiosk.locale();
    let language = |target: Locale, id: &str| {
        button(text(tr(locale, id)).size(m.px(30.0)).center().width(Fill))
            .width(m.px(280.0))
            .padding([m.px(22.0), m.px(20.0)])
            .style(theme::language(locale == target))
            .on_press(Message::Locale(target))
    };
    let start = button(
        text(tr(locale, "welcome-start"))
            .size(m.px(48.0))
            .font(BOLD)
            .center()
            .width(Fill),
    )
    .width(m.px(620.0))
    .padding([m.px(40.0), m.px(40.0)])
    .style(theme::primary)
    .on_press(Message::Start);
    let content = column![
        text(&kiosk.config().facility_name)
            .size(m.px(58.0))
            .font(BOLD)
            .center()
            .width(Fill),
        text(tr(locale, "welcome-invite")).size(m.px(38.0)).center().width(Fill),
        space().height(m.px(30.0)),
        start,
        text(tr(locale, "welcome-time"))
            .size(m.px(26.0))
            .color(theme::MUTED)
            .center()
            .width(Fill),
        space().height(m.px(50.0)),
        text(tr(locale, "welcome-language"))
            .size(m.px(24.0))
            .color(theme::MUTED),
        row![language(Locale::Vi, "lang-vi"), language(Locale::En, "lang-en")].spacing(m.px(24.0)),
    ]
    .spacing(m.px(26.0))
    .align_x(Center)
    .width(Fill)
    .max_width(m.px(1500.0));
    center(content).into()
}
