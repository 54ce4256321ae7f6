//! The kiosk's state and its update: which screen is up, idle handling, rapid repeats and the
//! queue of responses waiting to be saved. No I/O here: saving is an [`Effect`] the caller runs
//! as a task (the app) or directly (tests).

use std::sync::Arc;
use std::time::{Duration, Instant};

use iced::Size;
use iced::widget::{qr_code, svg};

use crate::config::Config;
use crate::kiosk::saver::{Queued, SaveOutcome, SharedStore};
use crate::kiosk::session::{self, Input, Session};
use crate::kiosk::staff::{self, Staff, pin};
use crate::kiosk::sync_worker::SyncEvent;
use crate::kiosk::theme::Metrics;
use crate::kiosk::typing::Mode;
use crate::survey::{Catalog, Locale, Questionnaire, Response, Status};

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
/// Pause between attempts to save responses that failed to save.
pub const RETRY: Duration = Duration::from_secs(5);
/// Staff mode (and the PIN pad) close after this long without a touch.
pub const STAFF_IDLE: Duration = Duration::from_secs(120);
/// The hidden gesture: this many taps on the top-left corner of the welcome screen…
pub const CORNER_TAPS: usize = 5;
/// …within this long.
pub const CORNER_WINDOW: Duration = Duration::from_secs(3);

/// What the kiosk needs to run: settings, the questionnaire it asks, its store.
#[derive(Clone)]
pub struct Setup {
    /// The kiosk's settings.
    pub config: Config,
    /// The questionnaire named by the settings.
    pub questionnaire: Arc<Questionnaire>,
    /// Where responses go.
    pub store: SharedStore,
    /// Every questionnaire the kiosk can ask (for the settings page).
    pub catalog: Arc<Catalog>,
    /// The data directory (an export destination).
    pub data_dir: std::path::PathBuf,
    /// The settings file staff mode writes.
    pub config_path: std::path::PathBuf,
    /// Where removable drives are mounted.
    pub export_roots: Vec<std::path::PathBuf>,
    /// The facility's date to use instead of the clock's (tests and screenshots only).
    pub today: Option<chrono::NaiveDate>,
    /// Wakes the background sync worker for a round now ("Đồng bộ ngay").
    pub sync_wake: Arc<tokio::sync::Notify>,
    /// Where the kiosk reads the time of a touch (the system clock; tests move their own).
    pub clock: Clock,
}

/// The kiosk's notion of "now" for touches and answers: the system's monotonic clock, or a
/// clock moved by hand, so tests can tap "200 ms later" without sleeping. Clock ticks
/// ([`Message::Tick`]) carry their own time either way.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<std::sync::Mutex<Instant>>>);

impl Clock {
    /// A clock that stands at `start` until [`advance`](Clock::advance)d.
    pub fn manual(start: Instant) -> Clock {
        Clock(Some(Arc::new(std::sync::Mutex::new(start))))
    }

    /// The time now.
    pub fn now(&self) -> Instant {
        match &self.0 {
            None => Instant::now(),
            Some(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Moves a manual clock on by `by` (the system clock moves by itself).
    pub fn advance(&self, by: Duration) {
        if let Some(t) = &self.0 {
            *t.lock().unwrap_or_else(|p| p.into_inner()) += by;
        }
    }
}

impl Setup {
    /// Today in the facility's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Utc::now().with_timezone(&self.config.timezone.0).date_naive())
    }
}

/// A key of the on-screen keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPress {
    /// A letter, digit or punctuation key.
    Char(char),
    /// The space bar.
    Space,
    /// Delete the last character.
    Delete,
    /// Capitalise the next letter.
    Shift,
    /// Capitalise every letter until pressed again.
    CapsLock,
    /// Type in this mode (the key of the mode on is highlighted).
    Mode(Mode),
}

/// A key of a real (USB) keyboard, as the kiosk reads it ([`crate::kiosk::hard_key`]): it
/// types on the PIN pad and the comment screens as the on-screen keys do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HardKey {
    /// Text the key typed (with the keyboard's own Shift and Caps Lock applied).
    Text(String),
    /// Backspace.
    Backspace,
    /// Enter: submit the PIN, or go on from a comment.
    Enter,
    /// Escape: leave the PIN pad.
    Escape,
}

