//! Calendar dates from Unix time (UTC), for reply bodies; no time-zone database needed.

/// (year, month, day) of a Unix time in seconds, UTC (H. Hinnant's `civil_from_days`).
pub(crate) fn ymd(unix: u64) -> (i64, u32, u32) {
    let z = (unix / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD`.
pub(crate) fn iso_date(unix: u64) -> String {
    let (y, m, d) = ymd(unix);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDThh:mm:ss` (UTC, no offset), the way ASP.NET Web API writes a `DateTime`.
pub(crate) fn iso_datetime(unix: u64) -> String {
    let s = unix % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}",
        iso_date(unix),
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_dates() {
        // `date -u -d @0`, `@951782400` (2000-02-29), `@1700000000`.
        assert_eq!(super::iso_date(0), "1970-01-01");
        assert_eq!(super::iso_date(951_782_400), "2000-02-29");
        assert_eq!(super::iso_datetime(1_700_000_000), "2023-11-14T22:13:20");
    }
}
