//! `firmadoc doctor` against the sandbox: every step green on a good set-up, and each
//! broken set-up failing at its own step, with its exit code and hint.

use std::process::Command;
use std::time::Duration;

use firmadoc_cli::doctor::STEPS;

use cli_support::testing::{
    doctor_fails_at, doctor_fails_at_clock, doctor_lists_steps, doctor_setting, doctor_step as step,
};

use crate::support::run;

struct Setup {
    sb: Option<test_support::sandbox::Running>,
    dir: tempfile::TempDir,
}

impl Setup {
    /// A sandbox (over TLS when `tls`, with its clock shifted by `shift`).
    fn new(tls: bool, shift: Duration) -> Self {
        let config = test_support::sandbox::config(tls, shift);
        Self {
            sb: Some(test_support::sandbox::Running::start(config)),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `firmadoc doctor --json` with the sandbox's credentials, the secret in a file.
    fn doctor(&self) -> Command {
        use std::os::unix::fs::PermissionsExt as _;
        let sb = self.sb.as_ref().unwrap();
        let creds = sb.firmadoc_credentials();
        let secret = self.dir.path().join("secret");
        std::fs::write(&secret, creds.expose_secret()).unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut c = Command::new(env!("CARGO_BIN_EXE_firmadoc"));
        c.env_clear()
            .env("HOME", "/nonexistent-firmadoc-test-home")
            .env("FIRMADOC_ENV", sb.firmadoc_url())
            .env("FIRMADOC_CONSUMER_KEY", &creds.consumer_key)
            .env("FIRMADOC_CONSUMER_SECRET_FILE", &secret)
            .args(["doctor", "--json"]);
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

/// Runs the doctor: the exit code, the report (stdout) and the error (stderr).
fn doctor(cmd: &mut Command, secret: &str) -> (i32, serde_json::Value, serde_json::Value) {
    let r = run(cmd);
    assert!(
        !r.stdout.contains(secret) && !r.stderr.contains(secret),
        "the secret leaked"
    );
    let (report, error) =
        cli_support::testing::doctor_report(r.code, &r.stdout, &r.stderr, "firmadoc doctor");
    (r.code, report, error)
}

fn secret() -> String {
    sandbox::TEST_CONSUMER_SECRET.to_owned()
}

#[test]
fn all_green_against_the_sandbox() {
    let s = Setup::new(false, Duration::ZERO);
    let (code, report, _) = doctor(&mut s.doctor(), &secret());
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["ok"], true);
    doctor_lists_steps(&report, &STEPS);
    for name in STEPS {
        let st = step(&report, name);
        // Plain http to the loopback sandbox: TLS does not apply (the TLS test below).
        if name == "tls" {
            assert_eq!(st["status"], "skipped", "{st}");
            assert_eq!(st["details"]["not_applicable"], true, "{st}");
        } else {
            assert_eq!(st["status"], "ok", "{name}: {report}");
        }
    }
    let config = &step(&report, "configuration")["details"];
    assert_eq!(config["secret_files"][0]["mode"], "0600");
    let secret_setting = doctor_setting(&report, "consumer_secret");
    assert_eq!(secret_setting["from"], "FIRMADOC_CONSUMER_SECRET_FILE");
    assert_eq!(
        step(&report, "signed_call")["details"]["sendings_left"],
        1000
    );
}

#[test]
fn an_unknown_ca_fails_at_tls() {
    let s = Setup::new(true, Duration::ZERO);
    let (_, report, error) = doctor(&mut s.doctor(), &secret());
    doctor_fails_at(
        &report,
        &error,
        &STEPS,
        6,
        "tls",
        "does not lead to a trusted root",
    );
    assert_eq!(step(&report, "signed_call")["status"], "skipped");
}

#[test]
fn a_clock_ten_minutes_off_fails_at_clock() {
    let s = Setup::new(false, Duration::from_secs(600));
    let (_, report, error) = doctor(&mut s.doctor(), &secret());
    doctor_fails_at_clock(&report, &error, &STEPS, 600);
    // The service then refuses the timestamp, and the signed call points at the clock.
    let call = step(&report, "signed_call");
    assert_eq!(call["status"], "failed", "{call}");
    assert!(
        call["hint"].as_str().unwrap().contains("fix it first"),
        "{call}"
    );
}

#[test]
fn a_wrong_secret_fails_at_the_signed_call() {
    let s = Setup::new(false, Duration::ZERO);
    let wrong = "not-the-sandbox-secret-0123456789abcdef";
    let mut c = s.doctor();
    c.env_remove("FIRMADOC_CONSUMER_SECRET_FILE")
        .env("FIRMADOC_CONSUMER_SECRET", wrong);
    let (_, report, error) = doctor(&mut c, wrong);
    doctor_fails_at(
        &report,
        &error,
        &STEPS,
        3,
        "signed_call",
        "check the consumer secret",
    );
}

#[test]
fn an_open_secret_file_fails_at_configuration() {
    use std::os::unix::fs::PermissionsExt as _;
    let s = Setup::new(false, Duration::ZERO);
    let mut c = s.doctor(); // writes the file
    let secret_file = s.dir.path().join("secret");
    std::fs::set_permissions(&secret_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (_, report, error) = doctor(&mut c, &secret());
    doctor_fails_at(&report, &error, &STEPS, 2, "configuration", "chmod 600");
    assert_eq!(step(&report, "signed_call")["status"], "skipped");
}
