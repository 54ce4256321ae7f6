//! The dashboard's charts, drawn with iced's canvas: satisfaction per section as bars and the
//! trend by week or month, each against the target line.

use iced::widget::canvas::{self, Frame, Geometry, Path, Stroke, Text};
use iced::{Color, Point, Rectangle, Renderer, Size, Theme, mouse};

use crate::kiosk::app::Message;
use crate::kiosk::screen::FONT;
use crate::kiosk::theme;
use crate::survey::Verdict;

/// Bar colour for a row's verdict (`report::verdict`, the headline's rule): green met, red not
/// met, amber too few answers to say (the numbers are printed beside every bar too).
fn bar_color(verdict: Verdict) -> Color {
    match verdict {
        Verdict::Met => theme::SUCCESS,
        Verdict::NotMet => theme::DANGER,
        Verdict::Inconclusive => theme::AMBER,
        Verdict::NoData => theme::MUTED,
    }
}

fn label(frame: &mut Frame, content: String, at: Point, size: f32, color: Color, align_right: bool) {
    frame.fill_text(Text {
        content,
        position: at,
        color,
        size: size.into(),
        font: FONT,
        align_x: if align_right {
            iced::alignment::Horizontal::Right.into()
        } else {
            iced::alignment::Horizontal::Left.into()
        },
        align_y: iced::alignment::Vertical::Center,
        ..Text::default()
    });
}

/// Horizontal bars, one per row: (label, rate shown as text, rate, verdict).
#[derive(Debug, Clone)]
pub struct Bars {
    /// The rows.
    pub rows: Vec<(String, String, Option<f64>, Verdict)>,
    /// The target, percent.
    pub target: f64,
    /// Text size.
    pub text_size: f32,
}

impl canvas::Program<Message> for Bars {
    type State = ();

    fn draw(&self, _: &(), renderer: &Renderer, _: &Theme, bounds: Rectangle, _: mouse::Cursor) -> Vec<Geometry> {
        let mut frame = Frame::new(renderer, bounds.size());
        let n = self.rows.len().max(1) as f32;
        let row_h = bounds.height / n;
        let label_w = bounds.width * 0.42;
        let value_w = bounds.width * 0.14;
        let bar_x = label_w + 8.0;
        let bar_w = (bounds.width - bar_x - value_w).max(10.0);
        // The scale runs from 50 % so the differences that matter near 95 % are visible.
        let x_of = |pct: f64| bar_x + bar_w * (((pct - 50.0) / 50.0).clamp(0.0, 1.0) as f32);
        for (i, (name, value, pct, verdict)) in self.rows.iter().enumerate() {
            let y = i as f32 * row_h;
            let mid = y + row_h / 2.0;
            label(
                &mut frame,
                name.clone(),
                Point::new(0.0, mid),
                self.text_size,
                theme::TEXT,
                false,
            );
            frame.fill_rectangle(
                Point::new(bar_x, y + row_h * 0.2),
                Size::new(bar_w, row_h * 0.6),
                color_alpha(theme::LINE, 0.25),
            );
            if let Some(p) = pct {
                frame.fill_rectangle(
                    Point::new(bar_x, y + row_h * 0.2),
                    Size::new(x_of(*p) - bar_x, row_h * 0.6),
                    bar_color(*verdict),
                );
            }
            label(
                &mut frame,
                value.clone(),
                Point::new(bounds.width, mid),
                self.text_size,
                theme::TEXT,
                true,
            );
        }
        let tx = x_of(self.target);
        frame.stroke(
            &Path::line(Point::new(tx, 0.0), Point::new(tx, bounds.height)),
            Stroke::default().with_color(theme::TEXT).with_width(2.0),
        );
        vec![frame.into_geometry()]
    }
}

fn color_alpha(c: Color, a: f32) -> Color {
    Color { a, ..c }
}

/// Satisfaction per period bucket as columns, with the target line.
#[derive(Debug, Clone)]
pub struct Trend {
    /// (label under the column, rate, verdict).
    pub points: Vec<(String, Option<f64>, Verdict)>,
    /// The target, percent.
    pub target: f64,
    /// Text size.
    pub text_size: f32,
    /// "Mục tiêu 95 %", drawn at the target line.
    pub target_label: String,
}

impl canvas::Program<Message> for Trend {
    type State = ();

    fn draw(&self, _: &(), renderer: &Renderer, _: &Theme, bounds: Rectangle, _: mouse::Cursor) -> Vec<Geometry> {
        let mut frame = Frame::new(renderer, bounds.size());
        let axis_h = self.text_size * 1.8;
        let plot_h = (bounds.height - axis_h).max(10.0);
        let n = self.points.len().max(1) as f32;
        let col_w = bounds.width / n;
        let y_of = |pct: f64| plot_h * (1.0 - ((pct - 50.0) / 50.0).clamp(0.0, 1.0) as f32);
        for (i, (name, pct, verdict)) in self.points.iter().enumerate() {
            let x = i as f32 * col_w;
            if let Some(p) = pct {
                let top = y_of(*p);
                frame.fill_rectangle(
                    Point::new(x + col_w * 0.15, top),
                    Size::new(col_w * 0.7, plot_h - top),
                    bar_color(*verdict),
                );
            }
            frame.fill_text(Text {
                content: name.clone(),
                position: Point::new(x + col_w / 2.0, plot_h + axis_h / 2.0),
                color: theme::MUTED,
                size: (self.text_size * 0.85).into(),
                font: FONT,
                align_x: iced::alignment::Horizontal::Center.into(),
                align_y: iced::alignment::Vertical::Center,
                ..Text::default()
            });
        }
        let ty = y_of(self.target);
        frame.stroke(
            &Path::line(Point::new(0.0, ty), Point::new(bounds.width, ty)),
            Stroke::default().with_color(theme::TEXT).with_width(2.0),
        );
        label(
            &mut frame,
            self.target_label.clone(),
            Point::new(bounds.width, ty - self.text_size * 0.8),
            self.text_size * 0.85,
            theme::TEXT,
            true,
        );
        vec![frame.into_geometry()]
    }
}
