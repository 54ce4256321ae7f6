//! Loading questionnaires from TOML, with errors that name the file, the line and the field.
//!
//! The TOML shape is documented in `assets/questionnaires/README.md`. Parsing goes through
//! `serde_path_to_error` so a type error carries its field path, and codes are read as
//! `toml::Spanned` so rule violations found after parsing still point at a line.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::model::{ChoiceOption, FollowUp, Item, ItemKind, LocalText, Questionnaire, Section};

/// Why a questionnaire could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The file is not valid, or breaks a rule; `line` is 1-based.
    #[error("{file}, line {line}: {field}: {message}")]
    Invalid {
        /// The file, as given.
        file: String,
        /// 1-based line of the offending value.
        line: usize,
        /// The field path, e.g. `sections[1].items[0].code`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The file could not be read.
    #[error("{file}: cannot read: {message}")]
    Io {
        /// The file.
        file: String,
        /// The OS error.
        message: String,
    },
    /// Two files define the same id and version differently.
    #[error("{file}: {key} is already defined by {other} with different content; give it a new version")]
    Conflict {
        /// The file that lost.
        file: String,
        /// `id@version`.
        key: String,
        /// The file (or `built-in`) that defined it first.
        other: String,
    },
    /// No questionnaire has this id: the id, and the ids there are.
    #[error("unknown questionnaire `{0}` (available: {1})")]
    Unknown(String, String),
}

/// The built-in questionnaires, embedded in the binary: (file name, contents).
pub const BUILT_IN: [(&str, &str); 4] = [
    (
        "kiosk-nhanh.toml",
        include_str!("../../assets/questionnaires/kiosk-nhanh.toml"),
    ),
    (
        "byt-ngoai-tru.toml",
        include_str!("../../assets/questionnaires/byt-ngoai-tru.toml"),
    ),
    (
        "byt-noi-tru.toml",
        include_str!("../../assets/questionnaires/byt-noi-tru.toml"),
    ),
    (
        "sipas-mot-cua.toml",
        include_str!("../../assets/questionnaires/sipas-mot-cua.toml"),
    ),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    vi: String,
    en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    code: Spanned<String>,
    vi: String,
    en: Option<String>,
    #[serde(default)]
    other: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFollowUp {
    threshold: Spanned<u8>,
    prompt: RawText,
    reasons: Vec<RawOption>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawItemFollowUp {
    Switch(bool),
    Own(RawFollowUp),
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
enum RawKind {
    Scale5,
    Percent,
    Choice,
    Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: Spanned<String>,
    kind: Spanned<RawKind>,
    text: RawText,
    help: Option<RawText>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    not_used: bool,
    #[serde(default)]
    over_100: bool,
    /// The highest answer of a percent item with `over_100`.
    max: Option<Spanned<u16>>,
    options: Option<Vec<RawOption>>,
    max_len: Option<Spanned<usize>>,
    follow_up: Option<RawItemFollowUp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    code: Spanned<String>,
    title: RawText,
    #[serde(default)]
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestionnaire {
    id: Spanned<String>,
    version: Spanned<u32>,
    source: Option<String>,
    title: RawText,
    intro: Option<RawText>,
    follow_up: Option<RawFollowUp>,
    #[serde(default)]
    demographics: Vec<RawItem>,
    sections: Spanned<Vec<RawSection>>,
}

/// A serde path as a reader expects it: `sections[0].items[1].code`.
pub fn field_path(path: &str) -> String {
    if path == "." {
        return "(document)".into();
    }
    // `toml::Spanned` shows up as an internal field name in the path.
    path.replace(".$__serde_spanned_private_value", "")
}

/// Longest text answer accepted when an item does not say.
pub const DEFAULT_TEXT_MAX_LEN: usize = 1000;

/// Turns a byte offset into a 1-based line number.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn err<T>(&self, span: std::ops::Range<usize>, field: String, message: String) -> Result<T, LoadError> {
        Err(LoadError::Invalid {
            file: self.file.to_string(),
            line: line_of(self.text, span.start),
            field,
            message,
        })
    }
}

fn text(raw: RawText) -> LocalText {
    LocalText { vi: raw.vi, en: raw.en }
}

fn is_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 32 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn options(ctx: &Ctx, field: &str, raw: Vec<RawOption>) -> Result<Vec<ChoiceOption>, LoadError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, o) in raw.into_iter().enumerate() {
        let f = format!("{field}[{i}].code");
        if !is_code(o.code.get_ref()) {
            return ctx.err(
                o.code.span(),
                f,
                format!(
                    "`{}` is not a valid code (letters, digits, _ and - only)",
                    o.code.get_ref()
                ),
            );
        }
        if !seen.insert(o.code.get_ref().clone()) {
            return ctx.err(
                o.code.span(),
                f,
                format!("duplicate option code `{}`", o.code.get_ref()),
            );
        }
        if o.vi.trim().is_empty() {
            return ctx.err(
                o.code.span(),
                format!("{field}[{i}].vi"),
                "missing Vietnamese text".into(),
            );
        }
        out.push(ChoiceOption {
            code: o.code.into_inner(),
            text: LocalText { vi: o.vi, en: o.en },
            other: o.other,
        });
    }
    Ok(out)
}

