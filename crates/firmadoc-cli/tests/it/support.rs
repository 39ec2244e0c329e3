//! Running the binary, and mockito mocks that check the OAuth signature with
//! `oauth1-sign`'s verifier (itself tested against the RFC 5849 and oauthlib vectors).

use std::process::{Command, Output};

use oauth1_sign::{Body, Credentials, Request, VerifyOptions, unix_time_now, verify};

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

/// True when the request carries exactly the five OAuth parameters plus a
/// signature that verifies under the test credentials.
pub(crate) fn signed(base: String) -> impl Fn(&mockito::Request) -> bool + Send + Sync + 'static {
    move |req| {
        let url = format!("{base}{}", req.path_and_query());
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let mut names: Vec<&str> = query
            .split('&')
            .filter_map(|p| p.split('=').next())
            .collect();
        names.sort_unstable();
        if names
            != [
                "oauth_consumer_key",
                "oauth_nonce",
                "oauth_signature",
                "oauth_signature_method",
                "oauth_timestamp",
                "oauth_version",
            ]
        {
            eprintln!("unexpected query parameters: {names:?}");
            return false;
        }
        let body = if req.body().map(|b| b.is_empty()).unwrap_or(true) {
            Body::None
        } else {
            Body::Opaque
        };
        let ok = verify(
            &Request::new(req.method(), &url).body(body),
            &VerifyOptions::new(unix_time_now().unwrap()),
            |k, _| (k == KEY).then(|| Credentials::new(KEY, SECRET).unwrap()),
            |_| true,
        );
        if let Err(e) = &ok {
            eprintln!("signature refused: {e}");
        }
        ok.is_ok()
    }
}

/// A signed `text/plain` body whose JSON equals `expected` (numbers by value).
pub(crate) fn signed_json(
    base: String,
    expected: serde_json::Value,
) -> impl Fn(&mockito::Request) -> bool + Send + Sync + 'static {
    let sig = signed(base);
    move |req| {
        let ct_ok = req
            .header("content-type")
            .iter()
            .any(|v| v.as_bytes() == b"text/plain");
        let body: Option<serde_json::Value> =
            req.body().ok().and_then(|b| serde_json::from_slice(b).ok());
        let same = body.as_ref().is_some_and(|b| json_eq(b, &expected));
        if !same {
            eprintln!("body {body:?} != expected {expected}");
        }
        ct_ok && same && sig(req)
    }
}

/// A path matcher that ignores the query.
pub(crate) fn path(p: &str) -> mockito::Matcher {
    let escaped: String = p
        .chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect();
    mockito::Matcher::Regex(format!("^{escaped}(\\?.*)?$"))
}

/// JSON equality where `2` equals `2.0`.
pub(crate) fn json_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => x.as_f64() == y.as_f64(),
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

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

/// Checks a `--json` result against the shape docs/cli.md documents for `command`.
pub(crate) fn check_shape(command: &str, value: &serde_json::Value) {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/cli.md")).unwrap();
    cli_support::testing::check_json_shape(&doc, command, value).unwrap();
}

/// Checks a `--json` result against the shape documented for the subcommand `args` run.
pub(crate) fn check_shape_of(args: &[&str], value: &serde_json::Value) {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/cli.md")).unwrap();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let command = cli_support::testing::command_of(&doc, "firmadoc", &args)
        .unwrap_or_else(|| panic!("no documented --json shape for {args:?}"));
    cli_support::testing::check_json_shape(&doc, &command, value).unwrap();
}
