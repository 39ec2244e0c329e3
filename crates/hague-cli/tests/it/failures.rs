//! Failure paths: exit code and message. Configuration layering.

use crate::support::{ACCESS_TOKEN, CLIENT_ID, Hws, Keys, hague, run};

#[test]
fn a_missing_credential_exits_2_and_names_the_sources() {
    let keys = Keys::new();
    let mut hws = Hws::new(keys);
    let ping = hws.api("GET", "/pingMe").expect(0).create();
    // No client id.
    let line = run(hws.hague().env_remove("HAGUE_CLIENT_ID").arg("ping")).fails(2);
    assert!(line.contains("no client id is configured"), "{line}");
    // No private key file.
    let r = run(hws.hague().env_remove("HAGUE_PRIVATE_KEY_FILE").arg("ping"));
    assert!(r.stderr.contains("HAGUE_PRIVATE_KEY_FILE"), "{}", r.stderr);
    let line = r.fails(2);
    assert!(line.contains("no private key file is configured"), "{line}");
    // The PEM in the environment is not taken: secrets only from files.
    let pem = std::fs::read_to_string(hws.keys.private_key()).unwrap();
    let r = run(hws
        .hague()
        .env_remove("HAGUE_PRIVATE_KEY_FILE")
        .env("HAGUE_PRIVATE_KEY", &pem)
        .arg("ping"));
    assert!(
        r.stderr.contains("is not read by this tool"),
        "{}",
        r.stderr
    );
    r.fails(2);
    // A key file that does not exist.
    let line = run(hws
        .hague()
        .env("HAGUE_PRIVATE_KEY_FILE", "/nonexistent/key.pem")
        .arg("ping"))
    .fails(2);
    assert!(line.contains("cannot read the private key file"), "{line}");
    ping.assert();
}

/// Runs `hague token` with the key file `path` and returns (error, hint) lines after
/// asserting exit 2, and that no hint offers an environment variable the tool refuses.
fn key_failure(hws: &Hws, path: &std::path::Path) -> (String, String) {
    let r = run(hws.hague().env("HAGUE_PRIVATE_KEY_FILE", path).arg("token"));
    let hint = r
        .stderr
        .lines()
        .find(|l| l.starts_with("hague: hint: "))
        .unwrap_or_default()
        .to_owned();
    assert!(!hint.contains("HAGUE_PRIVATE_KEY "), "{hint}");
    assert!(!hint.contains("environment"), "{hint}");
    (r.fails(2), hint)
}

#[test]
fn each_wrong_key_file_has_its_own_hint_and_exits_2() {
    let hws = Hws::new(Keys::new());
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        set_mode(&p, 0o600);
        p
    };
    let mut hints = std::collections::BTreeSet::new();

    let (line, hint) = key_failure(&hws, &dir.path().join("missing.pem"));
    assert!(line.contains("cannot read the private key file"), "{line}");
    assert!(hint.contains("no file of that name exists"), "{hint}");
    hints.insert(hint);

    let (line, hint) = key_failure(&hws, &write("empty.pem", ""));
    assert!(line.contains("is empty"), "{line}");
    hints.insert(hint);

    let (line, hint) = key_failure(&hws, &write("garbage.pem", "this is not a key\n"));
    assert!(line.contains("is not a usable private key"), "{line}");
    assert!(hint.contains("not a PEM key at all"), "{hint}");
    hints.insert(hint);

    let (line, hint) = key_failure(
        &hws,
        &write(
            "broken.pem",
            "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n",
        ),
    );
    assert!(line.contains("is not a usable private key"), "{line}");
    assert!(hint.contains("damaged or cut"), "{hint}");
    hints.insert(hint);

    let sub = dir.path().join("keys");
    std::fs::create_dir(&sub).unwrap();
    set_mode(&sub, 0o700);
    let (line, hint) = key_failure(&hws, &sub);
    assert!(line.contains("is a directory"), "{line}");
    hints.insert(hint);

    let public = hws.keys.dir.path().join("hague4offices_public.pem");
    set_mode(&public, 0o600);
    let (line, hint) = key_failure(&hws, &public);
    assert!(line.contains("a public key"), "{line}");
    assert!(hint.contains("this is the public key"), "{hint}");
    hints.insert(hint);

    let cert = hws.keys.dir.path().join("es256_cert.pem");
    set_mode(&cert, 0o600);
    let (line, hint) = key_failure(&hws, &cert);
    assert!(line.contains("a certificate"), "{line}");
    assert!(hint.contains("this is the certificate"), "{hint}");
    hints.insert(hint);

    assert_eq!(hints.len(), 7, "each situation its own hint: {hints:#?}");
}

