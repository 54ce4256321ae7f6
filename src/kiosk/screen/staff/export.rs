//! Export: period, format and destination (USB drives first), a progress bar, then the file
//! name or what went wrong.

use iced::widget::{Column, Row, column, container, progress_bar, row};
use iced::{Center, Fill};

use super::{action, tab};
use crate::i18n::{tr, tr_args};
use crate::kiosk::app::Kiosk;
use crate::kiosk::screen::{BOLD, Element, text};
use crate::kiosk::staff::dashboard::PeriodChoice;
use crate::kiosk::staff::export::Failure;
use crate::kiosk::staff::{self, Staff};
use crate::kiosk::theme;
use crate::report::export::Format;

pub fn view<'a>(kiosk: &'a Kiosk, staff: &'a Staff) -> Element<'a> {
    let m = kiosk.metrics();
    let locale = kiosk.locale();
    let page = &staff.export;
    let heading = |id: &str| text(tr(locale, id)).size(m.px(22.0)).font(BOLD);
    let mut periods = Row::new().spacing(m.px(8.0));
    for choice in PeriodChoice::ALL {
        periods = periods.push(tab(
            m,
            tr(locale, choice.message_id()),
            page.choice == choice,
            staff::Message::ExportPeriod(choice),
        ));
    }
    let formats = row![
        tab(
            m,
            "Excel (XLSX)".into(),
            page.format == Format::Xlsx,
            staff::Message::ExportFormat(Format::Xlsx)
        ),
        tab(
            m,
            "CSV".into(),
            page.format == Format::Csv,
            staff::Message::ExportFormat(Format::Csv)
        ),
    ]
    .spacing(m.px(8.0));
    let mut destinations = Column::new().spacing(m.px(8.0));
    if !page.destinations.iter().any(|d| d.removable) {
        destinations = destinations.push(text(tr(locale, "export-no-drive")).size(m.px(20.0)).color(theme::MUTED));
    }
    for (i, d) in page.destinations.iter().enumerate() {
        let label = if d.removable {
            tr_args(locale, "export-drive", &[("name", short(&d.dir).into())])
        } else {
            tr(locale, "export-data-dir")
        };
        destinations = destinations.push(tab(m, label, page.chosen == i, staff::Message::ExportDestination(i)));
    }
    let running = page.running.is_some();
    let start = action(
        m,
        tr(locale, "export-start"),
        (!running && !page.destinations.is_empty()).then_some(staff::Message::ExportStart),
        true,
    );
    let mut status = Column::new().spacing(m.px(10.0));
    if let Some(progress) = &page.running {
        let (done, total) = progress.get();
        status = status.push(progress_bar(0.0..=total.max(1) as f32, done as f32)).push(
            text(tr_args(
                locale,
                "export-progress",
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
                    "export-done",
                    &[("count", (*n).into()), ("path", short_file(path).into())],
                ))
                .size(m.px(24.0))
                .font(BOLD)
                .color(theme::SUCCESS),
            );
        }
        Some(Err(failure)) => {
            let words = match failure {
                Failure::Full => tr(locale, "export-error-full"),
                Failure::ReadOnly => tr(locale, "export-error-readonly"),
                Failure::Removed => tr(locale, "export-error-removed"),
                Failure::TooManyRows(n) => tr_args(locale, "export-error-too-many", &[("count", (*n).into())]),
                Failure::Store(problem) => tr_args(
                    locale,
                    "export-error-other",
                    &[("detail", problem.describe(locale).into())],
                ),
                Failure::Other(detail) => tr_args(locale, "export-error-other", &[("detail", detail.clone().into())]),
            };
            status = status.push(text(words).size(m.px(24.0)).font(BOLD).color(theme::DANGER));
        }
        None => {}
    }
    let content = column![
        heading("export-period"),
        periods,
        heading("export-format"),
        formats,
        row![
            heading("export-destination"),
            action(
                m,
                tr(locale, "export-refresh"),
                Some(staff::Message::RefreshDrives),
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
