//! The screen a kiosk that cannot start shows (a bad `hailong.toml`, questionnaire or
//! database), and the way out of it for staff: in fullscreen nothing else leads out.
//!
//! When a PIN hash can be read from the settings file (even one that failed to load: only
//! `staff_pin_hash` is looked for), the same gesture as on the welcome screen (five taps on the
//! top-left corner within 3 s) opens the PIN pad, and the right PIN offers "Thoát ứng dụng".
//! Without a readable PIN, Ctrl+Alt+Q on a USB keyboard quits. Either way the kiosk ends with
//! exit status 3 ([`Exit::LeftFailure`](crate::kiosk::Exit::LeftFailure)): a failure to the
//! service manager (it did not run), but one README's unit does not restart
//! (`RestartPreventExitStatus=3`), so staff have the machine to fix the problem on, and start
//! the kiosk again afterwards.

use std::path::Path;
use std::time::Instant;

use iced::widget::{button, column, container, stack};
use iced::{Event, Fill, event, keyboard, window};

use crate::config::ConfigError;
use crate::i18n::{tr, tr_args};
use crate::kiosk::app::Message;
use crate::kiosk::problem::{IoCause, StoreProblem};
use crate::kiosk::screen::pin::{PinEntry, PinKey};
use crate::kiosk::screen::{self, BOLD, Element, text};
use crate::kiosk::staff::pin;
use crate::kiosk::theme::{self, Metrics};
use crate::survey::Locale;
use crate::survey::load::LoadError;

/// Why the kiosk cannot start: typed, so the screen says it (and what staff can do) in the
/// kiosk's language from `i18n/`; its `Display` is the same in English, for the journal.
#[derive(Debug, Clone, PartialEq)]
pub enum StartError {
    /// The data directory cannot be made.
    DataDir {
        /// The directory.
        dir: std::path::PathBuf,
        /// Why.
        cause: IoCause,
    },
    /// `hailong.toml` cannot be read or breaks a rule.
    Config(ConfigError),
    /// A questionnaire file is wrong, or the configured one does not exist.
    Questionnaire(LoadError),
    /// The database cannot be opened, or holds answers to another meaning of the questionnaire.
    Store(StoreProblem),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe(Locale::En))
    }
}

impl std::error::Error for StartError {}

impl StartError {
    /// What is wrong, in `locale`.
    pub fn describe(&self, locale: Locale) -> String {
        match self {
            StartError::DataDir { dir, cause } => tr_args(
                locale,
                id!("start-data-dir"),
                &[
                    ("dir", dir.display().to_string().into()),
                    ("cause", cause.describe(locale).into()),
                ],
            ),
            StartError::Config(e) => e.describe(locale),
            StartError::Questionnaire(e) => describe_load_error(e, locale),
            StartError::Store(p) => p.describe(locale),
        }
    }

    /// What staff can do about it, in `locale`.
    pub fn advice(&self, locale: Locale) -> String {
        match self {
            StartError::DataDir { .. } => tr(locale, id!("start-advice-data-dir")),
            StartError::Config(_) => tr(locale, id!("start-advice-config")),
            StartError::Questionnaire(LoadError::Unknown(..)) => tr(locale, id!("start-advice-questionnaire-unknown")),
            StartError::Questionnaire(_) => tr(locale, id!("start-advice-questionnaire")),
            StartError::Store(p) => p.advice(locale),
        }
    }
}

/// A questionnaire's load error in `locale`: file, line and field stay as they are (for whoever
/// edits the file); the parser's own message stays in its words (English), as for `hailong.toml`.
pub fn describe_load_error(e: &LoadError, locale: Locale) -> String {
    match e {
        LoadError::Invalid {
            file,
            line,
            field,
            message,
        } => tr_args(
            locale,
            id!("questionnaire-invalid"),
            &[
                ("file", file.clone().into()),
                ("line", line.to_string().into()),
                ("field", field.clone().into()),
                ("message", message.clone().into()),
            ],
        ),
        LoadError::Io { file, message } => tr_args(
            locale,
            id!("questionnaire-unreadable"),
            &[("file", file.clone().into()), ("error", message.clone().into())],
        ),
        LoadError::Conflict { file, key, other } => tr_args(
            locale,
            id!("questionnaire-conflict"),
            &[
                ("file", file.clone().into()),
                ("key", key.clone().into()),
                ("other", other.clone().into()),
            ],
        ),
        LoadError::Unknown(id, available) => tr_args(
            locale,
            id!("questionnaire-unknown"),
            &[("id", id.clone().into()), ("available", available.clone().into())],
        ),
    }
}

