//! Small validated values shared by the builders.

use serde::{Deserialize, Serialize};

use crate::BuildError;

/// A calendar date written `YYYY-MM-DD`, as ST.96 dates are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Makes a date, refusing days that do not exist.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, BuildError> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => 0,
        };
        if !(1000..=9999).contains(&year) || day == 0 || day > days {
            return Err(BuildError::Value {
                field: "date",
                value: format!("{year:04}-{month:02}-{day:02}"),
                reason: "no such calendar day",
            });
        }
        Ok(Self { year, month, day })
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, BuildError> {
        let bad = || BuildError::Value {
            field: "date",
            value: text.to_owned(),
            reason: "write dates as YYYY-MM-DD",
        };
        let b = text.trim().as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |s: &[u8]| -> Result<u16, BuildError> {
            s.iter().try_fold(0u16, |acc, c| {
                if c.is_ascii_digit() {
                    Ok(acc * 10 + u16::from(c - b'0'))
                } else {
                    Err(bad())
                }
            })
        };
        let year = num(&b[0..4])?;
        let month = u8::try_from(num(&b[5..7])?).map_err(|_| bad())?;
        let day = u8::try_from(num(&b[8..10])?).map_err(|_| bad())?;
        Self::new(year, month, day)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Checks an international registration number such as `DM/081234`.
///
/// Real data writes `DM/` and digits (confirmed from bulletin data). The check is lenient on
/// the form (offices may omit `DM/`) and strict on what can never be a number: it must be
/// 1 to 32 characters of ASCII letters, digits and `/`, with at least one digit.
pub(crate) fn check_registration_number(value: &str) -> Result<(), BuildError> {
    if value.is_empty() {
        return Err(BuildError::Missing("the international registration number"));
    }
    let ok = value.len() <= 32
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/')
        && value.bytes().any(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(BuildError::Value {
            field: "international registration number",
            value: value.to_owned(),
            reason: "write it like `DM/081234`: letters, digits and `/`, up to 32 characters",
        })
    }
}

/// Checks a two-letter office or country code such as `ES`.
pub(crate) fn check_code(field: &'static str, value: &str) -> Result<(), BuildError> {
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(BuildError::Value {
            field,
            value: value.to_owned(),
            reason: "use the two-letter WIPO ST.3 code in capitals, for example `ES`",
        })
    }
}

/// Checks free text that goes into an element: not empty, not only spaces, no control
/// characters other than tab and line feed (XML 1.0 cannot carry most of them, and turns a
/// carriage return into a line feed), and no noncharacter U+FFFE or U+FFFF.
pub(crate) fn check_text(field: &'static str, value: &str) -> Result<(), BuildError> {
    if value.trim().is_empty() {
        return Err(BuildError::Missing(field));
    }
    if value.chars().any(|c| {
        (c.is_control() && !matches!(c, '\t' | '\n')) || matches!(c, '\u{fffe}' | '\u{ffff}')
    }) {
        return Err(BuildError::Value {
            field,
            value: value.to_owned(),
            reason: "it contains a control character (or U+FFFE/U+FFFF) that XML cannot carry exactly",
        });
    }
    Ok(())
}
