//! Helpers: fixtures and JSON comparison.
// Test helpers report a failure by panicking, like the tests that call them.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::Value;
use std::path::PathBuf;

/// Reads a fixture of `fixtures/firmadoc/bodies/`.
pub(crate) fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/firmadoc/bodies")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// JSON equality where numbers compare by value: `0` equals `0.0` (JSON does not tell them
/// apart, RFC 8259 §6), and non-integers compare at the precision of the service's `Single`
/// (f32), which the model stores.
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) if x.fract() == 0.0 && y.fract() == 0.0 => x == y,
            (Some(x), Some(y)) => (x as f32) == (y as f32),
            _ => false,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Asserts that `T` reads `text` and writes it back as equal JSON; returns the value.
pub(crate) fn round_trip<T>(text: &str) -> T
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let original: Value = serde_json::from_str(text).expect("fixture is JSON");
    let parsed: T = serde_json::from_str(text).expect("the model reads the body");
    let written = serde_json::to_value(&parsed).expect("the model writes the body");
    assert!(
        json_eq(&original, &written),
        "round trip changed the body\n  guide: {original}\n  model: {written}"
    );
    parsed
}

/// The position of each key of `keys` in `json`, which must be increasing (guide order).
pub(crate) fn assert_key_order(json: &str, keys: &[&str]) {
    let mut last = 0;
    for key in keys {
        let needle = format!("\"{key}\":");
        let at = json
            .find(&needle)
            .unwrap_or_else(|| panic!("{key} missing from {json}"));
        assert!(at >= last, "{key} out of the guide's order in {json}");
        last = at;
    }
}

#[test]
fn json_eq_can_fail() {
    let a: Value = serde_json::from_str(r#"{"X":0,"Y":[1.5]}"#).unwrap();
    let b: Value = serde_json::from_str(r#"{"X":0.0,"Y":[1.5]}"#).unwrap();
    let c: Value = serde_json::from_str(r#"{"X":0.0,"Y":[1.25]}"#).unwrap();
    let d: Value = serde_json::from_str(r#"{"X":0.0,"Y":[1.5],"Z":1}"#).unwrap();
    assert!(json_eq(&a, &b));
    assert!(!json_eq(&a, &c));
    assert!(!json_eq(&a, &d));
}

/// Replies the guide leaves vague are read in every plausible shape, and what cannot be
/// typed is kept raw rather than refused (the service has acted).
#[test]
fn vague_replies_are_read_tolerantly() {
    use firmadoc_model::{Budget, CreatedUser, DeviceInfo, UsageSummary};
    let s: UsageSummary = serde_json::from_str(
        r#"{"Enviados":"7","Pendientes":2.0,"Firmados":3,"Rechazados":null,"Periodo":"2026"}"#,
    )
    .unwrap();
    assert_eq!(
        (s.sent, s.pending, s.signed, s.rejected, s.expired),
        (7, 2, 3, 0, 0)
    );
    assert_eq!(s.extra["Periodo"], "2026");

    for (body, n) in [
        ("250", 250),
        (" \"250\" ", 250),
        ("250.0", 250),
        (r#"{"Disponibles":12}"#, 12),
    ] {
        assert_eq!(body.parse::<Budget>().unwrap(), Budget(n), "{body}");
    }
    assert!("doscientos".parse::<Budget>().is_err());

    let u = CreatedUser::from_reply(
        r#"{"Nombre":"Ana","Email":"ana@example.com","Contrasena":"pw1"}"#.as_bytes(),
    );
    assert_eq!(u.password.unwrap().expose(), "pw1");
    let u = CreatedUser::from_reply(br#""pw2""#);
    assert_eq!(u.password.unwrap().expose(), "pw2");
    let u = CreatedUser::from_reply(b"<ok/>");
    assert!(u.password.is_none());
    assert_eq!(u.raw.as_ref().unwrap().expose(), "<ok/>");
    assert_eq!(format!("{:?}", u.raw), "Some([redacted])");

    // DeviceInfo: Model (and any other property) may be left out, as from a browser.
    let d: DeviceInfo =
        serde_json::from_str(r#"{"OsName":"Chrome","OsVersion":"72.0","DeviceID":"10.0.0.1"}"#)
            .unwrap();
    assert_eq!(d, DeviceInfo::browser("Chrome", "72.0", "10.0.0.1"));
    assert_eq!(serde_json::to_value(&d).unwrap()["Model"], "");
}
