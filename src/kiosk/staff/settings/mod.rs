//! The settings page: facility, kiosk, departments, questionnaire, language, idle timeout, QR
//! URL, target, and the PIN. Saved to hailong.toml only when every value is valid ([`form`]).

pub mod form;

use std::sync::Arc;

use iced::widget::{Column, Row, button, column, container, row, scrollable, text_input};
use iced::{Center, Fill};

pub use form::{Field, Form, Problem, SaveFailure};

use super::{action, tab};
use crate::config::Config;
use crate::i18n::tr;
use crate::kiosk::app::HardKey;
use crate::kiosk::screen::keyboard::{self, KeyPress};
use crate::kiosk::screen::pin::PinKey;
use crate::kiosk::screen::{BOLD, Element, text};
use crate::kiosk::staff::pin;
use crate::kiosk::theme::{self, Metrics};
use crate::kiosk::typing::{Composer, Mode};
use crate::survey::{Catalog, Locale, Questionnaire};

/// A new PIN being typed twice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPin {
    /// The first entry, once given.
    pub first: Option<String>,
    /// What is typed now.
    pub typed: String,
    /// The second entry did not match, or the PIN is not 6–8 digits.
    pub problem: bool,
}

/// The settings page's state.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The form.
    pub form: Form,
    /// After saving: Ok, or the problem.
    pub result: Option<Result<(), Problem>>,
    /// Changing the PIN.
    pub new_pin: Option<NewPin>,
    /// A field being typed on the on-screen keyboard.
    pub editing: Option<(Field, Composer)>,
    /// A new PIN on its way to the settings file with the next save.
    pending_pin: Option<String>,
}

/// What staff did on the page, or the save reporting back.
#[derive(Debug, Clone)]
pub enum Message {
    /// A text field changed.
    Field(Field, String),
    /// Edit a text field on the on-screen keyboard.
    Edit(Field),
    /// Keep what was typed.
    EditDone,
    /// Drop what was typed.
    EditCancel,
    /// A key of the on-screen keyboard.
    Key(KeyPress),
    /// A key of a real keyboard.
    HardKey(HardKey),
    /// Default language.
    Locale(Locale),
    /// Questionnaire.
    Questionnaire(String),
    /// Save.
    Save,
    /// Settings written (and the questionnaire they name), or why not.
    Saved(Result<(Box<Config>, Arc<Questionnaire>), SaveFailure>),
    /// Change PIN: open the pad.
    ChangePin,
    /// Change PIN: a digit.
    NewPinDigit(char),
    /// Change PIN: delete a digit.
    NewPinDelete,
    /// Change PIN: next / confirm.
    NewPinNext,
    /// Change PIN: cancel.
    NewPinCancel,
}

/// What the page asks of staff mode.
#[derive(Debug, Clone)]
pub enum Action {
    /// Nothing.
    None,
    /// Write these settings (hashing the new PIN first, if any), off the UI thread.
    Save {
        /// The new settings.
        config: Box<Config>,
        /// A new PIN to hash into them.
        new_pin: Option<String>,
    },
    /// The settings are written: they take effect at once, for the next patient.
    Apply {
        /// The settings written.
        config: Box<Config>,
        /// The questionnaire they name.
        questionnaire: Arc<Questionnaire>,
        /// They hold a new PIN.
        new_pin: bool,
    },
}

impl Settings {
    /// The form filled from `config`.
    pub fn new(config: &Config) -> Settings {
        Settings {
            form: Form::from_config(config),
            result: None,
            new_pin: None,
            editing: None,
            pending_pin: None,
        }
    }

    /// Back to the settings as they are (`config`): the page opens again.
    pub fn reset(&mut self, config: &Config) {
        self.form = Form::from_config(config);
        self.result = None;
        self.editing = None;
    }

    /// Leaving the page: a field half typed on the keyboard is dropped.
    pub fn leave(&mut self) {
        self.editing = None;
    }

