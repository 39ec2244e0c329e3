//! Running the binary, and mockito mocks that check the OAuth signature with
//! `test-support`'s matchers (on `oauth1-sign`'s verifier, itself tested against
//! the RFC 5849 and oauthlib vectors).

use std::process::{Command, Output};

pub(crate) const KEY: &str = "cli-test-consumer-key";
/// 48 characters: long enough to key webhooks (32 to 128), and the secret of
/// the upstream ASP.NET WebHooks test vector.
pub(crate) const SECRET: &str = "123456789012345678901234567890123456789012345678";

/// The binary with a clean environment: no HOME config, the test credentials,
/// and `FIRMADOC_ENV` pointing at `url`.
pub(crate) fn firmadoc(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_firmadoc"));
    c.env_clear()
        .env("HOME", "/nonexistent-firmadoc-test-home")
        .env("FIRMADOC_CONSUMER_KEY", KEY)
        .env("FIRMADOC_CONSUMER_SECRET", SECRET)
        .env("FIRMADOC_ENV", url);
    c
}

/// What a run printed, and its exit code.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

pub(crate) fn run(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the firmadoc binary runs");
    Run {
        code: status.code().expect("exited normally"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

impl Run {
    /// Asserts success and returns stdout.
    pub(crate) fn ok(self) -> String {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        self.stdout
    }

    /// Asserts the exit code, one error line and one hint line, and returns stderr.
    pub(crate) fn fails(self, code: i32) -> String {
        assert_eq!(
            self.code, code,
            "stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("firmadoc: "))
            .collect();
        assert_eq!(lines.len(), 2, "{}", self.stderr);
        assert!(lines[0].starts_with("firmadoc: error: "), "{}", self.stderr);
        assert!(lines[1].starts_with("firmadoc: hint: "), "{}", self.stderr);
        assert!(self.stdout.is_empty(), "nothing on stdout: {}", self.stdout);
        assert!(!self.stderr.contains(SECRET), "the secret leaked");
        self.stderr
    }
}

test_support::oauth1_matchers!(KEY, SECRET);

pub(crate) use test_support::oauth1::path;

/// The guide's device-info example body, and the flags that give it.
pub(crate) const DEVICE_FLAGS: [&str; 10] = [
    "--os-name",
    "android",
    "--os-version",
    "7.0",
    "--device-model",
    "samsung SM-JF342",
    "--device-user",
    "string",
    "--device-id",
    "0.0.0.0",
];

pub(crate) fn device_json() -> serde_json::Value {
    serde_json::json!({"OsName":"android","OSVersion":"7.0","Model":"samsung SM-JF342","Username":"string","DeviceID":"0.0.0.0"})
}
