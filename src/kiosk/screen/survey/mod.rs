//! The survey: one patient's walk through the questionnaire ([`Session`]), one question per
//! screen ([`question`]), the keyboard for comments and "other" answers ([`comment`]), and
//! "Are you still there?" after the idle timeout ([`still_there`]). The survey keeps what
//! only it needs: when its screen appeared (the double-tap guard), the "noted" confirmation,
//! and when the still-there question was asked.

pub mod comment;
pub mod question;
pub mod still_there;

use std::time::{Duration, Instant};

use iced::widget::svg;

use super::Element;
use super::keyboard::{self, KeyPress};
use crate::kiosk::app::HardKey;
use crate::kiosk::session::{self, Input, Session};
use crate::kiosk::theme::Metrics;
use crate::survey::{Locale, Questionnaire, Response};

/// How long "Are you still there?" waits before the session is closed.
pub const STILL_THERE: Duration = Duration::from_secs(10);
/// How long the neutral "noted" confirmation shows after an answer.
pub const NOTED: Duration = Duration::from_millis(1200);
/// A survey screen takes no input for this long after it appeared, so the second tap of a
/// double tap (or a tap landing as the next question appears) cannot answer the next question.
/// Double taps come 100–300 ms apart (300 ms is Android's `DOUBLE_TAP_TIMEOUT`, the widest
/// interval a touch system reads as one double tap), while reading a new question and choosing
/// a face takes a patient well over a second (a choice reaction alone is ≈ 0.4–0.6 s), so
/// 400 ms swallows double taps and finger bounce without ever slowing a patient down.
pub const ANSWER_GUARD: Duration = Duration::from_millis(400);

/// A patient answering.
#[derive(Debug)]
pub struct Survey {
    session: Session,
    /// When the screen on display appeared ([`ANSWER_GUARD`]).
    step_shown: Instant,
    noted: Option<Instant>,
    still_there: Option<Instant>,
}

/// What the patient did.
#[derive(Debug, Clone)]
pub enum Message {
    /// An answer, Back, Continue… on a survey screen.
    Input(Input),
    /// A key of the on-screen keyboard.
    Key(KeyPress),
    /// "I am still here".
    StillHere,
}

/// What the kiosk does about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Stay on the survey.
    None,
    /// The last item is answered: thank the patient and save.
    Finished,
    /// Back from the first step: to the welcome screen, nothing kept.
    ToWelcome,
    /// The patient went quiet: "Are you still there?" is up (the whole window changes).
    AskedStillThere,
    /// Nobody answered "Are you still there?": close the session (saving what was answered).
    Abandon,
}

impl Survey {
    /// The survey starting at `now`.
    pub fn new(session: Session, now: Instant) -> Survey {
        Survey {
            session,
            step_shown: now,
            noted: None,
            still_there: None,
        }
    }

    /// The session (what has been answered, where the patient is).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The session, for saving once the survey is over.
    pub fn into_session(self) -> Session {
        self.session
    }

    /// The response so far.
    pub fn response(&self) -> &Response {
        self.session.response()
    }

    /// The questionnaire being asked.
    pub fn questionnaire(&self) -> &Questionnaire {
        self.session.questionnaire()
    }

    /// Handles one message at `now`.
    pub fn update(&mut self, message: Message, now: Instant) -> Action {
        match message {
            Message::Input(input) => self.input(input, now),
            Message::Key(key) => {
                if let Some(composer) = self.session.composer.as_mut() {
                    keyboard::press(composer, key);
                }
                Action::None
            }
            // The question comes back under the finger that tapped "I am still here".
            Message::StillHere => {
                self.step_shown = now;
                Action::None
            }
        }
    }

    /// A real keyboard, wherever the on-screen keyboard is up: text, Backspace, and Enter
    /// (Continue / Send).
    pub fn hard_key(&mut self, key: HardKey, now: Instant) -> Action {
        let Some(composer) = self.session.composer.as_mut() else {
            return Action::None;
        };
        match key {
            HardKey::Enter => self.input(Input::Continue, now),
            key => {
                keyboard::type_hard(composer, key);
                Action::None
            }
        }
    }

    fn input(&mut self, input: Input, now: Instant) -> Action {
        if now.saturating_duration_since(self.step_shown) < ANSWER_GUARD {
            // Part of the tap that answered the last screen, not an answer to this one.
            return Action::None;
        }
        let before = self.session.step();
        let is_answer = matches!(input, Input::Scale(_) | Input::Percent(_) | Input::Choice(_));
        match self.session.update(input) {
            session::Action::Finished => Action::Finished,
            session::Action::ToWelcome => Action::ToWelcome,
            session::Action::None => {
                if self.session.step() != before {
                    self.step_shown = now;
                    if is_answer {
                        self.noted = Some(now);
                    }
                }
                Action::None
            }
        }
    }

    /// Someone touched the screen: "Are you still there?" goes.
    pub fn touched(&mut self) {
        self.still_there = None;
    }

    /// The clock at `now`: the patient last touched the screen at `last_touch`, and is asked
    /// whether they are still there after `idle`.
    pub fn tick(&mut self, now: Instant, last_touch: Instant, idle: Duration) -> Action {
        if self.noted.is_some_and(|t| now.saturating_duration_since(t) >= NOTED) {
            self.noted = None;
        }
        match self.still_there {
            Some(asked) if now.saturating_duration_since(asked) >= STILL_THERE => Action::Abandon,
            Some(_) => Action::None,
            None if now.saturating_duration_since(last_touch) >= idle => {
                self.still_there = Some(now);
                Action::AskedStillThere
            }
            None => Action::None,
        }
    }

    /// Whether the clock must tick for the survey ("noted" showing).
    pub fn noted(&self) -> bool {
        self.noted.is_some()
    }

    /// Seconds left at `now` before an unanswered "Are you still there?" closes the session.
    pub fn still_there_left(&self, now: Instant) -> Option<u64> {
        self.still_there.map(|asked| {
            let left = STILL_THERE.saturating_sub(now.saturating_duration_since(asked));
            left.as_secs() + u64::from(left.subsec_nanos() > 0)
        })
    }

    /// Draws the screen at `now`, in `locale`, with the five `faces`.
    pub fn view<'a>(
        &'a self,
        m: Metrics,
        locale: Locale,
        faces: &'a [svg::Handle; 5],
        now: Instant,
    ) -> Element<'a, Message> {
        match self.still_there_left(now) {
            Some(left) => still_there::view(m, locale, left),
            None => question::view(
                &question::Looks {
                    m,
                    locale,
                    faces,
                    noted: self.noted(),
                },
                &self.session,
            ),
        }
    }
}
