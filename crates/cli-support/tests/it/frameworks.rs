//! The shared frameworks: start-up, `--json`, value parsers, output targets.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use clap::Parser;
use cli_support::{CliError, ExitStatus, OutputKind, OutputTarget, Report};

#[derive(Debug, Parser)]
#[command(name = "t", version)]
struct Cli {
    #[arg(long, global = true)]
    json: bool,
    #[arg(long, allow_negative_numbers = true, value_parser = cli_support::args::int(1u64, 604_800, "seconds"))]
    timeout: Option<u64>,
    #[arg(long, allow_negative_numbers = true, value_parser = cli_support::args::int(1u8, 255, "days"))]
    expiry_days: Option<u8>,
    #[arg(long, allow_negative_numbers = true, value_parser = cli_support::args::seconds(0.01, 86_400.0))]
    interval: Option<f64>,
    #[arg(long, value_parser = cli_support::args::text())]
    subject: Option<String>,
    #[arg(value_parser = cli_support::args::text())]
    id: Option<String>,
}

fn args(list: &[&str]) -> Vec<OsString> {
    std::iter::once("t")
        .chain(list.iter().copied())
        .map(OsString::from)
        .collect()
}

/// Runs the shared `main` in process; returns (status, stdout, stderr).
fn main_of(list: &[&str], outcome: Result<Option<Report>, CliError>) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status =
        cli_support::main_with::<Cli>("t", args(list), move |_cli| outcome, &mut out, &mut err);
    (
        status.code(),
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn numbers_out_of_range_are_refused_with_the_flag_and_the_range() {
    for (flag, value, expected) in [
        (
            "--timeout",
            "18446744073709551615",
            "--timeout must be 1 to 604800 seconds",
        ),
        ("--timeout", "0", "--timeout must be 1 to 604800 seconds"),
        ("--timeout", "-1", "--timeout must be 1 to 604800 seconds"),
        (
            "--timeout",
            "99999999999999999999999999999999999999999999",
            "--timeout must be 1 to 604800 seconds",
        ),
        ("--timeout", "ten", "--timeout must be 1 to 604800 seconds"),
        (
            "--expiry-days",
            "256",
            "--expiry-days must be 1 to 255 days",
        ),
        (
            "--interval",
            "inf",
            "--interval must be 0.01 to 86400 seconds",
        ),
        (
            "--interval",
            "NaN",
            "--interval must be 0.01 to 86400 seconds",
        ),
        (
            "--interval",
            "1e300",
            "--interval must be 0.01 to 86400 seconds",
        ),
    ] {
        let e = Cli::try_parse_from(args(&[flag, value])).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains(expected), "{flag} {value}: {e}");
    }
    let ok = Cli::try_parse_from(args(&[
        "--timeout",
        "604800",
        "--expiry-days",
        "255",
        "--interval",
        "0.5",
    ]))
    .unwrap();
    assert_eq!(
        (ok.timeout, ok.expiry_days, ok.interval),
        (Some(604_800), Some(255), Some(0.5))
    );
}

#[test]
fn empty_and_blank_texts_are_refused_and_named() {
    for (list, expected) in [
        (vec!["--subject", ""], "--subject must not be empty"),
        (vec!["--subject", " \t "], "--subject must not be empty"),
        (vec![""], "<ID> must not be empty"),
    ] {
        let e = Cli::try_parse_from(args(&list)).unwrap_err();
        assert!(e.to_string().contains(expected), "{e}");
    }
    let ok = Cli::try_parse_from(args(&["--subject", " kept as typed "])).unwrap();
    assert_eq!(ok.subject.as_deref(), Some(" kept as typed "));
}

#[test]
fn usage_errors_follow_the_tools_format_and_json() {
    let (code, out, err) = main_of(&["--timeout", "0"], Ok(None));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[0],
        "t: error: --timeout must be 1 to 604800 seconds (got `0`)"
    );
    assert_eq!(lines[1], "t: hint: see `t --help`");
    assert!(lines[2].starts_with("Usage: t"), "{err}");

    let (code, out, err) = main_of(&["--json", "--bogus"], Ok(None));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&err).unwrap();
    assert_eq!(v["error"]["status"], "usage");
    assert_eq!(v["error"]["exit_code"], 2);
    assert!(v["error"]["message"].as_str().unwrap().contains("--bogus"));
    assert!(
        v["error"]["usage"]
            .as_str()
            .unwrap()
            .starts_with("Usage: t")
    );
    assert!(v["error"]["hint"].is_string());
}

