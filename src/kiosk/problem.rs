//! What went wrong below the kiosk, typed, and put into words from `i18n/` in the reader's
//! language: the store's and the file system's errors as staff see them on the save banner,
//! the dashboard, the Sync and Settings pages and the start-failure screen. The English texts
//! of the lower layers (`database or disk is full`) stay in the journal, not on the screen.

use std::path::{Path, PathBuf};

use crate::i18n::{tr, tr_args};
use crate::store;
use crate::survey::Locale;

/// What an operating-system error means for staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IoCause {
    /// The kiosk's account may not read or write there.
    PermissionDenied,
    /// The disk is read-only.
    ReadOnly,
    /// The disk is full.
    Full,
    /// The file or directory is not there.
    NotFound,
    /// Anything else, in the system's words.
    Other(String),
}

impl IoCause {
    /// The cause of `e`.
    pub fn of(e: &std::io::Error) -> IoCause {
        use std::io::ErrorKind::*;
        match e.kind() {
            PermissionDenied => IoCause::PermissionDenied,
            ReadOnlyFilesystem => IoCause::ReadOnly,
            StorageFull | QuotaExceeded => IoCause::Full,
            NotFound => IoCause::NotFound,
            _ => IoCause::Other(e.to_string()),
        }
    }

    /// The cause in `locale`.
    pub fn describe(&self, locale: Locale) -> String {
        match self {
            IoCause::PermissionDenied => tr(locale, id!("io-permission")),
            IoCause::ReadOnly => tr(locale, id!("io-read-only")),
            IoCause::Full => tr(locale, id!("io-full")),
            IoCause::NotFound => tr(locale, id!("io-not-found")),
            IoCause::Other(detail) => tr_args(locale, id!("io-other"), &[("detail", detail.clone().into())]),
        }
    }
}

/// A failure of the kiosk's database, as staff read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreProblem {
    /// The file is not a hailong database (left untouched).
    NotADatabase {
        /// The file.
        path: PathBuf,
        /// What gave it away (SQLite's or hailong's words).
        reason: String,
    },
    /// SQLite reports damage.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// SQLite's words.
        detail: String,
    },
    /// Written by a newer hailong.
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// This program's.
        known: i64,
    },
    /// A questionnaire id and version this database holds answers for with another meaning.
    QuestionnaireChanged {
        /// `id@version`.
        key: String,
    },
    /// A response does not fit its questionnaire.
    Invalid {
        /// What is wrong (the survey's words).
        detail: String,
    },
    /// The disk is full.
    Full,
    /// The database or its directory cannot be written.
    ReadOnly,
    /// Another program holds the database.
    Busy,
    /// A file of the database cannot be used.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: IoCause,
    },
    /// Anything else, in SQLite's words.
    Other(String),
}

impl StoreProblem {
    /// The problem behind `e`.
    pub fn of(e: &store::Error) -> StoreProblem {
        use rusqlite::ErrorCode;
        match e {
            store::Error::NotADatabase { path, reason } => StoreProblem::NotADatabase {
                path: path.clone(),
                reason: reason.clone(),
            },
            store::Error::Corrupt { path, detail } => StoreProblem::Corrupt {
                path: path.clone(),
                detail: detail.clone(),
            },
            store::Error::TooNew { path, found, known } => StoreProblem::TooNew {
                path: path.clone(),
                found: *found,
                known: *known,
            },
            store::Error::QuestionnaireChanged { key } => StoreProblem::QuestionnaireChanged { key: key.clone() },
            store::Error::Invalid { source, .. } => StoreProblem::Invalid {
                detail: source.to_string(),
            },
            store::Error::Io { path, source } => StoreProblem::Io {
                path: path.clone(),
                cause: IoCause::of(source),
            },
            store::Error::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => match failure.code {
                ErrorCode::DiskFull => StoreProblem::Full,
                ErrorCode::ReadOnly | ErrorCode::PermissionDenied => StoreProblem::ReadOnly,
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreProblem::Busy,
                _ => StoreProblem::Other(e.to_string()),
            },
            other => StoreProblem::Other(other.to_string()),
        }
    }

    /// The problem in `locale`.
    pub fn describe(&self, locale: Locale) -> String {
        let path = |p: &Path| -> fluent_bundle::FluentValue<'static> { p.display().to_string().into() };
        match self {
            StoreProblem::NotADatabase { path: p, reason } => tr_args(
                locale,
                id!("store-not-a-database"),
                &[("path", path(p)), ("reason", reason.clone().into())],
            ),
            StoreProblem::Corrupt { path: p, detail } => tr_args(
                locale,
                id!("store-corrupt"),
                &[("path", path(p)), ("detail", detail.clone().into())],
            ),
            StoreProblem::TooNew { path: p, found, known } => tr_args(
                locale,
                id!("store-too-new"),
                &[
                    ("path", path(p)),
                    ("found", found.to_string().into()),
                    ("known", known.to_string().into()),
                ],
            ),
            StoreProblem::QuestionnaireChanged { key } => tr_args(
                locale,
                id!("store-questionnaire-changed"),
                &[("key", key.clone().into())],
            ),
            StoreProblem::Invalid { detail } => {
                tr_args(locale, id!("store-invalid"), &[("detail", detail.clone().into())])
            }
            StoreProblem::Full => tr(locale, id!("store-full")),
            StoreProblem::ReadOnly => tr(locale, id!("store-read-only")),
            StoreProblem::Busy => tr(locale, id!("store-busy")),
            StoreProblem::Io { path: p, cause } => tr_args(
                locale,
                id!("store-io"),
                &[("path", path(p)), ("cause", cause.describe(locale).into())],
            ),
            StoreProblem::Other(detail) => tr_args(locale, id!("store-other"), &[("detail", detail.clone().into())]),
        }
    }

    /// What staff can do about it, in `locale`.
    pub fn advice(&self, locale: Locale) -> String {
        tr(
            locale,
            match self {
                StoreProblem::NotADatabase { .. } => id!("store-advice-not-a-database"),
                StoreProblem::Corrupt { .. } => id!("store-advice-corrupt"),
                StoreProblem::TooNew { .. } => id!("store-advice-too-new"),
                StoreProblem::QuestionnaireChanged { .. } => id!("store-advice-questionnaire-changed"),
                StoreProblem::Full
                | StoreProblem::Io {
                    cause: IoCause::Full, ..
                } => id!("store-advice-full"),
                StoreProblem::ReadOnly
                | StoreProblem::Io {
                    cause: IoCause::PermissionDenied | IoCause::ReadOnly,
                    ..
                } => id!("store-advice-read-only"),
                StoreProblem::Busy => id!("store-advice-busy"),
                StoreProblem::Invalid { .. } | StoreProblem::Io { .. } | StoreProblem::Other(_) => {
                    id!("store-advice-other")
                }
            },
        )
    }
}
