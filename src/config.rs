//! `<data-dir>/hailong.toml`: the kiosk's settings.
//!
//! A missing file means the embedded defaults; a malformed one is an error naming the line and
//! the field, never a silent default. Values are parsed into types that only hold valid
//! settings, so a bad value fails while the TOML position is still known.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::survey::{Locale, ScoringOptions};

/// The name of the configuration file inside the data directory.
pub const FILE_NAME: &str = "hailong.toml";

/// The rule a setting's value breaks: the same rules check `hailong.toml` and staff mode's
/// Settings page, and each is put into words in the reader's language ([`Rule::describe`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// A number outside its bounds.
    Range {
        /// Lowest allowed.
        min: f64,
        /// Highest allowed.
        max: f64,
        /// What was given.
        found: f64,
    },
    /// Text where a number belongs.
    NotANumber(String),
    /// A name that must not be empty is.
    Empty,
    /// Not an `https://` or `http://` address.
    WebUrl,
    /// Not an argon2id hash.
    PinHash,
    /// One of the departments has no name.
    EmptyDepartment,
    /// A name longer than 200 characters or holding a control character.
    BadName,
    /// A syntax error, a value of the wrong type or an unknown setting, in the TOML parser's
    /// words (English: these come only from a hand-edited file).
    Parser(String),
}

impl Rule {
    /// The rule as a sentence in `locale`, naming the setting as `field` (its label on the
    /// Settings page, or its key in `hailong.toml`).
    pub fn describe(&self, locale: Locale, field: &str) -> String {
        let num = |v: f64| fluent_bundle::FluentValue::from(v.to_string());
        let field: (&str, fluent_bundle::FluentValue<'_>) = ("field", field.to_string().into());
        match self {
            Rule::Range { min, max, found } => crate::i18n::tr_args(
                locale,
                id!("rule-range"),
                &[field, ("min", num(*min)), ("max", num(*max)), ("found", num(*found))],
            ),
            Rule::NotANumber(text) => crate::i18n::tr_args(
                locale,
                id!("rule-not-a-number"),
                &[field, ("text", text.clone().into())],
            ),
            Rule::Empty => crate::i18n::tr_args(locale, id!("rule-empty"), &[field]),
            Rule::WebUrl => crate::i18n::tr_args(locale, id!("rule-web-url"), &[field]),
            Rule::PinHash => crate::i18n::tr_args(locale, id!("rule-pin-hash"), &[field]),
            Rule::EmptyDepartment => crate::i18n::tr_args(locale, id!("rule-empty-department"), &[field]),
            Rule::BadName => crate::i18n::tr_args(locale, id!("rule-bad-name"), &[field]),
            Rule::Parser(message) => crate::i18n::tr_args(
                locale,
                id!("rule-parser"),
                &[field, ("message", message.clone().into())],
            ),
        }
    }
}

impl std::fmt::Display for Rule {
    /// The rule in English, after the setting's key (as `hailong.toml` errors always said it).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rule::Range { min, max, found } => write!(f, "must be between {min} and {max} (found {found})"),
            Rule::NotANumber(text) => write!(f, "“{text}” is not a number"),
            Rule::Empty => f.write_str("must not be empty"),
            Rule::WebUrl => f.write_str("must start with https:// or http://"),
            Rule::PinHash => f.write_str("is not an argon2id hash; set the PIN with `hailong kiosk set-pin`"),
            Rule::EmptyDepartment => f.write_str("a department name is empty"),
            Rule::BadName => f.write_str("at most 200 characters, without control characters"),
            Rule::Parser(message) => f.write_str(message),
        }
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A syntax error or a bad value.
    #[error("{file}, line {line}: {field}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// The setting, e.g. `idle_timeout_secs`.
        field: String,
        /// What is wrong, in English (the parser's words or [`Rule`]'s).
        message: String,
        /// The rule broken, for [`ConfigError::describe`].
        rule: Rule,
    },
    /// The file exists but cannot be read.
    #[error("{file}: cannot read: {message}")]
    Io {
        /// The file.
        file: String,
        /// The OS error.
        message: String,
    },
    /// The settings cannot be written.
    #[error("{file}: cannot write: {message}")]
    Write {
        /// The file.
        file: String,
        /// The OS error.
        message: String,
    },
}

