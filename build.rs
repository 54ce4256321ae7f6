//! Reads the Fluent files in `i18n/vi/` and `i18n/en/` and writes `$OUT_DIR/i18n_ids.rs`: the
//! embedded sources and the sorted list of message ids that `i18n::id!` checks against.
//!
//! The build fails, naming the id and the file, when a file does not parse, when an id is
//! defined twice, or when the Vietnamese and English files do not define the same ids (file by
//! file), so the two languages cannot drift apart.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fluent_syntax::ast::Entry;

const LOCALES: [(&str, &str); 2] = [("vi", "Vi"), ("en", "En")];

/// One locale's files: file name → (path, ids in that file).
type Files = BTreeMap<String, (PathBuf, BTreeSet<String>)>;

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let i18n = root.join("i18n");
    println!("cargo::rerun-if-changed=i18n");

    let mut errors = Vec::new();
    let mut locales = Vec::new();
    for (dir, _) in LOCALES {
        println!("cargo::rerun-if-changed=i18n/{dir}");
        locales.push(read_locale(&i18n.join(dir), dir, &mut errors));
    }
    let (vi, en) = (&locales[0], &locales[1]);
    compare(vi, en, "vi", "en", &mut errors);
    compare(en, vi, "en", "vi", &mut errors);
    if !errors.is_empty() {
        // Cargo fails the build and shows each of these as an error.
        for error in &errors {
            println!("cargo::error={error}");
        }
        return;
    }

    let ids: BTreeSet<&str> = vi
        .values()
        .flat_map(|(_, ids)| ids.iter().map(String::as_str))
        .collect();
    let mut out = String::new();
    out.push_str("/// The Fluent sources, per locale: (locale, file name, contents).\n");
    let count: usize = locales.iter().map(BTreeMap::len).sum();
    writeln!(out, "pub const SOURCES: [(Locale, &str, &str); {count}] = [").unwrap();
    for ((dir, variant), files) in LOCALES.iter().zip(&locales) {
        for (name, (path, _)) in files {
            writeln!(
                out,
                "    (Locale::{variant}, \"{dir}/{name}\", include_str!({:?})),",
                path.display().to_string()
            )
            .unwrap();
        }
    }
    out.push_str("];\n\n");
    out.push_str("/// Every message id, sorted (byte order), the same in both locales.\n");
    writeln!(out, "pub const IDS: [&str; {}] = [", ids.len()).unwrap();
    for id in &ids {
        writeln!(out, "    {id:?},").unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("i18n_ids.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}

fn read_locale(dir: &Path, locale: &str, errors: &mut Vec<String>) -> Files {
    let mut files = Files::new();
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "ftl") {
            continue;
        }
        let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
        let shown = format!("i18n/{locale}/{name}");
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {shown}: {e}"));
        let resource = match fluent_syntax::parser::parse(source.as_str()) {
            Ok(resource) => resource,
            Err((_, parse_errors)) => {
                for error in parse_errors {
                    let line = source[..error.pos.start.min(source.len())].lines().count().max(1);
                    errors.push(format!("{shown}, line {line}: {:?}", error.kind));
                }
                continue;
            }
        };
        let mut ids = BTreeSet::new();
        for entry in resource.body {
            if let Entry::Message(message) = entry {
                let id = message.id.name.to_string();
                if let Some(first) = seen.insert(id.clone(), shown.clone()) {
                    errors.push(format!("message `{id}` is defined twice: in {first} and {shown}"));
                }
                ids.insert(id);
            }
        }
        files.insert(name, (path, ids));
    }
    files
}

/// Every file and id of `one` is also in `other`.
fn compare(one: &Files, other: &Files, one_name: &str, other_name: &str, errors: &mut Vec<String>) {
    for (file, (_, ids)) in one {
        let Some((_, other_ids)) = other.get(file) else {
            errors.push(format!("i18n/{one_name}/{file} has no twin i18n/{other_name}/{file}"));
            continue;
        };
        for id in ids.difference(other_ids) {
            errors.push(format!(
                "message `{id}` is in i18n/{one_name}/{file} but not in i18n/{other_name}/{file}"
            ));
        }
    }
}
