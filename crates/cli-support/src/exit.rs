//! The exit codes every tool of the project uses.

use std::fmt;

/// What a command's exit status means. The numbers are stable and documented
/// in `docs/cli.md`; scripts may rely on them.
///
/// | code | meaning |
/// |---|---|
/// | 0 | success |
/// | 1 | an internal error (a bug: please report it) |
/// | 2 | usage or configuration error (also what clap uses for a bad command line) |
/// | 3 | authentication refused (bad key, secret, signature or clock) |
/// | 4 | the service refused the request or answered unexpectedly (418 and others) |
/// | 5 | invalid input (a value breaks a rule of the service; a file cannot be read or written) |
/// | 6 | network (connection, TLS, timeout) |
/// | 7 | verification failed (a forged or altered webhook delivery) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExitStatus {
    /// 0: success.
    Success,
    /// 1: an internal error.
    Internal,
    /// 2: usage or configuration error.
    Usage,
    /// 3: authentication refused.
    Authentication,
    /// 4: the service refused the request or answered unexpectedly.
    Service,
    /// 5: invalid input.
    InvalidInput,
    /// 6: network.
    Network,
    /// 7: verification failed (forged or altered data).
    Verification,
}

impl ExitStatus {
    /// Every status, in code order.
    pub const ALL: [Self; 8] = [
        Self::Success,
        Self::Internal,
        Self::Usage,
        Self::Authentication,
        Self::Service,
        Self::InvalidInput,
        Self::Network,
        Self::Verification,
    ];

    /// The numeric process exit code.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Internal => 1,
            Self::Usage => 2,
            Self::Authentication => 3,
            Self::Service => 4,
            Self::InvalidInput => 5,
            Self::Network => 6,
            Self::Verification => 7,
        }
    }

    /// The status for a numeric code, if it is one of ours.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// A short machine-readable name (`usage`, `authentication`...), used in `--json` errors.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Internal => "internal",
            Self::Usage => "usage",
            Self::Authentication => "authentication",
            Self::Service => "service",
            Self::InvalidInput => "invalid_input",
            Self::Network => "network",
            Self::Verification => "verification",
        }
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.name())
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        Self::from(s.code())
    }
}
