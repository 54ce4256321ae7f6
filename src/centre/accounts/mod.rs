//! People who log in to the centre's web pages (DESIGN §8): accounts with a role, their
//! sessions, and the login throttle. Behind their own storage trait, [`AccountStore`], which
//! both backends implement on the centre's database, so several `centre serve` processes on one
//! PostgreSQL share the same sessions and the same throttle.

mod postgres;
mod sqlite;
pub mod throttle;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::store::Error;

/// What an account may see and change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything; also enrols and revokes kiosks and manages users.
    Admin,
    /// The provincial Department of Health (Sở Y tế): every facility, read-only.
    Province,
    /// A facility's director, quality office or nursing office: its facility, every department.
    Facility,
    /// One department, beside its facility's totals.
    Department,
}

impl Role {
    /// Every role, in the order the CLI lists them.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Province, Role::Facility, Role::Department];

    /// The role's name on the command line and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Province => "province",
            Role::Facility => "facility",
            Role::Department => "department",
        }
    }

    /// Parses [`Role::as_str`].
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// An account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Its id.
    pub id: i64,
    /// The login name.
    pub name: String,
    /// What it may see.
    pub role: Role,
    /// The facility a `facility` or `department` account belongs to.
    pub facility: Option<String>,
    /// The department a `department` account belongs to.
    pub department: Option<String>,
    /// A facility's leader (director or deputy): approves the feedback box's replies, publishes
    /// them, and sees a denunciation's identity.
    pub leader: bool,
    /// When it was disabled (it can no longer log in; its sessions end).
    pub disabled_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl User {
    /// Whether the account may read the figures of `facility` (any of its departments when
    /// `department` is `None`, that department otherwise).
    pub fn may_read(&self, facility: &str, department: Option<&str>) -> bool {
        match self.role {
            Role::Admin | Role::Province => true,
            Role::Facility => self.facility.as_deref() == Some(facility),
            Role::Department => {
                self.facility.as_deref() == Some(facility)
                    && (department.is_none() || department == self.department.as_deref())
            }
        }
    }

    /// Whether the account sees every facility (the province's overview).
    pub fn sees_every_facility(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Province)
    }
}

/// A new account, as the CLI or the admin page asks for it.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name: 1–64 characters, no spaces or control characters.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Facility (required for `facility` and `department`, refused otherwise).
    pub facility: Option<String>,
    /// Department (required for `department`, refused otherwise).
    pub department: Option<String>,
    /// A facility's leader (only a `facility` account can be one).
    pub leader: bool,
}

/// What is wrong with a new account or password, said in the reader's language by
/// [`AccountProblem::message`] (the CLI and the admin page both show it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountProblem {
    /// The login name is empty or longer than 64 characters.
    NameLength,
    /// The login name holds a space or a control character.
    NameCharacters,
    /// Only a facility account can be a leader.
    LeaderRole(Role),
    /// A facility or department account without its facility.
    FacilityMissing(Role),
    /// An account that sees every facility was given one.
    FacilityNotWanted(Role),
    /// A department account without its department.
    DepartmentMissing,
    /// An account other than a department's was given a department.
    DepartmentNotWanted(Role),
    /// A facility or department name that is too long or holds control characters.
    BadName(String),
    /// A password shorter than [`MIN_PASSWORD`].
    PasswordShort,
    /// A password longer than [`MAX_PASSWORD`].
    PasswordLong,
}

impl AccountProblem {
    /// The problem in `locale`'s words, naming the field.
    pub fn message(&self, locale: crate::survey::Locale) -> String {
        use crate::i18n::{tr, tr_args};
        let role = |r: &Role| -> fluent_bundle::FluentValue<'static> { r.as_str().to_string().into() };
        match self {
            AccountProblem::NameLength => tr(locale, id!("account-name-length")),
            AccountProblem::NameCharacters => tr(locale, id!("account-name-characters")),
            AccountProblem::LeaderRole(r) => tr_args(locale, id!("account-leader-role"), &[("role", role(r))]),
            AccountProblem::FacilityMissing(r) => {
                tr_args(locale, id!("account-facility-missing"), &[("role", role(r))])
            }
            AccountProblem::FacilityNotWanted(r) => {
                tr_args(locale, id!("account-facility-not-wanted"), &[("role", role(r))])
            }
            AccountProblem::DepartmentMissing => tr(locale, id!("account-department-missing")),
            AccountProblem::DepartmentNotWanted(r) => {
                tr_args(locale, id!("account-department-not-wanted"), &[("role", role(r))])
            }
            AccountProblem::BadName(why) => why.clone(),
            AccountProblem::PasswordShort => {
                tr_args(locale, id!("account-password-short"), &[("min", MIN_PASSWORD.into())])
            }
            AccountProblem::PasswordLong => {
                tr_args(locale, id!("account-password-long"), &[("max", MAX_PASSWORD.into())])
            }
        }
    }
}

