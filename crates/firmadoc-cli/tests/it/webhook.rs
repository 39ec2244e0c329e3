//! `webhook serve` and `webhook verify`, with the upstream ASP.NET WebHooks
//! test vector (`webhooks-fixtures.md`, V1: `WebHookSenderTests.cs`).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Command, Stdio};

use crate::support::{firmadoc, run};

/// V1 body: 239 bytes, CRLF line breaks, as the upstream test serialises it.
fn v1_body() -> Vec<u8> {
    "{\r\n  \"Id\": \"1234567890\",\r\n  \"Attempt\": 1,\r\n  \"Properties\": {\r\n    \"p1\": \"pv1\"\r\n  },\r\n  \"Notifications\": [\r\n    {\r\n      \"Action\": \"a1\",\r\n      \"d1\": \"dv1\"\r\n    },\r\n    {\r\n      \"Action\": \"a1\",\r\n      \"d2\": \"http://localhost\"\r\n    }\r\n  ]\r\n}".as_bytes().to_vec()
}
/// V1 signature, keyed with the 48-character secret the tests use.
const V1_SIGNATURE: &str =
    "sha256=DCDEB62502988CDEDE464AF6A97566D61288C446CFC46F74F341E11173FF30A1";

/// One HTTP/1.1 request on a fresh connection; returns status and body.
fn http(
    addr: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut req = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp.split(' ').nth(1).unwrap().parse().unwrap();
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A running `webhook serve`.
pub(crate) struct Serving {
    pub(crate) child: Child,
    /// The address it listens on.
    pub(crate) addr: String,
    /// What it printed on stderr up to and with its `listening on` line.
    pub(crate) seen: String,
    /// The rest of its stderr.
    pub(crate) stderr: BufReader<ChildStderr>,
}

/// `firmadoc webhook serve --listen 127.0.0.1:0` with `args`, not started.
pub(crate) fn serve_command(args: &[&str]) -> Command {
    let mut c = firmadoc("http://127.0.0.1:9");
    c.args(["webhook", "serve", "--listen", "127.0.0.1:0"])
        .args(args);
    c
}

/// Starts `cmd` (a `webhook serve`) with stdout and stderr piped, and reads stderr up to
/// the line that gives its address (within its first 10 lines).
pub(crate) fn start(mut cmd: Command) -> Serving {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut addr = None;
    let mut seen = String::new();
    for _ in 0..10 {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
        if let Some(rest) = line.split("listening on http://").nth(1) {
            addr = rest.split('/').next().map(str::to_owned);
            break;
        }
    }
    let addr = addr.unwrap_or_else(|| panic!("no address in {seen:?}"));
    Serving {
        child,
        addr,
        seen,
        stderr,
    }
}

/// Starts `webhook serve` on a free port with the memory store; returns the child, its
/// address and its stderr.
pub(crate) fn serve(extra: &[&str]) -> (Child, String, BufReader<ChildStderr>) {
    let mut cmd = serve_command(&["--store", "memory"]);
    cmd.args(extra);
    let s = start(cmd);
    (s.child, s.addr, s.stderr)
}

/// Everything `child` printed on stdout, once it has exited with 0.
pub(crate) fn stdout_after_exit_0(child: &mut Child) -> String {
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    stdout
}

/// Posts the upstream V1 delivery with its signature; returns the status.
pub(crate) fn deliver_v1(addr: &str) -> u16 {
    http(
        addr,
        "POST",
        "/",
        &[("ms-signature", V1_SIGNATURE), json_header()],
        &v1_body(),
    )
    .0
}

fn json_header() -> (&'static str, &'static str) {
    ("Content-Type", "application/json; charset=utf-8")
}

#[test]
fn serve_writes_verified_deliveries_and_refuses_forged_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("events.jsonl");
    std::fs::write(&out, "{\"earlier\":true}\n").unwrap();
    let (mut child, addr, mut stderr) =
        serve(&["--out", out.to_str().unwrap(), "--max-events", "1"]);

    // The echo handshake.
    assert_eq!(
        http(&addr, "GET", "/?echo=4f2a", &[], b""),
        (200, "4f2a".to_owned())
    );

    // A forged delivery: one byte of the body changed, the signature kept.
    let mut forged = v1_body();
    let at = forged.iter().position(|b| *b == b'7').unwrap();
    forged[at] = b'8';
    let (status, body) = http(
        &addr,
        "POST",
        "/",
        &[("ms-signature", V1_SIGNATURE), json_header()],
        &forged,
    );
    assert_eq!(status, 400);
    assert!(body.contains("does not match the body"), "{body}");
    // No signature at all.
    let (status, _) = http(&addr, "POST", "/", &[json_header()], &v1_body());
    assert_eq!(status, 400);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "{\"earlier\":true}\n",
        "nothing written"
    );

    // The genuine delivery: acknowledged, appended, and the server stops (--max-events 1).
    assert_eq!(deliver_v1(&addr), 200);
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("webhook delivery refused"), "{rest}");
    assert!(
        rest.contains("stopped after 1 verified deliveries"),
        "{rest}"
    );

    let written = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 2, "{written}");
    assert_eq!(lines[0], "{\"earlier\":true}", "appended, not overwritten");
    let line: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    let v = &line["delivery"];
    assert_eq!(v["Id"], "1234567890");
    assert_eq!(v["Attempt"], 1);
    assert_eq!(v["Properties"]["p1"], "pv1");
    assert_eq!(v["Notifications"][1]["d2"], "http://localhost");
    // The exact body and the signature header are kept: the line verifies again.
    assert_eq!(
        line["body"].as_str().unwrap().as_bytes(),
        v1_body().as_slice()
    );
    assert_eq!(line["signature"], V1_SIGNATURE);
    let saved = out.with_extension("line");
    std::fs::write(&saved, lines[1]).unwrap();
    let verified = std::process::Command::new(env!("CARGO_BIN_EXE_firmadoc"))
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("FIRMADOC_CONSUMER_SECRET", crate::support::SECRET)
        .args(["webhook", "verify", "--saved"])
        .arg(&saved)
        .output()
        .unwrap();
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
}