#[test]
fn a_key_file_others_can_read_is_refused() {
    let hws = Hws::new(Keys::new());
    set_mode(&hws.keys.private_key(), 0o640);
    let line = run(hws.hague().arg("token")).fails(2);
    assert!(line.contains("group or others may access it"), "{line}");
}

#[test]
fn a_key_the_provider_does_not_know_is_refused_with_exit_3() {
    // The token endpoint verifies assertions with the first key's JWK; sign with another.
    let hws = Hws::new(Keys::new());
    let other = Keys::new();
    let line = run(hws
        .hague()
        .env("HAGUE_PRIVATE_KEY_FILE", other.private_key())
        .arg("token"))
    .fails(3);
    assert!(line.contains("invalid_client"), "{line}");
}

#[test]
fn a_418_from_hws_is_a_service_error() {
    let mut hws = Hws::new(Keys::new());
    let _m = hws
        .api("GET", "/request/SR-1")
        .with_status(418)
        .with_header("content-type", "application/json")
        .with_body(r#"{"error":{"code":"INVALID_INPUT_DATA","message":null,"details":[{"code":-7,"message":"unknown service request"}]}}"#)
        .create();
    let r = run(hws.hague().args(["status", "SR-1", "--json"]));
    assert_eq!(r.code, 4, "{}", r.stderr);
    let err: serde_json::Value = serde_json::from_str(r.stderr.trim()).unwrap();
    assert_eq!(err["error"]["status"], "service");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.contains("418"), "{message}");
    assert!(message.contains("unknown service request"), "{message}");
    assert!(!r.stderr.contains(ACCESS_TOKEN));
}

#[test]
fn an_invalid_package_is_not_submitted() {
    let mut hws = Hws::new(Keys::new());
    let submit = hws.api("POST", "/request").expect(0).create();
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("not.zip");
    std::fs::write(&zip, b"this is not a zip").unwrap();
    let r = run(hws.hague().arg("submit").arg(&zip));
    assert!(
        r.stderr.contains("hague: - error: not_a_zip: "),
        "{}",
        r.stderr
    );
    let line = r.fails(5);
    assert!(line.contains("invalid and was not sent"), "{line}");
    submit.assert();
}

#[test]
fn plain_http_is_refused_to_a_host_that_is_not_loopback() {
    let keys = Keys::new();
    let line = run(hague()
        .env("HAGUE_API_BASE_URL", "http://hws.example/api")
        .env("HAGUE_ISSUER", "https://login.example")
        .env("HAGUE_CLIENT_ID", CLIENT_ID)
        .env("HAGUE_PRIVATE_KEY_FILE", keys.private_key())
        .arg("ping"))
    .fails(2);
    assert!(line.contains("refusing plain http"), "{line}");
}

#[test]
fn flags_beat_the_environment_which_beats_the_profile() {
    let mut hws = Hws::new(Keys::new());
    let ping = hws.api("GET", "/pingMe").expect(2).create();
    let dir = tempfile::tempdir().unwrap();
    // The key is copied next to the configuration file, named relatively.
    std::fs::copy(hws.keys.private_key(), dir.path().join("key.pem")).unwrap();
    set_mode(&dir.path().join("key.pem"), 0o600);
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"test\"\n[profile.test]\napi_base_url = \"{}/hws\"\nissuer = \"{}\"\nclient_id = \"wrong-client\"\nprivate_key_file = \"key.pem\"\n[profile.prod]\napi_base_url = \"https://hws.invalid\"\n",
            hws.server.url(),
            hws.server.url()
        ),
    )
    .unwrap();
    // The profile alone: its client id is wrong, so the provider refuses it.
    let line = run(hague().env("HAGUE_CONFIG", &config).arg("token")).fails(3);
    assert!(line.contains("invalid_client"), "{line}");
    // The environment's client id wins over the profile's.
    run(hague()
        .env("HAGUE_CONFIG", &config)
        .env("HAGUE_CLIENT_ID", CLIENT_ID)
        .arg("ping"))
    .ok();
    // The flag wins over the environment.
    run(hague()
        .env("HAGUE_CONFIG", &config)
        .env("HAGUE_CLIENT_ID", "wrong-again")
        .args(["--client-id", CLIENT_ID, "ping"]))
    .ok();
    ping.assert();
    // An unknown profile.
    let line = run(hague()
        .args(["--config"])
        .arg(&config)
        .args(["--profile", "staging", "ping"]))
    .fails(2);
    assert!(
        line.contains("the profile `staging` is not in the configuration file"),
        "{line}"
    );
}

