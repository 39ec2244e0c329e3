//! Entry-name safety rules and duplicate detection.

use crate::problem::Problem;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// Decodes a raw entry name. ZIP names are UTF-8 (flag bit 11) or, historically, CP437;
/// this crate accepts only names that are valid UTF-8 and reports the others.
pub(crate) fn decode_name(raw: &[u8]) -> (String, Option<Problem>) {
    match std::str::from_utf8(raw) {
        Ok(s) => (s.to_owned(), None),
        Err(_) => {
            let lossy = String::from_utf8_lossy(raw).into_owned();
            (
                lossy.clone(),
                Some(Problem::NonUtf8Name {
                    entry: escape(&lossy),
                }),
            )
        }
    }
}

/// Escapes control characters so a name can be shown safely.
pub(crate) fn escape(name: &str) -> String {
    name.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Whether a name denotes a directory entry (ends with `/`).
pub(crate) fn is_dir_name(name: &str) -> bool {
    name.ends_with('/')
}

/// Checks one entry name against the path safety rules: no absolute path, no drive
/// letter, no backslash, no `..`, `.` or empty segment, no control character.
/// Returns every rule the name breaks (empty when safe).
pub fn check_entry_name(name: &str) -> Vec<Problem> {
    let entry = || escape(name);
    let mut out = Vec::new();
    if name.chars().any(char::is_control) {
        out.push(Problem::ControlCharacter { entry: entry() });
    }
    if name.starts_with('/') || name.starts_with('\\') {
        out.push(Problem::AbsolutePath { entry: entry() });
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        out.push(Problem::DriveLetter { entry: entry() });
    }
    if name.contains('\\') {
        out.push(Problem::Backslash { entry: entry() });
    }
    // A trailing `/` marks a directory entry; it is not an empty segment.
    let body = name.strip_suffix('/').unwrap_or(name);
    let body = body
        .strip_prefix('/')
        .or_else(|| body.strip_prefix('\\'))
        .unwrap_or(body);
    let segments: Vec<&str> = body.split(['/', '\\']).collect();
    if segments.contains(&"..") {
        out.push(Problem::ParentSegment { entry: entry() });
    }
    if segments.iter().any(|s| s.is_empty() || *s == ".") {
        out.push(Problem::EmptySegment { entry: entry() });
    }
    out
}

/// Finds exact duplicates, duplicates after Unicode NFC, and (as warnings) names that
/// differ only in case. Returns `(errors, warnings)`.
pub(crate) fn check_duplicates<'a>(
    names: impl Iterator<Item = &'a str>,
) -> (Vec<Problem>, Vec<Problem>) {
    let mut exact: HashMap<&str, ()> = HashMap::new();
    let mut nfc: HashMap<String, &str> = HashMap::new();
    let mut folded: HashMap<String, &str> = HashMap::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for name in names {
        if exact.insert(name, ()).is_some() {
            errors.push(Problem::DuplicateName {
                entry: escape(name),
            });
            continue;
        }
        let normal: String = name.nfc().collect();
        if let Some(other) = nfc.get(&normal) {
            errors.push(Problem::DuplicateAfterNormalization {
                entry: escape(name),
                other: escape(other),
            });
            continue;
        }
        nfc.insert(normal.clone(), name);
        let fold = normal.to_lowercase();
        if let Some(other) = folded.get(&fold) {
            warnings.push(Problem::CaseOnlyDuplicate {
                entry: escape(name),
                other: escape(other),
            });
        } else {
            folded.insert(fold, name);
        }
    }
    (errors, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_pass() {
        for n in ["a.xml", "img/1.jpg", "dir/", "DM 1/ñ.pdf"] {
            assert!(check_entry_name(n).is_empty(), "{n}");
        }
    }

    #[test]
    fn unsafe_names_are_reported() {
        let cases: &[(&str, &str)] = &[
            ("/etc/passwd", "AbsolutePath"),
            ("C:/x.jpg", "DriveLetter"),
            ("a\\b.jpg", "Backslash"),
            ("../x", "ParentSegment"),
            ("a/../../x", "ParentSegment"),
            ("a//b", "EmptySegment"),
            ("./a", "EmptySegment"),
            ("", "EmptySegment"),
            ("a\0b", "ControlCharacter"),
        ];
        for (name, kind) in cases {
            let p = check_entry_name(name);
            assert!(
                p.iter().any(|p| format!("{p:?}").starts_with(kind)),
                "{name}: {p:?}"
            );
        }
    }

    #[test]
    fn nfc_duplicates() {
        // "é" precomposed (U+00E9) vs "e" + combining acute (U+0065 U+0301).
        let (errors, _) = check_duplicates(["caf\u{e9}.jpg", "cafe\u{301}.jpg"].into_iter());
        assert!(matches!(
            errors.as_slice(),
            [Problem::DuplicateAfterNormalization { .. }]
        ));
        let (errors, warnings) = check_duplicates(["A.jpg", "a.jpg", "A.jpg"].into_iter());
        assert!(matches!(errors.as_slice(), [Problem::DuplicateName { .. }]));
        assert!(matches!(
            warnings.as_slice(),
            [Problem::CaseOnlyDuplicate { .. }]
        ));
    }
}
