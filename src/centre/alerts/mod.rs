//! Alerts and digests (DESIGN §10): what the centre tells people without being asked — a new
//! urgent item or denunciation, an item due soon or overdue (escalated to directors), a facility
//! or department wholly below the target, a kiosk silent during opening hours, a tamper or gap
//! event — and a daily and weekly digest, by e-mail (SMTP) and a signed webhook.
//!
//! Nothing is sent straight away: [`candidates`] turns what the centre holds into alerts, each
//! with a key that names what it is about (`overdue:<item>:<due date>:<recipient>`), and the
//! queue ([`AlertStore`], both backends) keeps one row per key, so an alert is queued once
//! however often the triggers are evaluated. [`deliver`] claims due rows one at a time with a
//! lease (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so several `centre serve` processes on one
//! database never send the same row twice), sends it, and marks it sent — or records the error
//! and retries with a back-off (1 minute doubling to 1 hour). An SMTP server that is down loses
//! nothing: the row waits.

mod postgres;
pub mod send;
mod sqlite;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};
use serde::Serialize;

use crate::centre::Centre;
use crate::centre::feedback::{self, ItemFilter};
use crate::centre::figures::Groups;
use crate::centre::store::{Error, Scope};
use crate::config::{AlertEvent, AlertsConfig, Recipient};
use crate::feedback::{Item, Kind, State};
use crate::i18n::{tr, tr_args};
use crate::survey::{Locale, Verdict};

/// Where an alert goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// An e-mail to the recipient's address.
    Email,
    /// A POST to the webhook.
    Webhook,
}

impl Channel {
    /// Its name in the queue.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }

    /// Parses [`Channel::as_str`].
    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "webhook" => Some(Channel::Webhook),
            _ => None,
        }
    }
}

/// An alert to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// What it is about, and for whom: queued once per key.
    pub key: String,
    /// Its event.
    pub event: AlertEvent,
    /// E-mail or webhook.
    pub channel: Channel,
    /// The address (e-mail), or `webhook`.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// A queued alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// Its id.
    pub id: i64,
    /// Its key.
    pub key: String,
    /// Its event's name.
    pub event: String,
    /// E-mail or webhook.
    pub channel: Channel,
    /// Where it goes.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Attempts to send it so far.
    pub attempts: u32,
    /// When it may be tried next.
    pub next_at: DateTime<Utc>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// The alert queue.
