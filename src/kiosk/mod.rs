//! The patient kiosk (DESIGN §1, §4): a fullscreen, touch-first iced application that asks the
//! configured questionnaire and saves every response to the store off the UI thread.
//!
//! [`app::Kiosk`] holds the state and turns messages into [`app::Effect`]s; this module wires
//! it to iced: windows, fonts, subscriptions (clock, touches, resizes) and the save tasks.

pub mod app;
pub mod effect;
pub mod failure;
pub mod problem;
pub mod saver;
pub mod screen;
pub mod session;
pub mod staff;
pub mod sync_worker;
pub mod theme;
pub mod typing;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use iced::{Event, Size, Subscription, Task, Theme, event, mouse, time, touch, window};

use crate::config::{Config, DataDir};
use crate::store::Store;
use crate::survey::Catalog;
pub use app::{Effect, Kiosk, Message, Setup};
pub use failure::StartError;

/// How the kiosk was started.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Data directory (database, hailong.toml, questionnaires/).
    pub data_dir: Option<PathBuf>,
    /// Configuration file, if not `<data-dir>/hailong.toml`.
    pub config: Option<PathBuf>,
    /// A 1280×800 window with decorations (for development) instead of locked fullscreen.
    pub windowed: bool,
}

/// Loads settings, questionnaire and store (blocking: files and SQLite). A problem comes back
/// typed, for the failure screen to put into words.
pub fn load(options: &Options) -> Result<Setup, StartError> {
    let data = DataDir::resolve(options.data_dir.clone());
    crate::fsutil::create_private_dir_all(&data.0).map_err(|e| StartError::DataDir {
        dir: data.0.clone(),
        cause: problem::IoCause::of(&e),
    })?;
    let config_path = options.config.clone().unwrap_or_else(|| data.config_file());
    let config = Config::load(&config_path).map_err(StartError::Config)?;
    let catalog = Catalog::load(&data.questionnaires()).map_err(StartError::Questionnaire)?;
    let questionnaire = catalog
        .latest(&config.questionnaire)
        .map_err(StartError::Questionnaire)?
        .clone();
    let store_error = |e: crate::store::Error| StartError::Store(problem::StoreProblem::of(&e));
    let mut store = Store::open(&data.database(), config.timezone.0).map_err(store_error)?;
    store.check_questionnaire(&questionnaire).map_err(store_error)?;
    Ok(Setup {
        config,
        questionnaire: Arc::new(questionnaire),
        store: Arc::new(Mutex::new(store)),
        catalog: Arc::new(catalog),
        data_dir: data.0.clone(),
        config_path,
        export_roots: staff::export::REMOVABLE_ROOTS.iter().map(PathBuf::from).collect(),
        today: None,
        sync_wake: Arc::default(),
        clock: app::Clock::default(),
    })
}

/// The running application: starting, the kiosk, or the screen saying why it cannot run.
pub enum App {
    /// Reading the settings, questionnaires and database, off the UI thread.
    Loading(Box<Loading>),
    /// Asking patients.
    Ready(Box<Kiosk>),
    /// A bad config, questionnaire or database: shown to staff, nothing is touched.
    Failed(Box<failure::Failure>),
}

/// What a starting kiosk keeps until [`load`] has finished.
pub struct Loading {
    options: Options,
    size: Size,
    exit: Option<Arc<Mutex<Exit>>>,
}

/// What [`load`] found, as the start task reports it ([`Message::Started`]).
#[derive(Clone)]
pub struct Started(pub Result<Setup, StartError>);

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Ok(_) => f.write_str("Started(Ok)"),
            Err(e) => write!(f, "Started(Err({e:?}))"),
        }
    }
}

impl App {
    /// Starts from `options` at once (blocking: the tests' and benchmarks' way), laid out for
    /// a window of `size` until the real size is known.
    pub fn boot(options: &Options, size: Size) -> App {
        App::started(load(options), options, size)
    }

    /// Starts from `options` without blocking the first frame: [`App::Loading`], and the task
    /// that loads on tokio's blocking pool and reports with [`Message::Started`]. When it
    /// cannot start, `exit` is told how the application will end.
    pub fn start(options: Options, size: Size, exit: Arc<Mutex<Exit>>) -> (App, Task<Message>) {
        let task = {
            let options = options.clone();
            Task::perform(
                async move {
                    let loaded = tokio::task::spawn_blocking(move || load(&options)).await;
                    Started(
                        loaded.unwrap_or_else(|e| Err(StartError::Store(problem::StoreProblem::Other(e.to_string())))),
                    )
                },
                |started| Message::Started(Box::new(started)),
            )
        };
        let loading = Loading {
            options,
            size,
            exit: Some(exit),
        };
        (App::Loading(Box::new(loading)), task)
    }