/// Everything that can happen to the kiosk.
#[derive(Debug, Clone)]
pub enum Message {
    /// A language button on the welcome screen.
    Locale(Locale),
    /// The start button.
    Start,
    /// An answer, Back, Continue… on a survey screen.
    Survey(Input),
    /// A key of the on-screen keyboard.
    Key(KeyPress),
    /// A key of a real keyboard.
    HardKey(HardKey),
    /// "Done" on the thank-you screen (or a tap anywhere on it).
    ThanksDone,
    /// "I am still here".
    StillHere,
    /// Any touch or click anywhere, even off the buttons.
    Touched,
    /// The clock (idle checks, timed screens, retries).
    Tick(Instant),
    /// A save task finished.
    Saved(SaveOutcome),
    /// The window changed size.
    Resized(Size),
    /// A frame is being drawn (only listened to by the startup probe).
    Frame,
    /// The start task loaded the settings, questionnaire and store (or could not).
    Started(Box<crate::kiosk::Started>),
    /// A tap on the hidden top-left corner of the welcome screen.
    CornerTap,
    /// A key of the PIN pad.
    Pin(PinKey),
    /// The PIN check finished.
    PinChecked(bool),
    /// The PIN hash read again from the settings file as the pad opened, or why it could not be.
    PinHashRead(Result<String, String>),
    /// Something in staff mode.
    Staff(staff::Message),
    /// The background sync finished a round.
    Sync(crate::kiosk::sync_worker::SyncEvent),
    /// Ctrl+Alt+Q on a keyboard (leaves a failure screen that no PIN guards).
    QuitKey,
    /// "Thoát ứng dụng" on a failure screen, after the PIN.
    Quit,
}

/// A key of the PIN pad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinKey {
    /// 0–9.
    Digit(char),
    /// Delete the last digit.
    Delete,
    /// Check the PIN.
    Submit,
    /// Back to the welcome screen.
    Cancel,
}

impl Message {
    /// Whether this is a person touching the screen (as opposed to the clock or a background
    /// job reporting back): only these count against the idle timeouts.
    pub fn is_touch(&self) -> bool {
        match self {
            Message::Tick(_)
            | Message::Saved(_)
            | Message::Resized(_)
            | Message::Frame
            | Message::Started(_)
            | Message::PinChecked(_)
            | Message::PinHashRead(_) => false,
            Message::Staff(m) => !matches!(
                m,
                staff::Message::Loaded(_)
                    | staff::Message::Drives(_)
                    | staff::Message::ExportDone(_)
                    | staff::Message::SyncLoaded(_)
                    | staff::Message::SettingsSaved(_)
            ),
            _ => true,
        }
    }
}

/// Work the kiosk asks its runner to do.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Nothing.
    None,
    /// Save these responses (in one transaction, each against the questionnaire it was answered
    /// on) and report back with [`Message::Saved`].
    Save(Vec<Queued>),
    /// Check a PIN against the hash and report back with [`Message::PinChecked`].
    CheckPin {
        /// The configured hash.
        hash: String,
        /// What was typed.
        pin: String,
    },
    /// Read the PIN hash from the settings file again and report back with
    /// [`Message::PinHashRead`].
    ReadPinHash,
    /// Staff mode's background work.
    Staff(staff::Request),
}

/// What is on screen.
#[derive(Debug)]
pub enum Screen {
    /// Facility name, invitation, start and language buttons.
    Welcome,
    /// A patient is answering.
    Survey(Box<Session>),
    /// Thanks and QR code, since the given moment.
    Thanks(Instant),
    /// The staff PIN pad.
    Pin(PinEntry),
    /// Staff mode.
    Staff(Box<Staff>),
}

/// How the background sync is doing, for staff mode.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncState {
    /// When the outbox was last emptied.
    pub last_success: Option<chrono::DateTime<chrono::Utc>>,
    /// The last round's error, until a round succeeds.
    pub last_error: Option<crate::sync::client::Error>,
    /// Staff asked for a round ("Đồng bộ ngay") and the worker has not reported since.
    pub running: bool,
    /// The last chain audit: when, and what the centre found.
    pub last_audit: Option<(chrono::DateTime<chrono::Utc>, crate::sync::AuditResult)>,
    /// The kiosk's clock minus the centre's, as last measured.
    pub clock_offset: Option<chrono::TimeDelta>,
}

/// The PIN being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PinEntry {
    /// Digits so far.
    pub typed: String,
    /// Waiting for the check.
    pub checking: bool,
    /// The last PIN was wrong.
    pub wrong: bool,
}