pub trait AlertStore: Send + Sync {
    /// Queues `alert` unless one with its key exists; whether it was queued.
    fn enqueue(&self, alert: &NewAlert, now: DateTime<Utc>) -> Result<bool, Error>;
    /// The oldest unsent alert due at `now` that no one holds, leased until `lease_until`
    /// (counted as an attempt); `None` when there is none.
    fn claim(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Option<Alert>, Error>;
    /// Marks an alert sent.
    fn mark_sent(&self, id: i64, at: DateTime<Utc>) -> Result<(), Error>;
    /// Records a failed attempt; it is tried again from `next_at`.
    fn mark_failed(&self, id: i64, error: &str, next_at: DateTime<Utc>) -> Result<(), Error>;
    /// The latest `limit` alerts, newest first (the admin page).
    fn recent_alerts(&self, limit: u32) -> Result<Vec<Alert>, Error>;
}

/// How long a claimed alert is held before another process may try it.
pub const LEASE: chrono::Duration = chrono::Duration::minutes(2);

/// The wait after `attempts` failed attempts: 1 minute, doubling, at most an hour.
pub fn backoff(attempts: u32) -> chrono::Duration {
    let minutes = 1i64 << attempts.saturating_sub(1).min(6);
    chrono::Duration::minutes(minutes.min(60))
}

/// Whether `at` (local) falls in `opening` (`07:00-17:00`) on a working day.
fn open_at(centre: &Centre, opening: &str, at: DateTime<Utc>) -> bool {
    let local = at.with_timezone(&centre.web.tz);
    let Some((from, to)) = opening.split_once('-') else {
        return false;
    };
    let parse = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
    let (Some(from), Some(to)) = (parse(from), parse(to)) else {
        return false;
    };
    let time = local.time();
    centre.feedback_options.holidays.is_working_day(local.date_naive()) && time >= from && time < to
}

/// Checks `[alerts]`: recipients need an address or the webhook, the webhook needs a URL and
/// a key, e-mail needs a sender, opening hours must read. The error names the setting.
pub fn check(config: &AlertsConfig) -> Result<(), String> {
    for (i, r) in config.recipients.iter().enumerate() {
        if r.email.is_empty() && !r.webhook {
            return Err(format!(
                "[[alerts.recipients]] #{}: needs an email or webhook = true",
                i + 1
            ));
        }
        if !r.email.is_empty() && (config.smtp_host.is_empty() || config.from.is_empty()) {
            return Err(format!(
                "[[alerts.recipients]] #{}: e-mail needs [alerts] smtp_host and from",
                i + 1
            ));
        }
        if r.webhook && config.webhook_url.is_empty() {
            return Err(format!(
                "[[alerts.recipients]] #{}: webhook = true needs [alerts] webhook_url",
                i + 1
            ));
        }
    }
    let parse = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").is_ok();
    match config.opening_hours.split_once('-') {
        Some((a, b)) if parse(a) && parse(b) => {}
        _ => {
            return Err(format!(
                "[alerts] opening_hours = {:?}: write it as 07:00-17:00",
                config.opening_hours
            ));
        }
    }
    if config.digest_hour > 23 {
        return Err(format!("[alerts] digest_hour = {}: an hour 0–23", config.digest_hour));
    }
    Ok(())
}

/// Where each of `recipient`'s alerts goes.
fn channels(config: &AlertsConfig, r: &Recipient) -> Vec<(Channel, String)> {
    let mut out = Vec::new();
    if !r.email.is_empty() {
        out.push((Channel::Email, r.email.clone()));
    }
    if r.webhook && !config.webhook_url.is_empty() {
        // The URL may carry a token: the queue and the admin page name only the channel.
        out.push((Channel::Webhook, "webhook".into()));
    }
    out
}

/// `event`'s alert with `key`, `subject` and `body` for recipient number `i`, once per channel
/// they are reached by (the key names the recipient and channel, so each is queued once).
fn addressed(
    config: &AlertsConfig,
    i: usize,
    r: &Recipient,
    event: AlertEvent,
    key: &str,
    subject: &str,
    body: &str,
) -> impl Iterator<Item = NewAlert> {
    channels(config, r)
        .into_iter()
        .map(move |(channel, recipient)| NewAlert {
            key: format!("{key}:{}:{i}", channel.as_str()),
            event,
            channel,
            recipient,
            subject: subject.to_string(),
            body: body.to_string(),
        })
}

/// Whether `r` hears about `facility` for `event` (directors always hear of overdue items and
/// of urgent ones nobody took up; only they hear of the latter).
fn hears(r: &Recipient, facility: Option<&str>, event: AlertEvent) -> bool {
    let scope = r.facility.is_empty() || facility.is_none_or(|f| f == r.facility);
    let chose = match event {
        // An untouched urgent item is the leaders' to act on: directors only, always.
        AlertEvent::Unacknowledged => r.director,
        AlertEvent::Overdue => r.director || r.events.contains(&event),
        _ => r.events.contains(&event),
    };
    scope && chose
}

/// Every alert the centre's state calls for at `now`, for every recipient (the queue drops the
/// ones already queued).
pub fn candidates(centre: &Centre, config: &AlertsConfig, now: DateTime<Utc>) -> Result<Vec<NewAlert>, Error> {
    let mut out = Vec::new();
    if config.recipients.is_empty() {
        return Ok(out);
    }
    let tz = centre.web.tz;
    let today = now.with_timezone(&tz).date_naive();
    let holidays = &centre.feedback_options.holidays;
    let links = Links::of(centre)?;
    let base = links.base.as_str();
    let facility_link = |f: &str| links.facility(f);
    let mut push =
        |event: AlertEvent, facility: Option<&str>, key: String, text: &dyn Fn(Locale) -> (String, String)| {
            for (i, r) in config.recipients.iter().enumerate() {
                if !hears(r, facility, event) {
                    continue;
                }
                let (subject, body) = text(r.locale);
                out.extend(addressed(config, i, r, event, &key, &subject, &body));
            }
        };

    // The feedback box.
    let (items, _) = feedback::load_items(centre.feedback.as_ref(), &ItemFilter::default())?;
    for item in items.iter().filter(|i| i.state.is_open()) {
        let s = &item.submission;
        let facility = Some(s.facility.as_str());
        let args = |locale: Locale| -> Vec<(&'static str, fluent_bundle::FluentValue<'static>)> {
            vec![
                ("code", s.code.to_string().into()),
                ("facility", s.facility.clone().into()),
                ("kind", tr(locale, crate::centre::feedback::kind_id(item.kind)).into()),
                (
                    "due",
                    item.due
                        .map(|d| d.format("%d/%m/%Y").to_string())
                        .unwrap_or_default()
                        .into(),
                ),
                (
                    "department",
                    item.department.clone().unwrap_or_else(|| "—".into()).into(),
                ),
                ("link", format!("{base}/feedback/item/{}", s.code.as_str()).into()),
            ]
        };
        // What the person wrote is not in the alert (a denunciation's least of all): the link
        // and code are, and the page checks who reads it.
        if item.urgent || item.kind == Kind::Denunciation {
            push(AlertEvent::Urgent, facility, format!("urgent:{}", s.id), &|l| {
                (
                    tr_args(l, id!("alert-urgent-subject"), &args(l)),
                    tr_args(l, id!("alert-urgent-body"), &args(l)),
                )
            });
        }
        // An urgent item nobody has taken up (still new or only classified) after
        // `urgent_escalate_hours` goes to the facility's directors.
        if (item.urgent || item.kind == Kind::Denunciation)
            && matches!(item.state, State::New | State::Classified)
            && now - urgent_since(item) >= chrono::Duration::hours(i64::from(config.urgent_escalate_hours.max(1)))
        {
            push(
                AlertEvent::Unacknowledged,
                facility,
                format!("unacknowledged:{}", s.id),
                &|l| {
                    let mut a = args(l);
                    a.push(("hours", config.urgent_escalate_hours.into()));
                    (
                        tr_args(l, id!("alert-unacknowledged-subject"), &a),
                        tr_args(l, id!("alert-unacknowledged-body"), &a),
                    )
                },
            );
        }
        if let Some(due) = item.due {
            if item.overdue(today) {
                push(AlertEvent::Overdue, facility, format!("overdue:{}:{due}", s.id), &|l| {
                    (
                        tr_args(l, id!("alert-overdue-subject"), &args(l)),
                        tr_args(l, id!("alert-overdue-body"), &args(l)),
                    )
                });
            } else if holidays.working_days_between(today, due) <= 2 {
                push(
                    AlertEvent::DueSoon,
                    facility,
                    format!("due_soon:{}:{due}", s.id),
                    &|l| {
                        (
                            tr_args(l, id!("alert-due-soon-subject"), &args(l)),
                            tr_args(l, id!("alert-due-soon-body"), &args(l)),
                        )
                    },
                );
            }
        }
    }

    // The last 30 days against the target, per facility and department.
    let target = centre.scoring.target_pct;
    let scope = Scope {
        from: Some(today - chrono::Days::new(29)),
        to: Some(today),
        ..Scope::default()
    };
    let mut groups: Groups<(String, String)> = Groups::default();
    centre.store.for_each_tally_row(&scope, &mut |origin, key, tally| {
        groups.add((origin.facility.clone(), String::new()), &key, &tally);
        if !key.department.is_empty() {
            groups.add((origin.facility.clone(), key.department.clone()), &key, &tally);
        }
    })?;
    let summaries = groups.summaries(centre)?;
    // One message per recipient listing every group below the target they hear about (the
    // first start of a province used to send one e-mail per facility and department); a new
    // message only when that list changes.
    let below: Vec<(&String, &String, &crate::survey::Summary)> = summaries
        .iter()
        .filter(|(_, s)| s.verdict == Verdict::NotMet)
        .map(|((f, d), s)| (f, d, s))
        .collect();
    let mut grouped = Vec::new();
    for (i, r) in config.recipients.iter().enumerate() {
        let mine: Vec<_> = below
            .iter()
            .filter(|(f, _, _)| hears(r, Some(f.as_str()), AlertEvent::BelowTarget))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let l = r.locale;
        let list: Vec<String> = mine
            .iter()
            .map(|(f, d, s)| {
                let link = if d.is_empty() {
                    facility_link(f)
                } else {
                    let query = serde_urlencoded::to_string([("department", d.as_str())]).unwrap_or_default();
                    format!("{}?{query}", facility_link(f))
                };
                tr_args(
                    l,
                    id!("alert-below-line"),
                    &[
                        ("facility", f.to_string().into()),
                        (
                            "department",
                            if d.is_empty() {
                                tr(l, id!("alert-whole-facility"))
                            } else {
                                d.to_string()
                            }
                            .into(),
                        ),
                        ("rate", crate::report::text::percent(l, s.satisfied_pct).into()),
                        ("interval", crate::report::text::percent(l, s.ci_high_pct).into()),
                        ("n", crate::report::text::count(l, s.answers).into()),
                        ("link", link.into()),
                    ],
                )
            })
            .collect();
        let which: String = mine.iter().map(|(f, d, _)| format!("{f}\u{1f}{d}\u{1e}")).collect();
        let key = format!("below:{today}:{}", &crate::feedback::fingerprint(&which)[..16]);
        let args = [
            ("count", fluent_bundle::FluentValue::from(mine.len())),
            ("target", crate::report::text::percent(l, Some(target)).into()),
            (
                "scope",
                if r.facility.is_empty() {
                    tr(l, id!("report-all-facilities"))
                } else {
                    r.facility.clone()
                }
                .into(),
            ),
        ];
        let subject = tr_args(l, id!("alert-below-subject"), &args);
        let body = format!("{}\n\n{}", tr_args(l, id!("alert-below-body"), &args), list.join("\n"));
        grouped.extend(addressed(config, i, r, AlertEvent::BelowTarget, &key, &subject, &body));
    }

    // Kiosks silent during opening hours.
    if open_at(centre, &config.opening_hours, now) {
        let silent_for = chrono::Duration::hours(i64::from(config.kiosk_silent_hours.max(1)));
        for k in centre.store.kiosks()? {
            if k.revoked_at.is_some() || k.kiosk_id.is_none() {
                continue;
            }
            let Some(last) = k.last_sync_at else { continue };
            if now - last < silent_for {
                continue;
            }
            let args = |_: Locale| -> Vec<(&'static str, fluent_bundle::FluentValue<'static>)> {
                vec![
                    ("facility", k.facility.clone().into()),
                    ("kiosk", k.name.clone().into()),
                    (
                        "last",
                        last.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string().into(),
                    ),
                    ("hours", config.kiosk_silent_hours.into()),
                    ("link", facility_link(&k.facility).into()),
                ]
            };
            push(
                AlertEvent::KioskSilent,
                Some(&k.facility),
                format!("silent:{}:{today}", k.id),
                &|l| {
                    (
                        tr_args(l, id!("alert-silent-subject"), &args(l)),
                        tr_args(l, id!("alert-silent-body"), &args(l)),
                    )
                },
            );
        }
    }

    // Tamper and gap events of the last day.
    let facility_of: BTreeMap<String, String> = centre
        .store
        .kiosks()?
        .into_iter()
        .filter_map(|k| k.kiosk_id.map(|id| (id, k.facility)))
        .collect();
    for e in centre.store.events_page(None, None, 200)? {
        if !matches!(e.event.kind.as_str(), "tamper" | "gap") || now - e.at > chrono::Duration::days(1) {
            continue;
        }
        let facility = facility_of.get(&e.event.kiosk_id).cloned();
        let args = |_: Locale| -> Vec<(&'static str, fluent_bundle::FluentValue<'static>)> {
            vec![
                ("facility", facility.clone().unwrap_or_default().into()),
                ("kiosk", e.event.kiosk_id.clone().into()),
                ("kind", e.event.kind.clone().into()),
                ("detail", e.event.detail.clone().into()),
                (
                    "link",
                    facility
                        .as_deref()
                        .map_or_else(|| format!("{base}/admin"), facility_link)
                        .into(),
                ),
            ]
        };
        push(
            AlertEvent::Tamper,
            facility.as_deref(),
            format!("event:{}", e.id),
            &|l| {
                (
                    tr_args(l, id!("alert-tamper-subject"), &args(l)),
                    tr_args(l, id!("alert-tamper-body"), &args(l)),
                )
            },
        );
    }

    out.extend(grouped);

    // Digests, once the day's digest hour has come.
    let local = now.with_timezone(&tz);
    if local.hour() >= config.digest_hour {
        let round = DigestInput {
            items: &items,
            summaries: &summaries,
            links: &links,
        };
        let digest = |l: Locale, facility: &str, days: u64| digest_text(centre, &round, facility, today, days, l);
        for (i, r) in config.recipients.iter().enumerate() {
            for (event, days, key) in digests(today) {
                if !r.events.contains(&event) {
                    continue;
                }
                let (subject, body) = digest(r.locale, &r.facility, days);
                out.extend(addressed(config, i, r, event, &key, &subject, &body));
            }
        }
    }
    Ok(out)
}

/// A queued alert's event in words (the admin page's list): `below_target` → "Dưới mục tiêu".
pub fn event_words(locale: Locale, event: &str) -> String {
    let id = match event {
        "urgent" => id!("alert-event-urgent"),
        "unacknowledged" => id!("alert-event-unacknowledged"),
        "due_soon" => id!("alert-event-due_soon"),
        "overdue" => id!("alert-event-overdue"),
        "below_target" => id!("alert-event-below_target"),
        "kiosk_silent" => id!("alert-event-kiosk_silent"),
        "tamper" => id!("alert-event-tamper"),
        "daily" => id!("alert-event-daily"),
        "weekly" => id!("alert-event-weekly"),
        "reply" => id!("alert-event-reply"),
        other => return other.to_string(),
    };
    tr(locale, id)
}

/// Since when `item` has been urgent: its last classification as urgent, else its receipt (a
/// denunciation is urgent from the start).
fn urgent_since(item: &Item) -> DateTime<Utc> {
    item.log
        .iter()
        .rev()
        .find(|e| matches!(e.action, crate::feedback::Action::Classify { urgent: true, .. }))
        .map_or(item.submission.received_at, |e| e.at)
}

/// The digests due on `today` (local): the daily one, and on Mondays the weekly one, each with
/// the days it covers and the key that makes it once per day or ISO week (of its ISO year).
fn digests(today: NaiveDate) -> Vec<(AlertEvent, u64, String)> {
    let mut out = vec![(AlertEvent::Daily, 1, format!("daily:{today}"))];
    if today.weekday() == chrono::Weekday::Mon {
        let week = today.iso_week();
        out.push((
            AlertEvent::Weekly,
            7,
            format!("weekly:{}-W{:02}", week.year(), week.week()),
        ));
    }
    out
}

/// A digest for `facility` (empty: every facility): the last 30 days against the target, what
/// arrived in the last `days` days, and what is overdue.
/// What one evaluation round knows, for its digests.
struct DigestInput<'a> {
    items: &'a [Item],
    summaries: &'a BTreeMap<(String, String), crate::survey::Summary>,
    links: &'a Links,
}