/// What the failure screen asks its runner to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing.
    None,
    /// Check `pin` against `hash` and report back with [`Message::PinChecked`].
    CheckPin {
        /// The hash read from the settings file.
        hash: String,
        /// What was typed.
        pin: String,
    },
    /// Quit the application (with the failure's exit status).
    Quit,
}

/// Where the failure screen is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    /// The problem, for staff.
    Problem,
    /// The PIN pad.
    Pin(PinEntry),
    /// The PIN was right: "Thoát ứng dụng".
    Unlocked,
}

/// A kiosk that cannot start.
#[derive(Debug)]
pub struct Failure {
    problem: StartError,
    pin_hash: Option<String>,
    stage: Stage,
    corner_taps: Vec<Instant>,
    guard: pin::Guard,
    locale: Locale,
    quit: bool,
    exit: Option<std::sync::Arc<std::sync::Mutex<crate::kiosk::Exit>>>,
}

impl Failure {
    /// The screen for `problem`, with the PIN hash and the language read from `config_path` if
    /// they are there.
    pub fn new(problem: StartError, config_path: &Path) -> Failure {
        Failure {
            problem,
            pin_hash: read_pin_hash(config_path),
            stage: Stage::Problem,
            corner_taps: Vec::new(),
            guard: pin::Guard::default(),
            locale: read_locale(config_path),
            quit: false,
            exit: None,
        }
    }

    /// What is wrong.
    pub fn problem(&self) -> &StartError {
        &self.problem
    }

    /// Whether staff asked to quit.
    pub fn quit_requested(&self) -> bool {
        self.quit
    }

    /// Where to record how the application ends once staff quit (the runner reads it after
    /// the window has closed).
    pub fn report_exit_to(&mut self, slot: std::sync::Arc<std::sync::Mutex<crate::kiosk::Exit>>) {
        self.exit = Some(slot);
    }

    fn quit(&mut self) -> Action {
        self.quit = true;
        if let Some(slot) = &self.exit {
            *slot.lock().unwrap_or_else(|p| p.into_inner()) = crate::kiosk::Exit::LeftFailure(self.problem.to_string());
        }
        Action::Quit
    }

    /// Whether a PIN guards the way out (else [`key`] quits).
    pub fn has_pin(&self) -> bool {
        self.pin_hash.is_some()
    }

    /// Handles one message.
    pub fn update(&mut self, message: Message) -> Action {
        let now = Instant::now();
        match message {
            Message::QuitKey if self.pin_hash.is_none() => return self.quit(),
            Message::CornerTap if self.stage == Stage::Problem && self.pin_hash.is_some() => self.corner_tap(now),
            Message::Pin(key) => return self.pin_key(key, now),
            Message::PinChecked(ok) => {
                if let Stage::Pin(entry) = &mut self.stage {
                    self.guard.record(ok, now);
                    if ok {
                        self.stage = Stage::Unlocked;
                    } else {
                        *entry = PinEntry {
                            wrong: true,
                            ..PinEntry::default()
                        };
                    }
                }
            }
            Message::Quit if self.stage == Stage::Unlocked => return self.quit(),
            _ => {}
        }
        Action::None
    }

    /// The corner gesture, as on the welcome screen, opens the PIN pad.
    fn corner_tap(&mut self, now: Instant) {
        if crate::kiosk::screen::welcome::counts_corner_tap(&mut self.corner_taps, now) {
            self.stage = Stage::Pin(PinEntry::default());
        }
    }

    fn pin_key(&mut self, key: PinKey, now: Instant) -> Action {
        let (Stage::Pin(entry), Some(hash)) = (&mut self.stage, &self.pin_hash) else {
            return Action::None;
        };
        match key {
            PinKey::Cancel => self.stage = Stage::Problem,
            _ if entry.checking || self.guard.locked_for(now).is_some() => {}
            _ => {
                if let Some(pin) = entry.press(key) {
                    return Action::CheckPin {
                        hash: hash.clone(),
                        pin,
                    };
                }
            }
        }
        Action::None
    }

