//! Value parsers for clap that check a value's range or content at parse time,
//! so a bad command line is refused (exit 2) before anything is read, created
//! or sent, with a message that names the flag and the allowed range:
//!
//! ```text
//! hague: error: --timeout must be 1 to 604800 seconds (got `18446744073709551615`)
//! ```
//!
//! Every duration, count and size flag of the tools uses [`int`] or
//! [`seconds`]; every free-text value uses [`text`].

use std::ffi::OsStr;
use std::fmt::Display;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, Command};

/// How the flag is shown in a message: `--timeout`, or `<IMPORT_ID>` for a positional value.
#[must_use]
pub fn arg_name(arg: Option<&Arg>) -> String {
    let Some(arg) = arg else {
        return "the value".to_owned();
    };
    if let Some(long) = arg.get_long() {
        return format!("--{long}");
    }
    if let Some(short) = arg.get_short() {
        return format!("-{short}");
    }
    match arg.get_value_names().and_then(|v| v.first()) {
        Some(name) => format!("<{name}>"),
        None => format!("<{}>", arg.get_id().as_str().to_ascii_uppercase()),
    }
}

fn invalid(cmd: &Command, message: String) -> clap::Error {
    let mut cmd = cmd.clone();
    clap::Error::raw(ErrorKind::ValueValidation, message).format(&mut cmd)
}

fn shown(value: &OsStr) -> String {
    let text = value.to_string_lossy();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text.into_owned()
    }
}

/// An integer type [`int`] can check.
pub trait Integer: Copy + Display + Into<i128> + TryFrom<i128> + Send + Sync + 'static {}
impl<T: Copy + Display + Into<i128> + TryFrom<i128> + Send + Sync + 'static> Integer for T {}

/// A whole number between `min` and `max` inclusive; see [`int`].
#[derive(Debug, Clone, Copy)]
pub struct IntRange<T> {
    min: T,
    max: T,
    unit: &'static str,
}

/// A value parser for a whole number from `min` to `max` inclusive, in `unit`
/// (`"seconds"`, `"days"`, `""` for a plain count). Negative numbers, numbers
/// beyond the type and text are all refused with
/// `--FLAG must be MIN to MAX UNIT (got `VALUE`)`.
///
/// ```
/// use clap::Parser;
/// #[derive(Parser)]
/// struct Cli {
///     #[arg(long, value_parser = cli_support::args::int(1u8, 255, "days"))]
///     expiry_days: u8,
/// }
/// assert_eq!(Cli::try_parse_from(["t", "--expiry-days", "15"]).unwrap().expiry_days, 15);
/// let e = Cli::try_parse_from(["t", "--expiry-days", "0"]).err().unwrap();
/// assert!(e.to_string().contains("--expiry-days must be 1 to 255 days"));
/// assert_eq!(e.exit_code(), 2);
/// ```
#[must_use]
pub fn int<T: Integer>(min: T, max: T, unit: &'static str) -> IntRange<T> {
    IntRange { min, max, unit }
}

impl<T: Integer> IntRange<T> {
    /// The range as a phrase: `1 to 255 days`.
    #[must_use]
    pub fn describe(&self) -> String {
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        format!("{} to {}{unit}", self.min, self.max)
    }

    /// Checks a text outside clap (a profile value, say); the error is the message.
    ///
    /// # Errors
    /// `must be MIN to MAX UNIT (got VALUE)` when the text is not a number in range.
    pub fn check(&self, name: &str, text: &str) -> Result<T, String> {
        let wrong = || format!("{name} must be {} (got `{text}`)", self.describe());
        let trimmed = text.trim();
        let number: i128 = trimmed.parse().map_err(|_| wrong())?;
        if number < self.min.into() || number > self.max.into() {
            return Err(wrong());
        }
        T::try_from(number).map_err(|_| wrong())
    }
}

impl<T: Integer> TypedValueParser for IntRange<T> {
    type Value = T;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<T, clap::Error> {
        let name = arg_name(arg);
        let text = value.to_str().unwrap_or("");
        self.check(&name, text).map_err(|_| {
            invalid(
                cmd,
                format!(
                    "{name} must be {} (got `{}`)",
                    self.describe(),
                    shown(value)
                ),
            )
        })
    }
}