/// The absolute addresses alerts link to: the configured public address (`centre serve
/// --public-url`; without one, the path alone) and each facility's stored slug (unique, kept
/// through renames), read once per round.
struct Links {
    base: String,
    slugs: BTreeMap<String, String>,
}

impl Links {
    fn of(centre: &Centre) -> Result<Links, Error> {
        Ok(Links {
            base: centre.web.public_url.clone().unwrap_or_default(),
            slugs: centre
                .store
                .facility_list()?
                .into_iter()
                .map(|f| (f.name, f.slug))
                .collect(),
        })
    }

    /// A facility's page (by the slug its name gives when it has none stored).
    fn facility(&self, name: &str) -> String {
        let slug = self.slugs.get(name).cloned().unwrap_or_else(|| crate::text::slug(name));
        format!("{}/facility/{slug}", self.base)
    }
}

fn digest_text(
    centre: &Centre,
    round: &DigestInput,
    facility: &str,
    today: NaiveDate,
    days: u64,
    l: Locale,
) -> (String, String) {
    let tz = centre.web.tz;
    let target = centre.scoring.target_pct;
    let mine = |f: &str| facility.is_empty() || f == facility;
    let (items, summaries, links) = (round.items, round.summaries, round.links);
    let base = links.base.as_str();
    let link = |f: &str| links.facility(f);
    let mut lines = Vec::new();
    for ((f, department), s) in summaries {
        if !department.is_empty() || !mine(f) {
            continue;
        }
        let verdict = crate::report::text::verdict_words(l, s.judgement());
        lines.push(tr_args(
            l,
            id!("alert-digest-facility"),
            &[
                ("facility", f.clone().into()),
                ("rate", crate::report::text::percent(l, s.satisfied_pct).into()),
                ("n", crate::report::text::count(l, s.answers).into()),
                ("target", crate::report::text::percent(l, Some(target)).into()),
                ("verdict", verdict.into()),
                ("link", link(f).into()),
            ],
        ));
    }
    let since = today - chrono::Days::new(days);
    let scoped: Vec<&Item> = items.iter().filter(|i| mine(&i.submission.facility)).collect();
    let new = scoped.iter().filter(|i| i.received_on(tz) > since).count();
    let overdue: Vec<&&Item> = scoped.iter().filter(|i| i.overdue(today)).collect();
    lines.push(tr_args(
        l,
        id!("alert-digest-items"),
        &[
            ("new", new.into()),
            ("overdue", overdue.len().into()),
            ("days", days.into()),
        ],
    ));
    for i in overdue.iter().take(20) {
        lines.push(format!(
            "- {} ({}, {}) {base}/feedback/item/{}",
            i.submission.code,
            i.submission.facility,
            i.due.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
            i.submission.code.as_str()
        ));
    }
    let subject = tr_args(
        l,
        if days == 1 {
            id!("alert-daily-subject")
        } else {
            id!("alert-weekly-subject")
        },
        &[
            (
                "facility",
                if facility.is_empty() {
                    tr(l, id!("report-all-facilities"))
                } else {
                    facility.to_string()
                }
                .into(),
            ),
            ("date", today.format("%d/%m/%Y").to_string().into()),
        ],
    );
    (subject, lines.join("\n"))
}

