//! The whole HWS cycle against the workspace's sandbox: an independent implementation
//! that verifies every client assertion (ring, RFC 7523 claims, single-use jti), checks
//! bearer tokens, validates packages, moves requests through their states over time,
//! and serves synthetic bulletins.

use std::time::Duration;

use crate::package::valid_package;
use crate::support::{hague_on, run, sandbox_with_client};

const CLIENT: &str = "sandbox-cli-office";

#[test]
fn full_cycle_against_the_sandbox() {
    let mut config = sandbox::SandboxConfig::default();
    config.hws_import_delay = Duration::from_millis(200);
    config.hws_registration_delay = Duration::from_millis(200);
    config.bulletin_records = 40;
    // keygen, then register the public key as WIPO would from the certificate.
    let (sb, keys) = sandbox_with_client(config, CLIENT);
    let cmd = |args: &[&str]| {
        let mut c = hague_on(&sb, CLIENT, &keys);
        c.args(args);
        c
    };

    let token = run(&mut cmd(&["token", "--json"])).json();
    assert_eq!(token["expires_in"], 3600);
    run(&mut cmd(&["ping"])).ok();

    let dir = tempfile::tempdir().unwrap();
    let zip = valid_package(dir.path());
    let mut submit = cmd(&["submit", "--json"]);
    submit.arg(&zip);
    let submitted = run(&mut submit).json();
    let import_id = submitted["import_id"].as_str().unwrap().to_owned();

    let waited = run(&mut cmd(&[
        "wait",
        &import_id,
        "--until",
        "Registered",
        "--interval",
        "0.1",
        "--max-interval",
        "0.5",
        "--timeout",
        "60",
        "--json",
    ]))
    .json();
    let srn = waited["import"]["service_request_number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(waited["request"]["processing_status"], "Registered");
    let status = run(&mut cmd(&["status", &srn, "--json"])).json();
    assert_eq!(status["processing_status"], "Registered");
    let import = run(&mut cmd(&["import-status", &import_id, "--json"])).json();
    assert_eq!(import["service_request_number"], srn.as_str());

    // Bulletin: fetch, inspect (the sandbox's synthetic bulletin has 40 records), extract.
    let bulletin = dir.path().join("b.zip");
    let mut fetch = cmd(&["bulletin", "fetch", "2024-W47", "--json", "-o"]);
    fetch.arg(&bulletin);
    let fetched = run(&mut fetch).json();
    assert_eq!(fetched["week"], "202447");
    let mut inspect = cmd(&["bulletin", "inspect", "--json"]);
    inspect.arg(&bulletin);
    let inspected = run(&mut inspect).json();
    assert_eq!(inspected["records"], 40);
    assert_eq!(inspected["xml"], "HE202447_ST96.xml");
    let mut extract = cmd(&["bulletin", "extract", "--json", "-o"]);
    extract.arg(dir.path().join("b")).arg(&bulletin);
    let extracted = run(&mut extract).json();
    // The XML and the image folders (one image per view the XML names).
    assert!(extracted["files"].as_u64().unwrap() > 1, "{extracted}");

    let copy = dir.path().join("c.zip");
    let mut fetch = cmd(&["confidential", "fetch", "202447", "--json", "-o"]);
    fetch.arg(&copy);
    run(&mut fetch).json();
    assert!(copy.exists());

    // A client the sandbox does not know: its token endpoint refuses the assertion.
    let mut c = cmd(&["token"]);
    c.env("HAGUE_CLIENT_ID", "someone-else");
    let line = run(&mut c).fails(3);
    assert!(line.contains("invalid_client"), "{line}");

    sb.shutdown();
}

/// `hague wait --until` against the sandbox's status control: a final status other than
/// the awaited one exits 4 at once naming it; a failed import exits 4; an `--until` value
/// that is not one of the six is refused (exit 2) before any call.
#[test]
fn wait_stops_on_final_statuses_and_failed_imports() {
    let mut config = sandbox::SandboxConfig::default();
    config.hws_import_delay = Duration::from_millis(0);
    config.hws_registration_delay = Duration::from_secs(3600);
    let (sb, keys) = sandbox_with_client(config, CLIENT);
    let cmd = |args: &[&str]| {
        let mut c = hague_on(&sb, CLIENT, &keys);
        c.args(args);
        c
    };
    // The assertion options reach the token endpoint, which accepts them; out of range is
    // a usage error.
    let token = run(&mut cmd(&[
        "token",
        "--json",
        "--assertion-lifetime",
        "30",
        "--assertion-kid",
        "thumbprint",
        "--assertion-typ",
        "none",
    ]))
    .json();
    assert_eq!(token["expires_in"], 3600);
    run(&mut cmd(&["token", "--assertion-lifetime", "301"])).fails(2);

    let dir = tempfile::tempdir().unwrap();
    let zip = valid_package(dir.path());
    let submit = || {
        let mut s = cmd(&["submit", "--json"]);
        s.arg(&zip);
        let out = run(&mut s).json();
        assert_eq!(out["accepted"], true);
        assert_eq!(out["submit_again"], false);
        out["import_id"].as_str().unwrap().to_owned()
    };
    let wait = |id: &str, until: &str| {
        cmd(&[
            "wait",
            id,
            "--until",
            until,
            "--interval",
            "0.1",
            "--timeout",
            "20",
        ])
    };

    for (label, named) in [("Abandonado", "Abandoned"), ("Cancelled", "Cancelled")] {
        let id = submit();
        let srn = run(&mut cmd(&["import-status", &id, "--json"])).json()["service_request_number"]
            .as_str()
            .unwrap()
            .to_owned();
        sb.set_hws_request_status(&srn, label).unwrap();
        let started = std::time::Instant::now();
        let line = run(&mut wait(&id, "Registered")).fails(4);
        assert!(line.contains(named), "{line}");
        assert!(started.elapsed() < Duration::from_secs(15), "it waited");
    }
    // Registered is final too: waiting for Pending regularization ends on it.
    let id = submit();
    let srn = run(&mut cmd(&["import-status", &id, "--json"])).json()["service_request_number"]
        .as_str()
        .unwrap()
        .to_owned();
    sb.set_hws_request_status(&srn, "Registered").unwrap();
    let line = run(&mut wait(&id, "pendiente de regularización")).fails(4);
    assert!(line.contains("Registered"), "{line}");

    let id = submit();
    assert!(sb.fail_hws_import(&id, "REJECTED"));
    let line = run(&mut wait(&id, "Registered")).fails(4);
    assert!(line.contains("REJECTED"), "{line}");

    let line = run(&mut wait(&id, "Registred")).fails(2);
    assert!(line.contains("Registred"), "{line}");
    sb.shutdown();
}
