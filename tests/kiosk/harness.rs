//! Drives the kiosk headless: taps by visible text through `iced_test`'s simulator, runs the
//! save effects against the real store, and compares snapshots.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hailong::kiosk::app::{Clock, Effect, Kiosk, Message};
use hailong::kiosk::{Options, effect, load, screen, settings};
use hailong::store::{Filter, StoredResponse};
use iced::{Size, Theme};
use iced_test::Simulator;

pub const LANDSCAPE: Size = Size::new(1920.0, 1080.0);
pub const PORTRAIT: Size = Size::new(1080.0, 1920.0);
/// How long the harness's finger waits before each tap: brisker than a patient reading the next
/// question and choosing, and just past the kiosk's double-tap guard (`app::ANSWER_GUARD`).
pub const PACE: Duration = Duration::from_millis(500);

/// A kiosk on a fresh data directory.
pub struct Harness {
    pub kiosk: Kiosk,
    _dir: tempfile::TempDir,
    size: Size,
    last_touch: Instant,
    /// Save effects the test chose to hold back instead of running.
    pub held: Vec<Effect>,
    pub hold_saves: bool,
    /// Every effect run, abbreviated (to check e.g. that Quit was asked for).
    pub effects: Vec<String>,
}

impl Harness {
    /// A kiosk with `config` as its hailong.toml (and `questionnaires` dropped into the data dir).
    pub fn with(config: &str, questionnaires: &[(&str, &str)]) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hailong.toml"), config).unwrap();
        if !questionnaires.is_empty() {
            let qdir = dir.path().join("questionnaires");
            std::fs::create_dir_all(&qdir).unwrap();
            for (name, text) in questionnaires {
                std::fs::write(qdir.join(name), text).unwrap();
            }
        }
        let options = Options {
            data_dir: Some(dir.path().to_path_buf()),
            config: None,
            windowed: true,
        };
        let mut setup = load(&options).unwrap_or_else(|e| panic!("kiosk does not load: {e}"));
        // "USB drives" for the export tests: <data-dir>/media/<user>/<label>.
        setup.export_roots = vec![dir.path().join("media")];
        setup.today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20);
        // The kiosk's time moves only when the test says (taps, idle_for): no sleeping.
        let start = Instant::now();
        setup.clock = Clock::manual(start);
        Harness {
            kiosk: Kiosk::new(setup, LANDSCAPE),
            _dir: dir,
            size: LANDSCAPE,
            last_touch: start,
            held: Vec::new(),
            hold_saves: false,
            effects: Vec::new(),
        }
    }

    /// The default kiosk (kiosk-nhanh, Vietnamese) with a thank-you URL.
    pub fn new() -> Harness {
        Harness::with("thank_you_url = \"https://ttyt.example.vn/gop-y\"\n", &[])
    }

    pub fn resize(&mut self, size: Size) {
        self.size = size;
        self.send(Message::Resized(size));
    }

    fn simulator(&self) -> Simulator<'_, Message> {
        Simulator::with_size(settings(), self.size, screen::view(&self.kiosk))
    }

    /// Whether `label` is on screen.
    pub fn shows(&self, label: &str) -> bool {
        self.simulator().find(label).is_ok()
    }

    /// Where the text `label` is on screen (its layout bounds). Panics if it is not there.
    pub fn bounds(&self, label: &str) -> iced::Rectangle {
        self.simulator()
            .find(label)
            .unwrap_or_else(|e| panic!("{label:?} is not on screen: {e}"))
            .bounds()
    }

    /// Where the widget with the id `id` is on screen, if it is.
    pub fn bounds_of_id(&self, id: &'static str) -> Option<iced::Rectangle> {
        self.simulator()
            .find(iced::widget::Id::new(id))
            .ok()
            .map(|t| t.bounds())
    }

    /// How far the scrollable with the id `id` has content beyond its height (≤ 0: nothing
    /// to scroll).
    pub fn scroll_overflow(&self, id: &'static str) -> f32 {
        match self.simulator().find(iced::widget::Id::new(id)) {
            Ok(iced_test::selector::Target::Scrollable {
                bounds, content_bounds, ..
            }) => content_bounds.height - bounds.height,
            other => panic!("no scrollable {id}: {other:?}"),
        }
    }

    /// The kiosk's time now.
    pub fn now(&self) -> Instant {
        self.kiosk.setup().clock.now()
    }

    /// Taps the button showing `label`, as a finger would, [`PACE`] after whatever came before.
    pub fn tap(&mut self, label: &str) {
        self.tap_after(PACE, label);
    }

    /// Taps the button showing `label` `after` the last thing that happened (a double tap is a
    /// second tap ~100–250 ms after the first).
    pub fn tap_after(&mut self, after: Duration, label: &str) {
        self.kiosk.setup().clock.advance(after);
        let messages: Vec<Message> = {
            let mut sim = self.simulator();
            sim.click(label).unwrap_or_else(|e| panic!("cannot tap {label:?}: {e}"));
            sim.into_messages().collect()
        };
        assert!(!messages.is_empty(), "tapping {label:?} did nothing");
        for m in messages {
            self.send(m);
        }
    }

    /// Taps the on-screen key showing `label`: the last text on screen that says it (the
    /// typed text, shown above the keys, may say it too: "T" after typing a T).
    pub fn tap_key(&mut self, label: &str) {
        self.kiosk.setup().clock.advance(PACE);
        let messages: Vec<Message> = {
            let mut sim = self.simulator();
            let mut last = None;
            let _ = sim.find(|candidate: iced_test::selector::Candidate<'_>| -> Option<()> {
                if let iced_test::selector::Candidate::Text {
                    content,
                    visible_bounds: Some(bounds),
                    ..
                } = candidate
                    && content == label
                {
                    last = Some(bounds);
                }
                None
            });
            let bounds = last.unwrap_or_else(|| panic!("no key {label:?} on screen"));
            sim.point_at(bounds.center());
            let _ = sim.simulate(iced_test::simulator::click());
            sim.into_messages().collect()
        };
        assert!(!messages.is_empty(), "tapping the key {label:?} did nothing");
        for m in messages {
            self.send(m);
        }
    }

    /// Taps several labels in order.
    pub fn taps(&mut self, labels: &[&str]) {
        for l in labels {
            self.tap(l);
        }
    }

    /// Sends a message and runs what it asks for (saves go to the real store).
    pub fn send(&mut self, message: Message) {
        if !matches!(message, Message::Tick(_) | Message::Saved(_) | Message::Resized(_)) {
            self.last_touch = self.now();
        }
        let mut effect = self.kiosk.update(message);
        loop {
            match effect {
                Effect::None => return,
                Effect::Save(_) if self.hold_saves => {
                    self.held.push(effect);
                    return;
                }
                e => {
                    self.effects.push(format!("{e:?}").chars().take(40).collect());
                    let setup = self.kiosk.setup().clone();
                    match effect::run_blocking(e, &setup) {
                        Some(reply) => effect = self.kiosk.update(reply),
                        None => return,
                    }
                }
            }
        }
    }

    /// What the background sync worker does when woken ("Đồng bộ ngay"): one round with the
    /// checks due after a start (chain audit, clock), reported to the kiosk. Panics if nothing woke it.
    pub fn run_woken_worker(&mut self) {
        use iced::futures::FutureExt;
        let setup = self.kiosk.setup().clone();
        assert!(
            setup.sync_wake.notified().now_or_never().is_some(),
            "the sync worker was not woken"
        );
        let target = hailong::sync::client::Target::from_config(&setup.config.centre);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut worker = hailong::kiosk::sync_worker::Worker::default();
        let (events, _pause) = runtime.block_on(worker.until_pause(&setup.store, &target));
        for event in events {
            self.send(Message::Sync(event));
        }
    }

    /// Presses `key` on a USB keyboard, typing `text` (what the key types, if anything), through
    /// the kiosk's keyboard subscription ([`hailong::kiosk::hard_key`]).
    pub fn press(&mut self, key: iced::keyboard::Key, text: Option<&str>) {
        use iced::keyboard::{Event, Location, Modifiers, key::Physical};
        let event = iced::Event::Keyboard(Event::KeyPressed {
            key: key.clone(),
            modified_key: key,
            physical_key: Physical::Unidentified(iced::keyboard::key::NativeCode::Unidentified),
            location: Location::Standard,
            modifiers: Modifiers::empty(),
            text: text.map(Into::into),
            repeat: false,
        });
        self.kiosk.setup().clock.advance(PACE);
        if let Some(message) = hailong::kiosk::hard_key(event, iced::event::Status::Ignored, iced::window::Id::unique())
        {
            self.send(message);
        }
    }

    /// Types `text` on a USB keyboard, key by key.
    pub fn type_usb(&mut self, text: &str) {
        for c in text.chars() {
            let s = c.to_string();
            self.press(iced::keyboard::Key::Character(s.as_str().into()), Some(&s));
        }
    }

    /// Presses a named key (Enter, Backspace, Escape) on a USB keyboard.
    pub fn press_named(&mut self, named: iced::keyboard::key::Named) {
        self.press(iced::keyboard::Key::Named(named), None);
    }

    /// Lets the clock run to `secs` seconds after the last touch.
    pub fn idle_for(&mut self, secs: u64) {
        let at = self.last_touch + Duration::from_secs(secs);
        let clock = &self.kiosk.setup().clock;
        clock.advance(at.saturating_duration_since(clock.now()));
        self.send(Message::Tick(at));
    }

    /// Every stored response, in order.
    pub fn stored(&self) -> Vec<StoredResponse> {
        let store = self.kiosk.store().lock().unwrap();
        let mut all = Vec::new();
        store
            .for_each_response(&Filter::default(), |r| {
                all.push(r);
                Ok(())
            })
            .unwrap();
        all
    }

    /// Compares the screen with `tests/snapshots/<name>-tiny-skia.png`. A missing file fails
    /// the test (iced_test alone would write it and pass); `HAILONG_WRITE_SNAPSHOTS=1` writes
    /// missing or changed files instead, to be looked at and committed.
    pub fn snapshot(&self, name: &str) {
        let path = snapshot_path(name);
        let file = path.with_file_name(format!("{name}-tiny-skia.png"));
        let write = std::env::var("HAILONG_WRITE_SNAPSHOTS").is_ok_and(|v| v == "1");
        let snapshot = self.simulator().snapshot(&Theme::Light).expect("snapshot renders");
        if write {
            if file.exists() && !snapshot.matches_image(&path).expect("snapshot compares") {
                std::fs::remove_file(&file).unwrap();
                snapshot.matches_image(&path).expect("snapshot writes");
            }
        } else {
            assert!(
                file.exists(),
                "missing snapshot {} (HAILONG_WRITE_SNAPSHOTS=1 writes it)",
                file.display()
            );
        }
        assert!(
            snapshot.matches_image(&path).expect("snapshot compares"),
            "screen differs from {}",
            path.display()
        );
    }
}

impl Harness {
    /// Writes the screen to `$HAILONG_SCREENSHOTS/<name>-tiny-skia.png` when that is set: README
    /// pictures of screens with content that changes every run (a receipt code), never compared.
    pub fn screenshot(&self, name: &str) {
        if let Ok(dir) = std::env::var("HAILONG_SCREENSHOTS") {
            let file = Path::new(&dir).join(format!("{name}-tiny-skia.png"));
            let _ = std::fs::remove_file(&file);
            let snapshot = self.simulator().snapshot(&Theme::Light).expect("snapshot renders");
            snapshot
                .matches_image(Path::new(&dir).join(name))
                .expect("screenshot writes");
        }
    }
}

pub fn snapshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name)
}

impl Harness {
    /// The data directory.
    pub fn dir(&self) -> &Path {
        self._dir.path()
    }
}