fn set_mode(path: &std::path::Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

#[test]
fn debug_output_hides_the_key_and_the_token() {
    use clap::Parser as _;
    let hws = Hws::new(Keys::new());
    let pem = std::fs::read_to_string(hws.keys.private_key()).unwrap();
    let (base, issuer) = (format!("{}/hws", hws.server.url()), hws.server.url());
    let key = hws.keys.private_key();
    let cli = hague_cli::Cli::try_parse_from([
        "hague",
        "--api-base-url",
        &base,
        "--issuer",
        &issuer,
        "--client-id",
        CLIENT_ID,
        "--private-key-file",
        key.to_str().unwrap(),
        "token",
    ])
    .unwrap();
    let config = hague_cli::settings::client_config(&cli.global, &|_| None).unwrap();
    let debug = format!("{config:?}");
    assert!(debug.contains("[redacted]"), "{debug}");
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!debug.contains(line), "key material in {debug}");
    }
    // The token details `hague token` prints: Debug hides the token.
    let client = hague_client::Client::new(config).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let info = runtime.block_on(client.token_info()).unwrap();
    assert_eq!(info.access_token.expose_secret(), ACCESS_TOKEN);
    assert_eq!(info.expires_in, Some(3599));
    let debug = format!("{info:?} {client:?}");
    assert!(!debug.contains(ACCESS_TOKEN), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
}

#[test]
fn a_service_that_is_not_there_is_a_network_error() {
    let keys = Keys::new();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let line = run(hague()
        .env("HAGUE_API_BASE_URL", format!("{url}/hws"))
        .env("HAGUE_ISSUER", &url)
        .env("HAGUE_CLIENT_ID", CLIENT_ID)
        .env("HAGUE_PRIVATE_KEY_FILE", keys.private_key())
        .arg("ping"))
    .fails(6);
    assert!(line.contains("cannot reach the service"), "{line}");
}

#[test]
fn wait_gives_up_at_the_deadline_with_exit_4() {
    let mut hws = Hws::new(Keys::new());
    let _m = hws
        .api("GET", "/request/import/IMP-1")
        .with_header("content-type", "application/json")
        .with_body(r#"{"importId":"IMP-1","importStatus":"PENDING"}"#)
        .create();
    let line = run(hws
        .hague()
        .args(["wait", "IMP-1", "--interval", "0.1", "--timeout", "1"]))
    .fails(4);
    assert!(line.contains("gave up waiting"), "{line}");
    // A bad interval is a usage error, before any call.
    let line = run(hague().args(["wait", "IMP-1", "--interval", "0"])).fails(2);
    assert!(
        line.contains("--interval must be 0.01 to 86400 seconds"),
        "{line}"
    );
}

#[test]
fn a_download_target_that_cannot_be_written_is_invalid_input() {
    let mut hws = Hws::new(Keys::new());
    let _m = hws
        .api("GET", "/publication/bulletin/202447")
        .with_body("PK")
        .create();
    let line = run(hws.hague().args([
        "bulletin",
        "fetch",
        "202447",
        "-o",
        "/nonexistent-dir/b.zip",
    ]))
    .fails(5);
    assert!(line.contains("/nonexistent-dir"), "{line}");
}

#[test]
fn a_bad_command_line_is_a_usage_error() {
    let r = run(hague().args(["bulletin", "fetch"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(hague().args(["ping", "--private-key", "x"]));
    assert_eq!(r.code, 2, "no flag takes the key itself: {}", r.stderr);
}