impl ConfigError {
    /// The error in `locale`: the file, line and setting's key stay (for whoever edits the
    /// file), the rule is said in words.
    pub fn describe(&self, locale: Locale) -> String {
        match self {
            ConfigError::Invalid {
                file,
                line,
                field,
                rule,
                ..
            } => crate::i18n::tr_args(
                locale,
                id!("config-invalid"),
                &[
                    ("file", file.clone().into()),
                    ("line", line.to_string().into()),
                    ("problem", rule.describe(locale, field).into()),
                ],
            ),
            ConfigError::Io { file, message } => crate::i18n::tr_args(
                locale,
                id!("config-unreadable"),
                &[("file", file.clone().into()), ("error", message.clone().into())],
            ),
            ConfigError::Write { file, message } => crate::i18n::tr_args(
                locale,
                id!("config-unwritable"),
                &[("file", file.clone().into()), ("error", message.clone().into())],
            ),
        }
    }
}

macro_rules! bounded {
    ($name:ident, $t:ty, $field:literal, $min:expr, $max:expr, $default:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(try_from = "f64", into = "f64")]
        pub struct $name(pub $t);

        impl $name {
            /// Its key in `hailong.toml`.
            pub const KEY: &'static str = $field;

            /// `v` if it is allowed, else the rule it breaks.
            pub fn check(v: f64) -> Result<Self, Rule> {
                if v.is_finite() && v >= $min as f64 && v <= $max as f64 && (v as $t) as f64 == v {
                    Ok($name(v as $t))
                } else {
                    Err(Rule::Range {
                        min: $min as f64,
                        max: $max as f64,
                        found: v,
                    })
                }
            }
        }

        impl TryFrom<f64> for $name {
            type Error = String;
            fn try_from(v: f64) -> Result<Self, String> {
                $name::check(v).map_err(|rule| format!(concat!($field, " {}"), rule))
            }
        }

        impl From<$name> for f64 {
            fn from(v: $name) -> f64 {
                v.0 as f64
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name($default)
            }
        }
    };
}

bounded!(
    IdleTimeout,
    u32,
    "idle_timeout_secs",
    10,
    600,
    45,
    "Seconds without a touch before the kiosk asks whether the patient is still there."
);
bounded!(
    RapidRepeat,
    u32,
    "rapid_repeat_secs",
    0,
    3600,
    20,
    "Seconds within which an identical complete response is flagged as a rapid repeat (0 = off)."
);
bounded!(
    ThanksTimeout,
    u32,
    "thank_you_secs",
    5,
    300,
    20,
    "Seconds the thank-you screen (and its QR code) stays up before the next patient's welcome; a tap returns at once."
);
bounded!(
    TargetPct,
    f64,
    "target_pct",
    50,
    100,
    95.0,
    "The satisfaction target in percent."
);

/// `[report] cutoff_day`: the day of the month (1–28) on which the facility's province closes
/// its figures; see [`crate::report::Calendar`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct CutoffDay(pub u8);

impl CutoffDay {
    /// Its key in the `[report]` block.
    pub const KEY: &'static str = "cutoff_day";

    /// `v` if it is a whole day 1–28, else the rule it breaks.
    pub fn check(v: f64) -> Result<Self, Rule> {
        let range = crate::report::period::CutOffDay::RANGE;
        let (min, max) = (f64::from(*range.start()), f64::from(*range.end()));
        if v.is_finite() && v >= min && v <= max && v.fract() == 0.0 {
            Ok(CutoffDay(v as u8))
        } else {
            Err(Rule::Range { min, max, found: v })
        }
    }
}

impl TryFrom<f64> for CutoffDay {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, String> {
        CutoffDay::check(v).map_err(|rule| format!("cutoff_day {rule}"))
    }
}

