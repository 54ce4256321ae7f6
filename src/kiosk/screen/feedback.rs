//! The feedback box ("Góp ý / Phản ánh", DESIGN §9): a short flow of its own from the welcome
//! screen. The patient picks what they send (praise, a suggestion, a concern), the department it
//! is about (skippable), writes it on the on-screen keyboard, may leave a phone number or e-mail
//! with their explicit consent, and gets a receipt code in large type with a QR code of the
//! centre's follow-up page. The same screen follows an item by its code: the kiosk's own store
//! first (a note not sent yet), then the centre.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use iced::widget::{Row, button, column, container, qr_code, space};
use iced::{Center, Fill};

use super::keyboard::{self, KeyPress, keys};
use super::{BOLD, Element, choices, forward_button, quiet_button, text};
use crate::feedback::note::{FollowUp, Note, contact_of};
use crate::feedback::words::{kind_id, state_id};
use crate::feedback::{Contact, Kind, MAX_TEXT, ReceiptCode};
use crate::i18n::{tr, tr_args};
use crate::kiosk::app::HardKey;
use crate::kiosk::theme::{self, Metrics};
use crate::kiosk::typing::{Composer, Mode};
use crate::survey::Locale;

/// How long the receipt stays up without a tap on Done: time to write the code down.
pub const RECEIPT_SHOWN: Duration = Duration::from_secs(90);
/// The longest text the patient may type (the centre takes up to [`MAX_TEXT`]).
pub const TEXT_LEN: usize = 1000;
const _: () = assert!(TEXT_LEN <= MAX_TEXT);
/// The longest phone number or e-mail address typed.
const CONTACT_LEN: usize = 80;
/// Extra keys for typing an e-mail address.
const CONTACT_SYMBOLS: &str = "@.-_+";

/// Where the patient is in the flow.
#[derive(Debug)]
pub enum Step {
    /// What they send, or "follow feedback you sent".
    Kind,
    /// The department it is about.
    Department,
    /// The text.
    Text,
    /// Whether to leave a contact.
    Contact,
    /// Typing the phone number or e-mail, and the consent.
    ContactEntry,
    /// Sent: the receipt code, and the QR code of the follow-up page when the centre is known.
    Receipt {
        /// What was sent.
        code: ReceiptCode,
        /// Since when the receipt shows.
        since: Instant,
        /// The follow-up page's QR code.
        qr: Option<qr_code::Data>,
    },
    /// Typing a receipt code to follow.
    FollowCode,
    /// Waiting for the answer about a code.
    FollowAsking,
    /// What is known about it.
    Followed(Followed),
}

/// What the kiosk found out about a receipt code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followed {
    /// The centre's answer.
    Found(FollowUp),
    /// Saved on this kiosk, not sent to the centre yet.
    Waiting,
    /// Neither the kiosk nor the centre holds it.
    NotFound,
    /// The centre cannot be asked now (offline, or no centre configured).
    Unreachable,
}

/// The feedback flow.
#[derive(Debug)]
pub struct Feedback {
    step: Step,
    kind: Kind,
    department: Option<String>,
    text: Composer,
    contact: Composer,
    consent: bool,
    code: Composer,
    /// The centre's address, for the QR code (empty: none).
    centre_url: String,
}

/// What the patient did.
#[derive(Debug, Clone)]
pub enum Message {
    /// They chose what they send.
    Kind(Kind),
    /// "Follow feedback you sent".
    Follow,
    /// A department, or none.
    Department(Option<String>),
    /// A key of the on-screen keyboard.
    Key(KeyPress),
    /// Continue (from the text, or from the contact).
    Next,
    /// Back one step (from the first: to the welcome screen).
    Back,
    /// Send without leaving a contact.
    Anonymous,
    /// Leave a contact.
    LeaveContact,
    /// The consent to be contacted, ticked or not.
    Consent,
    /// Look the typed code up.
    Ask,
    /// Type another code.
    Again,
    /// Done (the receipt, a follow-up answer).
    Done,
}