impl NewUser {
    /// Checks the name and that facility and department match the role.
    pub fn check(&self) -> Result<(), AccountProblem> {
        check_login_name(&self.name)?;
        if self.leader && self.role != Role::Facility {
            return Err(AccountProblem::LeaderRole(self.role));
        }
        let needs_facility = matches!(self.role, Role::Facility | Role::Department);
        let needs_department = self.role == Role::Department;
        match (&self.facility, needs_facility) {
            (None, true) => return Err(AccountProblem::FacilityMissing(self.role)),
            (Some(_), false) => return Err(AccountProblem::FacilityNotWanted(self.role)),
            (Some(f), true) => super::store::check_name("facility", f).map_err(AccountProblem::BadName)?,
            (None, false) => {}
        }
        match (&self.department, needs_department) {
            (None, true) => return Err(AccountProblem::DepartmentMissing),
            (Some(_), false) => return Err(AccountProblem::DepartmentNotWanted(self.role)),
            (Some(d), true) => super::store::check_name("department", d).map_err(AccountProblem::BadName)?,
            (None, false) => {}
        }
        Ok(())
    }
}

/// Checks a login name: 1–64 characters, none of them spaces or control characters.
pub fn check_login_name(name: &str) -> Result<(), AccountProblem> {
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AccountProblem::NameLength);
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AccountProblem::NameCharacters);
    }
    Ok(())
}

/// Shortest password an account may have.
pub const MIN_PASSWORD: usize = 10;
/// Longest password accepted (argon2 hashes any length; this bounds the work a request causes).
pub const MAX_PASSWORD: usize = 256;

/// Checks a new password's length.
pub fn check_password(password: &str) -> Result<(), AccountProblem> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(AccountProblem::PasswordShort);
    }
    if n > MAX_PASSWORD {
        return Err(AccountProblem::PasswordLong);
    }
    Ok(())
}

/// Hashes a password as an argon2id PHC string with the argon2 crate's defaults (19 MiB,
/// 2 passes: OWASP's minimum; about 40 ms here, so a login costs little and an offline search of
/// a 10-character password stays out of reach).
pub fn hash_password(password: &str) -> Result<String, Error> {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Database(format!("password hash: {e}")))
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(hash: &str, password: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    argon2::password_hash::phc::PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash no password matches, checked against when the login name is unknown, so an unknown
/// name costs the same time as a wrong password (no enumeration by timing).
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("hailong: no account has this password").unwrap_or_default())
}

/// A logged-in session, as stored.
#[derive(Debug, Clone)]
pub struct Session {
    /// Whose.
    pub user: User,
    /// The token every state-changing form of this session carries (CSRF).
    pub csrf: String,
    /// When it began (see [`SESSION_ABSOLUTE`]).
    pub created_at: DateTime<Utc>,
    /// When it was last used (see [`SESSION_IDLE`]).
    pub last_seen: DateTime<Utc>,
}

/// A session unused for this long ends.
pub const SESSION_IDLE: Duration = Duration::minutes(30);
/// A session ends this long after login, used or not.
pub const SESSION_ABSOLUTE: Duration = Duration::hours(12);
/// A session's last use is written at most this often (reading a page should not cost a write).
pub const SESSION_TOUCH: Duration = Duration::seconds(60);

impl Session {
    /// Whether the session is still valid at `now`.
    pub fn alive(&self, now: DateTime<Utc>) -> bool {
        self.user.disabled_at.is_none()
            && now - self.last_seen < SESSION_IDLE
            && now - self.created_at < SESSION_ABSOLUTE
    }
}

/// Whose throttle counters `hailong centre user unlock` forgets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unlock {
    /// An account's, at every address ([`throttle::account_key`]).
    Account(String),
    /// An address's, for every account ([`throttle::address_key`]).
    Address(String),
}

/// Accounts, sessions and the login throttle (blocking; call from `spawn_blocking`).
pub trait AccountStore: Send + Sync {
    /// Adds an account; a taken name is a [`Error::Conflict`].
    fn add_user(&self, user: &NewUser, password_hash: &str) -> Result<User, Error>;
    /// Every account, by name.
    fn users(&self) -> Result<Vec<User>, Error>;
    /// An account and its password hash, by login name.
    fn user_by_name(&self, name: &str) -> Result<Option<(User, String)>, Error>;
    /// Disables an account and ends its sessions.
    fn disable_user(&self, name: &str) -> Result<(), Error>;
    /// Sets an account's password and ends its sessions.
    fn set_password(&self, name: &str, password_hash: &str) -> Result<(), Error>;
    /// How many accounts exist (0: `centre serve` says how to create the first admin).
    fn user_count(&self) -> Result<u64, Error>;