impl From<CutoffDay> for f64 {
    fn from(v: CutoffDay) -> f64 {
        f64::from(v.0)
    }
}

/// The `[report]` block: the reporting calendar, and what the quarterly report's letterhead
/// and signature say (read by the centre).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportConfig {
    /// Months close on this day (e.g. 14: Q1 = 15/12–14/3); unset = calendar months and
    /// quarters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cutoff_day: Option<CutoffDay>,
    /// The Department of Health the facilities report to, as written after "Kính gửi:"
    /// (`Sở Y tế Hà Nội`); the letterhead writes it in capitals.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub authority: String,
    /// Each facility's place and signer, by the facility's name
    /// (`[report.facilities."Trung tâm Y tế huyện Ba Vì"]`).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub facilities: std::collections::BTreeMap<String, crate::report::quarterly::Signatory>,
}

/// An IANA time zone name, e.g. `Asia/Ho_Chi_Minh`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone(pub chrono_tz::Tz);

impl TryFrom<String> for TimeZone {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse::<chrono_tz::Tz>()
            .map(TimeZone)
            .map_err(|_| format!("timezone `{s}` is not a known time zone (e.g. Asia/Ho_Chi_Minh)"))
    }
}

impl From<TimeZone> for String {
    fn from(tz: TimeZone) -> String {
        tz.0.name().to_string()
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone(chrono_tz::Asia::Ho_Chi_Minh)
    }
}

/// The `[centre]` block: where the sync task ships responses.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CentreConfig {
    /// Base URL of the centre server; empty = sync off.
    pub url: String,
    /// The kiosk's token from `hailong centre kiosk add`.
    pub token: String,
    /// A PEM file of CA certificates to trust for the centre (self-signed or provincial CA);
    /// empty = the usual public ones.
    pub ca_cert: String,
    /// The centre's address as patients' phones reach it, for the kiosk's phone code (the
    /// kiosk may reach the centre by an inside address); empty = `url`.
    pub phone_url: String,
    /// Show on the welcome screen "Trả lời trên điện thoại": a QR code, new every 30 s,
    /// that opens the questionnaire on a patient's phone (needs `url` and `token`).
    pub phone_code: bool,
}

impl CentreConfig {
    /// Whether the welcome screen shows the phone code: asked for, and the kiosk enrolled.
    pub fn shows_phone_code(&self) -> bool {
        self.phone_code && !self.url.trim().is_empty() && !self.token.trim().is_empty()
    }

    /// The address the phone code's link starts with.
    pub fn phone_base(&self) -> &str {
        let phone = self.phone_url.trim();
        if phone.is_empty() { self.url.trim() } else { phone }
    }
}

impl std::fmt::Debug for CentreConfig {
    // Never print the token into a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CentreConfig")
            .field("url", &self.url)
            .field("token", &if self.token.is_empty() { "" } else { "<redacted>" })
            .field("ca_cert", &self.ca_cert)
            .field("phone_url", &self.phone_url)
            .field("phone_code", &self.phone_code)
            .finish()
    }
}

/// The `[scoring]` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoringConfig {
    /// Percent item whose mean is the expectation figure.
    pub expectation_item: String,
    /// Choice item asking whether the patient would return.
    pub return_item: String,
    /// Its options counted as "would return".
    pub return_options: Vec<String>,
}

impl Default for ScoringConfig {
    fn default() -> Self {
        let d = ScoringOptions::default();
        ScoringConfig {
            expectation_item: d.expectation_item,
            return_item: d.return_item,
            return_options: d.return_options,
        }
    }
}