/// What the kiosk does about it.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Nothing more.
    None,
    /// Back to the welcome screen.
    ToWelcome,
    /// Save this note (the receipt is on screen).
    Save(Note),
    /// Find out about this code.
    Follow(ReceiptCode),
}

impl Feedback {
    /// The flow as it opens, for a kiosk whose centre is at `centre_url` (may be empty), in
    /// `locale` (English speakers start typing without accents, as on the survey's comments).
    pub fn new(locale: Locale, centre_url: &str) -> Feedback {
        let mut text = Composer::new(TEXT_LEN);
        if locale != Locale::Vi {
            text.set_mode(Mode::Plain);
        }
        let mut contact = Composer::new(CONTACT_LEN);
        contact.set_mode(Mode::Plain);
        let mut code = Composer::new(12);
        code.set_mode(Mode::Plain);
        code.toggle_caps();
        Feedback {
            step: Step::Kind,
            kind: Kind::Suggestion,
            department: None,
            text,
            contact,
            consent: false,
            code,
            centre_url: centre_url.trim_end_matches('/').to_string(),
        }
    }

    /// The step on screen.
    pub fn step(&self) -> &Step {
        &self.step
    }

    /// Handles one message; `departments` are the kiosk's, `now` the time of the tap.
    pub fn update(&mut self, message: Message, departments: &[String], now: DateTime<Utc>, at: Instant) -> Action {
        match message {
            Message::Kind(kind) => {
                self.kind = kind;
                self.step = if departments.is_empty() {
                    Step::Text
                } else {
                    Step::Department
                };
            }
            Message::Follow => self.step = Step::FollowCode,
            Message::Department(department) => {
                self.department = department;
                self.step = Step::Text;
            }
            Message::Key(key) => {
                if let Some(composer) = self.composer() {
                    keyboard::press(composer, key);
                }
            }
            Message::Next => return self.next(now, at),
            Message::Back => return self.back(departments),
            Message::Anonymous => {
                self.contact = Composer::new(CONTACT_LEN);
                self.contact.set_mode(Mode::Plain);
                self.consent = false;
                return self.send(Contact::default(), now, at);
            }
            Message::LeaveContact => self.step = Step::ContactEntry,
            Message::Consent => self.consent = !self.consent,
            Message::Ask => {
                if let Some(code) = ReceiptCode::parse(&self.code.text()) {
                    self.step = Step::FollowAsking;
                    return Action::Follow(code);
                }
            }
            Message::Again => {
                self.code = Composer::new(12);
                self.code.set_mode(Mode::Plain);
                self.code.toggle_caps();
                self.step = Step::FollowCode;
            }
            Message::Done => return Action::ToWelcome,
        }
        Action::None
    }

    /// A real keyboard: text and Backspace where a keyboard is up, Enter to go on.
    pub fn hard_key(&mut self, key: HardKey, now: DateTime<Utc>, at: Instant) -> Action {
        match key {
            HardKey::Enter => match self.step {
                Step::FollowCode => self.update(Message::Ask, &[], now, at),
                _ => self.next(now, at),
            },
            key => {
                if let Some(composer) = self.composer() {
                    keyboard::type_hard(composer, key);
                }
                Action::None
            }
        }
    }

    /// The kiosk found out about the code asked.
    pub fn followed(&mut self, found: Followed) {
        if matches!(self.step, Step::FollowAsking) {
            self.step = Step::Followed(found);
        }
    }

    /// The clock at `now`, the last touch at `last_touch`: after `idle` without a touch the
    /// flow closes (nothing unsent is kept); the receipt after [`RECEIPT_SHOWN`].
    pub fn tick(&self, now: Instant, last_touch: Instant, idle: Duration) -> Action {
        let (from, limit) = match &self.step {
            Step::Receipt { since, .. } => (*since, RECEIPT_SHOWN),
            Step::FollowAsking => return Action::None,
            _ => (last_touch, idle),
        };
        if now.saturating_duration_since(from) >= limit {
            Action::ToWelcome
        } else {
            Action::None
        }
    }

