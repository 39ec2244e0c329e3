//! Hostile command lines: every one gets a clean refusal (issue 18).

use clap::CommandFactory as _;

#[test]
fn every_numeric_flag_refuses_hostile_values_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let (args, failures) = cli_support::testing::check_numeric_flags(
        env!("CARGO_BIN_EXE_hague").as_ref(),
        &hague_cli::Cli::command(),
        dir.path(),
    );
    let flags: Vec<String> = args.iter().map(|a| a.flag.clone()).collect();
    for expected in ["--days", "--timeout", "--interval", "--max-interval"] {
        assert!(
            flags.iter().any(|f| f == expected),
            "{expected} not found in {flags:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing was created by any of those runs.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

use std::os::unix::fs::FileTypeExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::package::build_to;
use crate::support::{hague, run};

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn output_to_a_fifo_a_device_or_stdout_is_streamed_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    // A FIFO: the package goes through it, and it stays a FIFO.
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = run(&mut build_to(dir.path(), &fifo, &[])).ok();
    assert!(out.contains("wrote"), "{out}");
    assert!(reader.join().unwrap().starts_with(b"PK\x03\x04"));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // A character device stays one (with or without --force).
    for extra in [&[][..], &["--force"][..]] {
        run(&mut build_to(dir.path(), Path::new("/dev/null"), extra)).ok();
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
    // `-`: the ZIP on stdout, the report (JSON here) on stderr.
    let output = build_to(dir.path(), Path::new("-"), &["--json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.starts_with(b"PK\x03\x04"));
    let report: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(report["path"], "-");
    // Nothing but the inputs and the FIFO is left in the directory.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["files", "pipe"]);
}

#[test]
fn output_over_a_directory_or_an_existing_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let line = run(&mut build_to(dir.path(), dir.path(), &["--force"])).fails(5);
    assert!(line.contains("it is a directory"), "{line}");
    let existing = dir.path().join("mine.zip");
    std::fs::write(&existing, b"precious").unwrap();
    let line = run(&mut build_to(dir.path(), &existing, &[])).fails(5);
    assert!(line.contains("already exists"), "{line}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"precious");
    run(&mut build_to(dir.path(), &existing, &["--force"])).ok();
    assert!(std::fs::read(&existing).unwrap().starts_with(b"PK"));
    // A missing directory on the way is refused before anything is built.
    let line = run(&mut build_to(dir.path(), &dir.path().join("no/p.zip"), &[])).fails(5);
    assert!(line.contains("does not exist"), "{line}");
    // bulletin extract wants a new directory.
    let line = run(hague()
        .args(["bulletin", "extract", "whatever.zip", "-o"])
        .arg(dir.path()))
    .fails(5);
    assert!(line.contains("already exists"), "{line}");
}

#[test]
fn keygen_checks_everything_before_creating_anything() {
    let dir = tempfile::tempdir().unwrap();
    let target: PathBuf = dir.path().join("keys");
    let r = run(hague()
        .args(["keygen", "--days", "2914000", "--dir"])
        .arg(&target));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--days must be 1 to 3650 days"),
        "{}",
        r.stderr
    );
    assert!(!target.exists(), "nothing created");
    // An existing key file: refused before the other files are written.
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join(hague_cli::keygen::PRIVATE_KEY_FILE), b"old").unwrap();
    let line = run(hague().args(["keygen", "--dir"]).arg(&target)).fails(2);
    assert!(line.contains("already exists"), "{line}");
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 1);
    // --dir naming a file.
    let file = dir.path().join("f");
    std::fs::write(&file, b"").unwrap();
    let line = run(hague().args(["keygen", "--dir"]).arg(&file)).fails(5);
    assert!(line.contains("not a directory"), "{line}");
    // Empty values are refused at parse time.
    let r = run(hague()
        .args(["keygen", "--client-name", " ", "--dir"])
        .arg(&target));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--client-name must not be empty"),
        "{}",
        r.stderr
    );
}

#[test]
fn empty_values_are_refused_before_any_request() {
    for args in [
        &["import-status", ""][..],
        &["status", "  "],
        &["wait", ""],
        &["submit", ""],
        &["bulletin", "fetch", ""],
        &["--client-id", "", "ping"],
        &["--issuer", " ", "ping"],
    ] {
        let r = run(hague().args(args));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("must not be empty"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn every_flag_and_first_value_refuses_the_empty_string_at_parse_time() {
    let dir = tempfile::tempdir().unwrap();
    let cli = <hague_cli::Cli as clap::CommandFactory>::command();
    let (runs, failures) = cli_support::testing::check_empty_values(
        std::path::Path::new(env!("CARGO_BIN_EXE_hague")),
        &cli,
        dir.path(),
    );
    assert!(runs > 30, "only {runs} runs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