/// The approved answer of `item`, as an e-mail to the person, when they gave an address and
/// consented to be contacted; `base` is the centre's address for the follow-up link. Queued once
/// per approval (a reopened and answered again item gets its new answer).
pub fn reply_to_sender(item: &Item, base: &str) -> Option<NewAlert> {
    let email = item.submission.contact.email.clone()?;
    let reply = item.reply.as_ref().filter(|r| r.approved.is_some())?;
    let approval = item
        .log
        .iter()
        .rev()
        .find(|e| matches!(e.action, crate::feedback::Action::Approve))?;
    let l = Locale::Vi;
    let code = item.submission.code.to_string();
    let args: Vec<(&str, fluent_bundle::FluentValue)> = vec![
        ("code", code.clone().into()),
        ("facility", item.submission.facility.clone().into()),
        ("reply", reply.text.clone().into()),
        (
            "link",
            format!("{base}/theo-doi?code={}", item.submission.code.as_str()).into(),
        ),
    ];
    Some(NewAlert {
        key: format!("reply:{}:{}", item.submission.id, approval.seq),
        event: AlertEvent::Reply,
        channel: Channel::Email,
        recipient: email,
        subject: tr_args(l, id!("alert-reply-subject"), &args),
        body: tr_args(l, id!("alert-reply-body"), &args),
    })
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Round {
    /// Alerts newly queued.
    pub queued: usize,
    /// Alerts sent.
    pub sent: usize,
    /// Attempts that failed (the alerts wait for their retry).
    pub failed: usize,
}

/// Queues what [`candidates`] finds (blocking).
pub fn evaluate(centre: &Centre, config: &AlertsConfig, now: DateTime<Utc>) -> Result<usize, Error> {
    let mut queued = 0;
    for alert in candidates(centre, config, now)? {
        if centre.alerts.enqueue(&alert, now)? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Sends every alert due at `now`, one claim at a time, until none is left or `max` were tried.
pub async fn deliver(
    centre: &Centre,
    sender: &send::Sender,
    now: DateTime<Utc>,
    max: usize,
) -> Result<(usize, usize), Error> {
    let (mut sent, mut failed) = (0, 0);
    for _ in 0..max {
        let c = centre.clone();
        let claimed = tokio::task::spawn_blocking(move || c.alerts.claim(now, now + LEASE))
            .await
            .map_err(|e| Error::Database(e.to_string()))??;
        let Some(alert) = claimed else { break };
        let result = sender.send(&alert).await;
        let c = centre.clone();
        let outcome = match &result {
            Ok(()) => {
                sent += 1;
                tracing::info!(alert = alert.id, event = %alert.event, channel = alert.channel.as_str(), "alert sent");
                tokio::task::spawn_blocking(move || c.alerts.mark_sent(alert.id, Utc::now())).await
            }
            Err(why) => {
                failed += 1;
                let next = now + backoff(alert.attempts);
                tracing::warn!(alert = alert.id, event = %alert.event, error = %why, retry_at = %next, "alert not sent; kept for a retry");
                let why = why.clone();
                tokio::task::spawn_blocking(move || c.alerts.mark_failed(alert.id, &why, next)).await
            }
        };
        outcome.map_err(|e| Error::Database(e.to_string()))??;
    }
    Ok((sent, failed))
}

/// One round: evaluate the triggers, then deliver what is due.
pub async fn round(
    centre: &Centre,
    config: &AlertsConfig,
    sender: &send::Sender,
    now: DateTime<Utc>,
) -> Result<Round, Error> {
    let c = centre.clone();
    let cfg = config.clone();
    let queued = tokio::task::spawn_blocking(move || evaluate(&c, &cfg, now))
        .await
        .map_err(|e| Error::Database(e.to_string()))??;
    let (sent, failed) = deliver(centre, sender, now, 200).await?;
    Ok(Round { queued, sent, failed })
}

/// How often `centre serve` runs a round.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs a round every [`EVERY`] until `stop` resolves (the task `centre serve` starts when
/// `[alerts]` names recipients).
pub async fn run(
    centre: Centre,
    config: AlertsConfig,
    sender: send::Sender,
    stop: impl std::future::Future<Output = ()>,
) {
    let mut stop = std::pin::pin!(stop);
    loop {
        match round(&centre, &config, &sender, Utc::now()).await {
            Ok(r) if r.queued + r.sent + r.failed > 0 => {
                tracing::info!(queued = r.queued, sent = r.sent, failed = r.failed, "alerts round")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "alerts round failed"),
        }
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weekly_digest_is_once_per_week_of_each_year() {
        let keys = |d: &str| -> Vec<String> { digests(d.parse().unwrap()).into_iter().map(|(_, _, k)| k).collect() };
        assert_eq!(keys("2026-12-02"), ["daily:2026-12-02"]);
        // Mondays of ISO week 50 in two years: two digests, not one.
        assert_eq!(keys("2026-12-07"), ["daily:2026-12-07", "weekly:2026-W50"]);
        assert_eq!(keys("2027-12-13"), ["daily:2027-12-13", "weekly:2027-W50"]);
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        let minutes: Vec<i64> = (1..=9).map(|a| backoff(a).num_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn recipients_hear_what_they_chose_and_directors_hear_of_overdue_items() {
        let r = |facility: &str, director: bool, events: Vec<AlertEvent>| Recipient {
            email: "a@b.vn".into(),
            webhook: false,
            facility: facility.into(),
            director,
            events,
            locale: Locale::Vi,
        };
        let quality = r("A", false, vec![AlertEvent::DueSoon]);
        let director = r("A", true, vec![AlertEvent::Daily]);
        let province = r("", false, vec![AlertEvent::BelowTarget]);
        assert!(hears(&quality, Some("A"), AlertEvent::DueSoon));
        assert!(!hears(&quality, Some("B"), AlertEvent::DueSoon));
        assert!(!hears(&quality, Some("A"), AlertEvent::Overdue));
        assert!(hears(&director, Some("A"), AlertEvent::Overdue));
        assert!(!hears(&director, Some("A"), AlertEvent::Urgent));
        assert!(hears(&province, Some("B"), AlertEvent::BelowTarget));
    }

    #[test]
    fn a_bad_alerts_block_names_the_setting() {
        let mut c = AlertsConfig {
            recipients: vec![Recipient {
                email: "giamdoc@ttyt.vn".into(),
                webhook: false,
                facility: String::new(),
                director: true,
                events: AlertEvent::ALL.to_vec(),
                locale: Locale::Vi,
            }],
            ..AlertsConfig::default()
        };
        assert!(check(&c).unwrap_err().contains("smtp_host"));
        c.smtp_host = "127.0.0.1".into();
        c.from = "hailong@ttyt.vn".into();
        assert_eq!(check(&c), Ok(()));
        c.opening_hours = "7h-17h".into();
        assert!(check(&c).unwrap_err().contains("opening_hours"));
    }
}