    fn composer(&mut self) -> Option<&mut Composer> {
        match self.step {
            Step::Text => Some(&mut self.text),
            Step::ContactEntry => Some(&mut self.contact),
            Step::FollowCode => Some(&mut self.code),
            _ => None,
        }
    }

    fn next(&mut self, now: DateTime<Utc>, at: Instant) -> Action {
        match self.step {
            Step::Text if !self.text.text().trim().is_empty() => self.step = Step::Contact,
            Step::ContactEntry => {
                if let Some(contact) = contact_of(&self.contact.text())
                    && self.consent
                {
                    return self.send(contact, now, at);
                }
            }
            _ => {}
        }
        Action::None
    }

    fn back(&mut self, departments: &[String]) -> Action {
        self.step = match self.step {
            Step::Kind | Step::FollowCode => return Action::ToWelcome,
            Step::Department => Step::Kind,
            Step::Text if departments.is_empty() => Step::Kind,
            Step::Text => Step::Department,
            Step::Contact => Step::Text,
            Step::ContactEntry => Step::Contact,
            Step::Followed(_) | Step::FollowAsking => Step::FollowCode,
            Step::Receipt { .. } => return Action::ToWelcome,
        };
        Action::None
    }

    fn send(&mut self, contact: Contact, now: DateTime<Utc>, at: Instant) -> Action {
        let note = Note::new(
            self.kind,
            self.department.clone(),
            self.text.text().trim().to_string(),
            contact,
            now,
        );
        let qr = (!self.centre_url.is_empty())
            .then(|| qr_code::Data::new(format!("{}/theo-doi?code={}", self.centre_url, note.code.as_str())).ok())
            .flatten();
        self.step = Step::Receipt {
            code: note.code.clone(),
            since: at,
            qr,
        };
        Action::Save(note)
    }

