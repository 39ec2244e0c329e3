//! Relative file paths written in `com:FileName`.

use crate::BuildError;

/// Checks that `path` is a safe relative path inside an import package.
///
/// The XML must give "the exact relative path" of each file in the ZIP (confirmed). This
/// refuses what cannot be such a path, or what could escape the package when unpacked:
/// - an empty path, or one longer than 1024 bytes;
/// - an absolute path (`/x`, `\x`, `C:...`, `//server/x`);
/// - a backslash (ZIP paths use `/`; a backslash means something else on each system);
/// - a `..` component (climbing out), a `.` component or an empty component (`a//b`);
/// - control characters;
/// - a component that starts or ends with white space.
///
/// hague-package uses the same check when it validates a package.
pub fn check_relative_path(path: &str) -> Result<(), BuildError> {
    let refuse = |reason| {
        Err(BuildError::Path {
            path: path.to_owned(),
            reason,
        })
    };
    if path.is_empty() {
        return refuse("the path is empty");
    }
    if path.len() > 1024 {
        return refuse("the path is longer than 1024 bytes");
    }
    if path.chars().any(char::is_control) {
        return refuse("the path contains a control character");
    }
    if path.contains('\\') {
        return refuse("the path contains a backslash; separate folders with `/`");
    }
    if path.starts_with('/') {
        return refuse("the path is absolute; write it relative to the package root");
    }
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return refuse(
            "the path starts with a drive letter; write it relative to the package root",
        );
    }
    for part in path.split('/') {
        match part {
            ".." => return refuse("the path climbs out of the package with `..`"),
            "." => return refuse("the path has a `.` component; write it without one"),
            "" => return refuse("the path has an empty component (`//` or a trailing `/`)"),
            p if p.starts_with(char::is_whitespace) || p.ends_with(char::is_whitespace) => {
                return refuse(
                    "a path component starts or ends with a space, which XML tools and file \
                     systems handle differently; remove it",
                );
            }
            _ => {}
        }
    }
    Ok(())
}
