//! `hague doctor` against the sandbox: every step green on a good set-up, and each broken
//! set-up failing at its own step, with its exit code and hint.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use cli_support::testing::{
    doctor_fails_at, doctor_fails_at_clock, doctor_lists_steps, doctor_setting, doctor_step as step,
};
use hague_cli::doctor::STEPS;

use crate::support::{Keys, hague, run};

const CLIENT: &str = "doctor-office";

struct Setup {
    sb: Option<test_support::sandbox::Running>,
    keys: Keys,
    ca: Option<PathBuf>,
}

impl Setup {
    /// A sandbox (over TLS when `tls`, with its clock shifted by `shift`), and a key made
    /// by `hague keygen` registered with it.
    fn new(tls: bool, shift: Duration) -> Self {
        let sb = test_support::sandbox::Running::start(test_support::sandbox::config(tls, shift));
        let keys = Keys::new();
        sb.register_key_file(CLIENT, &keys.private_key());
        let ca = sb.ca_pem().map(|pem| {
            let path = keys.dir.path().join("sandbox-ca.pem");
            std::fs::write(&path, pem).unwrap();
            path
        });
        Self {
            sb: Some(sb),
            keys,
            ca,
        }
    }

    fn sandbox(&self) -> &sandbox::Sandbox {
        self.sb.as_ref().unwrap()
    }

    fn doctor(&self) -> Command {
        let mut c = self.text();
        c.arg("--json");
        c
    }

    fn text(&self) -> Command {
        let sb = self.sandbox();
        let mut c = hague();
        c.env("HAGUE_API_BASE_URL", sb.hws_api_url())
            .env("HAGUE_ISSUER", sb.issuer())
            .env("HAGUE_CLIENT_ID", CLIENT)
            .env("HAGUE_SCOPE", sandbox::DEFAULT_SCOPE)
            .env("HAGUE_PRIVATE_KEY_FILE", self.keys.private_key())
            .arg("doctor");
        if let Some(ca) = &self.ca {
            c.env("HAGUE_EXTRA_ROOT_CA_FILE", ca);
        }
        c
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        if let Some(sb) = self.sb.take() {
            sb.shutdown();
        }
    }
}

/// Runs `hague doctor --json`: the exit code, the report (stdout) and the error (stderr).
fn doctor(cmd: &mut Command) -> (i32, serde_json::Value, serde_json::Value) {
    let r = run(cmd);
    for text in [&r.stdout, &r.stderr] {
        assert!(!text.contains("PRIVATE KEY-----"), "no key in the output");
    }
    let (report, error) =
        cli_support::testing::doctor_report(r.code, &r.stdout, &r.stderr, "hague doctor");
    (r.code, report, error)
}

#[test]
fn all_green_against_the_sandbox_over_tls() {
    let s = Setup::new(true, Duration::ZERO);
    let (code, report, _) = doctor(&mut s.doctor());
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["ok"], true);
    doctor_lists_steps(&report, &STEPS);
    for name in STEPS {
        assert_eq!(step(&report, name)["status"], "ok", "{name}: {report}");
    }
    let config = &step(&report, "configuration")["details"];
    let api = doctor_setting(&report, "api_base_url");
    assert_eq!(api["source"], "environment");
    assert_eq!(api["from"], "HAGUE_API_BASE_URL");
    assert_eq!(config["secret_files"][0]["mode"], "0600");
    let tls = &step(&report, "tls")["details"];
    assert!(
        tls["roots"]
            .as_str()
            .unwrap()
            .contains("1 extra root(s) from"),
        "{tls}"
    );
    let discovery = &step(&report, "discovery")["details"];
    assert_eq!(discovery["es256_offered_for_private_key_jwt"], true);
    assert_eq!(discovery["token_endpoint"], s.sandbox().token_endpoint());
    assert!(
        step(&report, "clock")["details"]["skew_seconds"]
            .as_i64()
            .unwrap()
            .abs()
            <= 2
    );

    // The same as text.
    let out = run(&mut s.text()).ok();
    assert!(
        out.contains("[ok] token: the provider issued a Bearer token"),
        "{out}"
    );
    assert!(
        out.contains("9 ok, 0 warning(s), 0 failed, 0 skipped"),
        "{out}"
    );
}