fn follow_up(ctx: &Ctx, field: &str, raw: RawFollowUp) -> Result<FollowUp, LoadError> {
    let threshold = *raw.threshold.get_ref();
    if !(1..=4).contains(&threshold) {
        return ctx.err(
            raw.threshold.span(),
            format!("{field}.threshold"),
            format!("must be between 1 and 4 (found {threshold})"),
        );
    }
    if raw.reasons.is_empty() {
        return ctx.err(
            raw.threshold.span(),
            format!("{field}.reasons"),
            "a follow-up needs at least one reason".into(),
        );
    }
    Ok(FollowUp {
        threshold,
        prompt: text(raw.prompt),
        reasons: options(ctx, &format!("{field}.reasons"), raw.reasons)?,
    })
}

fn item(ctx: &Ctx, field: &str, raw: RawItem, default_follow_up: Option<&FollowUp>) -> Result<Item, LoadError> {
    let code_span = raw.code.span();
    let kind_span = raw.kind.span();
    let kind = *raw.kind.get_ref();
    let misplaced = |name: &str| -> Result<Item, LoadError> {
        ctx.err(
            kind_span.clone(),
            format!("{field}.{name}"),
            format!("`{name}` does not apply to this kind of item"),
        )
    };
    if raw.not_used && kind != RawKind::Scale5 {
        return misplaced("not_used");
    }
    if raw.follow_up.is_some() && kind != RawKind::Scale5 {
        return misplaced("follow_up");
    }
    if raw.over_100 && kind != RawKind::Percent {
        return misplaced("over_100");
    }
    if raw.max.is_some() && !raw.over_100 {
        return misplaced("max");
    }
    if raw.options.is_some() && kind != RawKind::Choice {
        return misplaced("options");
    }
    if raw.max_len.is_some() && kind != RawKind::Text {
        return misplaced("max_len");
    }
    let kind = match kind {
        RawKind::Scale5 => ItemKind::Scale5 {
            not_used: raw.not_used,
            follow_up: match raw.follow_up {
                None | Some(RawItemFollowUp::Switch(true)) => default_follow_up.cloned(),
                Some(RawItemFollowUp::Switch(false)) => None,
                Some(RawItemFollowUp::Own(own)) => Some(follow_up(ctx, &format!("{field}.follow_up"), own)?),
            },
        },
        RawKind::Percent => {
            let max = match &raw.max {
                None if raw.over_100 => super::model::PERCENT_OVER_100_MAX,
                None => 100,
                Some(m) if (101..=super::model::PERCENT_MAX).contains(m.get_ref()) => *m.get_ref(),
                Some(m) => {
                    return ctx.err(
                        m.span(),
                        format!("{field}.max"),
                        format!(
                            "must be between 101 and {} (found {})",
                            super::model::PERCENT_MAX,
                            m.get_ref()
                        ),
                    );
                }
            };
            ItemKind::Percent {
                over_100: raw.over_100,
                max,
            }
        }
        RawKind::Choice => {
            let raw_options = raw.options.unwrap_or_default();
            if raw_options.len() < 2 {
                return ctx.err(
                    kind_span,
                    format!("{field}.options"),
                    "a choice item needs at least two options".into(),
                );
            }
            ItemKind::Choice {
                options: options(ctx, &format!("{field}.options"), raw_options)?,
            }
        }
        RawKind::Text => {
            let max_len = match raw.max_len {
                Some(m) if *m.get_ref() == 0 || *m.get_ref() > 10_000 => {
                    return ctx.err(
                        m.span(),
                        format!("{field}.max_len"),
                        format!("must be between 1 and 10000 (found {})", m.get_ref()),
                    );
                }
                Some(m) => m.into_inner(),
                None => DEFAULT_TEXT_MAX_LEN,
            };
            ItemKind::Text { max_len }
        }
    };
    if raw.text.vi.trim().is_empty() {
        return ctx.err(code_span, format!("{field}.text.vi"), "missing Vietnamese text".into());
    }
    Ok(Item {
        code: raw.code.into_inner(),
        text: text(raw.text),
        help: raw.help.map(text),
        optional: raw.optional,
        kind,
    })
}