    fn started(loaded: Result<Setup, StartError>, options: &Options, size: Size) -> App {
        match loaded {
            Ok(setup) => App::Ready(Box::new(Kiosk::new(setup, size))),
            Err(problem) => {
                let data = DataDir::resolve(options.data_dir.clone());
                let config_path = options.config.clone().unwrap_or_else(|| data.config_file());
                App::Failed(Box::new(failure::Failure::new(problem, &config_path)))
            }
        }
    }

    /// Handles a message; saves become background tasks.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        if let Message::Frame = message {
            return startup_probe_report();
        }
        match self {
            App::Loading(loading) => match message {
                Message::Resized(size) => {
                    loading.size = size;
                    Task::none()
                }
                Message::Started(started) => {
                    let Started(loaded) = *started;
                    self.finish_loading(loaded)
                }
                _ => Task::none(),
            },
            App::Ready(kiosk) => {
                if let Message::Resized(_) = message {
                    // The window took its monitor's size: everything moved, so repaint it all,
                    // or a tone mark drawn at the old size lingers (seen under Xvfb).
                    kiosk.repaint_all();
                }
                let effect = kiosk.update(message);
                run_effect(effect, kiosk.setup())
            }
            App::Failed(failure) => update_failure(failure, message),
        }
    }

    /// The start task has reported: the kiosk, or the failure screen, takes over.
    fn finish_loading(&mut self, loaded: Result<Setup, StartError>) -> Task<Message> {
        let App::Loading(loading) = self else {
            return Task::none();
        };
        let exit = loading.exit.take();
        let mut app = App::started(loaded, &loading.options, loading.size);
        if let App::Failed(failure) = &mut app {
            // In the journal too, not only on the screen.
            eprintln!("hailong: the kiosk cannot start: {}", failure.problem());
            if let Some(slot) = &exit {
                failure.report_exit_to(slot.clone());
            }
        }
        if let Some(slot) = &exit {
            *slot.lock().unwrap_or_else(|p| p.into_inner()) = app.exit();
        }
        *self = app;
        // Measure again: the window may have changed size while loading.
        window::latest().and_then(window::size).map(Message::Resized)
    }

    /// Draws the window.
    pub fn view(&self) -> screen::Element<'_> {
        match self {
            App::Loading(loading) => screen::loading(loading.size),
            App::Ready(kiosk) => screen::view(kiosk),
            App::Failed(failure) => failure.view(),
        }
    }

    /// Touches, resizes and, while a patient is busy or a save waits, the clock.
    pub fn subscription(&self) -> Subscription<Message> {
        let kiosk = match self {
            App::Loading(_) => return window::resize_events().map(|(_, size)| Message::Resized(size)),
            App::Ready(kiosk) => kiosk,
            // Staff's way out: Ctrl+Alt+Q when no PIN guards it.
            App::Failed(failure) if !failure.has_pin() => return event::listen_with(failure::key),
            // The PIN, typed on the screen or a USB keyboard.
            App::Failed(_) => return event::listen_with(hard_key),
        };
        let mut subscriptions = vec![
            event::listen_with(touched),
            event::listen_with(hard_key),
            window::resize_events().map(|(_, size)| Message::Resized(size)),
        ];
        subscriptions.push(sync_worker::subscription(
            crate::sync::client::Target::from_config(&kiosk.config().centre),
            kiosk.store().clone(),
            kiosk.setup().sync_wake.clone(),
        ));
        if startup_probe() {
            subscriptions.push(window::frames().map(|_| Message::Frame));
        }
        if kiosk.needs_ticks() {
            subscriptions.push(time::every(Duration::from_millis(500)).map(Message::Tick));
        } else if kiosk.shows_phone_code() {
            // The welcome screen's phone code turns every 30 s: a slow tick keeps it current
            // (at most 5 s late, well within the centre's 90 s).
            subscriptions.push(time::every(PHONE_TICK).map(Message::Tick));
        }
        Subscription::batch(subscriptions)
    }
}

/// How often the welcome screen's phone code is brought up to date while nothing else ticks.
const PHONE_TICK: Duration = Duration::from_secs(5);

