//! Failure paths: exit code, one error sentence and one hint.

use crate::support::{SECRET, firmadoc, path, run};

/// `firmadoc send` of a small PDF, and the directory holding it.
fn send(url: &str, subject: &str) -> (tempfile::TempDir, std::process::Command) {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("a.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%%EOF\n").unwrap();
    let mut c = firmadoc(url);
    c.args(["send", "--pdf"]).arg(&pdf).args([
        "--subject",
        subject,
        "--sender",
        "e",
        "--to",
        "a@b.es",
        "--template",
        "P",
    ]);
    (dir, c)
}

#[test]
fn a_missing_credential_is_a_configuration_error() {
    let server = mockito::Server::new();
    let err = run(firmadoc(&server.url())
        .env_remove("FIRMADOC_CONSUMER_SECRET")
        .arg("budget"))
    .fails(2);
    assert!(
        err.contains("error: no consumer secret is configured"),
        "{err}"
    );
    assert!(err.contains("FIRMADOC_CONSUMER_SECRET"), "{err}");
    let err = run(firmadoc(&server.url())
        .env_remove("FIRMADOC_CONSUMER_KEY")
        .arg("budget"))
    .fails(2);
    assert!(
        err.contains("error: no consumer key is configured"),
        "{err}"
    );
}

#[test]
fn the_secret_is_not_a_command_line_argument() {
    let r = run(firmadoc("http://127.0.0.1:9").args(["budget", "--consumer-secret", SECRET]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--consumer-secret"), "{}", r.stderr);
}

#[test]
fn a_refused_signature_exits_3() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("GET", path("/admin/Budget"))
        .with_status(401)
        .create();
    let err = run(firmadoc(&server.url()).arg("budget")).fails(3);
    assert!(
        err.contains("error: FirmaDocumentos refused the authentication (401) for /admin/Budget"),
        "{err}"
    );
    assert!(err.contains("hint: check the machine's clock"), "{err}");
    m.assert();
}

#[test]
fn a_418_exits_4_with_the_service_text() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("POST", path("/send/Sending"))
        .with_status(418)
        .with_body("\"El envío por enlace no es compatible con envíos multifirma\"")
        .expect(1)
        .create();
    let (_dir, mut cmd) = send(&server.url(), "s");
    let err = run(&mut cmd).fails(4);
    assert!(
        err.contains(
            "error: FirmaDocumentos refused /send/Sending (418): El envío por enlace no es compatible con envíos multifirma"
        ),
        "{err}"
    );
    m.assert();
}

#[test]
fn an_over_long_subject_exits_5_before_anything_is_sent() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("POST", path("/send/Sending"))
        .expect(0)
        .create();
    let (_dir, mut cmd) = send(&server.url(), &"x".repeat(41));
    let err = run(&mut cmd).fails(5);
    assert!(
        err.contains(
            "error: --subject is 41 characters long (UTF-16 code units), over the service's limit of 40"
        ),
        "{err}"
    );
    assert!(
        err.contains("hint: shorten it, or pass --truncate"),
        "{err}"
    );
    assert!(err.contains("nothing was sent"), "{err}");
    m.assert();
}

#[test]
fn other_invalid_inputs_exit_5() {
    let server = mockito::Server::new();
    let url = server.url();
    let err = run(firmadoc(&url).args(["status", "XJ"])).fails(5);
    // Input is checked first: even without credentials the input error is the one reported.
    run(firmadoc(&url)
        .env_remove("FIRMADOC_CONSUMER_SECRET")
        .args(["trace", "XJH2901", "-o", "t.pdf"]))
    .fails(5);
    assert!(
        err.contains("hint: a sending code has 5 letters or digits"),
        "{err}"
    );
    let err = run(firmadoc(&url).args(["summary", "--from", "2024-13-01", "--to", "2024-12-31"]))
        .fails(5);
    assert!(err.contains("`2024-13-01` is not a date"), "{err}");
    let err = run(firmadoc(&url).args(["webhook", "test", "Z"])).fails(5);
    assert!(err.contains("not a webhook event"), "{err}");
    let err = run(firmadoc(&url).args(["user", "add", "--name", "Ana", "--email", "not-an-email"]))
        .fails(5);
    assert!(
        err.contains("--email (`not-an-email`) is not an email address"),
        "{err}"
    );
    let err =
        run(firmadoc(&url).args(["respond", "sign", "XJH29", "--image", "/nonexistent/f.png"]))
            .fails(5);
    assert!(err.contains("cannot read the signature image"), "{err}");
}

#[test]
fn an_unreachable_service_exits_6() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = run(firmadoc(&format!("http://127.0.0.1:{port}")).arg("budget")).fails(6);
    assert!(err.contains("error: cannot reach FirmaDocumentos"), "{err}");
}

#[test]
fn plain_http_is_refused_away_from_loopback() {
    let err = run(firmadoc("http://api.example.es").arg("budget")).fails(2);
    assert!(
        err.contains("refusing plain http to http://api.example.es"),
        "{err}"
    );
    let err = run(firmadoc("staging").arg("budget")).fails(2);
    assert!(err.contains("the environment `staging`"), "{err}");
}

#[test]
fn json_errors_are_one_line_on_stderr() {
    let mut server = mockito::Server::new();
    server
        .mock("GET", path("/admin/Budget"))
        .with_status(401)
        .create();
    let r = run(firmadoc(&server.url()).args(["--json", "budget"]));
    assert_eq!(r.code, 3);
    assert!(r.stdout.is_empty());
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["error"]["exit_code"], 3);
    assert_eq!(v["error"]["status"], "authentication");
    assert!(v["error"]["hint"].as_str().unwrap().contains("clock"));
}