    /// Handles one message; `config` is the settings in force (what the form changes).
    pub fn update(&mut self, message: Message, config: &Config) -> Action {
        match message {
            Message::Field(field, value) => {
                self.form.set(field, value);
                self.result = None;
            }
            Message::Edit(field) => {
                let mut composer = Composer::with_text(self.form.get(field), 300);
                // Names are Vietnamese; numbers and addresses are typed as they are.
                if !matches!(
                    field,
                    Field::Facility | Field::Kiosk | Field::Point | Field::Departments
                ) {
                    composer.set_mode(Mode::Plain);
                }
                self.editing = Some((field, composer));
            }
            Message::EditDone => {
                if let Some((field, composer)) = self.editing.take() {
                    self.form.set(field, composer.text());
                    self.result = None;
                }
            }
            Message::EditCancel => self.editing = None,
            Message::Key(key) => {
                if let Some((_, composer)) = &mut self.editing {
                    keyboard::press(composer, key);
                }
            }
            Message::HardKey(key) if self.new_pin.is_some() => {
                // The new-PIN pad takes a USB keyboard like the other PIN pads.
                let mut action = Action::None;
                for key in crate::kiosk::screen::pin::keys_of(key) {
                    let message = match key {
                        PinKey::Digit(d) => Message::NewPinDigit(d),
                        PinKey::Delete => Message::NewPinDelete,
                        PinKey::Submit => Message::NewPinNext,
                        PinKey::Cancel => Message::NewPinCancel,
                    };
                    action = self.update(message, config);
                }
                return action;
            }
            Message::HardKey(key) => {
                if let Some((_, composer)) = &mut self.editing {
                    keyboard::type_hard(composer, key);
                }
            }
            Message::Locale(locale) => self.form.locale = locale,
            Message::Questionnaire(id) => self.form.questionnaire = id,
            Message::Save => return self.save(config),
            Message::Saved(result) => {
                let new_pin = result.is_ok() && self.pending_pin.is_some();
                self.pending_pin = None;
                match result {
                    Ok((config, questionnaire)) => {
                        self.result = Some(Ok(()));
                        return Action::Apply {
                            config,
                            questionnaire,
                            new_pin,
                        };
                    }
                    Err(failure) => self.result = Some(Err(Problem::Failed(failure))),
                }
            }
            Message::ChangePin => self.new_pin = Some(NewPin::default()),
            Message::NewPinDigit(d) => {
                if let Some(p) = &mut self.new_pin
                    && p.typed.len() < *pin::PIN_LEN.end()
                {
                    p.typed.push(d);
                    p.problem = false;
                }
            }
            Message::NewPinDelete => {
                if let Some(p) = &mut self.new_pin {
                    p.typed.pop();
                }
            }
            Message::NewPinNext => return self.next_pin(config),
            Message::NewPinCancel => self.new_pin = None,
        }
        Action::None
    }

    fn save(&mut self, config: &Config) -> Action {
        match self.form.to_config(config) {
            Ok(new) => Action::Save {
                config: Box::new(new),
                new_pin: self.pending_pin.clone(),
            },
            Err(problem) => {
                self.result = Some(Err(problem));
                Action::None
            }
        }
    }

    fn next_pin(&mut self, config: &Config) -> Action {
        let Some(p) = &mut self.new_pin else {
            return Action::None;
        };
        if !pin::is_valid_new_pin(&p.typed) {
            p.problem = true;
            p.typed.clear();
            return Action::None;
        }
        match p.first.take() {
            None => {
                p.first = Some(std::mem::take(&mut p.typed));
                Action::None
            }
            Some(first) if first == p.typed => {
                self.new_pin = None;
                self.pending_pin = Some(first);
                // The PIN is saved with the settings as they are now (the form's edits too,
                // if they are valid; otherwise the form says why and nothing is written).
                let action = self.save(config);
                if matches!(action, Action::None) {
                    self.pending_pin = None;
                }
                action
            }
            Some(_) => {
                p.typed.clear();
                p.problem = true;
                Action::None
            }
        }
    }

