//! Hostile command lines: every one gets a clean refusal (issue 18).

use clap::CommandFactory as _;

#[test]
fn every_numeric_flag_refuses_hostile_values_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let (args, failures) = cli_support::testing::check_numeric_flags(
        env!("CARGO_BIN_EXE_firmadoc").as_ref(),
        &firmadoc_cli::Cli::command(),
        dir.path(),
    );
    let flags: Vec<String> = args.iter().map(|a| a.flag.clone()).collect();
    for expected in [
        "--expiry-days",
        "--signature-height",
        "--seal-width",
        "--multi-signature",
        "--attachment-id",
        "--order",
        "--photos",
        "--max-events",
    ] {
        assert!(
            flags.iter().any(|f| f == expected),
            "{expected} not found in {flags:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

use std::os::unix::fs::FileTypeExt as _;
use std::path::Path;
use std::process::Command;

use crate::support::{firmadoc, run};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

/// A server that fails the test if any request reaches it.
fn no_request_server() -> (mockito::ServerGuard, mockito::Mock) {
    let mut server = mockito::Server::new();
    let m = server
        .mock("POST", mockito::Matcher::Any)
        .expect(0)
        .create();
    (server, m)
}

#[test]
fn empty_or_blank_values_never_reach_the_service() {
    let (server, none) = no_request_server();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("c.pdf");
    std::fs::write(&pdf, PDF).unwrap();
    let pdf = pdf.to_str().unwrap();
    let send = |over: &[(&str, &str)]| {
        let mut flags = vec![
            ("--pdf", pdf),
            ("--subject", "Contract"),
            ("--sender", "ACME"),
            ("--to", "a@example.com"),
            ("--template", "Plantilla 1"),
        ];
        for (k, v) in over {
            flags.retain(|(f, _)| f != k);
            flags.push((k, v));
        }
        let mut args = vec!["send".to_owned()];
        for (k, v) in flags {
            args.push(format!("{k}={v}"));
        }
        args
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (send(&[("--subject", "")]), "--subject must not be empty"),
        (send(&[("--sender", "  ")]), "--sender must not be empty"),
        (send(&[("--template", "")]), "--template must not be empty"),
        (send(&[("--to", "")]), "--to must not be empty"),
        (
            send(&[("--to", "a@example.com,,b@example.com")]),
            "recipient 2 of --to is empty",
        ),
        (
            send(&[("--customer-id", " ")]),
            "--customer-id must not be empty",
        ),
        (send(&[("--user", "")]), "--user must not be empty"),
        (
            send(&[("--attachment", "")]),
            "--attachment must not be empty",
        ),
        (
            send(&[("--expiry-days", "0")]),
            "--expiry-days must be 1 to 255 days",
        ),
        (vec!["status".into(), "".into()], "<CODE> must not be empty"),
        (
            vec!["trace".into(), " ".into(), "-o".into(), "t.pdf".into()],
            "<CODE> must not be empty",
        ),
        (
            vec![
                "respond".into(),
                "reject".into(),
                "XJH2901".into(),
                "--reason=".into(),
            ],
            "--reason must not be empty",
        ),
        (
            vec![
                "user".into(),
                "add".into(),
                "--name=".into(),
                "--email=a@b.es".into(),
            ],
            "--name must not be empty",
        ),
        (
            vec!["webhook".into(), "subscribe".into(), "--url=".into()],
            "--url must not be empty",
        ),
        (
            vec!["webhook".into(), "test".into(), "".into()],
            "<EVENT> must not be empty",
        ),
        (
            vec![
                "template".into(),
                "set".into(),
                "--name= ".into(),
                "--placement=sig:0:1:0:0".into(),
            ],
            "--name must not be empty",
        ),
        (
            vec!["summary".into(), "--from=".into(), "--to=2026-01-01".into()],
            "--from must not be empty",
        ),
    ];
    for (args, expected) in cases {
        let r = run(firmadoc(&server.url()).current_dir(dir.path()).args(&args));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(expected), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"));
    }
    none.assert();
}

#[test]
fn guide_rules_are_named_by_flag_and_checked_before_sending() {
    let (server, none) = no_request_server();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("c.pdf");
    std::fs::write(&pdf, PDF).unwrap();
    let r = run(firmadoc(&server.url())
        .args(["send", "--pdf"])
        .arg(&pdf)
        .args([
            "--subject",
            &"x".repeat(41),
            "--sender",
            "ACME",
            "--to",
            "a@example.com",
            "--template",
            "T",
        ]));
    let line = r.fails(5);
    assert!(line.contains("--subject is 41 characters long"), "{line}");
    assert!(
        !line.contains("Asunto") && !line.contains("builder"),
        "{line}"
    );
    let r = run(firmadoc(&server.url())
        .args(["send", "--pdf"])
        .arg(&pdf)
        .args([
            "--subject",
            "S",
            "--sender",
            "ACME",
            "--to",
            "a@example.com,not-an-email",
            "--template",
            "T",
        ]));
    let line = r.fails(5);
    assert!(line.contains("recipient 2 of --to"), "{line}");
    none.assert();
}

#[test]
fn attach_checks_the_image_and_the_order_first() {
    let (server, none) = no_request_server();
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("front.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n....").unwrap();
    let text = dir.path().join("notes.png");
    std::fs::write(&text, b"not an image at all").unwrap();
    let line = run(firmadoc(&server.url())
        .args(["attach", "XJH2901"])
        .arg(&png)
        .args(["--attachment-id", "44", "--order", "3", "--photos", "2"]))
    .fails(5);
    assert!(line.contains("--order 3 is past --photos 2"), "{line}");
    let line = run(firmadoc(&server.url())
        .args(["attach", "XJH2901"])
        .arg(&text)
        .args(["--attachment-id", "44"]))
    .fails(5);
    assert!(line.contains("is not an image"), "{line}");
    let r = run(firmadoc(&server.url())
        .args(["attach", "XJH2901"])
        .arg(&png)
        .args(["--attachment-id", "44", "--order", "0"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--order must be 1 to 255"),
        "{}",
        r.stderr
    );
    none.assert();
}

#[test]
fn downloads_never_clobber() {
    let (server, none) = no_request_server();
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("doc.pdf");
    std::fs::write(&existing, b"precious").unwrap();
    let line = run(firmadoc(&server.url())
        .args(["trace", "XJH29", "-o"])
        .arg(&existing))
    .fails(5);
    assert!(line.contains("already exists"), "{line}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"precious");
    let line = run(firmadoc(&server.url())
        .args(["document", "XJH29", "-o"])
        .arg(dir.path()))
    .fails(5);
    assert!(line.contains("is a directory"), "{line}");
    none.assert();
}

#[test]
fn downloads_stream_to_a_fifo_a_device_and_stdout() {
    let mut server = mockito::Server::new();
    let b64 = "JVBERi0xLjcK"; // "%PDF-1.7\n"
    let trace = server
        .mock("GET", mockito::Matcher::Regex("^/send/Trace/XJH29".into()))
        .with_body(b64)
        .expect(3)
        .create();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    run(firmadoc(&server.url())
        .args(["trace", "XJH29", "-o"])
        .arg(&fifo))
    .ok();
    assert_eq!(reader.join().unwrap(), b"%PDF-1.7\n");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    run(firmadoc(&server.url()).args(["trace", "XJH29", "--force", "-o", "/dev/null"])).ok();
    assert!(
        std::fs::metadata(Path::new("/dev/null"))
            .unwrap()
            .file_type()
            .is_char_device()
    );
    let out = firmadoc(&server.url())
        .args(["--json", "trace", "XJH29", "-o", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"%PDF-1.7\n");
    let report: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(
        report,
        serde_json::json!({"path": "-", "bytes": 9, "base64": true})
    );
    trace.assert();
}

#[test]
fn every_flag_and_first_value_refuses_the_empty_string_at_parse_time() {
    let dir = tempfile::tempdir().unwrap();
    let cli = <firmadoc_cli::Cli as clap::CommandFactory>::command();
    let (runs, failures) = cli_support::testing::check_empty_values(
        std::path::Path::new(env!("CARGO_BIN_EXE_firmadoc")),
        &cli,
        dir.path(),
    );
    assert!(runs > 30, "only {runs} runs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