impl PinEntry {
    /// Applies a digit, Delete or Submit while the pad takes input (Cancel is the caller's);
    /// returns the typed PIN, now waiting for its check, when it is submitted.
    pub fn press(&mut self, key: PinKey) -> Option<String> {
        match key {
            PinKey::Digit(d) if self.typed.len() < *pin::PIN_LEN.end() => {
                self.typed.push(d);
                self.wrong = false;
            }
            PinKey::Delete => {
                self.typed.pop();
            }
            PinKey::Submit if !self.typed.is_empty() => {
                self.checking = true;
                return Some(std::mem::take(&mut self.typed));
            }
            _ => {}
        }
        None
    }
}

/// Types a real keyboard's key into `composer` (Enter and Escape are the screen's).
fn type_hard(composer: &mut crate::kiosk::typing::Composer, key: HardKey) {
    match key {
        HardKey::Text(text) => text.chars().for_each(|c| composer.typed(c)),
        HardKey::Backspace => composer.backspace(),
        HardKey::Enter | HardKey::Escape => {}
    }
}

/// The running kiosk.
pub struct Kiosk {
    setup: Setup,
    locale: Locale,
    screen: Screen,
    metrics: Metrics,
    clock: Instant,
    last_touch: Instant,
    still_there: Option<Instant>,
    noted: Option<Instant>,
    /// When the survey screen on display appeared ([`ANSWER_GUARD`]).
    step_shown: Instant,
    last_complete: Option<Response>,
    pending: Vec<Queued>,
    saving: bool,
    last_attempt: Option<Instant>,
    save_error: Option<crate::kiosk::problem::StoreProblem>,
    qr: Option<qr_code::Data>,
    flip: bool,
    corner_taps: Vec<Instant>,
    sync: SyncState,
    pin_guard: pin::Guard,
    /// Digits of the PIN last submitted on the pad.
    pin_submitted: usize,
    faces: [svg::Handle; 5],
}

impl Kiosk {
    /// A kiosk on its welcome screen, laid out for a window of `size`.
    pub fn new(setup: Setup, size: Size) -> Kiosk {
        let qr = (!setup.config.thank_you_url.is_empty())
            .then(|| qr_code::Data::new(setup.config.thank_you_url.as_bytes()).ok())
            .flatten();
        let now = setup.clock.now();
        Kiosk {
            locale: setup.config.default_locale,
            setup,
            screen: Screen::Welcome,
            metrics: Metrics::for_size(size),
            clock: now,
            last_touch: now,
            still_there: None,
            noted: None,
            step_shown: now,
            last_complete: None,
            pending: Vec::new(),
            saving: false,
            last_attempt: None,
            save_error: None,
            qr,
            flip: false,
            corner_taps: Vec::new(),
            sync: SyncState::default(),
            pin_guard: pin::Guard::default(),
            pin_submitted: 0,
            faces: crate::kiosk::screen::faces(),
        }
    }

    /// Handles one message.
    pub fn update(&mut self, message: Message) -> Effect {
        match message {
            Message::Tick(now) => return self.tick(now),
            Message::Saved(outcome) => return self.saved(outcome),
            Message::Resized(size) => {
                self.metrics = Metrics::for_size(size);
                return Effect::None;
            }
            Message::Frame => return Effect::None,
            Message::Sync(event) => {
                self.sync.running = false;
                match event {
                    SyncEvent::Synced(at) => {
                        self.sync.last_success = Some(at);
                        self.sync.last_error = None;
                    }
                    SyncEvent::Failed(e) => self.sync.last_error = Some(e),
                    SyncEvent::Audited { at, result } => self.sync.last_audit = Some((at, result)),
                    SyncEvent::Clock(offset) => self.sync.clock_offset = offset,
                }
                // The Sync page shows the queue: count it again.
                return match &self.screen {
                    Screen::Staff(s) if s.page == staff::Page::Sync => Effect::Staff(staff::Request::LoadSync),
                    _ => Effect::None,
                };
            }
            _ => {}
        }
        let now = self.setup.clock.now();
        self.clock = now;
        if message.is_touch() {
            self.flip = !self.flip;
            self.last_touch = now;
            self.still_there = None;
        }
        match message {
            Message::CornerTap => return self.corner_tap(now),
            Message::Pin(key) => return self.pin_key(key),
            Message::PinChecked(ok) => return self.pin_checked(ok, now),
            Message::PinHashRead(read) => self.pin_hash_read(read),
            Message::Staff(m) => return self.staff(m),
            Message::Locale(locale) if matches!(self.screen, Screen::Welcome) => self.locale = locale,
            Message::Start if matches!(self.screen, Screen::Welcome) => {
                let session = Session::new(
                    self.setup.questionnaire.clone(),
                    self.locale,
                    &self.setup.config.departments,
                );
                self.screen = Screen::Survey(Box::new(session));
                self.step_shown = now;
            }
            // The question comes back under the finger that tapped "I am still here".
            Message::StillHere => self.step_shown = now,
            Message::Survey(input) => return self.survey(input, now),
            Message::Key(key) => self.key(key),
            Message::HardKey(key) => return self.hard_key(key, now),
            Message::ThanksDone if matches!(self.screen, Screen::Thanks(_)) => self.reset(),
            _ => {}
        }
        Effect::None
    }

