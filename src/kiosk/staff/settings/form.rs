//! The settings form: what staff may change on the kiosk, checked by the same rules as
//! `hailong.toml` before anything is written.

use crate::config::{Config, IdleTimeout, Rule, TargetPct};
use crate::survey::Locale;

/// Why the form was not saved.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A value breaks a rule of `hailong.toml`: the field (`None` for a setting the form does
    /// not show, named by its key) and the rule.
    Invalid {
        /// The field on the page.
        field: Option<Field>,
        /// The setting's key in `hailong.toml`.
        key: &'static str,
        /// The rule broken.
        rule: Rule,
    },
    /// Writing the settings failed (disk, permissions, the database…).
    Failed(SaveFailure),
}

/// Why settings that passed the form's checks were not saved.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveFailure {
    /// The file cannot be written (or read back).
    Config(crate::config::ConfigError),
    /// The questionnaire chosen cannot be used.
    Questionnaire(crate::survey::load::LoadError),
    /// The database refuses the questionnaire (another meaning under the same version).
    Store(crate::kiosk::problem::StoreProblem),
    /// The new PIN could not be hashed (the hasher's words).
    Pin(String),
}

impl SaveFailure {
    /// The failure in `locale`.
    pub fn describe(&self, locale: Locale) -> String {
        match self {
            SaveFailure::Config(e) => e.describe(locale),
            SaveFailure::Questionnaire(e) => crate::kiosk::failure::describe_load_error(e, locale),
            SaveFailure::Store(p) => p.describe(locale),
            SaveFailure::Pin(detail) => detail.clone(),
        }
    }
}

impl Problem {
    /// A bad value of `key`.
    pub fn invalid(key: &'static str, rule: Rule) -> Problem {
        Problem::Invalid {
            field: Field::from_key(key),
            key,
            rule,
        }
    }

    /// The problem as staff read it in `locale`, naming the field by its label on the page.
    pub fn describe(&self, locale: Locale) -> String {
        match self {
            Problem::Invalid { field, key, rule } => {
                let label = field.map_or_else(
                    || key.to_string(),
                    |f| format!("“{}”", crate::i18n::tr(locale, f.label_id())),
                );
                rule.describe(locale, &label)
            }
            Problem::Failed(error) => crate::i18n::tr_args(
                locale,
                id!("settings-save-failed"),
                &[("error", error.describe(locale).into())],
            ),
        }
    }
}

/// A text field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Facility name.
    Facility,
    /// Kiosk name.
    Kiosk,
    /// The point (place) the kiosk stands at; empty = its name.
    Point,
    /// Departments, separated by commas.
    Departments,
    /// Idle timeout, seconds.
    IdleTimeout,
    /// Thank-you QR URL.
    ThankYouUrl,
    /// Target, percent.
    Target,
}

impl Field {
    /// The message id of its label on the Settings page.
    pub fn label_id(self) -> crate::i18n::Id {
        match self {
            Field::Facility => id!("settings-facility"),
            Field::Kiosk => id!("settings-kiosk"),
            Field::Point => id!("settings-point"),
            Field::Departments => id!("settings-departments"),
            Field::IdleTimeout => id!("settings-idle"),
            Field::ThankYouUrl => id!("settings-url"),
            Field::Target => id!("settings-target"),
        }
    }

    /// The field showing the setting `key` of `hailong.toml`, if the page shows it.
    pub fn from_key(key: &str) -> Option<Field> {
        Some(match key {
            "facility_name" => Field::Facility,
            "kiosk_name" => Field::Kiosk,
            "point" => Field::Point,
            "departments" => Field::Departments,
            IdleTimeout::KEY => Field::IdleTimeout,
            "thank_you_url" => Field::ThankYouUrl,
            TargetPct::KEY => Field::Target,
            _ => return None,
        })
    }
}

/// The form as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// Facility name.
    pub facility: String,
    /// Kiosk name.
    pub kiosk: String,
    /// The kiosk's point.
    pub point: String,
    /// Departments, comma-separated.
    pub departments: String,
    /// Questionnaire id.
    pub questionnaire: String,
    /// Default language.
    pub locale: Locale,
    /// Idle timeout as typed.
    pub idle: String,
    /// Thank-you URL.
    pub url: String,
    /// Target as typed.
    pub target: String,
}

impl Form {
    /// The form filled from the current settings.
    pub fn from_config(c: &Config) -> Form {
        Form {
            facility: c.facility_name.clone(),
            kiosk: c.kiosk_name.clone(),
            point: c.point.clone(),
            departments: c.departments.join(", "),
            questionnaire: c.questionnaire.clone(),
            locale: c.default_locale,
            idle: c.idle_timeout_secs.0.to_string(),
            url: c.thank_you_url.clone(),
            target: c.target_pct.0.to_string(),
        }
    }

    /// The text of `field`.
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::Facility => &self.facility,
            Field::Kiosk => &self.kiosk,
            Field::Point => &self.point,
            Field::Departments => &self.departments,
            Field::IdleTimeout => &self.idle,
            Field::ThankYouUrl => &self.url,
            Field::Target => &self.target,
        }
    }

    /// Replaces the text of `field`.
    pub fn set(&mut self, field: Field, value: String) {
        match field {
            Field::Facility => self.facility = value,
            Field::Kiosk => self.kiosk = value,
            Field::Point => self.point = value,
            Field::Departments => self.departments = value,
            Field::IdleTimeout => self.idle = value,
            Field::ThankYouUrl => self.url = value,
            Field::Target => self.target = value,
        }
    }

    /// The settings this form describes, on top of `base` (which keeps everything the form
    /// does not show), or the first problem: the field and the rule it breaks, checked by the
    /// same rules as `hailong.toml` ([`Config::validate`], the bounded types' `check`).
    pub fn to_config(&self, base: &Config) -> Result<Config, Problem> {
        let number = |key: &'static str, text: &str| -> Result<f64, Problem> {
            text.trim()
                .replace(',', ".")
                .parse::<f64>()
                .map_err(|_| Problem::invalid(key, Rule::NotANumber(text.to_string())))
        };
        let mut c = base.clone();
        c.facility_name = self.facility.trim().to_string();
        c.kiosk_name = self.kiosk.trim().to_string();
        c.point = self.point.trim().to_string();
        c.departments = self
            .departments
            .split(',')
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .collect();
        c.questionnaire = self.questionnaire.clone();
        c.default_locale = self.locale;
        c.idle_timeout_secs = IdleTimeout::check(number(IdleTimeout::KEY, &self.idle)?)
            .map_err(|rule| Problem::invalid(IdleTimeout::KEY, rule))?;
        c.target_pct = TargetPct::check(number(TargetPct::KEY, &self.target)?)
            .map_err(|rule| Problem::invalid(TargetPct::KEY, rule))?;
        c.thank_you_url = self.url.trim().to_string();
        c.validate().map_err(|(key, rule)| Problem::invalid(key, rule))?;
        Ok(c)
    }
}