/// The kiosk's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Shown on the welcome screen and in reports.
    pub facility_name: String,
    /// This kiosk's name, e.g. "Quầy tiếp đón".
    pub kiosk_name: String,
    /// The place of the facility the kiosk stands at, as reports name it ("Khu tiếp đón",
    /// "Khoa Nội"); empty = the kiosk's name. Every response carries it (DESIGN §12).
    pub point: String,
    /// The questionnaire id the kiosk asks.
    pub questionnaire: String,
    /// Departments the patient may pick from; with one or none the kiosk does not ask.
    pub departments: Vec<String>,
    /// The language a new session starts in.
    pub default_locale: Locale,
    /// The facility's time zone: days and periods are counted in it.
    pub timezone: TimeZone,
    /// The satisfaction target, percent.
    pub target_pct: TargetPct,
    /// Idle timeout in seconds.
    pub idle_timeout_secs: IdleTimeout,
    /// Rapid-repeat window in seconds.
    pub rapid_repeat_secs: RapidRepeat,
    /// URL shown as a QR code on the thank-you screen (empty = none).
    pub thank_you_url: String,
    /// How long the thank-you screen stays up, seconds (long enough to scan its QR code).
    pub thank_you_secs: ThanksTimeout,
    /// argon2id hash of the staff PIN (`hailong kiosk set-pin`); empty = staff mode closed.
    pub staff_pin_hash: String,
    /// How the return and expectation figures are computed.
    pub scoring: ScoringConfig,
    /// Sync settings.
    pub centre: CentreConfig,
    /// The reporting calendar.
    pub report: ReportConfig,
    /// The centre's feedback box.
    pub feedback: FeedbackConfig,
    /// The centre's alerts and digests.
    pub alerts: AlertsConfig,
}

impl Config {
    /// The point (place) the kiosk's responses are from: [`Config::point`], else its name.
    pub fn point(&self) -> &str {
        match self.point.trim() {
            "" => self.kiosk_name.trim(),
            point => point,
        }
    }
}

/// How an SMTP connection is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587); refused if the server cannot.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a test server on loopback.
    None,
}

/// What an alert is about; a recipient chooses which they get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertEvent {
    /// A new item marked urgent, or a denunciation.
    Urgent,
    /// An open item due within 2 working days.
    DueSoon,
    /// An open item past its deadline (sent to the facility's recipients and its directors).
    Overdue,
    /// A facility's or department's last 30 days wholly below the target (the Wilson interval).
    BelowTarget,
    /// A kiosk silent for longer than `kiosk_silent_hours` during opening hours.
    KioskSilent,
    /// A tamper or gap event from a kiosk's chain.
    Tamper,
    /// An urgent item (or a denunciation) nobody took up within `urgent_escalate_hours`: sent
    /// only to the facility's directors.
    Unacknowledged,
    /// The daily digest.
    Daily,
    /// The weekly digest (Mondays).
    Weekly,
    /// The centre's approved answer, to the person who consented to e-mail (not a recipient's
    /// choice: every such answer is sent).
    Reply,
}

impl AlertEvent {
    /// Every event a recipient may choose.
    pub const ALL: [AlertEvent; 9] = [
        AlertEvent::Urgent,
        AlertEvent::Unacknowledged,
        AlertEvent::DueSoon,
        AlertEvent::Overdue,
        AlertEvent::BelowTarget,
        AlertEvent::KioskSilent,
        AlertEvent::Tamper,
        AlertEvent::Daily,
        AlertEvent::Weekly,
    ];

    /// Its name in the configuration and the queue.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertEvent::Urgent => "urgent",
            AlertEvent::DueSoon => "due_soon",
            AlertEvent::Overdue => "overdue",
            AlertEvent::Unacknowledged => "unacknowledged",
            AlertEvent::BelowTarget => "below_target",
            AlertEvent::KioskSilent => "kiosk_silent",
            AlertEvent::Tamper => "tamper",
            AlertEvent::Daily => "daily",
            AlertEvent::Weekly => "weekly",
            AlertEvent::Reply => "reply",
        }
    }
}

