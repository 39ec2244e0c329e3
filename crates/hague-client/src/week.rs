//! The bulletin week identifier (`weekId`).

use std::fmt;
use std::str::FromStr;

/// The identifier of a weekly bulletin issue, as HWS takes it in
/// `GET /publication/bulletin/{weekId}`: four digits of year and two of week, `yyyyww`.
///
/// It reads `202447`, `2024-W47` (ISO 8601 week notation, also `2024W47`) and `47/2024`
/// (the way WIPO numbers bulletin issues). The week must exist in that year under ISO 8601:
/// `00` is refused, and `53` only in years that have 53 ISO weeks (those whose 1 January is a
/// Thursday, or a Wednesday in a leap year). Taking the bulletin issue number as the ISO week
/// number is **inferred** (see the crate docs).
///
/// ```
/// use hague_client::WeekId;
/// let week: WeekId = "47/2024".parse()?;
/// assert_eq!(week.to_string(), "202447");
/// assert_eq!(week.iso(), "2024-W47");
/// assert!("2024-W53".parse::<WeekId>().is_err()); // 2024 has 52 ISO weeks
/// assert!("2020-W53".parse::<WeekId>().is_ok());
/// # Ok::<(), hague_client::WeekIdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WeekId {
    year: u16,
    week: u8,
}

/// Why a text is not a [`WeekId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WeekIdError {
    /// The text has none of the accepted forms.
    #[error(
        "`{text}` is not a bulletin week: write it as yyyyww (202447), yyyy-Www (2024-W47) or ww/yyyy (47/2024)"
    )]
    Format {
        /// The text given (at most 32 characters of it).
        text: String,
    },
    /// The year is outside 1000..=9999.
    #[error("year {year} is out of range: a bulletin week has a four-digit year")]
    Year {
        /// The year given.
        year: u32,
    },
    /// Week 00, or a week the year does not have.
    #[error(
        "week {week} does not exist in {year}: {year} has {weeks} ISO 8601 weeks, numbered from 01"
    )]
    NoSuchWeek {
        /// The year.
        year: u16,
        /// The week given.
        week: u32,
        /// How many ISO weeks the year has (52 or 53).
        weeks: u8,
    },
}

/// Day of the week of 31 December of `year`, 0 = Sunday (the `p(y)` of the usual
/// ISO-week formula: a year has 53 weeks when `p(y) == 4` or `p(y - 1) == 3`).
fn p(year: i64) -> i64 {
    (year + year.div_euclid(4) - year.div_euclid(100) + year.div_euclid(400)).rem_euclid(7)
}

/// How many ISO 8601 weeks `year` has: 52 or 53.
pub fn iso_weeks_in_year(year: u16) -> u8 {
    let y = i64::from(year);
    if p(y) == 4 || p(y - 1) == 3 { 53 } else { 52 }
}

impl WeekId {
    /// A week id from its numbers, checked.
    ///
    /// # Errors
    /// [`WeekIdError::Year`] or [`WeekIdError::NoSuchWeek`].
    pub fn new(year: u32, week: u32) -> Result<Self, WeekIdError> {
        let year16 = u16::try_from(year)
            .ok()
            .filter(|y| (1000..=9999).contains(y))
            .ok_or(WeekIdError::Year { year })?;
        let weeks = iso_weeks_in_year(year16);
        if week == 0 || week > u32::from(weeks) {
            return Err(WeekIdError::NoSuchWeek {
                year: year16,
                week,
                weeks,
            });
        }
        Ok(Self {
            year: year16,
            // Checked above: 1..=53.
            week: u8::try_from(week).unwrap_or(1),
        })
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The week, 1..=53.
    pub fn week(&self) -> u8 {
        self.week
    }

    /// The ISO 8601 form, `2024-W47`.
    pub fn iso(&self) -> String {
        format!("{:04}-W{:02}", self.year, self.week)
    }
}

/// Parses a run of ASCII digits of an exact length.
fn digits(s: &str, len: usize) -> Option<u32> {
    if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

impl FromStr for WeekId {
    type Err = WeekIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let s = text.trim();
        let parsed = if let Some((week, year)) = s.split_once('/') {
            // 47/2024, or 7/2024.
            let week = digits(week, 2).or_else(|| digits(week, 1));
            week.zip(digits(year, 4)).map(|(w, y)| (y, w))
        } else if let Some(pos) = s.find(['W', 'w']) {
            // 2024-W47 or 2024W47.
            let year = s[..pos].strip_suffix('-').unwrap_or(&s[..pos]);
            digits(year, 4).zip(digits(&s[pos + 1..], 2))
        } else {
            // yyyyww: six ASCII digits (checked byte-wise, so no slicing inside a character).
            if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
                digits(&s[..4], 4).zip(digits(&s[4..], 2))
            } else {
                None
            }
        };
        let (year, week) = parsed.ok_or_else(|| WeekIdError::Format {
            text: s.chars().take(32).collect(),
        })?;
        Self::new(year, week)
    }
}

impl fmt::Display for WeekId {
    /// The `yyyyww` form that goes in the URL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}{:02}", self.year, self.week)
    }
}

impl TryFrom<&str> for WeekId {
    type Error = WeekIdError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        value.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        for s in [
            "202447", "2024-W47", "2024W47", "2024-w47", "47/2024", " 202447 ",
        ] {
            assert_eq!(
                s.parse::<WeekId>().unwrap(),
                WeekId::new(2024, 47).unwrap(),
                "{s}"
            );
        }
        assert_eq!("7/2024".parse::<WeekId>().unwrap().to_string(), "202407");
        for bad in [
            "",
            "2024",
            "2024-47",
            "20244",
            "2024477",
            "2024-W7",
            "a02447",
            "47/24",
            "+20247",
            "2024-W4x",
            "٢٠٢٤٤٧",
        ] {
            assert!(
                matches!(bad.parse::<WeekId>(), Err(WeekIdError::Format { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn week_zero_and_missing_weeks() {
        assert!(matches!(
            "202400".parse::<WeekId>(),
            Err(WeekIdError::NoSuchWeek { week: 0, .. })
        ));
        assert!(matches!(
            "202454".parse::<WeekId>(),
            Err(WeekIdError::NoSuchWeek { .. })
        ));
        assert!(matches!(
            "0999-W01".parse::<WeekId>(),
            Err(WeekIdError::Year { .. })
        ));
    }
}
