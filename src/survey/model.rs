//! The validated questionnaire model (DESIGN §3).
//!
//! Values of these types only come out of [`crate::survey::load`], which checks every rule, so
//! the rest of the program can rely on unique codes, Vietnamese text everywhere and non-empty
//! sections. They serialise to JSON so the store can keep the exact definition a response was
//! given with.

use serde::{Deserialize, Serialize};

/// A language the kiosk speaks. Vietnamese is the default and the fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// Tiếng Việt.
    #[default]
    Vi,
    /// English.
    En,
}

impl Locale {
    /// All supported locales, Vietnamese first.
    pub const ALL: [Locale; 2] = [Locale::Vi, Locale::En];

    /// The BCP 47 tag (`vi`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Vi => "vi",
            Locale::En => "en",
        }
    }

    /// Parses a tag such as `vi`, `vi-VN` or `en-GB`.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "vi" => Some(Locale::Vi),
            "en" => Some(Locale::En),
            _ => None,
        }
    }
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

/// A text in Vietnamese and, usually, English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalText {
    /// Vietnamese, always present.
    pub vi: String,
    /// English; when absent the Vietnamese text is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl LocalText {
    /// The text in `locale`, falling back to Vietnamese.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::Vi => &self.vi,
            Locale::En => self.en.as_deref().unwrap_or(&self.vi),
        }
    }
}

/// One option of a `choice` item or a follow-up reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    /// Stable code stored in answers (`"4"`, `"wait"`).
    pub code: String,
    /// What the patient reads.
    pub text: LocalText,
    /// Whether picking it lets the patient type their own words.
    #[serde(default)]
    pub other: bool,
}

/// The follow-up question shown after a low rating (DESIGN §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// Shown when the answer is at or below this value (1–4).
    pub threshold: u8,
    /// "Vì sao Ông/Bà chưa hài lòng?"
    pub prompt: LocalText,
    /// The reasons offered as chips; several may be picked.
    pub reasons: Vec<ChoiceOption>,
}

impl FollowUp {
    /// Whether a scale answer of `value` opens this follow-up (0 = not used never does).
    pub fn applies_to(&self, value: u8) -> bool {
        value >= 1 && value <= self.threshold
    }
}

/// What kind of answer an item takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemKind {
    /// The five-point scale of DESIGN §4.
    Scale5 {
        /// Offer "Không sử dụng / Not used" (stored as 0).
        not_used: bool,
        /// The follow-up reasons after a low rating, if any.
        follow_up: Option<FollowUp>,
    },
    /// 0–100 %, optionally more (the G1 expectation question).
    Percent {
        /// Allow answers above 100 %.
        over_100: bool,
        /// The highest answer taken: 100 without `over_100`, else the file's `max`
        /// ([`PERCENT_OVER_100_MAX`] unless it says otherwise, never above [`PERCENT_MAX`]).
        max: u16,
    },
    /// One option from a list.
    Choice {
        /// The options in display order.
        options: Vec<ChoiceOption>,
    },
    /// Free text.
    Text {
        /// Longest accepted answer, in characters.
        max_len: usize,
    },
}

/// The highest `max` a `percent` item may declare.
pub const PERCENT_MAX: u16 = 200;
/// A `percent` item's `max` when `over_100` is set and the file gives none: room for the
/// kiosk's "over 100 %" (stored as 110) and the 120s and 150s patients write on paper.
pub const PERCENT_OVER_100_MAX: u16 = 150;

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable code (`A1`, `G2`, `gender`).
    pub code: String,
    /// The question.
    pub text: LocalText,
    /// Helper line under the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<LocalText>,
    /// Whether the patient may skip it without answering.
    #[serde(default)]
    pub optional: bool,
    /// Its kind and kind-specific settings.
    #[serde(flatten)]
    pub kind: ItemKind,
}

impl Item {
    /// Whether this item counts toward the satisfaction figures.
    pub fn is_scale(&self) -> bool {
        matches!(self.kind, ItemKind::Scale5 { .. })
    }