/// One recipient of alerts (`[[alerts.recipients]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// Where e-mail goes (empty: this recipient is the webhook).
    #[serde(default)]
    pub email: String,
    /// Send to the webhook instead of (or besides) e-mail.
    #[serde(default)]
    pub webhook: bool,
    /// The facility whose events they get (empty: every facility, e.g. the Sở Y tế).
    #[serde(default)]
    pub facility: String,
    /// A director: overdue items escalate to them.
    #[serde(default)]
    pub director: bool,
    /// What they get (default: everything).
    #[serde(default = "all_events")]
    pub events: Vec<AlertEvent>,
    /// Their language.
    #[serde(default)]
    pub locale: Locale,
}

fn all_events() -> Vec<AlertEvent> {
    AlertEvent::ALL.to_vec()
}

/// The `[alerts]` block (read by `centre serve`): SMTP, the webhook, who gets what.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// The SMTP server (empty: no e-mail).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub smtp_host: String,
    /// Its port (default 587).
    pub smtp_port: u16,
    /// STARTTLS (default), TLS, or none (loopback only).
    pub smtp_security: SmtpSecurity,
    /// The account to log in with (empty: no login).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub smtp_username: String,
    /// Its password; `HAILONG_SMTP_PASSWORD` in the environment takes precedence.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub smtp_password: String,
    /// The sender address.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub from: String,
    /// A URL alerts are POSTed to as JSON (a Zalo OA or chat bridge), signed with
    /// `X-Hailong-Signature: sha256=<HMAC of the body>`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub webhook_url: String,
    /// The webhook's HMAC key; `HAILONG_WEBHOOK_SECRET` takes precedence.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub webhook_secret: String,
    /// A kiosk that sent nothing for this many hours during opening hours is reported.
    pub kiosk_silent_hours: u32,
    /// Opening hours, local time, Monday to Friday (`07:00-17:00`).
    pub opening_hours: String,
    /// When the daily digest goes out (local hour; the weekly one on Mondays).
    pub digest_hour: u32,
    /// An urgent item still untouched (new or only classified) this many hours after it was
    /// marked urgent is sent to the facility's directors.
    pub urgent_escalate_hours: u32,
    /// Who gets what.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<Recipient>,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_security: SmtpSecurity::Starttls,
            smtp_username: String::new(),
            smtp_password: String::new(),
            from: String::new(),
            webhook_url: String::new(),
            webhook_secret: String::new(),
            kiosk_silent_hours: 4,
            opening_hours: "07:00-17:00".into(),
            digest_hour: 7,
            urgent_escalate_hours: 4,
            recipients: Vec::new(),
        }
    }
}

impl std::fmt::Debug for AlertsConfig {
    // Never print a password or key into a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |s: &str| if s.is_empty() { "" } else { "<redacted>" };
        f.debug_struct("AlertsConfig")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &redact(&self.smtp_password))
            .field("from", &self.from)
            .field("webhook_url", &self.webhook_url)
            .field("webhook_secret", &redact(&self.webhook_secret))
            .field("kiosk_silent_hours", &self.kiosk_silent_hours)
            .field("opening_hours", &self.opening_hours)
            .field("digest_hour", &self.digest_hour)
            .field("urgent_escalate_hours", &self.urgent_escalate_hours)
            .field("recipients", &self.recipients)
            .finish()
    }
}

/// The `[feedback]` block (read by the centre): deadlines in working days per kind, the holiday
/// calendar they skip, and the web form's limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedbackConfig {
    /// A holiday calendar of the centre's own, in the format of the built-in
    /// `assets/holidays-vn.toml` (empty: the built-in one).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub holidays: String,
    /// How many items one device (browser) may send through the web form per hour.
    pub web_per_hour: u32,
    /// How many items one address may send per hour: high enough for a ward's patients behind
    /// one NAT address.
    pub web_per_address_per_hour: u32,
    /// Items from one address within ten minutes from which each is flagged for staff.
    pub web_burst: u32,
    /// Working days per kind (`[feedback.deadlines]`).
    pub deadlines: crate::feedback::Deadlines,
}