/// A floating-point type [`decimal`] can check.
pub trait Float: Copy + Display + std::str::FromStr + PartialOrd + Send + Sync + 'static {
    /// Whether the value is finite.
    fn finite(self) -> bool;
}
impl Float for f32 {
    fn finite(self) -> bool {
        self.is_finite()
    }
}
impl Float for f64 {
    fn finite(self) -> bool {
        self.is_finite()
    }
}

/// A decimal number between `min` and `max` inclusive; see [`decimal`] and [`seconds`].
#[derive(Debug, Clone, Copy)]
pub struct DecimalRange<T> {
    min: T,
    max: T,
    unit: &'static str,
}

/// A value parser for a decimal number (`2`, `0.5`) from `min` to `max`
/// inclusive, in `unit` (`"cm"`); infinities, NaN, numbers out of range and text
/// are refused with `--FLAG must be MIN to MAX UNIT (got `VALUE`)`.
#[must_use]
pub fn decimal<T: Float>(min: T, max: T, unit: &'static str) -> DecimalRange<T> {
    DecimalRange { min, max, unit }
}

/// A value parser for a duration in seconds (`5`, `0.5`) from `min` to `max`
/// inclusive: [`decimal`] in seconds. The value stays an `f64`.
#[must_use]
pub fn seconds(min: f64, max: f64) -> DecimalRange<f64> {
    decimal(min, max, "seconds")
}

impl<T: Float> TypedValueParser for DecimalRange<T> {
    type Value = T;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<T, clap::Error> {
        let name = arg_name(arg);
        let parsed = value
            .to_str()
            .and_then(|t| t.trim().parse::<T>().ok())
            .filter(|v| v.finite() && *v >= self.min && *v <= self.max);
        parsed.ok_or_else(|| {
            let unit = if self.unit.is_empty() {
                String::new()
            } else {
                format!(" {}", self.unit)
            };
            invalid(
                cmd,
                format!(
                    "{name} must be {} to {}{unit} (got `{}`)",
                    self.min,
                    self.max,
                    shown(value)
                ),
            )
        })
    }
}

/// A text that is neither empty nor only white space; see [`text`].
#[derive(Debug, Clone, Copy)]
pub struct Text {
    max_chars: Option<usize>,
}

/// A value parser for a free text (a subject, an id, a name): refuses an empty
/// or white-space-only value, and anything that is not UTF-8, with
/// `--FLAG must not be empty` before anything is sent. The value is kept as
/// typed (not trimmed).
///
/// ```
/// use clap::Parser;
/// #[derive(Parser)]
/// struct Cli { #[arg(long, value_parser = cli_support::args::text())] subject: String }
/// let e = Cli::try_parse_from(["t", "--subject", "  "]).err().unwrap();
/// assert!(e.to_string().contains("--subject must not be empty"));
/// ```
#[must_use]
pub fn text() -> Text {
    Text { max_chars: None }
}

impl Text {
    /// Also refuses a value longer than `max` characters (for values the tool,
    /// not the service, limits).
    #[must_use]
    pub fn max_chars(self, max: usize) -> Self {
        Self {
            max_chars: Some(max),
        }
    }
}

impl TypedValueParser for Text {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        let name = arg_name(arg);
        let Some(text) = value.to_str() else {
            return Err(invalid(cmd, format!("{name} must be UTF-8 text")));
        };
        if text.trim().is_empty() {
            return Err(invalid(
                cmd,
                format!("{name} must not be empty or only spaces"),
            ));
        }
        if let Some(max) = self.max_chars {
            if text.chars().count() > max {
                return Err(invalid(
                    cmd,
                    format!("{name} must be at most {max} characters"),
                ));
            }
        }
        Ok(text.to_owned())
    }
}

/// A path that is not empty: `--output ""` is refused at parse time.
#[derive(Debug, Clone, Copy)]
pub struct PathValue;

/// A value parser for a path: refuses an empty value.
#[must_use]
pub fn path() -> PathValue {
    PathValue
}

impl TypedValueParser for PathValue {
    type Value = std::path::PathBuf;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<std::path::PathBuf, clap::Error> {
        if value.is_empty() {
            return Err(invalid(
                cmd,
                format!("{} must not be empty: give a path", arg_name(arg)),
            ));
        }
        Ok(std::path::PathBuf::from(value))
    }
}