    /// Starts a session (the token is stored only as its hash).
    fn create_session(&self, token_hash: &str, user_id: i64, csrf: &str, now: DateTime<Utc>) -> Result<(), Error>;
    /// A session by its token's hash.
    fn session(&self, token_hash: &str) -> Result<Option<Session>, Error>;
    /// Records that a session was used at `now`.
    fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<(), Error>;
    /// Ends a session.
    fn end_session(&self, token_hash: &str) -> Result<(), Error>;

    /// The throttle counters kept under `keys` (see [`throttle`]), `None` where none is.
    fn throttle_counters(&self, keys: &[&str]) -> Result<Vec<Option<throttle::Counter>>, Error>;
    /// Counts one failure of an account at an address (its pair and address counters, by the
    /// rules of [`throttle`]), forgets counters [`throttle::KEEP`] old and the oldest beyond
    /// [`throttle::MAX_ROWS`], and ends sessions that can no longer be used.
    fn record_failure(&self, keys: &throttle::Keys, now: DateTime<Utc>) -> Result<(), Error>;
    /// Forgets the counter of `key` (an account at an address, after it logged in).
    fn clear_throttle(&self, key: &str) -> Result<(), Error>;
    /// Forgets an account's or an address's counters; returns how many were kept.
    fn unlock(&self, what: &Unlock) -> Result<u64, Error>;
    /// How many throttle counters are kept.
    fn throttle_rows(&self) -> Result<u64, Error>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, facility: Option<&str>, department: Option<&str>) -> User {
        User {
            id: 1,
            name: "u".into(),
            role,
            facility: facility.map(Into::into),
            department: department.map(Into::into),
            leader: false,
            disabled_at: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn who_reads_what() {
        let province = user(Role::Province, None, None);
        let facility = user(Role::Facility, Some("TTYT A"), None);
        let dept = user(Role::Department, Some("TTYT A"), Some("Khoa Nội"));
        for (u, facility_name, department, expected) in [
            (&province, "TTYT B", None, true),
            (&facility, "TTYT A", None, true),
            (&facility, "TTYT A", Some("Khoa Ngoại"), true),
            (&facility, "TTYT B", None, false),
            (&dept, "TTYT A", None, true),
            (&dept, "TTYT A", Some("Khoa Nội"), true),
            (&dept, "TTYT A", Some("Khoa Ngoại"), false),
            (&dept, "TTYT B", Some("Khoa Nội"), false),
        ] {
            assert_eq!(
                u.may_read(facility_name, department),
                expected,
                "{u:?} {facility_name} {department:?}"
            );
        }
    }

    #[test]
    fn roles_need_their_facility_and_department() {
        let new = |role, facility: Option<&str>, department: Option<&str>| NewUser {
            name: "an".into(),
            role,
            facility: facility.map(Into::into),
            department: department.map(Into::into),
            leader: false,
        };
        assert!(new(Role::Province, None, None).check().is_ok());
        assert!(
            new(Role::Province, Some("A"), None)
                .check()
                .unwrap_err()
                .message(crate::survey::Locale::Vi)
                .contains("--facility")
        );
        assert!(
            new(Role::Facility, None, None)
                .check()
                .unwrap_err()
                .message(crate::survey::Locale::Vi)
                .contains("--facility")
        );
        assert!(
            new(Role::Department, Some("A"), None)
                .check()
                .unwrap_err()
                .message(crate::survey::Locale::Vi)
                .contains("--department")
        );
        assert!(new(Role::Department, Some("A"), Some("Khoa Nội")).check().is_ok());
        assert!(check_login_name("an bình").is_err());
    }

    #[test]
    fn sessions_end_when_idle_or_old() {
        let now = Utc::now();
        let s = |created: i64, seen: i64| Session {
            user: user(Role::Admin, None, None),
            csrf: String::new(),
            created_at: now - Duration::minutes(created),
            last_seen: now - Duration::minutes(seen),
        };
        assert!(s(10, 1).alive(now));
        assert!(!s(40, 31).alive(now));
        assert!(!s(12 * 60 + 1, 1).alive(now));
    }

    #[test]
    fn passwords_verify_and_unknown_names_cost_a_check() {
        let hash = hash_password("mật khẩu dài lắm").unwrap();
        assert!(verify_password(&hash, "mật khẩu dài lắm"));
        assert!(!verify_password(&hash, "sai"));
        assert!(!verify_password(dummy_hash(), ""));
    }
}