    /// Draws the step on screen.
    pub fn view<'a>(&'a self, m: Metrics, locale: Locale, departments: &'a [String]) -> Element<'a, Message> {
        let title = |id| text(tr(locale, id)).size(m.px(44.0)).font(BOLD).center().width(Fill);
        let back = || quiet_button(m, tr(locale, id!("back")), Message::Back);
        match &self.step {
            Step::Kind => {
                let kinds = Kind::SENDER
                    .iter()
                    .map(|k| (tr(locale, kind_id(*k)), Message::Kind(*k)));
                let body = column![
                    title(id!("kfb-kind-title")),
                    choices(m, kinds),
                    space().height(m.px(20.0)),
                    quiet_button(m, tr(locale, id!("kfb-follow")), Message::Follow),
                ]
                .spacing(m.px(30.0))
                .align_x(Center);
                frame(m, body.into(), vec![back()])
            }
            Step::Department => {
                let named = departments
                    .iter()
                    .map(|d| (d.clone(), Message::Department(Some(d.clone()))));
                let none = std::iter::once((tr(locale, id!("kfb-department-none")), Message::Department(None)));
                let body = column![title(id!("kfb-department-title")), choices(m, named.chain(none))]
                    .spacing(m.px(30.0))
                    .align_x(Center);
                frame(m, body.into(), vec![back()])
            }
            Step::Text => {
                let mut footer = vec![back()];
                if !self.text.text().trim().is_empty() {
                    footer.push(forward_button(m, tr(locale, id!("next")), Message::Next));
                }
                typing(
                    m,
                    locale,
                    title(id!("kfb-text-title")).into(),
                    (&self.text, ""),
                    None,
                    None,
                    footer,
                )
            }
            Step::Contact => {
                let body = column![
                    title(id!("kfb-contact-title")),
                    text(tr(locale, id!("kfb-contact-why")))
                        .size(m.px(28.0))
                        .color(theme::MUTED)
                        .center()
                        .width(Fill),
                    choices(
                        m,
                        [
                            (tr(locale, id!("kfb-contact-no")), Message::Anonymous),
                            (tr(locale, id!("kfb-contact-yes")), Message::LeaveContact),
                        ]
                        .into_iter()
                    ),
                ]
                .spacing(m.px(30.0))
                .align_x(Center);
                frame(m, body.into(), vec![back()])
            }
            Step::ContactEntry => {
                let typed = self.contact.text();
                let valid = contact_of(&typed).is_some();
                let state = if self.consent {
                    tr(locale, id!("kfb-consent-given"))
                } else {
                    tr(locale, id!("kfb-consent-tap"))
                };
                let consent = button(
                    Row::new()
                        .push(text(tr(locale, id!("kfb-consent"))).size(m.px(28.0)).width(Fill))
                        .push(text(state).size(m.px(28.0)).font(BOLD))
                        .spacing(m.px(24.0))
                        .align_y(Center),
                )
                .width(Fill)
                .padding([m.px(18.0), m.px(24.0)])
                .style(theme::chip(self.consent))
                .on_press(Message::Consent);
                let hint = if typed.trim().is_empty() || valid {
                    None
                } else {
                    Some(tr(locale, id!("kfb-contact-invalid")))
                };
                let mut footer = vec![back()];
                if valid && self.consent {
                    footer.push(forward_button(m, tr(locale, id!("send")), Message::Next));
                }
                let top = title(id!("kfb-contact-entry")).into();
                typing(
                    m,
                    locale,
                    top,
                    (&self.contact, CONTACT_SYMBOLS),
                    hint,
                    Some(consent.into()),
                    footer,
                )
            }
            Step::Receipt { code, qr, .. } => {
                let mut body = column![
                    text(tr(locale, id!("kfb-receipt-title")))
                        .size(m.px(52.0))
                        .font(BOLD)
                        .color(theme::PRIMARY)
                        .center()
                        .width(Fill),
                    text(tr(locale, id!("kfb-receipt-keep")))
                        .size(m.px(30.0))
                        .center()
                        .width(Fill),
                    container(text(code.to_string()).size(m.px(96.0)).font(BOLD))
                        .padding([m.px(16.0), m.px(48.0)])
                        .style(theme::card),
                ]
                .spacing(m.px(26.0))
                .align_x(Center)
                .max_width(m.px(1400.0));
                if let Some(data) = qr {
                    body = body.push(
                        Row::new()
                            .push(qr_code(data).total_size(m.px(220.0)))
                            .push(
                                text(tr(locale, id!("kfb-receipt-qr")))
                                    .size(m.px(26.0))
                                    .color(theme::MUTED)
                                    .width(m.px(520.0)),
                            )
                            .spacing(m.px(24.0))
                            .align_y(Center),
                    );
                }
                body = body.push(
                    text(tr(locale, id!("kfb-receipt-follow")))
                        .size(m.px(24.0))
                        .color(theme::MUTED)
                        .center()
                        .width(Fill),
                );
                // Nothing to go back to: Done alone, on the right.
                let done = forward_button(m, tr(locale, id!("thanks-done")), Message::Done);
                frame(m, body.into(), vec![space().into(), done])
            }
            Step::FollowCode => {
                let typed = self.code.text();
                let mut footer = vec![back()];
                let hint = if ReceiptCode::parse(&typed).is_some() {
                    footer.push(forward_button(m, tr(locale, id!("kfb-follow-ask")), Message::Ask));
                    None
                } else {
                    (typed.chars().filter(char::is_ascii_alphanumeric).count() >= 8)
                        .then(|| tr(locale, id!("kfb-follow-invalid")))
                };
                typing(
                    m,
                    locale,
                    title(id!("kfb-follow-title")).into(),
                    (&self.code, "-"),
                    hint,
                    None,
                    footer,
                )
            }
            Step::FollowAsking => frame(m, title(id!("kfb-follow-asking")).into(), vec![back()]),
            Step::Followed(found) => {
                let line = |s: String| text(s).size(m.px(32.0)).center().width(Fill);
                let body: Element<'a, Message> = match found {
                    Followed::Found(f) => {
                        let mut col = column![
                            title(id!("kfb-follow-result")),
                            text(f.code.to_string()).size(m.px(56.0)).font(BOLD),
                            line(tr_args(
                                locale,
                                id!("kfb-follow-received"),
                                &[("date", crate::report::text::date(f.received_on).into())]
                            )),
                            line(tr_args(
                                locale,
                                id!("kfb-follow-state"),
                                &[("state", tr(locale, state_id(f.state)).into())]
                            )),
                        ]
                        .spacing(m.px(20.0))
                        .align_x(Center)
                        .max_width(m.px(1400.0));
                        if let Some(answer) = &f.answer {
                            col = col.push(
                                container(
                                    column![
                                        text(tr(locale, id!("kfb-follow-answer"))).size(m.px(28.0)).font(BOLD),
                                        text(answer.as_str()).size(m.px(30.0)),
                                    ]
                                    .spacing(m.px(10.0)),
                                )
                                .padding(m.px(24.0))
                                .width(Fill)
                                .style(theme::card),
                            );
                        }
                        col.into()
                    }
                    Followed::Waiting => line(tr(locale, id!("kfb-follow-waiting"))).into(),
                    Followed::NotFound => line(tr(locale, id!("kfb-follow-not-found"))).into(),
                    Followed::Unreachable => line(tr(locale, id!("kfb-follow-offline"))).into(),
                };
                let footer = vec![
                    quiet_button(m, tr(locale, id!("kfb-follow-again")), Message::Again),
                    forward_button(m, tr(locale, id!("thanks-done")), Message::Done),
                ];
                frame(m, body, footer)
            }
        }
    }
}

