//! The kiosk's look: one palette, one size scale, one named style function per widget use.
//! Text colours keep at least 4.5 : 1 contrast against their backgrounds.

use iced::widget::{button, container};
use iced::{Background, Border, Color, Shadow, Size, Theme, color};

/// Page background (warm off-white).
pub const PAGE: Color = color!(0xf5f3ee);
const PAGE_ALT: Color = color!(0xf5f3ef);
/// Cards and keys.
pub const SURFACE: Color = color!(0xffffff);
/// Body text (≈ 16 : 1 on PAGE).
pub const TEXT: Color = color!(0x1a1a1a);
/// Secondary text (≈ 8 : 1 on PAGE).
pub const MUTED: Color = color!(0x474747);
/// Buttons that move the patient on (white text ≈ 6.9 : 1).
pub const PRIMARY: Color = color!(0x00695c);
/// Pressed primary.
pub const PRIMARY_DARK: Color = color!(0x004d40);
/// Light outline.
pub const LINE: Color = color!(0x8a8a8a);
/// Below target (≈ 6.5 : 1 on PAGE).
pub const DANGER: Color = color!(0xb71c1c);
/// Too few answers to say (≈ 5.6 : 1 on PAGE).
pub const AMBER: Color = color!(0x8d4f00);
/// Target met (≈ 7 : 1 on PAGE).
pub const SUCCESS: Color = color!(0x1b5e20);
/// Bars and columns of the staff charts: a neutral slate, so that red, amber and green only
/// ever mean the verdict.
pub const CHART: Color = color!(0x4f6d7a);
/// The staff banner (dark text on amber ≈ 11 : 1).
pub const WARNING: Color = color!(0xffe082);

/// Tints behind the five faces, red → grey → green; the words under each face carry the
/// meaning, so the colour never has to.
const FACE_TINT: [Color; 5] = [
    color!(0xfde3e1),
    color!(0xffead2),
    color!(0xeceff1),
    color!(0xe4f1d9),
    color!(0xd3ecd5),
];
const FACE_EDGE: [Color; 5] = [
    color!(0xc62828),
    color!(0xd84315),
    color!(0x607d8b),
    color!(0x558b2f),
    color!(0x2e7d32),
];

/// Sizes scale with the shorter side of the window: 1.0 at 1080 px, so a 1920×1080 landscape
/// and a 1080×1920 portrait screen get the same type size, and a 1280×800 one a little less.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    unit: f32,
    /// Whether the window is taller than wide.
    pub portrait: bool,
}

impl Metrics {
    /// The metrics for a window of `size` logical pixels.
    pub fn for_size(size: Size) -> Metrics {
        Metrics {
            unit: (size.width.min(size.height) / 1080.0).clamp(0.5, 2.0),
            portrait: size.height > size.width,
        }
    }

    /// `base` pixels at 1080p, scaled to this window.
    pub fn px(&self, base: f32) -> f32 {
        (base * self.unit).round()
    }
}

fn rounded(radius: f32, width: f32, color: Color) -> Border {
    Border {
        radius: radius.into(),
        width,
        color,
    }
}

fn styled(background: Color, text: Color, border: Border, pressed: bool) -> button::Style {
    button::Style {
        background: Some(Background::Color(if pressed { darken(background) } else { background })),
        text_color: text,
        border,
        shadow: Shadow::default(),
        snap: true,
    }
}

fn darken(c: Color) -> Color {
    Color {
        r: c.r * 0.82,
        g: c.g * 0.82,
        b: c.b * 0.82,
        a: c.a,
    }
}

fn is_pressed(status: button::Status) -> bool {
    matches!(status, button::Status::Pressed)
}

/// The hidden corner button: draws nothing, pressed or not.
pub fn invisible(_: &Theme, _: button::Status) -> button::Style {
    button::Style {
        background: None,
        text_color: Color::TRANSPARENT,
        border: Border::default(),
        shadow: Shadow::default(),
        snap: true,
    }
}