#[test]
fn an_unknown_ca_fails_at_tls() {
    let mut s = Setup::new(true, Duration::ZERO);
    s.ca = None;
    let (code, report, error) = doctor(&mut s.doctor());
    doctor_fails_at(
        &report,
        &error,
        &STEPS,
        6,
        "tls",
        "HAGUE_EXTRA_ROOT_CA_FILE",
    );
    assert!(
        step(&report, "tls")["hint"]
            .as_str()
            .unwrap()
            .contains("does not lead to a trusted root")
    );
    assert_eq!(code, 6);
    for later in ["clock", "discovery", "token", "ping"] {
        assert_eq!(step(&report, later)["status"], "skipped", "{later}");
    }
}

#[test]
fn a_wrong_issuer_fails_at_discovery() {
    let s = Setup::new(false, Duration::ZERO);
    // The same provider under another name: its discovery document names 127.0.0.1.
    let issuer = s.sandbox().issuer().replace("127.0.0.1", "localhost");
    let (_, report, error) = doctor(s.doctor().env("HAGUE_ISSUER", &issuer));
    doctor_fails_at(
        &report,
        &error,
        &STEPS,
        2,
        "discovery",
        "set the issuer to exactly",
    );
    let d = &step(&report, "discovery")["details"];
    assert_eq!(d["found_issuer"], s.sandbox().issuer());
    assert_eq!(d["expected_issuer"], issuer);
    assert_eq!(step(&report, "tls")["status"], "skipped"); // plain http to loopback
}

#[test]
fn a_clock_ten_minutes_off_fails_at_clock() {
    let s = Setup::new(false, Duration::from_secs(600));
    let (_, report, error) = doctor(&mut s.doctor());
    doctor_fails_at_clock(&report, &error, &STEPS, 600);
    // The provider then refuses the assertion, and the token step points at the clock.
    let token = step(&report, "token");
    assert_eq!(token["status"], "failed", "{token}");
    assert!(token["hint"].as_str().unwrap().contains("clock"), "{token}");
}

#[test]
fn a_wrong_key_fails_at_token() {
    let s = Setup::new(false, Duration::ZERO);
    let other = Keys::new(); // a key WIPO never registered
    let (_, report, error) = doctor(
        s.doctor()
            .env("HAGUE_PRIVATE_KEY_FILE", other.private_key()),
    );
    doctor_fails_at(
        &report,
        &error,
        &STEPS,
        3,
        "token",
        "registered this key's certificate",
    );
    assert_eq!(step(&report, "ping")["status"], "skipped");
}

#[test]
fn an_open_key_file_fails_at_configuration() {
    use std::os::unix::fs::PermissionsExt as _;
    let s = Setup::new(false, Duration::ZERO);
    let key = s.keys.private_key();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (_, report, error) = doctor(&mut s.doctor());
    doctor_fails_at(&report, &error, &STEPS, 2, "configuration", "chmod 600");
    assert_eq!(step(&report, "dns")["status"], "skipped");
}

#[test]
fn a_certificate_near_its_end_is_a_warning() {
    let s = Setup::new(false, Duration::ZERO);
    // Appendix A's key and a certificate for 3 days, beside it.
    let dir = tempfile::tempdir().unwrap();
    run(hague()
        .args(["keygen", "--days", "3", "--dir"])
        .arg(dir.path()))
    .ok();
    let key = dir.path().join("hague4offices_private.pem");
    let pem = std::fs::read_to_string(&key).unwrap();
    let k = fapi_jwt_assert::SigningKey::from_pem(&pem).unwrap();
    s.sandbox()
        .register_hws_client("near-end", k.public_jwk().clone());
    let (code, report, _) = doctor(
        s.doctor()
            .env("HAGUE_PRIVATE_KEY_FILE", &key)
            .env("HAGUE_CLIENT_ID", "near-end"),
    );
    assert_eq!(code, 0, "a warning is not a failure: {report}");
    let cert = step(&report, "certificate");
    assert_eq!(cert["status"], "warning", "{cert}");
    assert!(
        cert["summary"]
            .as_str()
            .unwrap()
            .contains("expires in 2 day(s)"),
        "{cert}"
    );
    assert!(
        cert["hint"].as_str().unwrap().contains("hague keygen"),
        "{cert}"
    );
    assert_eq!(report["counts"]["warning"], 1);
}
