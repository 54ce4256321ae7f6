//! The export page: period, format and destination (USB drives first), a progress bar, then
//! the file name or what went wrong. The export itself ([`job`]) runs off the UI thread.

pub mod job;

use std::path::PathBuf;
use std::sync::Arc;

use iced::widget::{Column, Row, column, container, progress_bar, row};
use iced::{Center, Fill};

pub use job::{Destination, Failure, Job, Progress, REMOVABLE_ROOTS, destinations, file_name, run};

use super::{action, tab};
use crate::i18n::{tr, tr_args};
use crate::kiosk::screen::{BOLD, Element, text};
use crate::kiosk::staff::dashboard::PeriodChoice;
use crate::kiosk::theme::{self, Metrics};
use crate::report::export::Format;
use crate::survey::Locale;

/// The export page's state.
#[derive(Debug, Clone)]
pub struct Export {
    /// Period to export.
    pub choice: PeriodChoice,
    /// Format.
    pub format: Format,
    /// Drives and the data directory.
    pub destinations: Vec<Destination>,
    /// Chosen destination.
    pub chosen: usize,
    /// While running: its progress.
    pub running: Option<Arc<Progress>>,
    /// The last result.
    pub result: Option<Result<(PathBuf, u64), Failure>>,
}

/// What staff did on the page, or what its background work reported.
#[derive(Debug, Clone)]
pub enum Message {
    /// The period.
    Period(PeriodChoice),
    /// The format.
    Format(Format),
    /// The destination (index into the list).
    Destination(usize),
    /// Look for drives again.
    RefreshDrives,
    /// The drives found.
    Drives(Vec<Destination>),
    /// Start.
    Start,
    /// Finished: the file and its number of responses, or why not.
    Done(Result<(PathBuf, u64), Failure>),
}

/// What the page asks of staff mode.
#[derive(Debug, Clone)]
pub enum Action {
    /// Nothing.
    None,
    /// List the drives.
    FindDrives,
    /// Run this export.
    Run(Job),
}

impl Export {
    /// The page on `choice`, as XLSX, before the drives are listed.
    pub fn new(choice: PeriodChoice) -> Export {
        Export {
            choice,
            format: Format::Xlsx,
            destinations: Vec::new(),
            chosen: 0,
            running: None,
            result: None,
        }
    }

    /// Handles one message.
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Period(choice) => self.choice = choice,
            Message::Format(format) => self.format = format,
            Message::Destination(i) if i < self.destinations.len() => self.chosen = i,
            Message::Destination(_) => {}
            Message::RefreshDrives => return Action::FindDrives,
            Message::Drives(found) => {
                let keep = self.destinations.get(self.chosen).map(|d| d.dir.clone());
                self.chosen = keep.and_then(|k| found.iter().position(|d| d.dir == k)).unwrap_or(0);
                self.destinations = found;
            }
            Message::Start if self.running.is_none() => {
                if let Some(dest) = self.destinations.get(self.chosen) {
                    let progress = Arc::new(Progress::default());
                    self.running = Some(progress.clone());
                    self.result = None;
                    return Action::Run(Job {
                        choice: self.choice,
                        format: self.format,
                        dir: dest.dir.clone(),
                        progress,
                    });
                }
            }
            Message::Start => {}
            Message::Done(result) => {
                self.running = None;
                self.result = Some(result);
            }
        }
        Action::None
    }

    /// Draws the page.
    pub fn view<'a>(&'a self, m: Metrics, locale: Locale) -> Element<'a, Message> {
        view(m, locale, self)
    }
}

fn view<'a>(m: Metrics, locale: Locale, page: &'a Export) -> Element<'a, Message> {
    let heading = |id: crate::i18n::Id| text(tr(locale, id)).size(m.px(22.0)).font(BOLD);
    let mut periods = Row::new().spacing(m.px(8.0));
    for choice in PeriodChoice::ALL {
        periods = periods.push(tab(
            m,
            tr(locale, choice.message_id()),
            page.choice == choice,
            Message::Period(choice),
        ));
    }
    let formats = row![
        tab(
            m,
            "Excel (XLSX)".into(),
            page.format == Format::Xlsx,
            Message::Format(Format::Xlsx)
        ),
        tab(
            m,
            "CSV".into(),
            page.format == Format::Csv,
            Message::Format(Format::Csv)
        ),
    ]
    .spacing(m.px(8.0));
    let mut destinations = Column::new().spacing(m.px(8.0));
    if !page.destinations.iter().any(|d| d.removable) {
        destinations = destinations.push(
            text(tr(locale, id!("export-no-drive")))
                .size(m.px(20.0))
                .color(theme::MUTED),
        );
    }
    for (i, d) in page.destinations.iter().enumerate() {
        let label = if d.removable {
            tr_args(locale, id!("export-drive"), &[("name", short(&d.dir).into())])
        } else {
            tr(locale, id!("export-data-dir"))
        };
        destinations = destinations.push(tab(m, label, page.chosen == i, Message::Destination(i)));
    }
    let running = page.running.is_some();
    let start = action(
        m,
        tr(locale, id!("export-start")),
        (!running && !page.destinations.is_empty()).then_some(Message::Start),
        true,
    );
    let mut status = Column::new().spacing(m.px(10.0));
    if let Some(progress) = &page.running {
        let (done, total) = progress.get();
        status = status.push(progress_bar(0.0..=total.max(1) as f32, done as f32)).push(
            text(tr_args(
                locale,
                id!("export-progress"),
                &[("done", done.into()), ("total", total.into())],
            ))
            .size(m.px(20.0)),
        );
    }
    match &page.result {
        Some(Ok((path, n))) => {
            status = status.push(
                text(tr_args(
                    locale,
                    id!("export-done"),
                    &[("count", (*n).into()), ("path", short_file(path).into())],
                ))
                .size(m.px(24.0))
                .font(BOLD)
                .color(theme::SUCCESS),
            );
        }
        Some(Err(failure)) => {
            let words = match failure {
                Failure::Full => tr(locale, id!("export-error-full")),
                Failure::ReadOnly => tr(locale, id!("export-error-readonly")),
                Failure::Removed => tr(locale, id!("export-error-removed")),
                Failure::TooManyRows(n) => tr_args(locale, id!("export-error-too-many"), &[("count", (*n).into())]),
                Failure::Store(problem) => tr_args(
                    locale,
                    id!("export-error-other"),
                    &[("detail", problem.describe(locale).into())],
                ),
                Failure::Other(detail) => {
                    tr_args(locale, id!("export-error-other"), &[("detail", detail.clone().into())])
                }
            };
            status = status.push(text(words).size(m.px(24.0)).font(BOLD).color(theme::DANGER));
        }
        None => {}
    }
    let content = column![
        heading(id!("export-period")),
        periods,
        heading(id!("export-format")),
        formats,
        row![
            heading(id!("export-destination")),
            action(
                m,
                tr(locale, id!("export-refresh")),
                Some(Message::RefreshDrives),
                false
            )
        ]
        .spacing(m.px(16.0))
        .align_y(Center),
        destinations,
        start,
        status,
    ]
    .spacing(m.px(14.0));
    container(content)
        .padding(m.px(26.0))
        .width(Fill)
        .style(theme::card)
        .into()
}

/// A drive by its label (the mount point's last part, e.g. `USB-KHOA`).
fn short(dir: &std::path::Path) -> String {
    dir.file_name()
        .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// `USB-KHOA/hailong-2026-Q4.xlsx`.
fn short_file(path: &std::path::Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match path.parent() {
        Some(dir) => format!("{}/{name}", short(dir)),
        None => name,
    }
}
