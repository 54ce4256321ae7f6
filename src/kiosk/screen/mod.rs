//! The kiosk's patient screens. Each module is one screen that owns itself: its state, its
//! `Message`, the `Action` its `update` asks of the kiosk, and a `view` from only what it needs.
//! [`view`] picks the one on display (mapping its messages into [`app::Message`]) and adds the
//! staff banner when saving fails.

pub mod feedback;
pub mod keyboard;
pub use keyboard::MODE_ON;
pub mod pin;
pub mod survey;
pub use crate::kiosk::staff::dashboard::SCROLL as DASHBOARD_SCROLL;
pub use survey::question::{PROGRESS_BAR, PROGRESS_DONE};
pub mod thanks;
pub mod welcome;

use iced::widget::text::{IntoFragment, LineHeight};
use iced::widget::{Text, column, container, svg};
use iced::{Fill, Font, font};

use crate::i18n::{tr, tr_args};
use crate::kiosk::app::{Kiosk, Message, Screen};
use crate::kiosk::theme;

/// The element type of the kiosk's screens: of the whole window by default, of one screen with
/// its own message type.
pub type Element<'a, M = Message> = iced::Element<'a, M>;

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

/// A quiet button (Back, Skip, Not used).
pub fn quiet_button<'a, M: Clone + 'a>(m: theme::Metrics, label: String, message: M) -> Element<'a, M> {
    iced::widget::button(text(label).size(m.px(30.0)))
        .padding([m.px(22.0), m.px(40.0)])
        .style(theme::secondary)
        .on_press(message)
        .into()
}

/// The primary button of a step (Continue, Send).
pub fn forward_button<'a, M: Clone + 'a>(m: theme::Metrics, label: String, message: M) -> Element<'a, M> {
    iced::widget::button(text(label).size(m.px(32.0)).font(BOLD))
        .padding([m.px(22.0), m.px(60.0)])
        .style(theme::primary)
        .on_press(message)
        .into()
}

/// Large one-line-or-two option buttons in a column (choices, departments, kinds of feedback).
pub fn choices<'a, M: Clone + 'a>(m: theme::Metrics, options: impl Iterator<Item = (String, M)>) -> Element<'a, M> {
    let buttons = options.map(|(label, message)| {
        iced::widget::button(text(label).size(m.px(32.0)).center().width(Fill))
            .width(Fill)
            .padding([m.px(22.0), m.px(30.0)])
            .style(theme::option)
            .on_press(message)
            .into()
    });
    iced::widget::Column::from_iter(buttons)
        .spacing(m.px(16.0))
        .max_width(m.px(1300.0))
        .into()
}

/// The whole window.
pub fn view(kiosk: &Kiosk) -> Element<'_> {
    let m = kiosk.metrics();
    let body = match kiosk.screen() {
        Screen::Welcome(welcome) => welcome
            .view(m, kiosk.locale(), &kiosk.config().facility_name, kiosk.phone_qr())
            .map(Message::Welcome),
        Screen::Survey(survey) => survey
            .view(m, kiosk.locale(), kiosk.faces(), kiosk.now())
            .map(Message::Survey),
        Screen::Thanks(thanks) => thanks.view(m, kiosk.locale(), kiosk.qr()).map(Message::Thanks),
        Screen::Feedback(f) => f
            .view(m, kiosk.locale(), &kiosk.config().departments)
            .map(Message::Feedback),
        Screen::Pin(pad) => pad
            .view(
                m,
                kiosk.locale(),
                !kiosk.config().staff_pin_hash.is_empty(),
                kiosk.pin_locked_for(),
            )
            .map(Message::Pin),
        Screen::Staff(s) => s
            .view(
                m,
                kiosk.locale(),
                kiosk.config(),
                kiosk.questionnaire(),
                &kiosk.setup().catalog,
                kiosk.sync_state(),
            )
            .map(Message::Staff),
    };
    let mut page = column![container(body).width(Fill).height(Fill)];
    if let Some(error) = kiosk.save_error() {
        let line = tr_args(
            kiosk.locale(),
            id!("banner-save-failed"),
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
    container(
        text(tr(locale, id!("start-loading")))
            .size(m.px(32.0))
            .color(theme::MUTED),
    )
    .center(Fill)
    .style(theme::page(false))
    .into()
}

/// The screen shown instead of the kiosk when it cannot start: what is wrong and what staff
/// can do about it, and `way_out`, how staff leave it.
pub fn failure<'a>(locale: crate::survey::Locale, problem: String, advice: String, way_out: String) -> Element<'a> {
    let content = column![
        text(tr(locale, id!("error-title"))).size(44).font(BOLD),
        text(tr(locale, id!("error-staff"))).size(26).color(theme::MUTED),
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
