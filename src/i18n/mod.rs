//! Every string a patient or staff member reads, from the Fluent files in `i18n/`.
//!
//! The files are embedded at build time. Vietnamese is the default and the fallback. `build.rs`
//! refuses to build when the Vietnamese and English files do not hold the same ids, and lists the
//! ids; [`id!`](crate::id) checks an id against that list when the code compiles.

use std::borrow::Cow;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::survey::Locale;

include!(concat!(env!("OUT_DIR"), "/i18n_ids.rs"));

/// A message id that exists in both languages' Fluent files, checked when the code compiles.
///
/// Made only by [`id!`](crate::id): the macro evaluates [`Id::checked`] in a constant, so a
/// misspelt or removed id is a compile error, and every function that looks a message up (or
/// forwards an id to one that does) takes an `Id`, never a `&str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Id(&'static str);

impl Id {
    /// The id as written in the Fluent files.
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// Used by [`id!`](crate::id) inside a constant; panics (so fails the build there) when
    /// `id` is not in [`IDS`].
    #[doc(hidden)]
    pub const fn checked(id: &'static str) -> Id {
        assert!(is_known(id), "not a message id in i18n/vi/*.ftl and i18n/en/*.ftl");
        Id(id)
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// The checked [`Id`] of a message: `id!("welcome-start")`. An id missing from the Fluent
/// files does not compile.
#[macro_export]
macro_rules! id {
    ($id:literal) => {{
        const ID: $crate::i18n::Id = {
            if !$crate::i18n::is_known($id) {
                panic!(concat!("no message `", $id, "` in i18n/vi/*.ftl and i18n/en/*.ftl"));
            }
            $crate::i18n::Id::checked($id)
        };
        ID
    }};
}

/// Whether `id` is in [`IDS`] (a binary search, usable in constants).
#[doc(hidden)]
pub const fn is_known(id: &str) -> bool {
    let (mut low, mut high) = (0, IDS.len());
    while low < high {
        let mid = (low + high) / 2;
        match compare(IDS[mid].as_bytes(), id.as_bytes()) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => low = mid + 1,
            std::cmp::Ordering::Greater => high = mid,
        }
    }
    false
}

/// Byte order of two strings, as `BTreeSet<String>` sorts them in `build.rs`.
const fn compare(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return if a[i] < b[i] {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Greater
            };
        }
        i += 1;
    }
    if a.len() < b.len() {
        std::cmp::Ordering::Less
    } else if a.len() > b.len() {
        std::cmp::Ordering::Greater
    } else {
        std::cmp::Ordering::Equal
    }
}

fn bundle(locale: Locale) -> &'static FluentBundle<FluentResource> {
    static VI: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    static EN: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    let cell = match locale {
        Locale::Vi => &VI,
        Locale::En => &EN,
    };
    cell.get_or_init(|| {
        let lang: unic_langid::LanguageIdentifier = locale.tag().parse().expect("valid tag");
        let mut bundle = FluentBundle::new_concurrent(vec![lang]);
        // The kiosk and the terminal render plain text: no Unicode isolation marks.
        bundle.set_use_isolating(false);
        for (l, file, source) in SOURCES {
            if l == locale {
                let resource = FluentResource::try_new(source.to_string())
                    .unwrap_or_else(|(_, errors)| panic!("{file} does not parse: {errors:?}"));
                bundle
                    .add_resource(resource)
                    .unwrap_or_else(|errors| panic!("{file} has duplicate messages: {errors:?}"));
            }
        }
        bundle
    })
}

/// The message `id` in `locale`, with arguments.
pub fn tr_args(locale: Locale, id: Id, args: &[(&str, FluentValue<'_>)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    for l in [locale, Locale::Vi] {
        let bundle = bundle(l);
        if let Some(pattern) = bundle.get_message(id.0).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            let text: Cow<str> = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            return text.into_owned();
        }
    }
    // Unreachable while `Id`s are checked against both files; show the id rather than nothing.
    id.0.to_string()
}

/// The message `id` in `locale`.
pub fn tr(locale: Locale, id: Id) -> String {
    tr_args(locale, id, &[])
}

/// Whether `id` exists in `locale`'s file (used by tests).
pub fn has(locale: Locale, id: &str) -> bool {
    bundle(locale).has_message(id)
}

/// The ids of every message in `locale`'s embedded files, as Fluent parses them.
pub fn ids(locale: Locale) -> Vec<String> {
    SOURCES
        .iter()
        .filter(|(l, _, _)| *l == locale)
        .flat_map(|(_, file, source)| {
            let resource = fluent_syntax::parser::parse(*source)
                .unwrap_or_else(|(_, errors)| panic!("{file} does not parse: {errors:?}"));
            resource.body.into_iter().filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
        })
        .collect()
}
