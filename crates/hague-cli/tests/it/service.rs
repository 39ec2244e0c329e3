//! token, ping, submit, import-status, status and wait against the mock HWS.

use crate::package::valid_package;
use crate::support::{ACCESS_TOKEN, Hws, Keys, SCOPE, fixture};

#[test]
#[allow(clippy::disallowed_methods)] // compares the printed expiry with the wall clock
fn token_shows_expiry_and_scope_and_the_token_only_with_show() {
    let hws = Hws::new(Keys::new());
    let text = crate::support::run(hws.hague().arg("token")).ok();
    assert!(text.contains("expires in: 3599 s"), "{text}");
    assert!(text.contains(&format!("scope: {SCOPE}")), "{text}");
    assert!(
        !text.contains(ACCESS_TOKEN),
        "the token is hidden without --show"
    );

    let json = crate::support::run(hws.hague().args(["token", "--json"])).json();
    assert_eq!(json["expires_in"], 3599);
    assert_eq!(json["scope"], SCOPE);
    assert!(json.get("access_token").is_none());

    let shown = crate::support::run(hws.hague().args(["token", "--show", "--json"])).json();
    assert_eq!(shown["access_token"], ACCESS_TOKEN);
    let expires_at = shown["expires_at"].as_u64().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        expires_at > now + 3500 && expires_at <= now + 3599 + 5,
        "{expires_at} vs {now}"
    );
}

#[test]
fn ping_sends_the_bearer_token() {
    let mut hws = Hws::new(Keys::new());
    let ping = hws.api("GET", "/pingMe").with_body("pong").create();
    let json = crate::support::run(hws.hague().args(["ping", "--json"])).json();
    assert_eq!(json["ok"], true);
    ping.assert();
}

#[test]
fn submit_sends_the_package_and_prints_the_import_id() {
    let dir = tempfile::tempdir().unwrap();
    let zip = valid_package(dir.path());
    let bytes = std::fs::read(&zip).unwrap();
    let mut hws = Hws::new(Keys::new());
    let submit = hws
        .api("POST", "/request")
        .match_header("content-type", "application/zip")
        .match_body(bytes)
        .with_header("content-type", "application/xml")
        .with_body(std::fs::read(fixture("st96/status/import_status.xml")).unwrap())
        .create();
    let json = crate::support::run(hws.hague().args(["submit", "--json"]).arg(&zip)).json();
    submit.assert();
    assert_eq!(json["import_id"], "IMP-99");
    // The SHA-256 printed is that of the file (checked with coreutils sha256sum).
    let sum = std::process::Command::new("sha256sum")
        .arg(&zip)
        .output()
        .unwrap();
    let sum = String::from_utf8(sum.stdout).unwrap();
    assert_eq!(
        json["package_sha256"].as_str().unwrap(),
        sum.split_whitespace().next().unwrap()
    );
}

#[test]
fn import_status_and_status() {
    let mut hws = Hws::new(Keys::new());
    let _import = hws
        .api("GET", "/request/import/IMP-99")
        .with_header("content-type", "application/xml")
        .with_body(std::fs::read(fixture("st96/status/import_status.xml")).unwrap())
        .create();
    let _status = hws
        .api("GET", "/request/SR-2024-000123")
        .with_header("content-type", "application/xml")
        .with_body(std::fs::read(fixture("st96/status/sr_status.xml")).unwrap())
        .create();
    let text = crate::support::run(hws.hague().args(["import-status", "IMP-99"])).ok();
    assert!(text.contains("import id: IMP-99"), "{text}");
    assert!(text.contains("status: PENDING"), "{text}");
    assert!(text.contains("(not assigned yet)"), "{text}");

    let json = crate::support::run(hws.hague().args(["status", "SR-2024-000123", "--json"])).json();
    assert_eq!(json["processing_status"], "Pending regularization");
    assert_eq!(json["registration_number"], "DM/081234");
    assert_eq!(json["expected_publication_date"], "2024-06-14");
    assert_eq!(json["request_identifier"], "REQ-7781");
}

#[test]
fn wait_polls_until_the_service_request_and_the_status() {
    let mut hws = Hws::new(Keys::new());
    // First poll: no service request yet; second: assigned.
    let first = hws
        .api("GET", "/request/import/IMP-7")
        .with_header("content-type", "application/json")
        .with_body(r#"{"importId":"IMP-7","importStatus":"PENDING"}"#)
        .expect(1)
        .create();
    let _then = hws
        .api("GET", "/request/import/IMP-7")
        .with_header("content-type", "application/json")
        .with_body(
            r#"{"importId":"IMP-7","importStatus":"DONE","serviceRequestNumber":"SR-2024-000123"}"#,
        )
        .create();
    let _status = hws
        .api("GET", "/request/SR-2024-000123")
        .with_header("content-type", "application/xml")
        .with_body(std::fs::read(fixture("st96/status/sr_status.xml")).unwrap())
        .create();
    let json = crate::support::run(hws.hague().args([
        "wait",
        "IMP-7",
        "--until",
        "Pending regularization",
        "--interval",
        "0.05",
        "--timeout",
        "30",
        "--json",
    ]))
    .json();
    first.assert();
    assert_eq!(json["import"]["service_request_number"], "SR-2024-000123");
    assert_eq!(
        json["request"]["processing_status"],
        "Pending regularization"
    );
}

#[test]
fn a_token_endpoint_given_by_hand_skips_discovery() {
    let hws = Hws::new(Keys::new());
    // No discovery document lives under this issuer: success means none was asked for.
    let issuer = format!("{}/no-discovery-here", hws.server.url());
    let token = format!("{}/token", hws.server.url());
    let json = crate::support::run(hws.hague().env("HAGUE_ISSUER", &issuer).args([
        "--token-endpoint",
        &token,
        "token",
        "--json",
    ]))
    .json();
    assert_eq!(json["scope"], SCOPE);
}

#[test]
fn a_2xx_without_an_import_id_is_accepted_and_says_do_not_submit_again() {
    let dir = tempfile::tempdir().unwrap();
    let zip = valid_package(dir.path());
    let mut hws = Hws::new(Keys::new());
    let _submit = hws
        .api("POST", "/request")
        .with_status(200)
        .with_header("x-trace", "t-1")
        .with_body("Thank you, package received")
        .create();
    let text = crate::support::run(hws.hague().arg("submit").arg(&zip)).ok();
    assert!(text.contains("accepted"), "{text}");
    assert!(text.contains("do NOT submit it again"), "{text}");
    assert!(text.contains("Thank you, package received"), "{text}");
    assert!(text.contains("x-trace: t-1"), "{text}");
    let json = crate::support::run(hws.hague().args(["submit", "--json"]).arg(&zip)).json();
    assert_eq!(json["accepted"], true);
    assert_eq!(json["import_id"], serde_json::Value::Null);
    assert_eq!(json["http_status"], 200);
    assert_eq!(json["raw_reply"], "Thank you, package received");
}
