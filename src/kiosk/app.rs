//! The kiosk's state and its update: which screen is up, idle handling, rapid repeats and the
//! queue of responses waiting to be saved. No I/O here: saving is an [`Effect`] the caller runs
//! as a task (the app) or directly (tests).

use std::sync::Arc;
use std::time::{Duration, Instant};

use iced::Size;
use iced::widget::{qr_code, svg};

use crate::config::Config;
use crate::kiosk::saver::{Outbox, Queued, SaveOutcome, SharedStore};
use crate::kiosk::screen::feedback::{self, Feedback, Followed};
use crate::kiosk::screen::survey::{self, Survey};
use crate::kiosk::screen::{pin as pad, thanks, welcome};
use crate::kiosk::session::Session;
use crate::kiosk::staff::{self, Staff, pin};
use crate::kiosk::sync_worker::SyncEvent;
use crate::kiosk::theme::Metrics;
use crate::survey::{Catalog, Channel, Locale, Questionnaire, Response, Status};

pub use crate::kiosk::saver::RETRY;
pub use crate::kiosk::screen::survey::{ANSWER_GUARD, NOTED, STILL_THERE};
/// Staff mode (and the PIN pad) close after this long without a touch.
pub const STAFF_IDLE: Duration = Duration::from_secs(120);
pub use crate::kiosk::screen::pin::{PinEntry, PinKey};
pub use crate::kiosk::screen::welcome::{CORNER_TAPS, CORNER_WINDOW};

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
/// ([`Message::Tick`]) carry their own time either way. It also tells the time of day (UTC)
/// for the phone code, which a manual clock moves along with its instant.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<std::sync::Mutex<Manual>>>);

/// A manual clock's reading: the instant, and the time of day it stands for.
type Manual = (Instant, chrono::DateTime<chrono::Utc>);

impl Clock {
    /// A clock that stands at `start` (and at 09:00 of 20 November 2026 in Vietnam, 02:00
    /// UTC) until [`advance`](Clock::advance)d.
    pub fn manual(start: Instant) -> Clock {
        let utc = chrono::DateTime::from_timestamp(1_795_140_000, 0).unwrap_or_default();
        Clock::manual_at(start, utc)
    }

    /// A clock that stands at `start`, and at `utc` by the time of day, until advanced.
    pub fn manual_at(start: Instant, utc: chrono::DateTime<chrono::Utc>) -> Clock {
        Clock(Some(Arc::new(std::sync::Mutex::new((start, utc)))))
    }

    /// The time now.
    pub fn now(&self) -> Instant {
        match &self.0 {
            None => Instant::now(),
            Some(t) => t.lock().unwrap_or_else(|p| p.into_inner()).0,
        }
    }

    /// The time of day now (UTC).
    pub fn utc(&self) -> chrono::DateTime<chrono::Utc> {
        match &self.0 {
            None => chrono::Utc::now(),
            Some(t) => t.lock().unwrap_or_else(|p| p.into_inner()).1,
        }
    }

