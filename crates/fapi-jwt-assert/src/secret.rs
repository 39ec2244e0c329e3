//! Secret strings: zeroized on drop, and `Debug` prints `[redacted]`.

use std::fmt;

use zeroize::Zeroizing;

/// A string that must not leak: a private key in PEM, an access token, a
/// client assertion, a form body carrying an assertion.
///
/// `Debug` prints `[redacted]`; there is deliberately no `Display`. The
/// memory is overwritten when the value is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps a string.
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret value. Call this only where the value is sent or stored.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Declares a newtype around [`SecretString`] with a redacted `Debug`.
macro_rules! secret_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(crate::secret::SecretString);

        impl $name {
            /// Wraps a value received from outside (for example from a cache on disk).
            pub fn new(value: String) -> Self {
                Self(crate::secret::SecretString::new(value))
            }

            /// The secret value. Call this only where the value is sent.
            pub fn expose_secret(&self) -> &str {
                self.0.expose_secret()
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}([redacted])", stringify!($name))
            }
        }
    };
}
pub(crate) use secret_newtype;