/// Posts `body` signed with `secret` to a server started with `--max-events 1`, checks
/// it is acknowledged, and returns its stdout and the one line it wrote, parsed.
fn deliver_and_read_line(
    child: &mut Child,
    addr: &str,
    secret: &str,
    body: &[u8],
) -> (String, serde_json::Value) {
    let sig = firmadoc_client::webhook::WebhookSecret::new(secret)
        .unwrap()
        .sign(body);
    let (status, _) = http(
        addr,
        "POST",
        "/",
        &[("ms-signature", &sig), json_header()],
        body,
    );
    assert_eq!(status, 200);
    let stdout = stdout_after_exit_0(child);
    let line = serde_json::from_str(stdout.trim_end()).unwrap();
    (stdout, line)
}

#[test]
fn serve_writes_to_stdout_by_default() {
    let (mut child, addr, _stderr) = serve(&["--max-events", "1"]);
    assert_eq!(deliver_v1(&addr), 200);
    let stdout = stdout_after_exit_0(&mut child);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim_end()).unwrap();
    assert_eq!(v["delivery"]["Notifications"][0]["Action"], "a1");
}

/// A secret outside ASP.NET's 32 to 128 characters is a warning, not a refusal to
/// start; and a verified delivery the model cannot type (`id2` as a string) is
/// acknowledged and written with its raw body.
#[test]
fn serve_warns_on_secret_length_and_writes_untyped_deliveries() {
    let mut cmd = serve_command(&["--max-events", "1", "--store", "memory"]);
    cmd.env("FIRMADOC_CONSUMER_SECRET", "too-short");
    let Serving {
        mut child,
        addr,
        seen,
        ..
    } = start(cmd);
    assert!(
        seen.contains("warning: the webhook secret has 9 characters"),
        "{seen}"
    );
    assert!(!seen.contains("too-short"), "the secret is printed: {seen}");
    let body =
        br#"{"Id":"u1","Attempt":1,"Notifications":[{"Action":"F","id":"XJH29","id2":"2"}]}"#;
    let (_, line) = deliver_and_read_line(&mut child, &addr, "too-short", body);
    assert_eq!(line["body"], std::str::from_utf8(body).unwrap());
    let v = &line["delivery"];
    assert_eq!(v["Id"], "u1");
    assert_eq!(v["untyped"]["raw"], std::str::from_utf8(body).unwrap());
    assert!(
        v["untyped"]["reason"]
            .as_str()
            .unwrap()
            .contains("invalid type")
    );
}

/// A verified delivery whose body is not UTF-8 is written as `body_base64` (the exact
/// bytes, never replacement characters), and `webhook verify --saved` verifies it again.
#[test]
fn serve_keeps_a_body_that_is_not_utf8_exactly() {
    let Serving {
        mut child, addr, ..
    } = start(serve_command(&["--max-events", "1", "--store", "memory"]));
    let body =
        b"{\"Id\":\"b1\",\"Attempt\":1,\"Notifications\":[{\"Action\":\"F\",\"id\":\"\xff\xfe\"}]}";
    let (stdout, line) = deliver_and_read_line(&mut child, &addr, crate::support::SECRET, body);
    assert!(line.get("body").is_none(), "{line}");
    let kept = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        line["body_base64"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(kept, body.to_vec());
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("line.json");
    std::fs::write(&saved, stdout.trim_end()).unwrap();
    let out = run(firmadoc("http://127.0.0.1:9")
        .args(["webhook", "verify", "--saved"])
        .arg(&saved))
    .ok();
    // Verified (the signature holds over the exact bytes); not JSON the model reads.
    assert!(out.starts_with("verified: delivery"), "{out}");
    assert!(out.contains("(untyped: invalid unicode"), "{out}");
}

#[test]
fn verify_accepts_the_upstream_vector_and_refuses_a_forgery() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("delivery.json");
    std::fs::write(&body, v1_body()).unwrap();
    let out = run(firmadoc("http://127.0.0.1:9")
        .args(["webhook", "verify", "--signature", V1_SIGNATURE, "--body"])
        .arg(&body))
    .ok();
    assert_eq!(
        out.trim(),
        "verified: delivery 1234567890 (attempt 1), 2 notifications"
    );
    // Lower-case hex is accepted too (the receiver decodes any case).
    let lower = V1_SIGNATURE.to_ascii_lowercase();
    run(firmadoc("http://127.0.0.1:9")
        .args(["webhook", "verify", "--signature", &lower, "--body"])
        .arg(&body))
    .ok();
    let mut forged = v1_body();
    forged.extend_from_slice(b" ");
    std::fs::write(&body, forged).unwrap();
    let err = run(firmadoc("http://127.0.0.1:9")
        .args(["webhook", "verify", "--signature", V1_SIGNATURE, "--body"])
        .arg(&body))
    .fails(7);
    assert!(
        err.contains("error: the webhook delivery is refused"),
        "{err}"
    );
}

