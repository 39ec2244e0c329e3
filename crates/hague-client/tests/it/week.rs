//! WeekId against Python's `datetime` (an independent ISO 8601 calendar).

use hague_client::{WeekId, WeekIdError, iso_weeks_in_year};

#[test]
fn weeks_per_year_match_python_isocalendar() {
    // 28 December is always in the last ISO week of its year.
    let text = test_support::tools::run_python(
        "import datetime\nfor y in range(1000, 10000): print(y, datetime.date(y, 12, 28).isocalendar()[1])",
        std::iter::empty::<&str>(),
    );
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

proptest::proptest! {
    /// Any text gives a week or an error, never a panic.
    #[test]
    fn parsing_never_panics(text in "\\PC{0,12}", near in "[0-9Ww/ é€-]{0,8}") {
        let _ = text.parse::<WeekId>();
        let _ = near.parse::<WeekId>();
    }

    /// Every existing week reads back the same from its three forms.
    #[test]
    fn the_three_forms_agree(year in 1000u16..=9999, week in 1u8..=53) {
        let expected = WeekId::new(year.into(), week.into());
        for text in [
            format!("{year}{week:02}"),
            format!("{year}-W{week:02}"),
            format!("{week}/{year}"),
        ] {
            proptest::prop_assert_eq!(text.parse::<WeekId>(), expected.clone());
        }
        if let Ok(w) = expected {
            proptest::prop_assert_eq!(w.to_string(), format!("{year}{week:02}"));
            proptest::prop_assert_eq!(w.to_string().parse::<WeekId>(), Ok(w));
        }
    }
}
