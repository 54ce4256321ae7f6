//! The dashboard's charts, drawn with iced's canvas: satisfaction per section as bars and the
//! trend by week or month. Both run from 0 to 100 % along a labelled axis (0, 25, 50, 75,
//! 100 %), so a short bar is a low rate and not a trick of the scale, and both draw the
//! target as a line with its label ("Mục tiêu 95 %"). Colours come from the caller: the
//! charts give them no meaning of their own.

use iced::widget::canvas::{self, Frame, Geometry, Path, Stroke, Text};
use iced::{Color, Point, Rectangle, Renderer, Size, Theme, mouse};

use crate::kiosk::screen::FONT;
use crate::kiosk::theme;

/// The axis ticks, percent.
pub const TICKS: [f64; 5] = [0.0, 25.0, 50.0, 75.0, 100.0];

fn label(frame: &mut Frame, content: String, at: Point, size: f32, color: Color, align: iced::alignment::Horizontal) {
    frame.fill_text(Text {
        content,
        position: at,
        color,
        size: size.into(),
        font: FONT,
        align_x: align.into(),
        align_y: iced::alignment::Vertical::Center,
        ..Text::default()
    });
}

fn color_alpha(c: Color, a: f32) -> Color {
    Color { a, ..c }
}

fn dashed(color: Color, width: f32) -> Stroke<'static> {
    Stroke {
        line_dash: canvas::LineDash {
            segments: &[8.0, 6.0],
            offset: 0,
        },
        ..Stroke::default().with_color(color).with_width(width)
    }
}

/// Horizontal bars, one per row, on a 0–100 % axis with the target line.
#[derive(Debug, Clone)]
pub struct Bars {
    /// The rows: label, rate as text, rate, bar colour.
    pub rows: Vec<(String, String, Option<f64>, Color)>,
    /// The target, percent.
    pub target: f64,
    /// "Mục tiêu 95 %", drawn at the target line.
    pub target_label: String,
    /// The ticks' labels ("0 %", "25 %", …), one per [`TICKS`].
    pub tick_labels: Vec<String>,
    /// Text size.
    pub text_size: f32,
}

impl Bars {
    /// The height the chart needs for its rows, the target label and the axis.
    pub fn height(rows: usize, row_height: f32, text_size: f32) -> f32 {
        row_height * rows.max(1) as f32 + text_size * 3.2
    }
}

impl<Message> canvas::Program<Message> for Bars {
    type State = ();

    fn draw(&self, _: &(), renderer: &Renderer, _: &Theme, bounds: Rectangle, _: mouse::Cursor) -> Vec<Geometry> {
        use iced::alignment::Horizontal::{Center, Left, Right};
        let mut frame = Frame::new(renderer, bounds.size());
        let top = self.text_size * 1.5; // the target's label
        let axis_h = self.text_size * 1.7; // the ticks' labels
        let plot_h = (bounds.height - top - axis_h).max(10.0);
        let n = self.rows.len().max(1) as f32;
        let row_h = plot_h / n;
        let label_w = bounds.width * 0.40;
        let value_w = bounds.width * 0.12;
        // Room for half a tick label either side of the axis.
        let bar_x = label_w + self.text_size * 1.6;
        let bar_w = (bounds.width - bar_x - value_w - self.text_size * 0.8).max(10.0);
        let x_of = |pct: f64| bar_x + bar_w * ((pct / 100.0).clamp(0.0, 1.0) as f32);
        // Grid and axis first, so the bars sit on top.
        for (tick, text) in TICKS.iter().zip(&self.tick_labels) {
            let x = x_of(*tick);
            frame.stroke(
                &Path::line(Point::new(x, top), Point::new(x, top + plot_h)),
                Stroke::default()
                    .with_color(color_alpha(theme::LINE, 0.35))
                    .with_width(1.0),
            );
            label(
                &mut frame,
                text.clone(),
                Point::new(x, top + plot_h + axis_h / 2.0),
                self.text_size * 0.85,
                theme::MUTED,
                Center,
            );
        }
        frame.stroke(
            &Path::line(Point::new(bar_x, top + plot_h), Point::new(bar_x + bar_w, top + plot_h)),
            Stroke::default().with_color(theme::MUTED).with_width(1.5),
        );
        for (i, (name, value, pct, color)) in self.rows.iter().enumerate() {
            let y = top + i as f32 * row_h;
            let mid = y + row_h / 2.0;
            label(
                &mut frame,
                name.clone(),
                Point::new(0.0, mid),
                self.text_size,
                theme::TEXT,
                Left,
            );
            if let Some(p) = pct {
                frame.fill_rectangle(
                    Point::new(bar_x, y + row_h * 0.2),
                    Size::new(x_of(*p) - bar_x, row_h * 0.6),
                    *color,
                );
            }
            label(
                &mut frame,
                value.clone(),
                Point::new(bounds.width, mid),
                self.text_size,
                theme::TEXT,
                Right,
            );
        }
        let tx = x_of(self.target);
        frame.stroke(
            &Path::line(Point::new(tx, top), Point::new(tx, top + plot_h)),
            dashed(theme::TEXT, 2.0),
        );
        label(
            &mut frame,
            self.target_label.clone(),
            Point::new(tx, top / 2.0),
            self.text_size * 0.85,
            theme::TEXT,
            Right,
        );
        vec![frame.into_geometry()]
    }
}