impl Default for FeedbackConfig {
    fn default() -> Self {
        FeedbackConfig {
            holidays: String::new(),
            web_per_hour: 5,
            web_per_address_per_hour: 100,
            web_burst: 10,
            deadlines: crate::feedback::Deadlines::default(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            facility_name: "Trung tâm Y tế".into(),
            kiosk_name: "Kiosk 1".into(),
            point: String::new(),
            questionnaire: "kiosk-nhanh".into(),
            departments: Vec::new(),
            default_locale: Locale::Vi,
            timezone: TimeZone::default(),
            target_pct: TargetPct::default(),
            idle_timeout_secs: IdleTimeout::default(),
            rapid_repeat_secs: RapidRepeat::default(),
            thank_you_url: String::new(),
            thank_you_secs: ThanksTimeout::default(),
            staff_pin_hash: String::new(),
            scoring: ScoringConfig::default(),
            centre: CentreConfig::default(),
            report: ReportConfig::default(),
            feedback: FeedbackConfig::default(),
            alerts: AlertsConfig::default(),
        }
    }
}

impl Config {
    /// Parses the text of a `hailong.toml`; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        let invalid =
            |span: Option<std::ops::Range<usize>>, field: String, message: String, rule: Rule| ConfigError::Invalid {
                file: file.to_string(),
                line: span.map_or(1, |s| crate::survey::load::line_of(text, s.start)),
                field,
                message,
                rule,
            };
        let de = toml::Deserializer::parse(text).map_err(|e| {
            let message = e.message().to_string();
            invalid(e.span(), "(syntax)".into(), message.clone(), Rule::Parser(message))
        })?;
        let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let field = crate::survey::load::field_path(&path);
            let message = inner.message().to_string();
            let rule = bounded_rule(text, &field).unwrap_or_else(|| Rule::Parser(message.clone()));
            invalid(inner.span(), field, message, rule)
        })?;
        config.validate().map_err(|(key, rule)| {
            let line_key = key.rsplit('.').next().unwrap_or(key);
            invalid(find_key(text, line_key), key.to_string(), rule.to_string(), rule)
        })?;
        Ok(config)
    }

    /// The checks beyond each value's type (which the types themselves make): the first setting
    /// that breaks one, by its key (`centre.url` for a key in `[centre]`), and the rule.
    pub fn validate(&self) -> Result<(), (&'static str, Rule)> {
        if self.facility_name.trim().is_empty() {
            return Err(("facility_name", Rule::Empty));
        }
        // Both name the place every response comes from (the point is the kiosk's name when
        // empty); the centre refuses a longer one or one with control characters.
        for (key, name) in [("kiosk_name", &self.kiosk_name), ("point", &self.point)] {
            if name.chars().count() > 200 || name.chars().any(char::is_control) {
                return Err((key, Rule::BadName));
            }
        }
        if !is_web_url_or_empty(&self.thank_you_url) {
            return Err(("thank_you_url", Rule::WebUrl));
        }
        if !self.staff_pin_hash.is_empty() && !crate::pin::is_pin_hash(&self.staff_pin_hash) {
            return Err(("staff_pin_hash", Rule::PinHash));
        }
        if self.departments.iter().any(|d| d.trim().is_empty()) {
            return Err(("departments", Rule::EmptyDepartment));
        }
        if !is_web_url_or_empty(&self.centre.url) {
            return Err(("centre.url", Rule::WebUrl));
        }
        Ok(())
    }

    /// Loads `path`; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&path.display().to_string(), &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(ConfigError::Io {
                file: path.display().to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// Writes the settings to `path` atomically (a temporary file beside it, synced, then
    /// renamed), after checking they read back as the same settings. The file keeps its
    /// layout: comments (such as the note `centre kiosk add` prints above `[centre]`), the
    /// order of keys and every value that did not change stay as they were, and a setting
    /// the file does not name is written only when it differs from its default. A file that
    /// cannot be read as TOML is replaced.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let file = path.display().to_string();
        let write_error = |message: String| ConfigError::Write {
            file: file.clone(),
            message,
        };
        let to_toml = |c: &Config| -> Result<toml_edit::DocumentMut, ConfigError> {
            let text = toml::to_string(c).map_err(|e| write_error(e.to_string()))?;
            text.parse()
                .map_err(|e: toml_edit::TomlError| write_error(e.to_string()))
        };
        let old = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(ConfigError::Io {
                    file,
                    message: e.to_string(),
                });
            }
        };
        let mut doc = match old.parse::<toml_edit::DocumentMut>() {
            Ok(doc) if !old.trim().is_empty() => doc,
            _ => "# hailong kiosk settings (written by staff mode; see README for every key)\n"
                .parse()
                .expect("a comment is TOML"),
        };
        edit_table(
            doc.as_table_mut(),
            to_toml(self)?.as_table(),
            Some(to_toml(&Config::default())?.as_table()),
        );
        let text = doc.to_string();
        if Config::parse(&file, &text)? != *self {
            return Err(write_error("the settings do not read back as saved".into()));
        }
        write_atomically(path, &text)
    }

    /// Sets the staff PIN hash in the file at `path` (created if missing), keeping the rest of
    /// the file as [`Config::save`] does.
    pub fn store_pin_hash(path: &Path, hash: &str) -> Result<Config, ConfigError> {
        let mut config = Config::load(path)?;
        config.staff_pin_hash = hash.to_string();
        config.save(path)?;
        Ok(config)
    }

    /// The reporting calendar every period is named on: calendar quarters, or months closed
    /// on `[report] cutoff_day`.
    pub fn calendar(&self) -> crate::report::Calendar {
        use crate::report::{Calendar, period::CutOffDay};
        self.report
            .cutoff_day
            .and_then(|d| CutOffDay::new(d.0))
            .map_or(Calendar::Quarters, Calendar::CutOff)
    }

    /// The scoring settings, with the target.
    pub fn scoring_options(&self) -> ScoringOptions {
        ScoringOptions {
            target_pct: self.target_pct.0,
            expectation_item: self.scoring.expectation_item.clone(),
            return_item: self.scoring.return_item.clone(),
            return_options: self.scoring.return_options.clone(),
        }
    }
}