/// Runs a kiosk's effect as a task on tokio's blocking pool (quitting at once).
fn run_effect(effect: Effect, setup: &Setup) -> Task<Message> {
    match effect {
        Effect::None => Task::none(),
        Effect::Staff(staff::Request::Quit) => iced::exit(),
        effect => {
            let setup = setup.clone();
            Task::perform(
                async move {
                    tokio::task::spawn_blocking(move || effect::run_blocking(effect, &setup))
                        .await
                        .ok()
                        .flatten()
                },
                |reply| reply.unwrap_or(Message::Frame),
            )
        }
    }
}

/// The failure screen's messages: a USB keyboard types on its PIN pad as on the kiosk's.
fn update_failure(failure: &mut failure::Failure, message: Message) -> Task<Message> {
    let messages = match message {
        Message::HardKey(key) => failure::pin_keys(key),
        other => vec![other],
    };
    let mut tasks = Vec::new();
    for message in messages {
        tasks.push(match failure.update(message) {
            failure::Action::None => Task::none(),
            // Exits with the failure's status (2): see `App::exit`.
            failure::Action::Quit => iced::exit(),
            failure::Action::CheckPin { hash, pin } => Task::perform(
                async move {
                    tokio::task::spawn_blocking(move || staff::pin::verify_pin(&hash, &pin))
                        .await
                        .unwrap_or(false)
                },
                Message::PinChecked,
            ),
        });
    }
    Task::batch(tasks)
}

fn touched(event: Event, _: event::Status, _: window::Id) -> Option<Message> {
    match event {
        Event::Mouse(mouse::Event::ButtonPressed(_)) | Event::Touch(touch::Event::FingerPressed { .. }) => {
            Some(Message::Touched)
        }
        _ => None,
    }
}

/// A key of a real (USB) keyboard, unless a widget took it (a text field of the Settings page
/// has the focus): the kiosk types it on the PIN pad and the comment screens
/// ([`app::HardKey`]). Keys held with Ctrl, Alt or the logo key are shortcuts, not text.
pub fn hard_key(event: Event, status: event::Status, _: window::Id) -> Option<Message> {
    use iced::keyboard::{self, key::Named};
    let Event::Keyboard(keyboard::Event::KeyPressed {
        key, text, modifiers, ..
    }) = event
    else {
        return None;
    };
    if status == event::Status::Captured {
        return None;
    }
    let key = match key.as_ref() {
        keyboard::Key::Named(Named::Backspace) => app::HardKey::Backspace,
        keyboard::Key::Named(Named::Enter) => app::HardKey::Enter,
        keyboard::Key::Named(Named::Escape) => app::HardKey::Escape,
        _ if modifiers.control() || modifiers.alt() || modifiers.logo() => return None,
        _ => {
            let text: String = text?.chars().filter(|c| !c.is_control()).collect();
            if text.is_empty() {
                return None;
            }
            app::HardKey::Text(text)
        }
    };
    Some(Message::HardKey(key))
}

/// `HAILONG_STARTUP_PROBE=1` makes the kiosk print the wall-clock time (Unix nanoseconds) of
/// its first frame and quit: `benches/kiosk-startup.sh` measures start-up with it.
fn startup_probe() -> bool {
    static PROBE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *PROBE.get_or_init(|| std::env::var_os("HAILONG_STARTUP_PROBE").is_some_and(|v| v == "1"))
}

fn startup_probe_report() -> Task<Message> {
    if !startup_probe() {
        return Task::none();
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    println!("first-frame-unix-ns {now}");
    iced::exit()
}

/// The iced settings every kiosk window uses: the bundled Noto Sans as the default font.
pub fn settings() -> iced::Settings {
    iced::Settings {
        default_font: screen::FONT,
        fonts: vec![screen::FONT_REGULAR_BYTES.into(), screen::FONT_BOLD_BYTES.into()],
        antialiasing: true,
        ..iced::Settings::default()
    }
}

/// Whether there is a screen to open a window on (X11 `DISPLAY` or a Wayland compositor). Without
/// one, iced would abort with a panic; the CLI says what is missing instead.
pub fn display_available() -> bool {
    !cfg!(target_os = "linux")
        || ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()))
}

/// Why the kiosk did not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Another kiosk holds the data directory.
    #[error("{}: in use by another kiosk", .0.display())]
    InUse(PathBuf),
    /// The data directory's lock file cannot be made.
    #[error("{0}")]
    Lock(String),
    /// The window system failed.
    #[error("{0}")]
    Window(#[from] iced::Error),
}

