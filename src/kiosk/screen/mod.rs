//! The kiosk's screens. Each module draws one screen from the kiosk state; `view` picks the
//! one on display and adds the staff banner when saving fails.

pub(crate) mod keyboard;
pub use keyboard::MODE_ON;
mod notice;
pub(crate) mod pin;
mod question;
pub use question::{PROGRESS_BAR, PROGRESS_DONE};
mod staff;
pub use staff::DASHBOARD_SCROLL;
mod thanks;
mod welcome;

use iced::widget::text::{IntoFragment, LineHeight};
use iced::widget::{Text, column, container, svg};
use iced::{Fill, Font, font};

use crate::i18n::{tr, tr_args};
use crate::kiosk::app::{Kiosk, Message, Screen};
use crate::kiosk::theme;

/// The element type of every kiosk screen.
pub type Element<'a> = iced::Element<'a, Message>;

/// The bundled font's family name.
pub const FONT_NAME: &str = "Noto Sans";
/// The default font: Noto Sans, which covers every Vietnamese letter and tone mark.
pub const FONT: Font = Font::with_name(FONT_NAME);
/// The same, bold.
pub const BOLD: Font = Font {
    weight: font::Weight::Bold,
    ..FONT
};
/// Noto Sans Regular (SIL OFL, `assets/fonts/OFL.txt`).
pub const FONT_REGULAR_BYTES: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Regular.ttf");
/// Noto Sans Bold.
pub const FONT_BOLD_BYTES: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Bold.ttf");

const FACES: [&[u8]; 5] = [
    include_bytes!("../../../assets/faces/face-1.svg"),
    include_bytes!("../../../assets/faces/face-2.svg"),
    include_bytes!("../../../assets/faces/face-3.svg"),
    include_bytes!("../../../assets/faces/face-4.svg"),
    include_bytes!("../../../assets/faces/face-5.svg"),
];

/// The five face images (1 = very dissatisfied … 5 = very satisfied).
pub fn faces() -> [svg::Handle; 5] {
    FACES.map(svg::Handle::from_memory)
}

/// Text with room above and below the line: Vietnamese stacks two marks on a vowel (ế, ẩ),
/// which overflow iced's default line box and leave traces when the screen changes.
pub fn text<'a>(content: impl IntoFragment<'a>) -> Text<'a> {
    iced::widget::text(content).line_height(LineHeight::Relative(1.5))
}

/// The whole window.
pub fn view(kiosk: &Kiosk) -> Element<'_> {
    let m = kiosk.metrics();
    let body = match kiosk.screen() {
        Screen::Welcome => welcome::view(kiosk),
        Screen::Survey(_) if kiosk.still_there_left().is_some() => notice::still_there(kiosk),
        Screen::Survey(session) => question::view(kiosk, session),
        Screen::Thanks(_) => thanks::view(kiosk),
        Screen::Pin(entry) => pin::view(kiosk, entry),
        Screen::Staff(s) => staff::view(kiosk, s),
    };
    // The hidden way into staff mode: five quick taps on the top-left corner of the welcome
    // screen. Nothing shows there, so patients have no reason to tap it.
    let body: Element<'_> = if matches!(kiosk.screen(), Screen::Welcome) {
        let corner = iced::widget::button(iced::widget::space().width(m.px(120.0)).height(m.px(120.0)))
            .padding(0)
            .style(theme::invisible)
            .on_press(Message::CornerTap);
        iced::widget::stack![body, corner].into()
    } else {
        body
    };
    let mut page = column![container(body).width(Fill).height(Fill)];
    if let Some(error) = kiosk.save_error() {
        let line = tr_args(
            kiosk.locale(),
            "banner-save-failed",
            &[
                ("count", kiosk.pending().len().into()),
                ("error", error.describe(kiosk.locale()).into()),
            ],
        );
        page = page.push(
            container(text(line).size(m.px(18.0)))
                .padding([m.px(6.0), m.px(14.0)])
                .style(theme::banner),
        );
    }
    container(page)
        .width(Fill)
        .height(Fill)
        .padding(m.px(32.0))
        .style(theme::page(kiosk.repaint_flip()))
        .into()
}

/// While the kiosk starts (settings, questionnaires, database): one quiet line.
pub fn loading<'a>(size: iced::Size) -> Element<'a> {
    let m = theme::Metrics::for_size(size);
    let locale = crate::survey::Locale::Vi;
    container(text(tr(locale, "start-loading")).size(m.px(32.0)).color(theme::MUTED))
        .center(Fill)
        .style(theme::page(false))
        .into()
}

/// The screen shown instead of the kiosk when it cannot start: what is wrong and what staff
/// can do about it, and `way_out`, how staff leave it.
pub fn failure<'a>(locale: crate::survey::Locale, problem: String, advice: String, way_out: String) -> Element<'a> {
    let content = column![
        text(tr(locale, "error-title")).size(44).font(BOLD),
        text(tr(locale, "error-staff")).size(26).color(theme::MUTED),
        container(column![text(problem).size(24), text(advice).size(24).font(BOLD)].spacing(16))
            .padding(24)
            .width(Fill)
            .style(theme::card),
        text(way_out).size(22).color(theme::MUTED),
    ]
    .spacing(24)
    .max_width(1400);
    container(content)
        .center(Fill)
        .padding(48)
        .style(theme::page(false))
        .into()
}