/// Changes `old` (a settings file's table) to say what `new` says, keeping its comments,
/// order and formatting; `defaults` is what `new` holds when nothing is set.
fn edit_table(old: &mut toml_edit::Table, new: &toml_edit::Table, defaults: Option<&toml_edit::Table>) {
    // A key the settings no longer write (an optional value cleared) goes.
    let gone: Vec<String> = old
        .iter()
        .filter(|(key, _)| !new.contains_key(key))
        .map(|(key, _)| key.to_string())
        .collect();
    for key in gone {
        old.remove(&key);
    }
    for (key, item) in new.iter() {
        let default = defaults.and_then(|d| d.get(key));
        match (old.get_mut(key), item) {
            (Some(toml_edit::Item::Table(o)), toml_edit::Item::Table(n)) => {
                edit_table(o, n, default.and_then(toml_edit::Item::as_table));
            }
            (Some(toml_edit::Item::Value(o)), toml_edit::Item::Value(n)) => {
                if !same(o, n) {
                    // The new value, with the old one's spacing and end-of-line comment.
                    let decor = o.decor().clone();
                    *o = whole(n);
                    *o.decor_mut() = decor;
                }
            }
            (Some(o), toml_edit::Item::Value(n)) => *o = toml_edit::Item::Value(whole(n)),
            (Some(o), n) => *o = n.clone(),
            (None, toml_edit::Item::Table(n)) => {
                // A section the file lacks is added with only what differs from the defaults.
                let mut table = toml_edit::Table::new();
                edit_table(&mut table, n, default.and_then(toml_edit::Item::as_table));
                if !table.is_empty() {
                    old.insert(key, toml_edit::Item::Table(table));
                }
            }
            (None, toml_edit::Item::Value(n)) => {
                if !default.and_then(toml_edit::Item::as_value).is_some_and(|d| same(d, n)) {
                    old.insert(key, toml_edit::Item::Value(whole(n)));
                }
            }
            (None, n) => {
                old.insert(key, n.clone());
            }
        }
    }
}