    /// Draws the screen.
    pub fn view(&self) -> Element<'_> {
        let m = Metrics::for_size(iced::Size::new(1920.0, 1080.0));
        let locale = self.locale;
        match &self.stage {
            Stage::Pin(entry) => {
                let locked = self.guard.locked_for(Instant::now());
                let page = screen::pin::pad_view(m, locale, entry, true, locked).map(Message::Pin);
                container(page).padding(48).style(theme::page(false)).into()
            }
            Stage::Unlocked => {
                let content = column![
                    text(tr(locale, id!("error-title"))).size(44).font(BOLD),
                    text(tr(locale, id!("error-quit-explained")))
                        .size(26)
                        .color(theme::MUTED),
                    button(
                        text(tr(locale, id!("staff-quit")))
                            .size(30)
                            .font(BOLD)
                            .center()
                            .width(Fill)
                    )
                    .padding(22)
                    .width(Fill)
                    .style(theme::primary)
                    .on_press(Message::Quit),
                    button(text(tr(locale, id!("pin-cancel"))).size(28).center().width(Fill))
                        .padding(18)
                        .width(Fill)
                        .style(theme::secondary)
                        .on_press(Message::Pin(PinKey::Cancel)),
                ]
                .spacing(24)
                .max_width(900);
                container(content)
                    .center(Fill)
                    .padding(48)
                    .style(theme::page(false))
                    .into()
            }
            Stage::Problem => {
                let way_out = if self.pin_hash.is_some() {
                    id!("error-way-out-pin")
                } else {
                    id!("error-way-out-key")
                };
                let body = screen::failure(
                    locale,
                    self.problem.describe(locale),
                    self.problem.advice(locale),
                    tr(locale, way_out),
                );
                let corner = button(iced::widget::space().width(120).height(120))
                    .padding(0)
                    .style(theme::invisible)
                    .on_press(Message::CornerTap);
                stack![body, corner].into()
            }
        }
    }
}

/// The PIN pad's keys for a key of a USB keyboard: digits, Backspace, Enter, Escape.
pub fn pin_keys(key: crate::kiosk::app::HardKey) -> Vec<Message> {
    screen::pin::keys_of(key).into_iter().map(Message::Pin).collect()
}

/// The documented way out without a PIN: Ctrl+Alt+Q (by the key's place, so any layout).
pub fn key(event: Event, _: event::Status, _: window::Id) -> Option<Message> {
    let Event::Keyboard(keyboard::Event::KeyPressed {
        key,
        physical_key,
        modifiers,
        ..
    }) = event
    else {
        return None;
    };
    let q = matches!(physical_key, keyboard::key::Physical::Code(keyboard::key::Code::KeyQ))
        || matches!(key.as_ref(), keyboard::Key::Character("q" | "Q"));
    (q && modifiers.control() && modifiers.alt()).then_some(Message::QuitKey)
}

/// The `staff_pin_hash` of the settings file, if it holds a valid one (see [`read_setting`]).
pub fn read_pin_hash(config_path: &Path) -> Option<String> {
    read_setting(config_path, "staff_pin_hash").filter(|hash| crate::pin::is_pin_hash(hash))
}

/// The language the settings file asks for (`default_locale`), so that a kiosk that cannot start
/// still speaks to staff as it was set to; Vietnamese when the file names none it can read.
pub fn read_locale(config_path: &Path) -> Locale {
    read_setting(config_path, "default_locale")
        .and_then(|tag| Locale::from_tag(&tag))
        .unwrap_or_default()
}

/// The string setting `key` of the settings file: from the file parsed as TOML when it is
/// (whatever else is wrong with it), else from a line `key = "…"`.
pub fn read_setting(config_path: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(config_path).ok()?;
    let from_toml = text
        .parse::<toml_edit::DocumentMut>()
        .ok()
        .and_then(|doc| doc.get(key)?.as_str().map(str::to_string));
    from_toml.or_else(|| {
        text.lines().find_map(|line| {
            let rest = line.trim_start().strip_prefix(key)?.trim_start();
            let value = rest.strip_prefix('=')?.trim();
            let value = value.strip_prefix('"')?;
            Some(value[..value.find('"')?].to_string())
        })
    })
}