/// The big "start" / "send" buttons.
pub fn primary(_: &Theme, status: button::Status) -> button::Style {
    let bg = if is_pressed(status) { PRIMARY_DARK } else { PRIMARY };
    styled(bg, Color::WHITE, rounded(18.0, 0.0, bg), false)
}

/// Back, skip, not used: quiet but clearly buttons.
pub fn secondary(_: &Theme, status: button::Status) -> button::Style {
    styled(SURFACE, TEXT, rounded(16.0, 2.0, LINE), is_pressed(status))
}

/// A face button for `value` (1–5). Pressing darkens it for as long as the finger is down; the
/// choice is never shown afterwards.
pub fn face(value: u8) -> impl Fn(&Theme, button::Status) -> button::Style {
    let i = usize::from(value.clamp(1, 5)) - 1;
    move |_, status| styled(FACE_TINT[i], TEXT, rounded(24.0, 3.0, FACE_EDGE[i]), is_pressed(status))
}

/// A language button; the current language is filled.
pub fn language(active: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        if active {
            primary(theme, status)
        } else {
            secondary(theme, status)
        }
    }
}

/// A follow-up reason chip; picked chips are filled.
pub fn chip(picked: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |_, status| {
        if picked {
            styled(
                PRIMARY,
                Color::WHITE,
                rounded(40.0, 3.0, PRIMARY_DARK),
                is_pressed(status),
            )
        } else {
            styled(SURFACE, TEXT, rounded(40.0, 3.0, LINE), is_pressed(status))
        }
    }
}

/// A large answer option (percent, choice, department).
pub fn option(_: &Theme, status: button::Status) -> button::Style {
    styled(SURFACE, TEXT, rounded(18.0, 2.0, PRIMARY), is_pressed(status))
}

/// A letter key of the on-screen keyboard.
pub fn key(_: &Theme, status: button::Status) -> button::Style {
    styled(SURFACE, TEXT, rounded(10.0, 1.0, LINE), is_pressed(status))
}

/// Space, delete, shift and mode keys; `on` marks an engaged toggle.
pub fn special_key(on: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |_, status| {
        if on {
            styled(
                PRIMARY,
                Color::WHITE,
                rounded(10.0, 1.0, PRIMARY_DARK),
                is_pressed(status),
            )
        } else {
            styled(color!(0xe2e2e2), TEXT, rounded(10.0, 1.0, LINE), is_pressed(status))
        }
    }
}

/// The whole window. `flip` alternates with every change of screen between two shades no eye
/// can tell apart: the changed background makes the tiny-skia renderer repaint the whole window
/// instead of only the changed widgets, whose bounds miss the tone marks Vietnamese stacks past
/// the edge of a line (the acute of a final "ế" would otherwise linger on the next screen).
pub fn page(flip: bool) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(Background::Color(if flip { PAGE_ALT } else { PAGE })),
        text_color: Some(TEXT),
        ..container::Style::default()
    }
}

/// A white card (the typed text, the QR code, the idle question).
pub fn card(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(SURFACE)),
        text_color: Some(TEXT),
        border: rounded(20.0, 2.0, LINE),
        ..container::Style::default()
    }
}

/// The small notice for staff when saving fails.
pub fn banner(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(WARNING)),
        text_color: Some(TEXT),
        border: rounded(8.0, 0.0, WARNING),
        ..container::Style::default()
    }
}

/// The neutral "noted" confirmation after a tap.
pub fn toast(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(PRIMARY)),
        text_color: Some(Color::WHITE),
        border: rounded(30.0, 0.0, PRIMARY),
        ..container::Style::default()
    }
}

/// The progress bar's track (the questions still to come).
pub fn progress_track(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(color!(0xdcdcd6))),
        border: rounded(6.0, 0.0, LINE),
        ..container::Style::default()
    }
}

/// The progress bar's filled part (the questions up to the one on screen).
pub fn progress_done(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(PRIMARY)),
        border: rounded(6.0, 0.0, PRIMARY),
        ..container::Style::default()
    }
}