/// Parses and validates one questionnaire file. `file` names it in error messages.
pub fn parse(file: &str, source: &str) -> Result<Questionnaire, LoadError> {
    let ctx = Ctx { file, text: source };
    let de = toml::Deserializer::parse(source).map_err(|e| LoadError::Invalid {
        file: file.to_string(),
        line: e.span().map_or(1, |s| line_of(source, s.start)),
        field: "(syntax)".into(),
        message: e.message().to_string(),
    })?;
    let raw: RawQuestionnaire = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        LoadError::Invalid {
            file: file.to_string(),
            line: inner.span().map_or(1, |s| line_of(source, s.start)),
            field: field_path(&path),
            message: inner.message().to_string(),
        }
    })?;

    if !is_code(raw.id.get_ref()) {
        return ctx.err(
            raw.id.span(),
            "id".into(),
            format!(
                "`{}` is not a valid id (letters, digits, _ and - only)",
                raw.id.get_ref()
            ),
        );
    }
    if *raw.version.get_ref() == 0 {
        return ctx.err(raw.version.span(), "version".into(), "must be 1 or more".into());
    }
    if raw.title.vi.trim().is_empty() {
        return ctx.err(raw.id.span(), "title.vi".into(), "missing Vietnamese text".into());
    }
    let default_follow_up = raw.follow_up.map(|f| follow_up(&ctx, "follow_up", f)).transpose()?;

    let mut codes: HashMap<String, std::ops::Range<usize>> = HashMap::new();
    let mut check_code = |code: &Spanned<String>, field: String| -> Result<(), LoadError> {
        if !is_code(code.get_ref()) {
            return ctx.err(
                code.span(),
                field,
                format!(
                    "`{}` is not a valid code (letters, digits, _ and - only)",
                    code.get_ref()
                ),
            );
        }
        if let Some(first) = codes.get(code.get_ref()) {
            return ctx.err(
                code.span(),
                field,
                format!(
                    "duplicate code `{}` (first used on line {})",
                    code.get_ref(),
                    line_of(source, first.start)
                ),
            );
        }
        codes.insert(code.get_ref().clone(), code.span());
        Ok(())
    };

    let mut demographics = Vec::new();
    for (i, d) in raw.demographics.into_iter().enumerate() {
        let field = format!("demographics[{i}]");
        check_code(&d.code, format!("{field}.code"))?;
        if *d.kind.get_ref() != RawKind::Choice {
            return ctx.err(
                d.kind.span(),
                format!("{field}.kind"),
                "demographic fields must be `choice` items".into(),
            );
        }
        demographics.push(item(&ctx, &field, d, None)?);
    }

    let sections_span = raw.sections.span();
    let raw_sections = raw.sections.into_inner();
    if raw_sections.is_empty() {
        return ctx.err(
            sections_span,
            "sections".into(),
            "a questionnaire needs at least one section".into(),
        );
    }
    let mut section_codes = HashSet::new();
    let mut sections = Vec::with_capacity(raw_sections.len());
    for (s, raw_section) in raw_sections.into_iter().enumerate() {
        let field = format!("sections[{s}]");
        let code = &raw_section.code;
        if !is_code(code.get_ref()) || !section_codes.insert(code.get_ref().clone()) {
            return ctx.err(
                code.span(),
                format!("{field}.code"),
                format!("section code `{}` is invalid or used twice", code.get_ref()),
            );
        }
        if raw_section.items.is_empty() {
            return ctx.err(
                code.span(),
                format!("{field}.items"),
                format!("section `{}` has no items", code.get_ref()),
            );
        }
        if raw_section.title.vi.trim().is_empty() {
            return ctx.err(
                code.span(),
                format!("{field}.title.vi"),
                "missing Vietnamese text".into(),
            );
        }
        let mut items = Vec::with_capacity(raw_section.items.len());
        for (i, raw_item) in raw_section.items.into_iter().enumerate() {
            let item_field = format!("{field}.items[{i}]");
            check_code(&raw_item.code, format!("{item_field}.code"))?;
            items.push(item(&ctx, &item_field, raw_item, default_follow_up.as_ref())?);
        }
        sections.push(Section {
            code: raw_section.code.into_inner(),
            title: text(raw_section.title),
            items,
        });
    }

    Ok(Questionnaire {
        id: raw.id.into_inner(),
        version: raw.version.into_inner(),
        source: raw.source,
        title: text(raw.title),
        intro: raw.intro.map(text),
        demographics,
        sections,
        index: Default::default(),
    })
}

