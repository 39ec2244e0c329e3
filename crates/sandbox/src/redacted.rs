//! A string whose `Debug` never shows it: consumer secrets, access tokens.

use std::fmt;

/// A secret string; `Debug` prints `[redacted]`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Redacted(pub(crate) String);

impl Redacted {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}