    /// The follow-up of a scale item, if it has one.
    pub fn follow_up(&self) -> Option<&FollowUp> {
        match &self.kind {
            ItemKind::Scale5 { follow_up, .. } => follow_up.as_ref(),
            _ => None,
        }
    }

    /// The code under which follow-up reasons are stored (`A1.why`).
    pub fn follow_up_code(&self) -> String {
        follow_up_code_of(&self.code)
    }
}

/// The code under which the follow-up reasons of `item` are stored.
pub fn follow_up_code_of(item: &str) -> String {
    format!("{item}.why")
}

/// A titled group of items (A–E in the Ministry forms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Section code (`A`).
    pub code: String,
    /// Section title.
    pub title: LocalText,
    /// Items in order; never empty.
    pub items: Vec<Item>,
}

/// A complete questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Questionnaire {
    /// Identifier, e.g. `byt-ngoai-tru`.
    pub id: String,
    /// Version; a code keeps its meaning within a version.
    pub version: u32,
    /// Where the texts come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Title.
    pub title: LocalText,
    /// Short invitation shown before the first question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<LocalText>,
    /// Optional header questions (gender, age group…), all `choice` items.
    #[serde(default)]
    pub demographics: Vec<Item>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// Where each item is, by code, built on first use.
    #[serde(skip)]
    pub(crate) index: ItemIndex,
}

/// Where each item of a questionnaire is, by code: `(section, item)`, with `usize::MAX` as the
/// section of a demographic item. Every answer checked or tallied looks its item up, so this
/// saves a scan over all the items each time. It is not part of a questionnaire's value:
/// equality ignores it, and a lookup it gets wrong (the questionnaire was changed after it was
/// built) falls back to the scan.
#[derive(Clone, Default)]
pub(crate) struct ItemIndex(std::sync::OnceLock<std::collections::HashMap<String, (usize, usize)>>);

impl PartialEq for ItemIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for ItemIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ItemIndex")
    }
}

impl Questionnaire {
    /// Where the item with this code sits, checked against the questionnaire as it is now.
    fn position(&self, code: &str) -> Option<(usize, usize)> {
        let index = self.index.0.get_or_init(|| {
            let demographics = self
                .demographics
                .iter()
                .enumerate()
                .map(|(i, it)| (it, (usize::MAX, i)));
            let sections = self
                .sections
                .iter()
                .enumerate()
                .flat_map(|(s, sec)| sec.items.iter().enumerate().map(move |(i, it)| (it, (s, i))));
            demographics
                .chain(sections)
                .map(|(item, at)| (item.code.clone(), at))
                .collect()
        });
        let &(s, i) = index.get(code)?;
        let item = if s == usize::MAX {
            self.demographics.get(i)
        } else {
            self.sections.get(s).and_then(|sec| sec.items.get(i))
        };
        item.is_some_and(|it| it.code == code).then_some((s, i))
    }

    /// Every item, demographics first, then the sections in order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.demographics
            .iter()
            .chain(self.sections.iter().flat_map(|s| s.items.iter()))
    }

    /// The item with this code.
    pub fn item(&self, code: &str) -> Option<&Item> {
        match self.position(code) {
            Some((usize::MAX, i)) => Some(&self.demographics[i]),
            Some((s, i)) => Some(&self.sections[s].items[i]),
            None => self.items().find(|i| i.code == code),
        }
    }

    /// The section holding the item with this code.
    pub fn section_of(&self, code: &str) -> Option<&Section> {
        match self.position(code) {
            Some((usize::MAX, _)) => None,
            Some((s, _)) => Some(&self.sections[s]),
            None => self.sections.iter().find(|s| s.items.iter().any(|i| i.code == code)),
        }
    }

    /// The scale items, which the satisfaction figures are computed over.
    pub fn scale_items(&self) -> impl Iterator<Item = &Item> {
        self.items().filter(|i| i.is_scale())
    }

    /// `id@version`, as shown in messages.
    pub fn key(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    /// SHA-256 of the canonical JSON definition: two files with the same id and version must
    /// have the same fingerprint, or a stored code would change meaning.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let json = serde_json::to_vec(self).expect("a questionnaire always serialises");
        hex::encode(Sha256::digest(json))
    }
}