/// Every questionnaire the kiosk knows: the built-ins plus the facility's own files.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    by_key: BTreeMap<(String, u32), Questionnaire>,
    origin: BTreeMap<(String, u32), String>,
}

impl Catalog {
    /// The four built-in questionnaires.
    pub fn built_in() -> Catalog {
        let mut catalog = Catalog::default();
        for (file, source) in BUILT_IN {
            let q = parse(file, source).unwrap_or_else(|e| panic!("built-in questionnaire is invalid: {e}"));
            catalog
                .insert(q, format!("built-in {file}"))
                .unwrap_or_else(|e| panic!("built-in questionnaire conflicts: {e}"));
        }
        catalog
    }

    /// The built-ins plus every `*.toml` in `dir` (if it exists), in file-name order.
    pub fn load(dir: &Path) -> Result<Catalog, LoadError> {
        let mut catalog = Catalog::built_in();
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(catalog),
            Err(e) => {
                return Err(LoadError::Io {
                    file: dir.display().to_string(),
                    message: e.to_string(),
                });
            }
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            let name = path.display().to_string();
            let source = std::fs::read_to_string(&path).map_err(|e| LoadError::Io {
                file: name.clone(),
                message: e.to_string(),
            })?;
            let q = parse(&name, &source)?;
            catalog.insert(q, name)?;
        }
        Ok(catalog)
    }

    /// Adds a questionnaire; the same id and version must mean the same thing.
    pub fn insert(&mut self, q: Questionnaire, origin: String) -> Result<(), LoadError> {
        let key = (q.id.clone(), q.version);
        if let Some(existing) = self.by_key.get(&key) {
            if existing.fingerprint() == q.fingerprint() {
                return Ok(());
            }
            return Err(LoadError::Conflict {
                file: origin,
                key: q.key(),
                other: self.origin[&key].clone(),
            });
        }
        self.origin.insert(key.clone(), origin);
        self.by_key.insert(key, q);
        Ok(())
    }

    /// The newest version of `id`.
    pub fn latest(&self, id: &str) -> Result<&Questionnaire, LoadError> {
        self.by_key
            .range((id.to_string(), 0)..=(id.to_string(), u32::MAX))
            .next_back()
            .map(|(_, q)| q)
            .ok_or_else(|| LoadError::Unknown(id.to_string(), self.ids().join(", ")))
    }

    /// A specific version.
    pub fn get(&self, id: &str, version: u32) -> Option<&Questionnaire> {
        self.by_key.get(&(id.to_string(), version))
    }

    /// The questionnaire ids, each once, in order.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.by_key.keys().map(|(id, _)| id.clone()).collect();
        ids.dedup();
        ids
    }

    /// All questionnaires, ordered by id and version.
    pub fn all(&self) -> impl Iterator<Item = &Questionnaire> {
        self.by_key.values()
    }
}
