//! Welcome: the facility, one inviting line, a big start button and the language buttons; five
//! quick taps on its hidden top-left corner open the staff PIN pad.

use std::time::{Duration, Instant};

use iced::widget::{button, center, column, container, qr_code, row, space, stack};
use iced::{Center, Fill};

use super::{BOLD, Element, text};
use crate::i18n::tr;
use crate::kiosk::theme::{self, Metrics};
use crate::survey::Locale;

/// The hidden gesture: this many taps on the top-left corner of the welcome screen…
pub const CORNER_TAPS: usize = 5;
/// …within this long.
pub const CORNER_WINDOW: Duration = Duration::from_secs(3);

/// The welcome screen: the taps on its hidden corner so far.
#[derive(Debug, Clone, Default)]
pub struct Welcome {
    corner_taps: Vec<Instant>,
}

/// What a patient (or staff) did on the welcome screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// A language button.
    Locale(Locale),
    /// The start button.
    Start,
    /// "Góp ý / Phản ánh": the feedback box.
    Feedback,
    /// A tap on the hidden top-left corner.
    CornerTap,
}

/// What the kiosk does about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing.
    None,
    /// Speak this language.
    Locale(Locale),
    /// Start a survey.
    Start,
    /// Open the feedback box.
    Feedback,
    /// The corner gesture is complete: open the staff PIN pad.
    OpenPin,
}

impl Welcome {
    /// Handles one message, touched at `now`.
    pub fn update(&mut self, message: Message, now: Instant) -> Action {
        match message {
            Message::Locale(locale) => Action::Locale(locale),
            Message::Start => Action::Start,
            Message::Feedback => Action::Feedback,
            Message::CornerTap => {
                if counts_corner_tap(&mut self.corner_taps, now) {
                    Action::OpenPin
                } else {
                    Action::None
                }
            }
        }
    }

    /// Draws the screen for the facility `facility`, in `locale`, with the phone code `phone`
    /// when the kiosk shows one.
    pub fn view<'a>(
        &self,
        m: Metrics,
        locale: Locale,
        facility: &'a str,
        phone: Option<&'a qr_code::Data>,
    ) -> Element<'a, Message> {
        let language = |target: Locale, id: crate::i18n::Id| {
            button(text(tr(locale, id)).size(m.px(30.0)).center().width(Fill))
                .width(m.px(280.0))
                .padding([m.px(22.0), m.px(20.0)])
                .style(theme::language(locale == target))
                .on_press(Message::Locale(target))
        };
        let start = button(
            text(tr(locale, id!("welcome-start")))
                .size(m.px(48.0))
                .font(BOLD)
                .center()
                .width(Fill),
        )
        .width(m.px(620.0))
        .padding([m.px(40.0), m.px(40.0)])
        .style(theme::primary)
        .on_press(Message::Start);
        let mut content = column![
            text(facility).size(m.px(58.0)).font(BOLD).center().width(Fill),
            text(tr(locale, id!("welcome-invite")))
                .size(m.px(38.0))
                .center()
                .width(Fill),
            space().height(m.px(30.0)),
            start,
            text(tr(locale, id!("welcome-time")))
                .size(m.px(26.0))
                .color(theme::MUTED)
                .center()
                .width(Fill),
            button(
                text(tr(locale, id!("welcome-feedback")))
                    .size(m.px(30.0))
                    .center()
                    .width(Fill)
            )
            .width(m.px(480.0))
            .padding([m.px(20.0), m.px(30.0)])
            .style(theme::secondary)
            .on_press(Message::Feedback),
            space().height(m.px(30.0)),
            text(tr(locale, id!("welcome-language")))
                .size(m.px(24.0))
                .color(theme::MUTED),
            row![
                language(Locale::Vi, id!("lang-vi")),
                language(Locale::En, id!("lang-en"))
            ]
            .spacing(m.px(24.0)),
        ]
        .spacing(m.px(26.0))
        .align_x(Center)
        .width(Fill)
        .max_width(m.px(1500.0));
        let phone = phone.map(|data| {
            container(
                column![
                    text(tr(locale, id!("welcome-phone")))
                        .size(m.px(30.0))
                        .font(BOLD)
                        .center()
                        .width(Fill),
                    qr_code(data).total_size(m.px(250.0)),
                    text(tr(locale, id!("welcome-phone-how")))
                        .size(m.px(22.0))
                        .color(theme::MUTED)
                        .center()
                        .width(Fill),
                ]
                .spacing(m.px(12.0))
                .align_x(Center)
                .width(m.px(340.0)),
            )
            .padding(m.px(20.0))
            .style(theme::card)
        });
        // Beside the rest on a wide screen, below it on a tall one.
        let body: Element<'a, Message> = match phone {
            Some(card) if m.portrait => {
                content = content.push(card);
                content.into()
            }
            Some(card) => row![content, card]
                .spacing(m.px(60.0))
                .align_y(Center)
                .padding([0.0, m.px(40.0)])
                .into(),
            None => content.into(),
        };
        // The hidden way into staff mode. Nothing shows there, so patients have no reason to
        // tap it.
        let corner = button(space().width(m.px(120.0)).height(m.px(120.0)))
            .padding(0)
            .style(theme::invisible)
            .on_press(Message::CornerTap);
        stack![center(body), corner].into()
    }
}

/// Counts a corner tap at `now` among `taps` (those older than [`CORNER_WINDOW`] are
/// forgotten); whether it completes the gesture (the taps then start again from none).
pub fn counts_corner_tap(taps: &mut Vec<Instant>, now: Instant) -> bool {
    taps.retain(|t| now.saturating_duration_since(*t) < CORNER_WINDOW);
    taps.push(now);
    if taps.len() >= CORNER_TAPS {
        taps.clear();
        return true;
    }
    false
}