    fn corner_tap(&mut self, now: Instant) -> Effect {
        if !matches!(self.screen, Screen::Welcome) {
            return Effect::None;
        }
        self.corner_taps
            .retain(|t| now.saturating_duration_since(*t) < CORNER_WINDOW);
        self.corner_taps.push(now);
        if self.corner_taps.len() >= CORNER_TAPS {
            self.corner_taps.clear();
            self.screen = Screen::Pin(PinEntry::default());
            // A PIN set (or changed) with `hailong kiosk set-pin` since the start applies now.
            return Effect::ReadPinHash;
        }
        Effect::None
    }

    fn pin_hash_read(&mut self, read: Result<String, String>) {
        match read {
            Ok(hash) => self.setup.config.staff_pin_hash = hash,
            // A file broken since the start: the PIN the kiosk started with still works.
            Err(e) => eprintln!("hailong: cannot read the staff PIN from the settings: {e}"),
        }
    }

    fn pin_key(&mut self, key: PinKey) -> Effect {
        let Screen::Pin(entry) = &mut self.screen else {
            return Effect::None;
        };
        let hash = &self.setup.config.staff_pin_hash;
        match key {
            PinKey::Cancel => self.reset(),
            _ if entry.checking || hash.is_empty() || self.pin_guard.locked_for(self.clock).is_some() => {}
            _ => {
                if let Some(pin) = entry.press(key) {
                    self.pin_submitted = pin.len();
                    return Effect::CheckPin {
                        hash: hash.clone(),
                        pin,
                    };
                }
            }
        }
        Effect::None
    }

    fn pin_checked(&mut self, ok: bool, now: Instant) -> Effect {
        let Screen::Pin(entry) = &mut self.screen else {
            return Effect::None;
        };
        self.pin_guard.record(ok, now);
        if ok {
            let (mut staff, request) = Staff::open(&self.setup.config);
            // A 4- or 5-digit PIN of an older version still opens; staff are asked to change it.
            staff.short_pin = (self.pin_submitted < *pin::NEW_PIN_LEN.start()).then_some(self.pin_submitted);
            self.screen = Screen::Staff(Box::new(staff));
            Effect::Staff(request)
        } else {
            *entry = PinEntry {
                wrong: true,
                ..PinEntry::default()
            };
            Effect::None
        }
    }

    fn staff(&mut self, message: staff::Message) -> Effect {
        let Screen::Staff(staff) = &mut self.screen else {
            return Effect::None;
        };
        if let staff::Message::SettingsSaved(Ok((config, questionnaire))) = &message {
            // New settings take effect at once, for the next patient.
            self.qr = (!config.thank_you_url.is_empty())
                .then(|| qr_code::Data::new(config.thank_you_url.as_bytes()).ok())
                .flatten();
            self.setup.config = (**config).clone();
            self.setup.questionnaire = questionnaire.clone();
        }
        match staff.update(message, &self.setup.config) {
            staff::Request::Leave => {
                self.reset();
                Effect::None
            }
            staff::Request::None => Effect::None,
            staff::Request::SyncNow => {
                self.sync.running = true;
                Effect::Staff(staff::Request::SyncNow)
            }
            request => Effect::Staff(request),
        }
    }

