//! The settings form: what staff may change on the kiosk, checked by the same rules as
//! `hailong.toml` before anything is written.

use crate::config::{Config, ConfigError};
use crate::survey::Locale;

/// A text field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Facility name.
    Facility,
    /// Kiosk name.
    Kiosk,
    /// Departments, separated by commas.
    Departments,
    /// Idle timeout, seconds.
    IdleTimeout,
    /// Thank-you QR URL.
    ThankYouUrl,
    /// Target, percent.
    Target,
}

/// The form as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// Facility name.
    pub facility: String,
    /// Kiosk name.
    pub kiosk: String,
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
            Field::Departments => self.departments = value,
            Field::IdleTimeout => self.idle = value,
            Field::ThankYouUrl => self.url = value,
            Field::Target => self.target = value,
        }
    }

    /// The settings this form describes, on top of `base` (which keeps everything the form
    /// does not show), or the first problem as "setting: what is wrong".
    pub fn to_config(&self, base: &Config) -> Result<Config, String> {
        let number = |field: &str, text: &str| -> Result<f64, String> {
            text.trim()
                .replace(',', ".")
                .parse::<f64>()
                .map_err(|_| format!("{field}: “{text}” is not a number"))
        };
        let mut c = base.clone();
        c.facility_name = self.facility.trim().to_string();
        c.kiosk_name = self.kiosk.trim().to_string();
        c.departments = self
            .departments
            .split(',')
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .collect();
        c.questionnaire = self.questionnaire.clone();
        c.default_locale = self.locale;
        c.idle_timeout_secs = number("idle_timeout_secs", &self.idle)?
            .try_into()
            .map_err(|e| format!("idle_timeout_secs: {e}"))?;
        c.target_pct = number("target_pct", &self.target)?
            .try_into()
            .map_err(|e| format!("target_pct: {e}"))?;
        c.thank_you_url = self.url.trim().to_string();
        // The same checks as loading hailong.toml (non-empty names, URLs…).
        let text = toml::to_string(&c).map_err(|e| e.to_string())?;
        Config::parse("hailong.toml", &text).map_err(|e| match e {
            ConfigError::Invalid { field, message, .. } => format!("{field}: {message}"),
            other => other.to_string(),
        })
    }
}
