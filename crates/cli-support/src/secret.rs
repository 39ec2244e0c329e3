//! Secrets: a text type that never prints, and secret files checked for their mode.

use std::fmt;
use std::path::Path;

use zeroize::Zeroize;

use crate::error::CliError;
use crate::exit::ExitStatus;

/// A secret text (a consumer secret, a password). `Debug` and `Display` are not
/// derived: `Debug` prints `[redacted]`, and the memory is wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value. Never log or print what this returns.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Drop for SecretText {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Reads a secret from a file: the whole content, less one trailing line break.
///
/// On unix the file must not be readable or writable by group or others
/// (`chmod 600`): a secret that other users can read is no longer secret, so
/// such a file is refused, not merely warned about. On other systems the mode
/// is not checked.
///
/// # Errors
/// A [`CliError`] with exit status 2 (configuration) when the file is
/// missing, a directory, unreadable, too open, not UTF-8, or empty; each
/// with its own hint, none of them suggesting the environment (a caller that
/// accepts the secret there says so itself). The message names the
/// path, never the content.
pub fn read_secret_file(path: &Path, what: &str) -> Result<SecretText, CliError> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| {
        CliError::new(
            ExitStatus::Usage,
            format!("cannot read the {what} file {shown}: {e}"),
            if e.kind() == std::io::ErrorKind::NotFound {
                "check the path: no file of that name exists, or a directory on the way is missing"
                    .to_owned()
            } else {
                format!(
                    "check the path and that the user running the command may open the {what} file"
                )
            },
        )
    })?;
    if meta.is_dir() {
        return Err(CliError::new(
            ExitStatus::Usage,
            format!("the {what} file {shown} is a directory"),
            format!("name the {what} file inside it, not the directory"),
        ));
    }
    check_mode(path, &meta, what)?;
    let bytes = std::fs::read(path).map_err(|e| {
        CliError::new(
            ExitStatus::Usage,
            format!("cannot read the {what} file {shown}: {e}"),
            "check that the file is readable by the user running the command",
        )
    })?;
    let mut text = String::from_utf8(bytes).map_err(|_| {
        CliError::new(
            ExitStatus::Usage,
            format!("the {what} file {shown} is not UTF-8 text"),
            format!("check that {shown} is the {what} file: it holds binary data, not text"),
        )
    })?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    let secret = SecretText(text);
    if secret.is_empty() {
        return Err(CliError::new(
            ExitStatus::Usage,
            format!("the {what} file {shown} is empty"),
            format!(
                "write the {what} into the file, or check that the path names the right file (it may have been truncated)"
            ),
        ));
    }
    Ok(secret)
}

#[cfg(unix)]
fn check_mode(path: &Path, meta: &std::fs::Metadata, what: &str) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(CliError::new(
            ExitStatus::Usage,
            format!(
                "refusing the {what} file {} because group or others may access it (mode {mode:04o})",
                path.display()
            ),
            format!("run `chmod 600 {}` and try again", path.display()),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &Path, _meta: &std::fs::Metadata, _what: &str) -> Result<(), CliError> {
    Ok(())
}