    fn survey(&mut self, input: Input, now: Instant) -> Effect {
        let Screen::Survey(session) = &mut self.screen else {
            return Effect::None;
        };
        if now.saturating_duration_since(self.step_shown) < ANSWER_GUARD {
            // Part of the tap that answered the last screen, not an answer to this one.
            return Effect::None;
        }
        let before = session.step();
        let is_answer = matches!(input, Input::Scale(_) | Input::Percent(_) | Input::Choice(_));
        match session.update(input) {
            session::Action::Finished => self.finish(now),
            session::Action::ToWelcome => {
                // Back before anything is asked: the patient may pick another language. The
                // session held at most an answer they went back over; it is not kept.
                self.screen = Screen::Welcome;
                self.noted = None;
                self.repaint_all();
                Effect::None
            }
            session::Action::None => {
                if session.step() != before {
                    self.step_shown = now;
                    if is_answer {
                        self.noted = Some(now);
                    }
                }
                Effect::None
            }
        }
    }

    fn key(&mut self, key: KeyPress) {
        let composer = match &mut self.screen {
            Screen::Survey(session) => session.composer.as_mut(),
            Screen::Staff(staff) => staff.editing.as_mut().map(|(_, c)| c),
            _ => None,
        };
        let Some(composer) = composer else {
            return;
        };
        match key {
            KeyPress::Char(c) => composer.key(c),
            KeyPress::Space => composer.space(),
            KeyPress::Delete => composer.backspace(),
            KeyPress::Shift => composer.toggle_shift(),
            KeyPress::CapsLock => composer.toggle_caps(),
            KeyPress::Mode(mode) => composer.set_mode(mode),
        }
    }

    /// A real keyboard: digits, Backspace, Enter and Escape on the PIN pad; text, Backspace
    /// and Enter (Continue / Send) wherever the on-screen keyboard is up.
    fn hard_key(&mut self, key: HardKey, now: Instant) -> Effect {
        match &mut self.screen {
            Screen::Pin(_) => match key {
                HardKey::Text(text) => {
                    // A digit never submits the PIN: only Enter (or "Vào") does.
                    for d in text.chars().filter(char::is_ascii_digit) {
                        self.pin_key(PinKey::Digit(d));
                    }
                    Effect::None
                }
                HardKey::Backspace => self.pin_key(PinKey::Delete),
                HardKey::Enter => self.pin_key(PinKey::Submit),
                HardKey::Escape => self.pin_key(PinKey::Cancel),
            },
            Screen::Survey(session) if session.composer.is_some() => match key {
                HardKey::Enter => self.survey(Input::Continue, now),
                key => {
                    if let Some(composer) = session.composer.as_mut() {
                        type_hard(composer, key);
                    }
                    Effect::None
                }
            },
            Screen::Staff(staff) => {
                if let Some((_, composer)) = staff.editing.as_mut() {
                    type_hard(composer, key);
                }
                Effect::None
            }
            _ => Effect::None,
        }
    }

    fn finish(&mut self, now: Instant) -> Effect {
        let Screen::Survey(session) = std::mem::replace(&mut self.screen, Screen::Thanks(now)) else {
            return Effect::None;
        };
        let questionnaire = session.shared_questionnaire().clone();
        let mut response = session.finish(Status::Complete);
        let window = chrono::Duration::seconds(i64::from(self.setup.config.rapid_repeat_secs.0));
        if let Some(previous) = &self.last_complete {
            response.rapid_repeat = response.is_rapid_repeat_of(previous, window);
        }
        self.last_complete = Some(response.clone());
        self.noted = None;
        self.enqueue(questionnaire, response, now)
    }

    fn abandon(&mut self, now: Instant) -> Effect {
        let screen = std::mem::replace(&mut self.screen, Screen::Welcome);
        self.reset();
        match screen {
            Screen::Survey(session) if session.has_answers() => {
                let questionnaire = session.shared_questionnaire().clone();
                self.enqueue(questionnaire, session.finish(Status::Partial), now)
            }
            _ => Effect::None,
        }
    }

    /// Back to a clean welcome screen: nothing of the last patient remains.
    fn reset(&mut self) {
        self.flip = !self.flip;
        self.screen = Screen::Welcome;
        self.locale = self.setup.config.default_locale;
        self.still_there = None;
        self.noted = None;
    }

    fn enqueue(&mut self, questionnaire: Arc<Questionnaire>, response: Response, now: Instant) -> Effect {
        self.pending.push(Queued {
            questionnaire,
            response,
        });
        self.save_now(now)
    }