/// Whether two values say the same: `60` and `60.0` do (the bounded settings are written as
/// floats but read from either), spacing and comments do not count.
fn same(a: &toml_edit::Value, b: &toml_edit::Value) -> bool {
    use toml_edit::Value;
    match (a, b) {
        (Value::Integer(i), Value::Float(f)) | (Value::Float(f), Value::Integer(i)) => *i.value() as f64 == *f.value(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| same(a, b)),
        _ => {
            let bare = |v: &Value| {
                let mut v = v.clone();
                if let Value::InlineTable(t) = &mut v {
                    t.fmt();
                }
                v.decor_mut().clear();
                v.to_string()
            };
            bare(a) == bare(b)
        }
    }
}

/// A float with nothing after the point written as an integer (`90`, not `90.0`), as people
/// write seconds and percentages.
fn whole(value: &toml_edit::Value) -> toml_edit::Value {
    match value {
        toml_edit::Value::Float(f) if f.value().fract() == 0.0 && f.value().abs() < 1e15 => {
            toml_edit::Value::from(*f.value() as i64)
        }
        other => other.clone(),
    }
}

/// Writes `text` over `path` atomically and readable by its owner only (the file holds the
/// centre token and the PIN hash): see [`crate::fsutil::write_private_atomically`].
fn write_atomically(path: &Path, text: &str) -> Result<(), ConfigError> {
    crate::fsutil::write_private_atomically(path, text.as_bytes()).map_err(|e| ConfigError::Write {
        file: path.display().to_string(),
        message: e.to_string(),
    })
}

/// The typed rule behind a serde error on one of the bounded numbers (serde only carries text).
fn bounded_rule(text: &str, field: &str) -> Option<Rule> {
    let table: toml::Table = text.parse().ok()?;
    let (block, key) = field.split_once('.').map_or((None, field), |(b, k)| (Some(b), k));
    let value = match block {
        Some(b) => table.get(b)?.as_table()?.get(key)?,
        None => table.get(key)?,
    };
    let v = value.as_float().or_else(|| value.as_integer().map(|i| i as f64))?;
    match (block, key) {
        (None, IdleTimeout::KEY) => IdleTimeout::check(v).err(),
        (None, RapidRepeat::KEY) => RapidRepeat::check(v).err(),
        (None, ThanksTimeout::KEY) => ThanksTimeout::check(v).err(),
        (None, TargetPct::KEY) => TargetPct::check(v).err(),
        (Some("report"), CutoffDay::KEY) => CutoffDay::check(v).err(),
        _ => None,
    }
}

fn is_web_url_or_empty(url: &str) -> bool {
    url.is_empty() || url.starts_with("https://") || url.starts_with("http://")
}

fn find_key(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(key) && trimmed[key.len()..].trim_start().starts_with('=') {
            return Some(offset..offset + line.len());
        }
        offset += line.len();
    }
    None
}

/// Where hailong keeps its files.
#[derive(Debug, Clone)]
pub struct DataDir(pub PathBuf);

impl DataDir {
    /// `--data-dir`, else `HAILONG_DATA_DIR` (clap reads it), else the platform data dir.
    pub fn resolve(explicit: Option<PathBuf>) -> DataDir {
        let path = explicit.unwrap_or_else(|| {
            directories::ProjectDirs::from("vn", "hailong", "hailong")
                .map(|d| d.data_dir().to_path_buf())
                .unwrap_or_else(|| PathBuf::from("hailong-data"))
        });
        DataDir(path)
    }

    /// `<data-dir>/hailong.toml`.
    pub fn config_file(&self) -> PathBuf {
        self.0.join(FILE_NAME)
    }

    /// `<data-dir>/hailong.sqlite3`.
    pub fn database(&self) -> PathBuf {
        self.0.join("hailong.sqlite3")
    }

    /// `<data-dir>/questionnaires/`.
    pub fn questionnaires(&self) -> PathBuf {
        self.0.join("questionnaires")
    }
}
