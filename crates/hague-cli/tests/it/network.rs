//! Network failures name the host (and a port that is not the default), in
//! text and with `--json`, with exit 6, for every subcommand that calls HWS,
//! wherever the call fails: OpenID discovery, the token endpoint, or the API.
//! And a discovery URL that serves no metadata is a configuration problem at
//! the issuer, never "check the id or week".

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use crate::package::valid_package;
use crate::support::{CLIENT_ID, Hws, Keys, SCOPE, hague, run};

/// A loopback port with nothing listening (bound, then released).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Every subcommand that calls HWS, with valid arguments (`{dir}` is a scratch
/// directory holding `refusal.zip`).
fn service_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["token"],
        vec!["ping"],
        vec!["submit", "{dir}/refusal.zip"],
        vec!["import-status", "IMP-99"],
        vec!["status", "SR-2024-000123"],
        vec!["wait", "IMP-99", "--timeout", "60"],
        vec!["bulletin", "fetch", "202445", "-o", "{dir}/b.zip"],
        vec!["confidential", "fetch", "202445", "-o", "{dir}/c.zip"],
        vec!["bulletin", "worklist", "--designating", "ES", "202445"],
    ]
}

/// Runs `check` on every command of [`service_commands`] at once: the runs
/// mostly wait (the transport's back-off between connection attempts).
fn each_command(dir: &Path, skip: usize, check: &(dyn Fn(&[String]) + Sync)) {
    std::thread::scope(|scope| {
        for args in service_commands().iter().skip(skip) {
            let args = args_in(args, dir);
            scope.spawn(move || check(&args));
        }
    });
}

fn args_in(args: &[&str], dir: &Path) -> Vec<String> {
    let dir = dir.to_str().unwrap();
    args.iter().map(|a| a.replace("{dir}", dir)).collect()
}

/// Runs `cmd` + `args` in text and with `--json`; asserts exit `code` and that
/// the error names `needle`; returns the text error line and the JSON hint.
fn fails_naming(
    make: &(dyn Fn() -> Command + Sync),
    args: &[String],
    code: i32,
    needle: &str,
) -> (String, String) {
    let error = run(make().args(args)).fails(code);
    assert!(
        error.contains(needle),
        "{args:?}: `{needle}` not in {error}"
    );
    let r = run(make().arg("--json").args(args));
    assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
    let last = r.stderr.lines().last().unwrap_or_default();
    let v: serde_json::Value =
        serde_json::from_str(last).unwrap_or_else(|_| panic!("{args:?}: not JSON: {}", r.stderr));
    assert_eq!(v["error"]["exit_code"], code, "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(needle),
        "{args:?}: `{needle}` not in {message}"
    );
    (error, v["error"]["hint"].as_str().unwrap().to_owned())
}

/// The binary configured with a key, a client id, and the given URLs (and a
/// bulletin cache in `dir`).
fn configured(keys: &Keys, dir: &Path, issuer: &str, api: &str) -> Command {
    let mut c = hague();
    c.env("HAGUE_CACHE_DIR", dir.join("cache"))
        .env("HAGUE_ISSUER", issuer)
        .env("HAGUE_API_BASE_URL", api)
        .env("HAGUE_CLIENT_ID", CLIENT_ID)
        .env("HAGUE_SCOPE", SCOPE)
        .env("HAGUE_PRIVATE_KEY_FILE", keys.private_key());
    c
}

#[test]
fn an_unreachable_issuer_is_named_by_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    valid_package(dir.path());
    let keys = Keys::new();
    let host = format!("127.0.0.1:{}", closed_port());
    let issuer = format!("http://{host}");
    let make = || configured(&keys, dir.path(), &issuer, &format!("{issuer}/hws"));
    each_command(dir.path(), 0, &|args| {
        let (error, _) = fails_naming(&make, args, 6, &host);
        assert!(error.contains("openid-configuration"), "{error}");
    });
    // An unresolvable name, and the default https port left out.
    let make = || {
        configured(
            &keys,
            dir.path(),
            "https://hws-test.invalid",
            "https://hws-test.invalid:8443/hws",
        )
    };
    each_command(dir.path(), 0, &|args| {
        let (error, _) = fails_naming(&make, args, 6, "hws-test.invalid for GET");
        assert!(error.contains("dns error"), "the cause is shown: {error}");
    });
}

#[test]
fn an_unreachable_token_endpoint_is_named() {
    let dir = tempfile::tempdir().unwrap();
    valid_package(dir.path());
    let hws = Hws::new(Keys::new());
    let host = format!("127.0.0.1:{}", closed_port());
    let token_endpoint = format!("http://{host}/token");
    let make = || {
        let mut c = hws.hague();
        c.env("HAGUE_TOKEN_ENDPOINT", &token_endpoint)
            .env("HAGUE_CACHE_DIR", dir.path().join("cache"));
        c
    };
    each_command(dir.path(), 0, &|args| {
        let (error, _) = fails_naming(&make, args, 6, &host);
        assert!(error.contains("POST /token"), "{error}");
    });
}

#[test]
fn an_unreachable_api_is_named_by_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    valid_package(dir.path());
    let hws = Hws::new(Keys::new());
    let host = format!("127.0.0.1:{}", closed_port());
    let api = format!("http://{host}/hws");
    let make = || {
        let mut c = hws.hague();
        c.env("HAGUE_API_BASE_URL", &api)
            .env("HAGUE_CACHE_DIR", dir.path().join("cache"));
        c
    };
    // `token` calls only the provider.
    each_command(dir.path(), 1, &|args| {
        fails_naming(&make, args, 6, &host);
    });
}

/// A provider whose discovery URL answers `status` with `body`.
fn discovery_answering(status: usize, body: &str) -> mockito::ServerGuard {
    let mut server = mockito::Server::new();
    server
        .mock("GET", "/realm/.well-known/openid-configuration")
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body)
        .create();
    server
}

#[test]
fn a_discovery_failure_is_hinted_as_the_issuer_not_the_id() {
    let dir = tempfile::tempdir().unwrap();
    valid_package(dir.path());
    let keys = Keys::new();
    let not_found = discovery_answering(404, r#"{"error":"not found"}"#);
    let html = discovery_answering(200, "<html>Welcome</html>");
    let other = discovery_answering(
        200,
        r#"{"issuer":"https://elsewhere.example/realm","token_endpoint":"https://elsewhere.example/token"}"#,
    );
    for (server, what) in [
        (&not_found, "HTTP 404"),
        (&html, "not valid OpenID provider metadata"),
        (&other, "https://elsewhere.example/realm"),
    ] {
        let issuer = format!("{}/realm", server.url());
        let url = format!("{issuer}/.well-known/openid-configuration");
        let make = || configured(&keys, dir.path(), &issuer, &format!("{}/hws", server.url()));
        each_command(dir.path(), 0, &|args| {
            let (error, hint) = fails_naming(&make, args, 2, &url);
            assert!(error.contains(what), "{error}");
            assert!(!hint.contains("the id or week"), "{hint}");
            assert!(hint.contains("--issuer"), "{hint}");
            assert!(hint.contains("HAGUE_ISSUER"), "{hint}");
        });
    }
    // A provider in trouble (5xx) is the service's error (exit 4), with the URL.
    let broken = discovery_answering(503, "");
    let issuer = format!("{}/realm", broken.url());
    let make = || configured(&keys, dir.path(), &issuer, &format!("{}/hws", broken.url()));
    let (_, hint) = fails_naming(&make, &["token".to_owned()], 4, "HTTP 503");
    assert!(hint.contains("openid-configuration"), "{hint}");
}
