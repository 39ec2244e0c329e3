//! Refusal deadlines: pure calendar arithmetic over [`Date`], no clock.
//!
//! Hague Common Regulations, Rule 18(1)(a): the period for notifying a refusal is six
//! months from the publication of the international registration; Rule 18(1)(b): an office
//! may declare that it is twelve months instead. Rule 4(1): a period expressed in months
//! expires, in the month it ends in, on the day with the same number as the starting day,
//! or on that month's last day when it has no such day. Rule 4(4) (a period ending on a day
//! the office is closed runs on to the next open day) is **not** applied: closing days are
//! not known here. See `docs/bulletin-export.md`.

use crate::{BuildError, Date};

/// The refusal period an office has declared (Rule 18(1)(a) and (b)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RefusalPeriod {
    /// Six months, the rule (Rule 18(1)(a)).
    #[default]
    SixMonths,
    /// Twelve months, where the office has declared so (Rule 18(1)(b)).
    TwelveMonths,
}

impl RefusalPeriod {
    /// The period for a number of months: 6 or 12, nothing else.
    pub fn from_months(months: u32) -> Result<Self, BuildError> {
        match months {
            6 => Ok(Self::SixMonths),
            12 => Ok(Self::TwelveMonths),
            other => Err(BuildError::Value {
                field: "refusal period",
                value: other.to_string(),
                reason: "the Hague Common Regulations (Rule 18(1)) know 6 or 12 months only",
            }),
        }
    }

    /// The period in months.
    pub fn months(self) -> u32 {
        match self {
            Self::SixMonths => 6,
            Self::TwelveMonths => 12,
        }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        _ => 28,
    }
}

/// `date` plus `months` calendar months under Rule 4(1): same day number, or the last day
/// of the target month when it is shorter. `None` past the year 9999.
pub fn add_months(date: Date, months: u32) -> Option<Date> {
    let index = u32::from(date.year()) * 12 + u32::from(date.month()) - 1 + months;
    let year = u16::try_from(index / 12).ok()?;
    let month = u8::try_from(index % 12 + 1).ok()?;
    let day = date.day().min(days_in_month(year, month));
    Date::new(year, month, day).ok()
}

/// The last day on which an office may notify a refusal of a registration published on
/// `publication` (Rule 18(1) with Rule 4(1); see the module docs for the limits).
pub fn refusal_deadline(publication: Date, period: RefusalPeriod) -> Option<Date> {
    add_months(publication, period.months())
}

/// Days since 1970-01-01 (negative before), for the proleptic Gregorian calendar.
pub fn days_from_epoch(date: Date) -> i64 {
    // Howard Hinnant's days_from_civil.
    let (m, d) = (i64::from(date.month()), i64::from(date.day()));
    let y = i64::from(date.year()) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` days after 1970-01-01; `None` outside the years 1000 to 9999.
pub fn date_from_epoch(days: i64) -> Option<Date> {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Date::new(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()
}

/// The Friday of ISO 8601 week `week` of `year` (the day HWS bulletins come out, HWS guide:
/// "normalmente el viernes por la noche"). `None` for a week the year does not have.
pub fn iso_week_friday(year: u16, week: u8) -> Option<Date> {
    // 4 January is always in week 1; weekday with Monday = 0 (1970-01-01 was a Thursday).
    let jan4 = days_from_epoch(Date::new(year, 1, 4).ok()?);
    let monday1 = jan4 - (jan4 + 3).rem_euclid(7);
    if week == 0 {
        return None;
    }
    let friday = monday1 + 7 * (i64::from(week) - 1) + 4;
    let date = date_from_epoch(friday)?;
    // The Thursday of the week decides its ISO year.
    let thursday = date_from_epoch(friday - 1)?;
    (thursday.year() == year).then_some(date)
}