    /// Draws the page, offering the questionnaires of `catalog`.
    pub fn view<'a>(&'a self, m: Metrics, locale: Locale, catalog: &'a Catalog) -> Element<'a, Message> {
        view(m, locale, self, catalog)
    }
}

fn view<'a>(m: Metrics, locale: Locale, page: &'a Settings, catalog: &'a Catalog) -> Element<'a, Message> {
    if let Some(new_pin) = &page.new_pin {
        return pin_pad(m, locale, new_pin);
    }
    if let Some((field, composer)) = &page.editing {
        return editor(m, locale, *field, composer);
    }
    let form = &page.form;
    let field = |id: crate::i18n::Id, f: Field| {
        row![
            text(tr(locale, id)).size(m.px(22.0)).width(m.px(420.0)),
            // Typed on a USB keyboard if one is plugged in, or on the screen's keyboard.
            text_input("", form.get(f))
                .on_input(move |v| Message::Field(f, v))
                .size(m.px(22.0))
                .padding(m.px(10.0))
                .width(Fill),
            action(m, tr(locale, id!("settings-edit")), Some(Message::Edit(f)), false),
        ]
        .spacing(m.px(16.0))
        .align_y(Center)
    };
    // Each questionnaire by its title, with its id (what hailong.toml and reports name) beside,
    // two to a row.
    let offered: Vec<_> = catalog
        .all()
        .filter(|q| questionnaires_seen(catalog, &q.id, q.version))
        .collect();
    let mut questionnaires = Column::new().spacing(m.px(8.0));
    for pair in offered.chunks(2) {
        let mut line = Row::new().spacing(m.px(8.0));
        for q in pair {
            let chosen = form.questionnaire == q.id;
            let id_color = if chosen { iced::Color::WHITE } else { theme::MUTED };
            let label = row![
                text(q.title.get(locale)).size(m.px(22.0)),
                text(q.id.clone()).size(m.px(18.0)).color(id_color),
            ]
            .spacing(m.px(12.0))
            .align_y(Center);
            line = line.push(
                button(label)
                    .padding([m.px(10.0), m.px(18.0)])
                    .style(theme::language(chosen))
                    .on_press(Message::Questionnaire(q.id.clone())),
            );
        }
        questionnaires = questionnaires.push(line);
    }
    let languages = row![
        tab(
            m,
            tr(locale, id!("lang-vi")),
            form.locale == Locale::Vi,
            Message::Locale(Locale::Vi)
        ),
        tab(
            m,
            tr(locale, id!("lang-en")),
            form.locale == Locale::En,
            Message::Locale(Locale::En)
        ),
    ]
    .spacing(m.px(8.0));
    let labelled = |id: crate::i18n::Id, e: Element<'a, Message>| {
        row![text(tr(locale, id)).size(m.px(22.0)).width(m.px(420.0)), e]
            .spacing(m.px(16.0))
            .align_y(Center)
    };
    let mut content = Column::new()
        .spacing(m.px(14.0))
        .push(field(id!("settings-facility"), Field::Facility))
        .push(field(id!("settings-kiosk"), Field::Kiosk))
        .push(field(id!("settings-point"), Field::Point))
        .push(field(id!("settings-departments"), Field::Departments))
        .push(labelled(id!("settings-questionnaire"), questionnaires.into()))
        .push(labelled(id!("settings-language"), languages.into()))
        .push(field(id!("settings-idle"), Field::IdleTimeout))
        .push(field(id!("settings-url"), Field::ThankYouUrl))
        .push(field(id!("settings-target"), Field::Target))
        .push(
            row![
                action(m, tr(locale, id!("settings-save")), Some(Message::Save), true),
                action(
                    m,
                    tr(locale, id!("settings-change-pin")),
                    Some(Message::ChangePin),
                    false
                ),
            ]
            .spacing(m.px(16.0)),
        );
    match &page.result {
        Some(Ok(())) => {
            content = content.push(
                text(tr(locale, id!("settings-saved")))
                    .size(m.px(22.0))
                    .font(BOLD)
                    .color(theme::SUCCESS),
            )
        }
        Some(Err(problem)) => {
            content = content.push(
                text(format!(
                    "{} {}",
                    tr(locale, id!("settings-invalid")),
                    problem.describe(locale)
                ))
                .size(m.px(22.0))
                .font(BOLD)
                .color(theme::DANGER),
            )
        }
        None => {}
    }
    scrollable(container(content).padding(m.px(26.0)).width(Fill).style(theme::card))
        .height(Fill)
        .into()
}