/// Satisfaction per period bucket as columns on a 0–100 % y-axis, with the target line.
#[derive(Debug, Clone)]
pub struct Trend {
    /// (label under the column, rate, column colour).
    pub points: Vec<(String, Option<f64>, Color)>,
    /// The target, percent.
    pub target: f64,
    /// Text size.
    pub text_size: f32,
    /// "Mục tiêu 95 %", drawn at the target line.
    pub target_label: String,
    /// The ticks' labels ("0 %", "25 %", …), one per [`TICKS`].
    pub tick_labels: Vec<String>,
}

impl<Message> canvas::Program<Message> for Trend {
    type State = ();

    fn draw(&self, _: &(), renderer: &Renderer, _: &Theme, bounds: Rectangle, _: mouse::Cursor) -> Vec<Geometry> {
        use iced::alignment::Horizontal::{Center, Right};
        let mut frame = Frame::new(renderer, bounds.size());
        let top = self.text_size * 1.6; // the target's label, above the plot
        let axis_h = self.text_size * 1.8;
        let plot_h = (bounds.height - top - axis_h).max(10.0);
        // The y-axis labels ("100 %") on the left.
        let axis_w = self.text_size * 3.6;
        let plot_w = (bounds.width - axis_w).max(10.0);
        let n = self.points.len().max(1) as f32;
        let col_w = plot_w / n;
        let y_of = |pct: f64| top + plot_h * (1.0 - (pct / 100.0).clamp(0.0, 1.0) as f32);
        for (tick, text) in TICKS.iter().zip(&self.tick_labels) {
            let y = y_of(*tick);
            frame.stroke(
                &Path::line(Point::new(axis_w, y), Point::new(bounds.width, y)),
                Stroke::default()
                    .with_color(color_alpha(theme::LINE, 0.35))
                    .with_width(1.0),
            );
            label(
                &mut frame,
                text.clone(),
                Point::new(axis_w - self.text_size * 0.4, y),
                self.text_size * 0.85,
                theme::MUTED,
                Right,
            );
        }
        frame.stroke(
            &Path::line(Point::new(axis_w, top), Point::new(axis_w, top + plot_h)),
            Stroke::default().with_color(theme::MUTED).with_width(1.5),
        );
        for (i, (name, pct, color)) in self.points.iter().enumerate() {
            let x = axis_w + i as f32 * col_w;
            if let Some(p) = pct {
                let y = y_of(*p);
                frame.fill_rectangle(
                    Point::new(x + col_w * 0.15, y),
                    Size::new(col_w * 0.7, top + plot_h - y),
                    *color,
                );
            }
            label(
                &mut frame,
                name.clone(),
                Point::new(x + col_w / 2.0, top + plot_h + axis_h / 2.0),
                self.text_size * 0.85,
                theme::MUTED,
                Center,
            );
        }
        let ty = y_of(self.target);
        frame.stroke(
            &Path::line(Point::new(axis_w, ty), Point::new(bounds.width, ty)),
            dashed(theme::TEXT, 2.0),
        );
        // The label above the plot, at the right end, with a short dashed sample of the line
        // before it: clear of the columns whatever the rates.
        let label_w = self.text_size * 0.5 * self.target_label.chars().count() as f32;
        let label_y = top / 2.0;
        let sample_end = bounds.width - label_w - self.text_size * 0.5;
        frame.stroke(
            &Path::line(
                Point::new(sample_end - self.text_size * 2.0, label_y),
                Point::new(sample_end, label_y),
            ),
            dashed(theme::TEXT, 2.0),
        );
        label(
            &mut frame,
            self.target_label.clone(),
            Point::new(bounds.width, label_y),
            self.text_size * 0.85,
            theme::TEXT,
            Right,
        );
        vec![frame.into_geometry()]
    }
}