#[test]
fn serve_writes_a_retried_delivery_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("events.jsonl");
    let (mut child, addr, _stderr) = serve(&["--out", out.to_str().unwrap(), "--max-events", "2"]);
    let post = |body: &[u8], sig: &str| {
        http(
            &addr,
            "POST",
            "/",
            &[("ms-signature", sig), json_header()],
            body,
        )
        .0
    };
    assert_eq!(post(&v1_body(), V1_SIGNATURE), 200);
    // The sender retries the same delivery (same Id): acknowledged, not written again.
    assert_eq!(post(&v1_body(), V1_SIGNATURE), 200);
    // A second delivery, signed by the library's signer (which reproduces V1 above).
    let second = br#"{"Id":"second","Attempt":1,"Notifications":[{"Action":"F","id":"XJH29","id2":0,"date":"2026-11-23","comment":""}]}"#;
    let secret = firmadoc_client::webhook::WebhookSecret::new(crate::support::SECRET).unwrap();
    assert_eq!(
        secret.sign(&v1_body()),
        V1_SIGNATURE,
        "the signer matches the upstream vector"
    );
    assert_eq!(post(second, &secret.sign(second)), 200);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let written = std::fs::read_to_string(&out).unwrap();
    let ids: Vec<String> = written
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["delivery"]["Id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["1234567890", "second"]);
    let v: serde_json::Value = serde_json::from_str(written.lines().nth(1).unwrap()).unwrap();
    assert_eq!(v["delivery"]["Notifications"][0]["Action"], "F");
    assert_eq!(v["delivery"]["Notifications"][0]["id"], "XJH29");
}

#[cfg(unix)]
#[test]
fn serve_stops_cleanly_on_sigint() {
    let (mut child, addr, mut stderr) = serve(&[]);
    assert_eq!(deliver_v1(&addr), 200);
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(
        rest.contains("stopped after 1 verified deliveries"),
        "{rest}"
    );
}

/// The default store is SQLite in the data directory: a delivery acknowledged
/// before a restart is acknowledged again after it, and not written twice.
#[test]
fn serve_default_sqlite_store_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("events.jsonl");
    let launch = || {
        let mut cmd = serve_command(&["--max-events", "1", "--out", out.to_str().unwrap()]);
        cmd.env("XDG_DATA_HOME", dir.path());
        let s = start(cmd);
        (s.child, s.addr)
    };
    let (mut first, addr) = launch();
    assert_eq!(deliver_v1(&addr), 200);
    assert_eq!(first.wait().unwrap().code(), Some(0));
    assert!(dir.path().join("firmadoc/webhook-dedup.sqlite").is_file());
    let (mut second, addr) = launch();
    assert_eq!(deliver_v1(&addr), 200, "the retry is acknowledged");
    second.kill().unwrap();
    second.wait().unwrap();
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 1, "handled twice: {written}");
}

/// A PostgreSQL connection string never comes from the command line, and a
/// failed connection does not print its password.
#[test]
fn serve_store_connection_string_is_a_secret() {
    let err = run(firmadoc("http://127.0.0.1:9").args([
        "webhook",
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--store",
        "postgres://u:hunter2pw@127.0.0.1:1/db",
    ]))
    .fails(2);
    assert!(err.contains("FIRMADOC_WEBHOOK_STORE_URL"), "{err}");
    assert!(!err.contains("hunter2pw"), "{err}");
    let err = run(firmadoc("http://127.0.0.1:9")
        .env(
            "FIRMADOC_WEBHOOK_STORE_URL",
            "postgres://u:hunter2pw@127.0.0.1:1/db",
        )
        .args(["webhook", "serve", "--listen", "127.0.0.1:0"]))
    .fails(6);
    assert!(err.contains("PostgreSQL"), "{err}");
    assert!(!err.contains("hunter2pw"), "{err}");
    let err = run(firmadoc("http://127.0.0.1:9").args([
        "webhook",
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--store",
        "postgres",
    ]))
    .fails(2);
    assert!(err.contains("FIRMADOC_WEBHOOK_STORE_URL_FILE"), "{err}");
}
