//! Staff mode's screens: a tab bar over the dashboard, export, sync and settings pages.

mod charts;
mod dashboard;
pub use dashboard::SCROLL as DASHBOARD_SCROLL;
mod export;
mod settings;

use iced::widget::{Row, button, center, column, container, row, space};
use iced::{Center, Fill};

use super::{BOLD, Element, text};
use crate::i18n::{tr, tr_args};
use crate::kiosk::app::{Kiosk, Message};
use crate::kiosk::staff::{self, Page, Staff};
use crate::kiosk::theme::{self, Metrics};

fn send(m: staff::Message) -> Message {
    Message::Staff(m)
}

/// A tab-like button; the active one is filled.
pub fn tab<'a>(m: Metrics, label: String, active: bool, message: staff::Message) -> Element<'a> {
    button(text(label).size(m.px(22.0)))
        .padding([m.px(12.0), m.px(20.0)])
        .style(theme::language(active))
        .on_press(send(message))
        .into()
}

/// A plain action button.
pub fn action<'a>(m: Metrics, label: String, message: Option<staff::Message>, primary: bool) -> Element<'a> {
    button(text(label).size(m.px(22.0)).font(BOLD))
        .padding([m.px(14.0), m.px(26.0)])
        .style(if primary { theme::primary } else { theme::secondary })
        .on_press_maybe(message.map(send))
        .into()
}

pub fn view<'a>(kiosk: &'a Kiosk, staff: &'a Staff) -> Element<'a> {
    let m = kiosk.metrics();
    let locale = kiosk.locale();
    let pages = [
        (Page::Dashboard, "staff-tab-dashboard"),
        (Page::Export, "staff-tab-export"),
        (Page::Sync, "staff-tab-sync"),
        (Page::Settings, "staff-tab-settings"),
    ];
    let mut tabs = Row::new().spacing(m.px(10.0)).align_y(Center);
    for (page, id) in pages {
        tabs = tabs.push(tab(m, tr(locale, id), staff.page == page, staff::Message::Page(page)));
    }
    tabs = tabs
        .push(space::horizontal())
        .push(action(m, tr(locale, "staff-leave"), Some(staff::Message::Leave), false))
        .push(action(m, tr(locale, "staff-quit"), Some(staff::Message::Quit), false));
    let title = text(tr_args(
        locale,
        "staff-title",
        &[("facility", kiosk.config().facility_name.clone().into())],
    ))
    .size(m.px(30.0))
    .font(BOLD);
    let body = if staff.confirm_quit {
        confirm_quit(m, locale)
    } else {
        match staff.page {
            Page::Dashboard => dashboard::view(kiosk, staff),
            Page::Export => export::view(kiosk, staff),
            Page::Sync => sync(kiosk, staff),
            Page::Settings => settings::view(kiosk, staff),
        }
    };
    let mut page = column![title, tabs].spacing(m.px(18.0));
    if let Some(digits) = staff.short_pin {
        let line = tr_args(locale, "staff-short-pin", &[("digits", digits.into())]);
        page = page.push(
            container(text(line).size(m.px(20.0)))
                .padding([m.px(8.0), m.px(14.0)])
                .width(Fill)
                .style(theme::banner),
        );
    }
    page.push(container(body).width(Fill).height(Fill)).into()
}

fn confirm_quit<'a>(m: Metrics, locale: crate::survey::Locale) -> Element<'a> {
    let card = column![
        text(tr(locale, "staff-quit-title"))
            .size(m.px(40.0))
            .font(BOLD)
            .center()
            .width(Fill),
        text(tr(locale, "staff-quit-body"))
            .size(m.px(26.0))
            .center()
            .width(Fill),
        row![
            action(
                m,
                tr(locale, "staff-quit-confirm"),
                Some(staff::Message::QuitConfirmed),
                true
            ),
            action(
                m,
                tr(locale, "staff-quit-cancel"),
                Some(staff::Message::QuitCancelled),
                false
            ),
        ]
        .spacing(m.px(20.0)),
    ]
    .spacing(m.px(28.0))
    .align_x(Center)
    .width(m.px(900.0));
    center(container(card).padding(m.px(40.0)).style(theme::card)).into()
}