#[test]
fn help_and_version_are_json_on_stdout_with_json() {
    let (code, out, err) = main_of(&["--json", "--help"], Ok(None));
    assert_eq!((code, err.as_str()), (0, ""));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["help"].as_str().unwrap().contains("Usage: t"));
    let (code, out, _) = main_of(&["--json", "--version"], Ok(None));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["version"].as_str().unwrap().starts_with("t "));
    // Without --json: clap's text.
    let (code, out, _) = main_of(&["--help"], Ok(None));
    assert_eq!(code, 0);
    assert!(out.contains("Usage: t"));
    // `--json` after `--` is a value, not the flag.
    assert!(!cli_support::wants_json(&args(&["--", "--json"])));
}

#[test]
fn results_and_errors_go_to_their_streams() {
    let report = Report::new("done", serde_json::json!({"path": "x"}));
    let (code, out, err) = main_of(&["--json"], Ok(Some(report.clone())));
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "{\"path\":\"x\"}\n", "")
    );
    // Data on stdout (`-o -`): the report goes to stderr.
    let (_, out, err) = main_of(&[], Ok(Some(report.on_stderr(true))));
    assert_eq!((out.as_str(), err.as_str()), ("", "done\n"));
    let failed = Err(CliError::new(
        ExitStatus::Network,
        "cannot reach h.example",
        "check the network",
    ));
    let (code, out, err) = main_of(&[], failed);
    assert_eq!((code, out.as_str()), (6, ""));
    assert_eq!(
        err,
        "t: error: cannot reach h.example\nt: hint: check the network\n"
    );
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn output_targets_replace_only_regular_files_and_stream_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    // `-` is standard output.
    let t = OutputTarget::check(Path::new("-"), false).unwrap();
    assert_eq!(
        (t.kind(), t.display().as_str()),
        (OutputKind::Stdout, "standard output")
    );
    // A new file is written through a temporary file, with nothing else left.
    let new = dir.path().join("new.bin");
    let t = OutputTarget::check(&new, false).unwrap();
    assert_eq!(t.kind(), OutputKind::File);
    t.write(b"one", false).unwrap();
    assert_eq!(std::fs::read(&new).unwrap(), b"one");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // An existing regular file: refused without force, replaced with it.
    let e = OutputTarget::check(&new, false).unwrap_err();
    assert_eq!(e.status, ExitStatus::InvalidInput);
    assert!(
        e.message.contains("already exists") && e.hint.contains("--force"),
        "{e:?}"
    );
    OutputTarget::check(&new, true)
        .unwrap()
        .write(b"two", false)
        .unwrap();
    assert_eq!(std::fs::read(&new).unwrap(), b"two");
    // A directory is refused.
    let e = OutputTarget::check(dir.path(), true).unwrap_err();
    assert!(e.message.contains("is a directory"), "{e:?}");
    // A missing parent directory is refused before anything is fetched.
    let e = OutputTarget::check(&dir.path().join("no/such.bin"), false).unwrap_err();
    assert!(e.message.contains("does not exist"), "{e:?}");
    // A character device stays a device (even with --force).
    let t = OutputTarget::check(Path::new("/dev/null"), true).unwrap();
    assert_eq!(t.kind(), OutputKind::Stream);
    t.write(b"discarded", false).unwrap();
    let staging = t.staging().unwrap();
    std::fs::write(staging.path(), b"staged").unwrap();
    staging.finish().unwrap();
    assert!(Path::new("/dev/null").exists());
    // A FIFO is streamed to and stays a FIFO.
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let t = OutputTarget::check(&fifo, true).unwrap();
    assert_eq!(t.kind(), OutputKind::Stream);
    let staging = t.staging().unwrap();
    std::fs::write(staging.path(), b"through the pipe").unwrap();
    staging.finish().unwrap();
    assert_eq!(reader.join().unwrap(), b"through the pipe");
    use std::os::unix::fs::FileTypeExt as _;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // A new directory must be new.
    assert!(cli_support::check_new_directory(dir.path()).is_err());
    cli_support::check_new_directory(&dir.path().join("fresh")).unwrap();
}

#[test]
fn notes_are_text_or_one_json_line() {
    let text = cli_support::console::note_line(
        false,
        "t",
        "progress",
        "b: 10 bytes",
        serde_json::json!({"bytes": 10}),
    );
    assert_eq!(text, "t: b: 10 bytes\n");
    let json = cli_support::console::note_line(
        true,
        "t",
        "progress",
        "b: 10 bytes",
        serde_json::json!({"bytes": 10}),
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"note": "progress", "message": "b: 10 bytes", "bytes": 10})
    );
}
