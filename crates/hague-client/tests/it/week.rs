//! WeekId against Python's `datetime` (an independent ISO 8601 calendar).

use std::process::Command;

use hague_client::{WeekId, WeekIdError, iso_weeks_in_year};

#[test]
fn weeks_per_year_match_python_isocalendar() {
    // 28 December is always in the last ISO week of its year.
    let out = Command::new(crate::support::python())
        .args([
            "-c",
            "import datetime\nfor y in range(1000, 10000): print(y, datetime.date(y, 12, 28).isocalendar()[1])",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut checked = 0;
    for line in text.lines() {
        let (y, w) = line.split_once(' ').unwrap();
        let (y, w): (u16, u8) = (y.parse().unwrap(), w.parse().unwrap());
        assert_eq!(iso_weeks_in_year(y), w, "year {y}");
        let last = format!("{y}{w:02}").parse::<WeekId>().unwrap();
        assert_eq!(last.week(), w);
        let next = format!("{y}-W{:02}", w + 1).parse::<WeekId>().unwrap_err();
        assert!(matches!(next, WeekIdError::NoSuchWeek { .. }));
        checked += 1;
    }
    assert_eq!(checked, 9000);
}

#[test]
fn years_with_53_weeks_from_the_iso_week_date_article() {
    // Wikipedia, "ISO week date": the 53-week years of the 21st century begin 2004, 2009,
    // 2015, 2020, 2026, 2032, 2037, 2043, 2048.
    for y in [2004, 2009, 2015, 2020, 2026, 2032, 2037, 2043, 2048] {
        assert_eq!(iso_weeks_in_year(y), 53, "{y}");
    }
    for y in [2019, 2021, 2022, 2023, 2024, 2025] {
        assert_eq!(iso_weeks_in_year(y), 52, "{y}");
    }
    // The known bulletin 46/2019 (published 15.11.2019) is weekId 201946.
    assert_eq!("46/2019".parse::<WeekId>().unwrap().to_string(), "201946");
}