/// What the last chain audit found, in words: how many responses the centre compared, and the
/// sequence numbers altered or removed on the kiosk since they were sent (the first 20 of each).
fn audit_words(locale: crate::survey::Locale, result: &crate::sync::AuditResult) -> String {
    let numbers = |seqs: &[u64]| {
        let mut list = seqs.iter().take(20).map(u64::to_string).collect::<Vec<_>>().join(", ");
        if seqs.len() > 20 {
            list.push_str(&tr_args(
                locale,
                "sync-audit-more",
                &[("count", (seqs.len() - 20).into())],
            ));
        }
        list
    };
    let checked = ("checked", result.checked.into());
    if result.altered.is_empty() && result.removed.is_empty() {
        return tr_args(locale, "sync-audit-clean", &[checked]);
    }
    let mut found = Vec::new();
    if !result.altered.is_empty() {
        found.push(tr_args(
            locale,
            "sync-audit-altered",
            &[("seqs", numbers(&result.altered).into())],
        ));
    }
    if !result.removed.is_empty() {
        found.push(tr_args(
            locale,
            "sync-audit-removed",
            &[("seqs", numbers(&result.removed).into())],
        ));
    }
    tr_args(
        locale,
        "sync-audit-found",
        &[checked, ("found", found.join("; ").into())],
    )
}

fn sync<'a>(kiosk: &'a Kiosk, staff: &'a Staff) -> Element<'a> {
    let m = kiosk.metrics();
    let locale = kiosk.locale();
    let centre = &kiosk.config().centre;
    let configured = !centre.url.is_empty() && !centre.token.is_empty();
    let tz = kiosk.config().timezone.0;
    let when = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string();
    let url = if configured {
        centre.url.clone()
    } else {
        tr(locale, "sync-not-configured")
    };
    let queued = match &staff.outbox {
        None => tr(locale, "staff-loading"),
        Some(Ok(status)) => tr_args(
            locale,
            "sync-queued",
            &[
                ("count", status.queued.into()),
                ("oldest", status.oldest.map_or_else(|| "—".to_string(), when).into()),
            ],
        ),
        Some(Err(e)) => e.describe(locale),
    };
    let state = kiosk.sync_state();
    let last_success = state.last_success.map_or_else(|| tr(locale, "sync-never"), when);
    let last_error = state
        .last_error
        .as_ref()
        .map_or_else(|| "—".to_string(), |e| e.explain(locale));
    let error_color = if state.last_error.is_some() {
        theme::DANGER
    } else {
        theme::TEXT
    };
    let line = |label: &str, value: String, color: iced::Color| {
        row![
            text(tr(locale, label))
                .size(m.px(24.0))
                .color(theme::MUTED)
                .width(m.px(360.0)),
            text(value).size(m.px(24.0)).color(color).width(Fill),
        ]
        .spacing(m.px(16.0))
    };
    // The audit's time on one line, what it found on the next.
    let audit: Element<'a> = match &state.last_audit {
        None => text(tr(locale, "sync-audit-never")).size(m.px(24.0)).into(),
        Some((at, result)) => {
            let clean = result.altered.is_empty() && result.removed.is_empty();
            column![
                text(when(*at)).size(m.px(24.0)),
                text(audit_words(locale, result)).size(m.px(24.0)).color(if clean {
                    theme::TEXT
                } else {
                    theme::DANGER
                }),
            ]
            .spacing(m.px(4.0))
            .into()
        }
    };
    let audit = row![
        text(tr(locale, "sync-audit"))
            .size(m.px(24.0))
            .color(theme::MUTED)
            .width(m.px(360.0)),
        container(audit).width(Fill),
    ]
    .spacing(m.px(16.0));
    let mut content = column![
        line("sync-centre", url, theme::TEXT),
        line("sync-last-success", last_success, theme::TEXT),
        line("sync-waiting", queued, theme::TEXT),
        line("sync-last-error", last_error, error_color),
        audit,
    ]
    .spacing(m.px(22.0));
    if let Some(warning) = state
        .clock_offset
        .and_then(|offset| crate::sync::client::explain_clock(offset, locale))
    {
        content = content.push(line("sync-clock", warning, theme::DANGER));
    }
    if configured {
        content = content.push(if state.running {
            action(m, tr(locale, "sync-running"), None, true)
        } else {
            action(m, tr(locale, "sync-now"), Some(staff::Message::SyncNow), true)
        });
    } else {
        content = content.push(text(tr(locale, "sync-explain")).size(m.px(22.0)).color(theme::MUTED));
    }
    container(content)
        .padding(m.px(30.0))
        .width(Fill)
        .style(theme::card)
        .into()
}
