//! The sync page: the centre, the last success, what waits in the outbox, the last error, the
//! last chain audit and the clock check, and "Sync now".

use iced::Fill;
use iced::widget::{column, container, row};

use super::action;
use crate::config::CentreConfig;
use crate::i18n::{tr, tr_args};
use crate::kiosk::app::SyncState;
use crate::kiosk::problem::StoreProblem;
use crate::kiosk::screen::{Element, text};
use crate::kiosk::theme::{self, Metrics};
use crate::store::OutboxStatus;
use crate::survey::Locale;

/// The sync page's state: the outbox, once counted. (How the background sync is doing is the
/// kiosk's, [`SyncState`]: it runs whether the page is open or not.)
#[derive(Debug, Clone, Default)]
pub struct Sync {
    /// The outbox, once counted.
    pub outbox: Option<Result<OutboxStatus, StoreProblem>>,
}

/// What staff did on the page, or the outbox counted.
#[derive(Debug, Clone)]
pub enum Message {
    /// The outbox counted.
    Loaded(Result<OutboxStatus, StoreProblem>),
    /// "Sync now".
    SyncNow,
}

/// What the page asks of staff mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing.
    None,
    /// Run a sync round now.
    SyncNow,
}

impl Sync {
    /// Handles one message.
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Loaded(result) => {
                self.outbox = Some(result);
                Action::None
            }
            Message::SyncNow => Action::SyncNow,
        }
    }

    /// Draws the page: `centre` the settings it syncs with, `tz` the facility's time zone,
    /// `state` how the background sync is doing.
    pub fn view<'a>(
        &'a self,
        m: Metrics,
        locale: Locale,
        centre: &'a CentreConfig,
        tz: chrono_tz::Tz,
        state: &'a SyncState,
    ) -> Element<'a, Message> {
        view(m, locale, self, centre, tz, state)
    }
}

/// What the last chain audit found, in words: how many responses the centre compared, and the
/// sequence numbers altered or removed on the kiosk since they were sent (the first 20 of each).
fn audit_words(locale: Locale, result: &crate::sync::AuditResult) -> String {
    let numbers = |seqs: &[u64]| {
        let mut list = seqs.iter().take(20).map(u64::to_string).collect::<Vec<_>>().join(", ");
        if seqs.len() > 20 {
            list.push_str(&tr_args(
                locale,
                id!("sync-audit-more"),
                &[("count", (seqs.len() - 20).into())],
            ));
        }
        list
    };
    let checked = ("checked", result.checked.into());
    if result.altered.is_empty() && result.removed.is_empty() {
        return tr_args(locale, id!("sync-audit-clean"), &[checked]);
    }
    let mut found = Vec::new();
    if !result.altered.is_empty() {
        found.push(tr_args(
            locale,
            id!("sync-audit-altered"),
            &[("seqs", numbers(&result.altered).into())],
        ));
    }
    if !result.removed.is_empty() {
        found.push(tr_args(
            locale,
            id!("sync-audit-removed"),
            &[("seqs", numbers(&result.removed).into())],
        ));
    }
    tr_args(
        locale,
        id!("sync-audit-found"),
        &[checked, ("found", found.join("; ").into())],
    )
}

fn view<'a>(
    m: Metrics,
    locale: Locale,
    page: &'a Sync,
    centre: &'a CentreConfig,
    tz: chrono_tz::Tz,
    state: &'a SyncState,
) -> Element<'a, Message> {
    let configured = !centre.url.is_empty() && !centre.token.is_empty();
    let when = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string();
    let url = if configured {
        centre.url.clone()
    } else {
        tr(locale, id!("sync-not-configured"))
    };
    let queued = match &page.outbox {
        None => tr(locale, id!("staff-loading")),
        Some(Ok(status)) => tr_args(
            locale,
            id!("sync-queued"),
            &[
                ("count", status.queued.into()),
                ("oldest", status.oldest.map_or_else(|| "—".to_string(), when).into()),
            ],
        ),
        Some(Err(e)) => e.describe(locale),
    };
    let last_success = state.last_success.map_or_else(|| tr(locale, id!("sync-never")), when);
    let last_error = state
        .last_error
        .as_ref()
        .map_or_else(|| "—".to_string(), |e| e.explain(locale));
    let error_color = if state.last_error.is_some() {
        theme::DANGER
    } else {
        theme::TEXT
    };
    let line = |label: crate::i18n::Id, value: String, color: iced::Color| {
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
    let audit: Element<'a, Message> = match &state.last_audit {
        None => text(tr(locale, id!("sync-audit-never"))).size(m.px(24.0)).into(),
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
        text(tr(locale, id!("sync-audit")))
            .size(m.px(24.0))
            .color(theme::MUTED)
            .width(m.px(360.0)),
        container(audit).width(Fill),
    ]
    .spacing(m.px(16.0));
    let mut content = column![
        line(id!("sync-centre"), url, theme::TEXT),
        line(id!("sync-last-success"), last_success, theme::TEXT),
        line(id!("sync-waiting"), queued, theme::TEXT),
        line(id!("sync-last-error"), last_error, error_color),
        audit,
    ]
    .spacing(m.px(22.0));
    if let Some(Ok(status)) = &page.outbox
        && status.notes > 0
    {
        content = content.push(line(
            id!("sync-notes-waiting"),
            tr_args(locale, id!("sync-notes-count"), &[("count", status.notes.into())]),
            theme::TEXT,
        ));
    }
    if let Some(warning) = state
        .clock_offset
        .and_then(|offset| crate::sync::client::explain_clock(offset, locale))
    {
        content = content.push(line(id!("sync-clock"), warning, theme::DANGER));
    }
    if configured {
        content = content.push(if state.running {
            action(m, tr(locale, id!("sync-running")), None, true)
        } else {
            action(m, tr(locale, id!("sync-now")), Some(Message::SyncNow), true)
        });
    } else {
        content = content.push(
            text(tr(locale, id!("sync-explain")))
                .size(m.px(22.0))
                .color(theme::MUTED),
        );
    }
    container(content)
        .padding(m.px(30.0))
        .width(Fill)
        .style(theme::card)
        .into()
}