    fn save_now(&mut self, now: Instant) -> Effect {
        if self.saving || self.pending.is_empty() {
            return Effect::None;
        }
        self.saving = true;
        self.last_attempt = Some(now);
        Effect::Save(self.pending.clone())
    }

    fn saved(&mut self, outcome: SaveOutcome) -> Effect {
        self.saving = false;
        self.pending.retain(|q| !outcome.saved.contains(&q.response.id));
        self.save_error = outcome.error;
        if self.save_error.is_none() {
            // Responses finished while the last save ran go out at once.
            self.save_now(self.clock)
        } else {
            Effect::None
        }
    }

    fn tick(&mut self, now: Instant) -> Effect {
        self.clock = now;
        if self.noted.is_some_and(|t| now.saturating_duration_since(t) >= NOTED) {
            self.noted = None;
        }
        let idle = Duration::from_secs(u64::from(self.setup.config.idle_timeout_secs.0));
        match self.screen {
            Screen::Welcome => {}
            Screen::Thanks(since) => {
                let shown = Duration::from_secs(u64::from(self.setup.config.thank_you_secs.0));
                if now.saturating_duration_since(since) >= shown {
                    self.reset();
                }
            }
            Screen::Pin(_) | Screen::Staff(_) => {
                if now.saturating_duration_since(self.last_touch) >= STAFF_IDLE {
                    self.reset();
                }
            }
            Screen::Survey(_) => match self.still_there {
                Some(asked) if now.saturating_duration_since(asked) >= STILL_THERE => return self.abandon(now),
                Some(_) => {}
                None if now.saturating_duration_since(self.last_touch) >= idle => {
                    self.flip = !self.flip;
                    self.still_there = Some(now);
                }
                None => {}
            },
        }
        if !self.saving
            && self
                .last_attempt
                .is_none_or(|t| now.saturating_duration_since(t) >= RETRY)
        {
            return self.save_now(now);
        }
        Effect::None
    }

    /// Whether the kiosk needs the clock ticking (it sleeps on the welcome screen).
    pub fn needs_ticks(&self) -> bool {
        !matches!(self.screen, Screen::Welcome) || !self.pending.is_empty() || self.noted.is_some()
    }

    /// The screen on display.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The language on display.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// Sizes for the current window.
    pub fn metrics(&self) -> Metrics {
        self.metrics
    }

    /// What the kiosk runs on (cloned into background jobs).
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.setup.config
    }

    /// The questionnaire asked.
    pub fn questionnaire(&self) -> &Arc<Questionnaire> {
        &self.setup.questionnaire
    }

    /// The store responses are saved to.
    pub fn store(&self) -> &SharedStore {
        &self.setup.store
    }

    /// Seconds left before an unanswered "Are you still there?" closes the session.
    pub fn still_there_left(&self) -> Option<u64> {
        self.still_there.map(|asked| {
            let left = STILL_THERE.saturating_sub(self.clock.saturating_duration_since(asked));
            left.as_secs() + u64::from(left.subsec_nanos() > 0)
        })
    }

    /// Makes the next frame repaint the whole window (see [`theme::page`](crate::kiosk::theme::page)).
    pub fn repaint_all(&mut self) {
        self.flip = !self.flip;
    }

    /// Alternates with every change on screen (see [`theme::page`](crate::kiosk::theme::page)).
    pub fn repaint_flip(&self) -> bool {
        self.flip
    }

    /// Whether the neutral "noted" confirmation shows.
    pub fn noted(&self) -> bool {
        self.noted.is_some()
    }

    /// Responses not yet on disk, each with its questionnaire.
    pub fn pending(&self) -> &[Queued] {
        &self.pending
    }

    /// The last save error, for the staff banner.
    pub fn save_error(&self) -> Option<&crate::kiosk::problem::StoreProblem> {
        self.save_error.as_ref()
    }

    /// The thank-you QR code, when a URL is configured.
    pub fn qr(&self) -> Option<&qr_code::Data> {
        self.qr.as_ref()
    }

    /// The background sync's state.
    pub fn sync_state(&self) -> &SyncState {
        &self.sync
    }

    /// Seconds the PIN pad stays locked, if it is.
    pub fn pin_locked_for(&self) -> Option<u64> {
        self.pin_guard.locked_for(self.clock)
    }

    /// The five face images.
    pub fn face(&self, value: u8) -> &svg::Handle {
        &self.faces[usize::from(value.clamp(1, 5)) - 1]
    }
}
