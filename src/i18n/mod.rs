//! Every string a patient or staff member reads, from the Fluent files in `i18n/`.
//!
//! The files are embedded at build time. Vietnamese is the default and the fallback: a message
//! missing in English is shown in Vietnamese, and a test keeps the two files in step.

use std::borrow::Cow;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::survey::Locale;

/// The Fluent sources, per locale: (file name, contents).
pub const SOURCES: [(Locale, &str, &str); 8] = [
    (Locale::Vi, "vi/hailong.ftl", include_str!("../../i18n/vi/hailong.ftl")),
    (Locale::Vi, "vi/kiosk.ftl", include_str!("../../i18n/vi/kiosk.ftl")),
    (Locale::Vi, "vi/centre.ftl", include_str!("../../i18n/vi/centre.ftl")),
    (
        Locale::Vi,
        "vi/feedback.ftl",
        include_str!("../../i18n/vi/feedback.ftl"),
    ),
    (Locale::En, "en/hailong.ftl", include_str!("../../i18n/en/hailong.ftl")),
    (Locale::En, "en/kiosk.ftl", include_str!("../../i18n/en/kiosk.ftl")),
    (Locale::En, "en/centre.ftl", include_str!("../../i18n/en/centre.ftl")),
    (
        Locale::En,
        "en/feedback.ftl",
        include_str!("../../i18n/en/feedback.ftl"),
    ),
];

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
pub fn tr_args(locale: Locale, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    for l in [locale, Locale::Vi] {
        let bundle = bundle(l);
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            let text: Cow<str> = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            return text.into_owned();
        }
    }
    // A missing id is a bug the i18n tests catch; show the id rather than nothing.
    id.to_string()
}

/// The message `id` in `locale`.
pub fn tr(locale: Locale, id: &str) -> String {
    tr_args(locale, id, &[])
}

/// Whether `id` exists in `locale`'s file (used by tests).
pub fn has(locale: Locale, id: &str) -> bool {
    bundle(locale).has_message(id)
}

/// The ids of every message in `locale`'s file.
pub fn ids(locale: Locale) -> Vec<String> {
    SOURCES
        .iter()
        .filter(|(l, _, _)| *l == locale)
        .flat_map(|(_, _, source)| {
            source.lines().filter_map(|line| {
                let (id, _) = line.split_once(" =")?;
                (!id.starts_with([' ', '#', '.', '-']) && !id.is_empty()).then(|| id.trim().to_string())
            })
        })
        .collect()
}