/// A step: its content in the middle, its buttons along the bottom (the first on the left).
fn frame<'a>(m: Metrics, body: Element<'a, Message>, buttons: Vec<Element<'a, Message>>) -> Element<'a, Message> {
    column![container(body).center(Fill), footer(m, buttons)]
        .spacing(m.px(20.0))
        .height(Fill)
        .into()
}

/// The buttons along the bottom of a step, the first on the left, always the same height.
fn footer<'a>(m: Metrics, buttons: Vec<Element<'a, Message>>) -> Element<'a, Message> {
    let mut footer = Row::new().spacing(m.px(24.0)).align_y(Center);
    let mut buttons = buttons.into_iter();
    if let Some(first) = buttons.next() {
        footer = footer.push(first);
    }
    footer = footer.push(space::horizontal());
    for b in buttons {
        footer = footer.push(b);
    }
    container(footer).center_y(m.px(92.0)).into()
}

/// A step with the on-screen keyboard: `top` above the typed text, `hint` (a problem with it)
/// and `below` under it; `(composer, symbols)` is the text typed and the keyboard's extra keys.
fn typing<'a>(
    m: Metrics,
    locale: Locale,
    top: Element<'a, Message>,
    (composer, symbols): (&Composer, &str),
    hint: Option<String>,
    below: Option<Element<'a, Message>>,
    buttons: Vec<Element<'a, Message>>,
) -> Element<'a, Message> {
    let (shown, count) = keyboard::typed(m, locale, composer);
    let under = Row::new()
        .push(
            text(hint.unwrap_or_default())
                .size(m.px(22.0))
                .color(theme::MUTED)
                .width(Fill),
        )
        .push(text(count).size(m.px(20.0)).color(theme::MUTED));
    column![
        top,
        container(shown)
            .padding(m.px(20.0))
            .width(Fill)
            .height(m.px(if m.portrait { 220.0 } else { 110.0 }))
            .style(theme::card),
        under,
    ]
    .push(below)
    .push(container(keys(m, locale, composer, symbols, Message::Key)).center_x(Fill))
    .push(footer(m, buttons))
    .spacing(m.px(12.0))
    .height(Fill)
    .into()
}