/// How a kiosk that ran came to an end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// Staff quit ("Thoát ứng dụng"), or a window closed in `--windowed` mode: exit status 0, so
    /// a service manager set to restart on failure leaves it stopped.
    Quit,
    /// It could not start (bad settings, questionnaire or database; shown on screen and on
    /// stderr): a non-zero exit status, a failure to the service manager.
    Failed(String),
    /// Staff left the screen of a kiosk that could not start (corner gesture and PIN, or
    /// Ctrl+Alt+Q): exit status 3, still a failure, but one the systemd unit in README does not
    /// restart (`RestartPreventExitStatus=3`), so the machine is free for the fix.
    LeftFailure(String),
}

impl Exit {
    /// The process exit status for this ending.
    pub fn code(&self) -> std::process::ExitCode {
        match self {
            Exit::Quit => std::process::ExitCode::SUCCESS,
            Exit::Failed(_) => std::process::ExitCode::from(2),
            Exit::LeftFailure(_) => std::process::ExitCode::from(3),
        }
    }
}

impl App {
    /// How the application ends if its window closes now.
    pub fn exit(&self) -> Exit {
        match self {
            App::Loading(_) | App::Ready(_) => Exit::Quit,
            App::Failed(failure) if failure.quit_requested() => Exit::LeftFailure(failure.problem().to_string()),
            App::Failed(failure) => Exit::Failed(failure.problem().to_string()),
        }
    }
}

/// Takes the data directory's lock for a kiosk: held as long as the returned value lives, so a
/// second kiosk on the same directory refuses to start ([`RunError::InUse`]). Commands that only
/// read (report, export, verify) do not take it.
pub fn lock_data_dir(options: &Options) -> Result<crate::fsutil::DirLock, RunError> {
    let data = DataDir::resolve(options.data_dir.clone());
    crate::fsutil::lock_dir(&data.0).map_err(|e| match e {
        crate::fsutil::LockError::InUse { dir } => RunError::InUse(dir),
        other => RunError::Lock(other.to_string()),
    })
}

/// Makes the fullscreen window exactly its monitor: on plain X11 (no window manager, or one that
/// ignores the fullscreen hint) the window otherwise keeps its initial 1920×1080 and a smaller
/// or portrait screen shows only part of it. Asking the monitor's size and resizing to it at
/// the origin works the same under X11 with or without a window manager, Xwayland and
/// Wayland compositors (where the compositor has already sized it, it changes nothing); the
/// resize event then lays the screens out for the real size.
fn fit_monitor() -> Task<Message> {
    window::latest().and_then(|id| {
        window::monitor_size(id).and_then(move |size| {
            Task::batch([
                window::move_to(id, iced::Point::ORIGIN),
                window::resize(id, size),
                window::set_mode(id, window::Mode::Fullscreen),
            ])
        })
    })
}

/// Opens the kiosk window and runs until staff quit (or, `windowed`, the window closes).
/// Fullscreen, undecorated and deaf to close requests unless `windowed`. `lock` is the data
/// directory's ([`lock_data_dir`]), held until the end.
pub fn run(options: Options, lock: crate::fsutil::DirLock) -> Result<Exit, RunError> {
    let windowed = options.windowed;
    let size = if windowed {
        Size::new(1280.0, 800.0)
    } else {
        Size::new(1920.0, 1080.0)
    };
    let exit = Arc::new(Mutex::new(Exit::Quit));
    let boot = {
        let exit = exit.clone();
        move || {
            let (app, load) = App::start(options.clone(), size, exit.clone());
            let measure = window::latest().and_then(window::size).map(Message::Resized);
            let window = if windowed {
                measure
            } else {
                fit_monitor().chain(measure)
            };
            (app, Task::batch([window, load]))
        }
    };
    iced::application(boot, App::update, App::view)
        .title("hailong")
        .subscription(App::subscription)
        .theme(|_: &App| Theme::Light)
        .settings(settings())
        .window(window::Settings {
            size,
            fullscreen: !windowed,
            decorations: windowed,
            resizable: windowed,
            closeable: windowed,
            exit_on_close_request: windowed,
            ..window::Settings::default()
        })
        .run()?;
    drop(lock);
    Ok(exit.lock().unwrap_or_else(|p| p.into_inner()).clone())
}
