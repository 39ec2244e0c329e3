//! Refusal deadlines (Hague Common Regulations, Rule 18(1) with Rule 4(1)) and the calendar
//! helpers, as tables. Expected values were worked out by hand from the rule's text.

use st96_model::{
    Date, RefusalPeriod, add_months, date_from_epoch, days_from_epoch, iso_week_friday,
    refusal_deadline,
};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[test]
fn refusal_deadline_table() {
    let six = RefusalPeriod::SixMonths;
    let twelve = RefusalPeriod::TwelveMonths;
    let table = [
        // Same day number six months later.
        ("2024-06-14", six, "2024-12-14"),
        // Across the year end.
        ("2024-08-09", six, "2025-02-09"),
        // 31 August: February has no 31st, so its last day (Rule 4(1)).
        ("2024-08-31", six, "2025-02-28"),
        // ... and 29 in a leap year.
        ("2023-08-31", six, "2024-02-29"),
        ("2023-08-29", six, "2024-02-29"),
        ("2023-08-30", six, "2024-02-29"),
        // 2100 is not a leap year, 2000 was.
        ("2099-08-31", six, "2100-02-28"),
        ("1999-08-31", six, "2000-02-29"),
        // 30-day months.
        ("2024-03-31", six, "2024-09-30"),
        ("2024-12-31", six, "2025-06-30"),
        // Twelve months (Rule 18(1)(b)): 29 February to 28 February.
        ("2024-02-29", twelve, "2025-02-28"),
        ("2024-06-14", twelve, "2025-06-14"),
        ("2023-12-31", twelve, "2024-12-31"),
        // A short month start is not stretched to the longer month's end.
        ("2023-02-28", six, "2023-08-28"),
        ("2024-09-30", six, "2025-03-30"),
    ];
    for (published, period, expected) in table {
        assert_eq!(
            refusal_deadline(d(published), period).map(|x| x.to_string()),
            Some(expected.to_owned()),
            "{published} + {} months",
            period.months()
        );
    }
    assert_eq!(refusal_deadline(d("9999-08-01"), six), None);
    assert_eq!(
        add_months(d("2024-01-31"), 1).unwrap().to_string(),
        "2024-02-29"
    );
    assert_eq!(
        add_months(d("2024-01-31"), 0).unwrap().to_string(),
        "2024-01-31"
    );
    assert_eq!(
        add_months(d("2024-05-31"), 25).unwrap().to_string(),
        "2026-06-30"
    );
}

#[test]
fn refusal_period_is_six_or_twelve_only() {
    assert_eq!(
        RefusalPeriod::from_months(6).unwrap(),
        RefusalPeriod::SixMonths
    );
    assert_eq!(
        RefusalPeriod::from_months(12).unwrap(),
        RefusalPeriod::TwelveMonths
    );
    for bad in [0, 1, 7, 18, 24] {
        let e = RefusalPeriod::from_months(bad).unwrap_err().to_string();
        assert!(e.contains("6 or 12"), "{e}");
    }
    assert_eq!(RefusalPeriod::default(), RefusalPeriod::SixMonths);
}

#[test]
fn epoch_days_and_iso_weeks() {
    for (date, days) in [
        ("1970-01-01", 0),
        ("1969-12-31", -1),
        ("2000-03-01", 11_017),
        ("2024-02-29", 19_782),
        ("2024-06-14", 19_888),
    ] {
        assert_eq!(days_from_epoch(d(date)), days, "{date}");
        assert_eq!(date_from_epoch(days).unwrap().to_string(), date);
    }
    // Fridays of ISO weeks (checked against a printed calendar).
    for (year, week, friday) in [
        (2019, 46, Some("2019-11-15")), // the guide's issue 46/2019
        (2024, 1, Some("2024-01-05")),
        (2024, 24, Some("2024-06-14")),
        (2020, 53, Some("2021-01-01")),
        (2021, 1, Some("2021-01-08")),
        (2026, 1, Some("2026-01-02")),
        (2021, 53, None),
        (2024, 0, None),
    ] {
        assert_eq!(
            iso_week_friday(year, week)
                .map(|x| x.to_string())
                .as_deref(),
            friday,
            "{year}-W{week}"
        );
    }
}