    /// Moves a manual clock on by `by` (the system clock moves by itself).
    pub fn advance(&self, by: Duration) {
        if let Some(t) = &self.0 {
            let mut t = t.lock().unwrap_or_else(|p| p.into_inner());
            t.0 += by;
            t.1 += chrono::TimeDelta::from_std(by).unwrap_or_default();
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

pub use crate::kiosk::screen::keyboard::KeyPress;

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
    /// Something on the welcome screen.
    Welcome(welcome::Message),
    /// Something on a survey screen.
    Survey(survey::Message),
    /// A key of a real keyboard.
    HardKey(HardKey),
    /// Something on the thank-you screen.
    Thanks(thanks::Message),
    /// Something in the feedback box.
    Feedback(feedback::Message),
    /// Feedback notes were saved (or not).
    NotesSaved(SaveOutcome<uuid::Uuid>),
    /// What the kiosk found out about a receipt code.
    Followed(Followed),
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
    /// A tap on the hidden top-left corner of the failure screen (the welcome screen's is
    /// [`welcome::Message::CornerTap`]).
    CornerTap,
    /// A key of the PIN pad (the kiosk's, or the failure screen's).
    Pin(pad::Message),
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

impl Message {
    /// Whether this is a person touching the screen (as opposed to the clock or a background
    /// job reporting back): only these count against the idle timeouts.
    pub fn is_touch(&self) -> bool {
        match self {
            Message::Tick(_)
            | Message::Saved(_)
            | Message::NotesSaved(_)
            | Message::Followed(_)
            | Message::Resized(_)
            | Message::Frame
            | Message::Started(_)
            | Message::PinChecked(_)
            | Message::PinHashRead(_) => false,
            Message::Staff(m) => !m.is_report(),
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
    /// Save these feedback notes and report back with [`Message::NotesSaved`].
    SaveNotes(Vec<crate::feedback::note::Note>),
    /// Find out about a receipt code (the kiosk's store, then the centre) and report back with
    /// [`Message::Followed`].
    Follow(crate::feedback::ReceiptCode),
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
    Welcome(welcome::Welcome),
    /// A patient is answering.
    Survey(Box<Survey>),
    /// Thanks and QR code.
    Thanks(thanks::Thanks),
    /// The feedback box: sending a note, or following one.
    Feedback(Box<Feedback>),
    /// The staff PIN pad.
    Pin(pad::Pin),
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

/// The welcome screen's phone code for one 30 s window.
struct PhoneCode {
    window: i64,
    form: String,
    base: String,
    link: String,
    data: qr_code::Data,
}

/// The running kiosk.
pub struct Kiosk {
    setup: Setup,
    locale: Locale,
    screen: Screen,
    metrics: Metrics,
    clock: Instant,
    last_touch: Instant,
    last_complete: Option<Response>,
    outbox: Outbox,
    notes: Outbox<crate::feedback::note::Note>,
    qr: Option<qr_code::Data>,
    /// The phone code on the welcome screen, when shown.
    phone: Option<PhoneCode>,
    /// The kiosk's own id (in its phone code's link).
    kiosk_id: String,
    /// The centre has received a response of this kiosk, so it knows the id its phone code
    /// names (before that, a scanned code would be "not recognised").
    known_to_centre: bool,
    flip: bool,
    sync: SyncState,
    /// Wrong PINs and the lock, across openings of the pad.
    pin_guard: pin::Guard,
    faces: [svg::Handle; 5],
}

impl Kiosk {
    /// A kiosk on its welcome screen, laid out for a window of `size`.
    pub fn new(setup: Setup, size: Size) -> Kiosk {
        let qr = (!setup.config.thank_you_url.is_empty())
            .then(|| qr_code::Data::new(setup.config.thank_you_url.as_bytes()).ok())
            .flatten();
        let now = setup.clock.now();
        let (kiosk_id, known_to_centre) = {
            let store = setup.store.lock().unwrap_or_else(|p| p.into_inner());
            (store.kiosk_id().to_string(), store.has_synced().unwrap_or(false))
        };
        let mut kiosk = Kiosk {
            locale: setup.config.default_locale,
            setup,
            screen: Screen::Welcome(welcome::Welcome::default()),
            metrics: Metrics::for_size(size),
            clock: now,
            last_touch: now,
            last_complete: None,
            outbox: Outbox::default(),
            notes: Outbox::default(),
            qr,
            phone: None,
            kiosk_id,
            known_to_centre,
            flip: false,
            sync: SyncState::default(),
            pin_guard: pin::Guard::default(),
            faces: crate::kiosk::screen::faces(),
        };
        kiosk.refresh_phone();
        kiosk
    }

    /// Brings the welcome screen's phone code up to the current 30 s window (or hides it when
    /// the settings no longer ask for it). Cheap when the window has not changed.
    fn refresh_phone(&mut self) {
        let centre = &self.setup.config.centre;
        if !centre.shows_phone_code() || !self.known_to_centre {
            self.phone = None;
            return;
        }
        // In the centre's time, as last measured: its check then has the whole 90 s to spare.
        let at = self.setup.clock.utc() - self.sync.clock_offset.unwrap_or_default();
        let window = crate::phone::window_of(at);
        let form = &self.setup.questionnaire.id;
        if self
            .phone
            .as_ref()
            .is_some_and(|p| p.window == window && p.form == *form && p.base == centre.phone_base())
        {
            return;
        }
        let key = crate::phone::key_of_token(&centre.token);
        let link = crate::phone::link(centre.phone_base(), &key, &self.kiosk_id, form, at);
        self.phone = qr_code::Data::new(link.as_bytes()).ok().map(|data| PhoneCode {
            window,
            form: form.clone(),
            base: centre.phone_base().to_string(),
            link,
            data,
        });
    }

    /// Handles one message.
    pub fn update(&mut self, message: Message) -> Effect {
        match message {
            Message::Tick(now) => return self.tick(now),
            Message::Saved(outcome) => {
                return self
                    .outbox
                    .saved(outcome, self.clock)
                    .map_or(Effect::None, Effect::Save);
            }
            Message::Resized(size) => {
                self.metrics = Metrics::for_size(size);
                return Effect::None;
            }
            Message::NotesSaved(outcome) => {
                return self
                    .notes
                    .saved(outcome, self.clock)
                    .map_or(Effect::None, Effect::SaveNotes);
            }
            Message::Followed(found) => {
                if let Screen::Feedback(f) = &mut self.screen {
                    f.followed(found);
                }
                return Effect::None;
            }
            Message::Frame => return Effect::None,
            Message::Sync(event) => return self.sync_event(event),
            _ => {}
        }
        let now = self.setup.clock.now();
        self.clock = now;
        if message.is_touch() {
            self.flip = !self.flip;
            self.last_touch = now;
            if let Screen::Survey(survey) = &mut self.screen {
                survey.touched();
            }
        }
        match message {
            Message::Welcome(m) => return self.welcome(m, now),
            Message::Thanks(m) => self.thanks(m),
            Message::Feedback(m) => return self.feedback(m, now),
            Message::Pin(key) => return self.pin_key(key),
            Message::PinChecked(ok) => return self.pin_checked(ok, now),
            Message::PinHashRead(read) => self.pin_hash_read(read),
            Message::Staff(m) => return self.staff(m),
            Message::Survey(m) => return self.survey(m, now),
            Message::HardKey(key) => return self.hard_key(key, now),
            _ => {}
        }
        Effect::None
    }

    fn sync_event(&mut self, event: SyncEvent) -> Effect {
        self.sync.running = false;
        match event {
            SyncEvent::Synced(at) => {
                self.sync.last_success = Some(at);
                self.sync.last_error = None;
                if !self.known_to_centre {
                    // Never waits on the store: a busy store (an export) is asked after the
                    // next round instead.
                    if let Ok(store) = self.setup.store.try_lock() {
                        self.known_to_centre = store.has_synced().unwrap_or(false);
                    }
                    self.refresh_phone();
                }
            }
            SyncEvent::Failed(e) => self.sync.last_error = Some(e),
            SyncEvent::Audited { at, result } => self.sync.last_audit = Some((at, result)),
            SyncEvent::Clock(offset) => {
                self.sync.clock_offset = offset;
                self.refresh_phone();
            }
        }
        // The Sync page shows the queue: count it again.
        match &self.screen {
            Screen::Staff(s) if s.page == staff::Page::Sync => Effect::Staff(staff::Request::LoadSync),
            _ => Effect::None,
        }
    }

    fn thanks(&mut self, message: thanks::Message) {
        if let Screen::Thanks(thanks) = &mut self.screen
            && thanks.update(message) == thanks::Action::Done
        {
            self.reset();
        }
    }

    fn feedback(&mut self, message: feedback::Message, now: Instant) -> Effect {
        let Screen::Feedback(f) = &mut self.screen else {
            return Effect::None;
        };
        let action = f.update(message, &self.setup.config.departments, chrono::Utc::now(), now);
        self.feedback_action(action, now)
    }

    fn feedback_action(&mut self, action: feedback::Action, now: Instant) -> Effect {
        match action {
            feedback::Action::None => Effect::None,
            feedback::Action::ToWelcome => {
                self.reset();
                Effect::None
            }
            feedback::Action::Save(note) => self.notes.push(note, now).map_or(Effect::None, Effect::SaveNotes),
            feedback::Action::Follow(code) => Effect::Follow(code),
        }
    }

    fn survey(&mut self, message: survey::Message, now: Instant) -> Effect {
        let Screen::Survey(survey) = &mut self.screen else {
            return Effect::None;
        };
        let action = survey.update(message, now);
        self.survey_action(action, now)
    }

    fn welcome(&mut self, message: welcome::Message, now: Instant) -> Effect {
        let Screen::Welcome(welcome) = &mut self.screen else {
            return Effect::None;
        };
        match welcome.update(message, now) {
            welcome::Action::None => {}
            welcome::Action::Locale(locale) => self.locale = locale,
            welcome::Action::Start => {
                let session = Session::new(
                    self.setup.questionnaire.clone(),
                    self.locale,
                    &self.setup.config.departments,
                )
                .from(Channel::Kiosk, self.setup.config.point());
                self.screen = Screen::Survey(Box::new(Survey::new(session, now)));
            }
            welcome::Action::Feedback => {
                self.screen = Screen::Feedback(Box::new(Feedback::new(self.locale, &self.setup.config.centre.url)));
            }
            welcome::Action::OpenPin => {
                self.screen = Screen::Pin(pad::Pin::default());
                // A PIN set (or changed) with `hailong kiosk set-pin` since the start applies now.
                return Effect::ReadPinHash;
            }
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
        let Screen::Pin(pad) = &mut self.screen else {
            return Effect::None;
        };
        let locked = self.pin_guard.locked_for(self.clock).is_some();
        match pad.update(key, &self.setup.config.staff_pin_hash, locked) {
            pad::Action::Leave => self.reset(),
            pad::Action::Check { hash, pin } => return Effect::CheckPin { hash, pin },
            pad::Action::None | pad::Action::Open { .. } => {}
        }
        Effect::None
    }

    fn pin_checked(&mut self, ok: bool, now: Instant) -> Effect {
        let Screen::Pin(pad) = &mut self.screen else {
            return Effect::None;
        };
        self.pin_guard.record(ok, now);
        if let pad::Action::Open { short_pin } = pad.checked(ok) {
            let (mut staff, request) = Staff::open(&self.setup.config);
            staff.short_pin = short_pin;
            self.screen = Screen::Staff(Box::new(staff));
            return Effect::Staff(request);
        }
        Effect::None
    }

    fn staff(&mut self, message: staff::Message) -> Effect {
        let Screen::Staff(staff) = &mut self.screen else {
            return Effect::None;
        };
        let request = staff.update(message, &self.setup.config);
        self.staff_request(request)
    }

    fn staff_request(&mut self, request: staff::Request) -> Effect {
        match request {
            staff::Request::Apply(config, questionnaire) => {
                // New settings take effect at once, for the next patient.
                self.qr = (!config.thank_you_url.is_empty())
                    .then(|| qr_code::Data::new(config.thank_you_url.as_bytes()).ok())
                    .flatten();
                self.setup.config = *config;
                self.setup.questionnaire = questionnaire;
                self.refresh_phone();
                Effect::None
            }
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

    fn survey_action(&mut self, action: survey::Action, now: Instant) -> Effect {
        match action {
            survey::Action::None => Effect::None,
            survey::Action::Finished => self.finish(now),
            survey::Action::ToWelcome => {
                // Back before anything is asked: the patient may pick another language. The
                // session held at most an answer they went back over; it is not kept.
                self.screen = Screen::Welcome(welcome::Welcome::default());
                self.repaint_all();
                Effect::None
            }
            survey::Action::AskedStillThere => {
                self.repaint_all();
                Effect::None
            }
            survey::Action::Abandon => self.abandon(now),
        }
    }

    /// A real keyboard: digits, Backspace, Enter and Escape on the PIN pad; text, Backspace
    /// and Enter (Continue / Send) wherever the on-screen keyboard is up.
    fn hard_key(&mut self, key: HardKey, now: Instant) -> Effect {
        match &mut self.screen {
            Screen::Pin(_) => {
                let mut effect = Effect::None;
                for key in pad::keys_of(key) {
                    match self.pin_key(key) {
                        Effect::None => {}
                        asked => effect = asked,
                    }
                }
                effect
            }
            Screen::Survey(survey) => {
                let action = survey.hard_key(key, now);
                self.survey_action(action, now)
            }
            Screen::Staff(staff) => {
                let request = staff.hard_key(key, &self.setup.config);
                self.staff_request(request)
            }
            Screen::Feedback(f) => {
                let action = f.hard_key(key, chrono::Utc::now(), now);
                self.feedback_action(action, now)
            }
            _ => Effect::None,
        }
    }

    fn finish(&mut self, now: Instant) -> Effect {
        let Screen::Survey(survey) = std::mem::replace(&mut self.screen, Screen::Thanks(thanks::Thanks::new(now)))
        else {
            return Effect::None;
        };
        let session = survey.into_session();
        let questionnaire = session.shared_questionnaire().clone();
        let mut response = session.finish(Status::Complete);
        let window = chrono::Duration::seconds(i64::from(self.setup.config.rapid_repeat_secs.0));
        if let Some(previous) = &self.last_complete {
            response.rapid_repeat = response.is_rapid_repeat_of(previous, window);
        }
        self.last_complete = Some(response.clone());
        self.enqueue(questionnaire, response, now)
    }

    fn abandon(&mut self, now: Instant) -> Effect {
        let screen = std::mem::replace(&mut self.screen, Screen::Welcome(welcome::Welcome::default()));
        self.reset();
        match screen {
            Screen::Survey(survey) if survey.session().has_answers() => {
                let session = survey.into_session();
                let questionnaire = session.shared_questionnaire().clone();
                self.enqueue(questionnaire, session.finish(Status::Partial), now)
            }
            _ => Effect::None,
        }
    }

    /// Back to a clean welcome screen: nothing of the last patient remains.
    fn reset(&mut self) {
        self.flip = !self.flip;
        self.screen = Screen::Welcome(welcome::Welcome::default());
        self.locale = self.setup.config.default_locale;
    }

    fn enqueue(&mut self, questionnaire: Arc<Questionnaire>, response: Response, now: Instant) -> Effect {
        let queued = Queued {
            questionnaire,
            response,
        };
        self.outbox.push(queued, now).map_or(Effect::None, Effect::Save)
    }

    fn tick(&mut self, now: Instant) -> Effect {
        self.clock = now;
        self.refresh_phone();
        let idle = Duration::from_secs(u64::from(self.setup.config.idle_timeout_secs.0));
        match &mut self.screen {
            Screen::Welcome(_) => {}
            Screen::Thanks(thanks) => {
                let shown = Duration::from_secs(u64::from(self.setup.config.thank_you_secs.0));
                if thanks.tick(now, shown) == thanks::Action::Done {
                    self.reset();
                }
            }
            Screen::Pin(_) | Screen::Staff(_) => {
                if now.saturating_duration_since(self.last_touch) >= STAFF_IDLE {
                    self.reset();
                }
            }
            Screen::Feedback(f) => {
                if f.tick(now, self.last_touch, idle) == feedback::Action::ToWelcome {
                    self.reset();
                }
            }
            Screen::Survey(survey) => match survey.tick(now, self.last_touch, idle) {
                survey::Action::Abandon => return self.abandon(now),
                action => {
                    self.survey_action(action, now);
                }
            },
        }
        if let Some(notes) = self.notes.tick(now) {
            return Effect::SaveNotes(notes);
        }
        self.outbox.tick(now).map_or(Effect::None, Effect::Save)
    }

    /// Whether the kiosk needs the clock ticking (it sleeps on the welcome screen).
    pub fn needs_ticks(&self) -> bool {
        !matches!(self.screen, Screen::Welcome(_))
            || !self.outbox.pending().is_empty()
            || !self.notes.pending().is_empty()
    }

    /// Whether the welcome screen shows a phone code, which a slow tick keeps current.
    pub fn shows_phone_code(&self) -> bool {
        self.phone.is_some()
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

    /// The time the kiosk last looked at its clock (a touch or a tick).
    pub fn now(&self) -> Instant {
        self.clock
    }

    /// Makes the next frame repaint the whole window (see [`theme::page`](crate::kiosk::theme::page)).
    pub fn repaint_all(&mut self) {
        self.flip = !self.flip;
    }

    /// Alternates with every change on screen (see [`theme::page`](crate::kiosk::theme::page)).
    pub fn repaint_flip(&self) -> bool {
        self.flip
    }

    /// Responses not yet on disk, each with its questionnaire.
    pub fn pending(&self) -> &[Queued] {
        self.outbox.pending()
    }

    /// Feedback notes not yet on disk.
    pub fn pending_notes(&self) -> &[crate::feedback::note::Note] {
        self.notes.pending()
    }

    /// The last save error (of responses or notes), for the staff banner.
    pub fn save_error(&self) -> Option<&crate::kiosk::problem::StoreProblem> {
        self.outbox.error().or(self.notes.error())
    }

    /// The welcome screen's phone code (its QR code), when shown.
    pub fn phone_qr(&self) -> Option<&qr_code::Data> {
        self.phone.as_ref().map(|p| &p.data)
    }

    /// The link the phone code holds now, when shown.
    pub fn phone_link(&self) -> Option<&str> {
        self.phone.as_ref().map(|p| p.link.as_str())
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

    /// The five face images (made once: the renderer caches them by handle).
    pub fn faces(&self) -> &[svg::Handle; 5] {
        &self.faces
    }
}