/// One field typed on the on-screen keyboard (kiosks rarely have a real one).
fn editor<'a>(m: Metrics, locale: Locale, field: Field, composer: &'a Composer) -> Element<'a, Message> {
    let typed = composer.text();
    let content = column![
        text(tr(locale, field.label_id())).size(m.px(28.0)).font(BOLD),
        container(text(typed).size(m.px(30.0)))
            .padding(m.px(16.0))
            .width(Fill)
            .style(theme::card),
        keyboard::keys(m, locale, composer, ":/-_@&=%#", Message::Key),
        row![
            action(m, tr(locale, id!("settings-edit-done")), Some(Message::EditDone), true),
            action(m, tr(locale, id!("pin-cancel")), Some(Message::EditCancel), false),
        ]
        .spacing(m.px(16.0)),
    ]
    .spacing(m.px(14.0));
    container(content).padding(m.px(20.0)).width(Fill).into()
}

/// Only the latest version of each id is offered (older ones stay readable in reports).
fn questionnaires_seen(catalog: &Catalog, id: &str, version: u32) -> bool {
    catalog.latest(id).is_ok_and(|q| q.version == version)
}

fn pin_pad<'a>(m: Metrics, locale: Locale, p: &'a NewPin) -> Element<'a, Message> {
    let prompt = if p.first.is_none() {
        id!("settings-pin-first")
    } else {
        id!("settings-pin-again")
    };
    let key = |label: String, message: Message| {
        button(text(label).size(m.px(32.0)).font(BOLD).center().width(Fill))
            .width(Fill)
            .padding(m.px(18.0))
            .style(theme::option)
            .on_press(message)
    };
    let mut pad = Column::new().spacing(m.px(12.0)).width(Fill);
    for r in [['1', '2', '3'], ['4', '5', '6'], ['7', '8', '9']] {
        pad = pad.push(
            Row::from_vec(
                r.iter()
                    .map(|d| key(d.to_string(), Message::NewPinDigit(*d)).into())
                    .collect(),
            )
            .spacing(m.px(12.0))
            .width(Fill),
        );
    }
    pad = pad.push(
        row![
            key(tr(locale, id!("pin-delete")), Message::NewPinDelete),
            key("0".into(), Message::NewPinDigit('0')),
            key(tr(locale, id!("pin-ok")), Message::NewPinNext),
        ]
        .spacing(m.px(12.0))
        .width(Fill),
    );
    let mut col = column![
        text(tr(locale, prompt)).size(m.px(30.0)).font(BOLD),
        text("●  ".repeat(p.typed.len())).size(m.px(36.0)),
    ]
    .spacing(m.px(16.0))
    .width(m.px(520.0));
    if p.problem {
        col = col.push(
            text(tr(locale, id!("settings-pin-problem")))
                .size(m.px(22.0))
                .color(theme::DANGER),
        );
    }
    col = col.push(pad).push(action(
        m,
        tr(locale, id!("pin-cancel")),
        Some(Message::NewPinCancel),
        false,
    ));
    container(col).padding(m.px(26.0)).style(theme::card).into()
}
