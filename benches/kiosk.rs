//! Kiosk responsiveness: one tap (update + view + layout) and one full 1920×1080 frame drawn
//! by tiny-skia, the renderer kiosks run on. Targets (issue 3): tap ≤ 1 ms, frame ≤ 16 ms
//! (medians). Start-up time and memory are measured by `benches/kiosk-startup.sh`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hailong::kiosk::app::{KeyPress, Kiosk, Message};
use hailong::kiosk::session::Input;
use hailong::kiosk::{Options, load, screen, settings};
use iced::{Color, Pixels, Size, Theme, mouse};
use iced_test::core::renderer::{Headless, Style};
use iced_test::runtime::UserInterface;
use iced_test::runtime::user_interface::Cache;

const SIZE: Size = Size::new(1920.0, 1080.0);

fn kiosk(dir: &tempfile::TempDir) -> Kiosk {
    let options = Options {
        data_dir: Some(dir.path().to_path_buf()),
        ..Options::default()
    };
    Kiosk::new(load(&options).expect("kiosk loads"), SIZE)
}

fn renderer() -> iced::Renderer {
    // A simulator registers the bundled fonts with the global font system.
    let text: iced::Element<'_, ()> = iced::widget::text("").into();
    drop(iced_test::Simulator::with_size(settings(), SIZE, text));
    iced_test::futures::futures::executor::block_on(<iced::Renderer as Headless>::new(screen::FONT, Pixels(16.0), None))
        .expect("headless tiny-skia renderer")
}

fn tap(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = kiosk(&dir);
    let mut renderer = renderer();
    kiosk.update(Message::Welcome(hailong::kiosk::screen::welcome::Message::Start));
    let mut cache = Cache::default();

    // A face tap moves to the next question; Back returns, so the loop can go on forever.
    let mut forward = true;
    c.bench_function("kiosk tap: face or back (update + view + layout)", |b| {
        b.iter(|| {
            let input = if forward { Input::Scale(4) } else { Input::Back };
            forward = !forward;
            kiosk.update(Message::Survey(hailong::kiosk::screen::survey::Message::Input(input)));
            let ui = UserInterface::build(screen::view(&kiosk), SIZE, std::mem::take(&mut cache), &mut renderer);
            cache = black_box(ui).into_cache();
        })
    });

    // The keyboard screen has the most widgets.
    for _ in 0..6 {
        kiosk.update(Message::Survey(hailong::kiosk::screen::survey::Message::Input(
            Input::Scale(4),
        )));
    }
    kiosk.update(Message::Survey(hailong::kiosk::screen::survey::Message::Input(
        Input::Choice(4),
    )));
    let mut n = 0u32;
    c.bench_function("kiosk tap: keyboard key (update + view + layout)", |b| {
        b.iter(|| {
            n += 1;
            let key = if n.is_multiple_of(40) {
                KeyPress::Space
            } else {
                KeyPress::Char('a')
            };
            kiosk.update(Message::Survey(hailong::kiosk::screen::survey::Message::Key(key)));
            let ui = UserInterface::build(screen::view(&kiosk), SIZE, std::mem::take(&mut cache), &mut renderer);
            cache = black_box(ui).into_cache();
        })
    });
}

fn frame(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = kiosk(&dir);
    let mut renderer = renderer();
    kiosk.update(Message::Welcome(hailong::kiosk::screen::welcome::Message::Start));
    let theme = Theme::Light;
    let style = Style {
        text_color: Color::BLACK,
    };
    let physical = Size::new(SIZE.width as u32, SIZE.height as u32);
    let mut group = c.benchmark_group("kiosk frame 1920x1080 tiny-skia");
    group.sample_size(30);
    for (name, steps) in [("question", 0), ("keyboard", 7)] {
        for _ in 0..steps {
            let input = if steps == 7 && kiosk_on_choice(&kiosk) {
                Input::Choice(4)
            } else {
                Input::Scale(4)
            };
            kiosk.update(Message::Survey(hailong::kiosk::screen::survey::Message::Input(input)));
        }
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut ui = UserInterface::build(screen::view(&kiosk), SIZE, Cache::default(), &mut renderer);
                ui.draw(&mut renderer, &theme, &style, mouse::Cursor::Unavailable);
                black_box(renderer.screenshot(physical, 1.0, Color::WHITE));
            })
        });
    }
    group.finish();
}

fn kiosk_on_choice(kiosk: &Kiosk) -> bool {
    matches!(
        kiosk.screen(),
        hailong::kiosk::app::Screen::Survey(s)
            if matches!(s.session().current_item().map(|i| &i.kind), Some(hailong::survey::ItemKind::Choice { .. }))
    )
}

criterion_group!(benches, tap, frame, dashboard);
criterion_main!(benches);

/// Staff mode on a big store: the dashboard screen itself appears at once (its figures load in
/// the background); this measures that background load for "this year". It needs a store made by
/// `bash benches/scale.sh` (1,000,000 responses), found in `$HAILONG_BENCH_DATA_DIR` or
/// `target/bench-scale-1000000`, and is skipped without one.
fn dashboard(c: &mut Criterion) {
    use hailong::kiosk::staff::dashboard::{PeriodChoice, load as load_dashboard};
    let dir = std::env::var_os("HAILONG_BENCH_DATA_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-scale-1000000").into());
    if !dir.join("hailong.sqlite3").exists() {
        eprintln!(
            "dashboard bench skipped: no store in {} (run benches/scale.sh)",
            dir.display()
        );
        return;
    }
    let options = Options {
        data_dir: Some(dir),
        ..Options::default()
    };
    let setup = load(&options).expect("bench store loads");
    let opts = setup.config.scoring_options();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let store = setup.store.lock().unwrap();
    let mut group = c.benchmark_group("staff dashboard, 1M responses");
    group.sample_size(20);
    group.bench_function("this year: figures, trend, comments", |b| {
        b.iter(|| black_box(load_dashboard(&store, PeriodChoice::ThisYear, today, &opts, Default::default()).unwrap()))
    });
    group.finish();
}
