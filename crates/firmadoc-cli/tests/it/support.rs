//! Running the binary, and mockito mocks that check the OAuth signature with
//! `test-support`'s matchers (on `oauth1-sign`'s verifier, itself tested against
//! the RFC 5849 and oauthlib vectors).

use std::process::Command;

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

pub(crate) use test_support::cli::Run;

/// What the tests check on every run of `firmadoc`: a failure prints only its error and
/// hint lines, and never the consumer secret.
static TOOL: test_support::cli::Tool = test_support::cli::Tool {
    name: "firmadoc",
    never_printed: &[SECRET],
    quiet_failures: true,
    check_json: |args, value| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        check_shape_of(&args, value);
    },
};

pub(crate) fn run(cmd: &mut Command) -> Run {
    test_support::cli::run(&TOOL, cmd)
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
