//! Network failures name the host (and a port that is not the default), in
//! text and with `--json`, with exit 6, for every subcommand that calls the
//! service: a closed loopback port, a name that cannot resolve (`.invalid`,
//! RFC 6761), and a loopback server that does not speak TLS.

use std::io::Write as _;
use std::net::TcpListener;

use crate::json_shapes::{args_in, scratch, service_cases};
use crate::support::{firmadoc, run};

/// A loopback port with nothing listening (bound, then released).
pub(crate) fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Asserts exit 6, one error line naming `host`, and the same in `--json`.
fn assert_names_host(args: &[String], env: &[(&str, &str)], url: &str, host: &str) {
    let mut cmd = firmadoc(url);
    cmd.args(args).envs(env.iter().copied());
    let stderr = run(&mut cmd).fails(6);
    let error = stderr.lines().next().unwrap();
    assert!(error.contains(host), "{args:?}: {host} not in {error}");

    let mut cmd = firmadoc(url);
    cmd.arg("--json").args(args).envs(env.iter().copied());
    let r = run(&mut cmd);
    assert_eq!(r.code, 6, "{args:?}: {}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let v: serde_json::Value = serde_json::from_str(r.stderr.trim()).unwrap();
    assert_eq!(v["error"]["status"], "network", "{v}");
    assert_eq!(v["error"]["exit_code"], 6, "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains(host), "{args:?}: {host} not in {message}");
}

#[test]
fn a_closed_port_is_named_by_every_subcommand() {
    let dir = scratch();
    let port = closed_port();
    let host = format!("127.0.0.1:{port}");
    for case in service_cases() {
        let args = args_in(&case, dir.path());
        assert_names_host(&args, &case.env, &format!("http://{host}"), &host);
    }
}

#[test]
fn an_unresolvable_name_is_named_by_every_subcommand() {
    let dir = scratch();
    for case in service_cases() {
        let args = args_in(&case, dir.path());
        // A port that is not https's default is shown; the default one is not.
        assert_names_host(
            &args,
            &case.env,
            "https://firmadoc-test.invalid:8443",
            "firmadoc-test.invalid:8443",
        );
    }
    let mut cmd = firmadoc("https://firmadoc-test.invalid");
    let stderr = run(cmd.arg("budget")).fails(6);
    assert!(
        stderr.contains("firmadoc-test.invalid for GET /admin/Budget"),
        "{stderr}"
    );
    assert!(stderr.contains("dns error"), "the cause is shown: {stderr}");
}

#[test]
fn a_failed_tls_handshake_names_the_host() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        // Plain HTTP where TLS is expected, to each connection the tool opens.
        for _ in 0..2 {
            let Ok((mut s, _)) = listener.accept() else {
                return;
            };
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let host = format!("127.0.0.1:{port}");
    assert_names_host(
        &["budget".to_owned()],
        &[],
        &format!("https://{host}"),
        &host,
    );
    server.join().unwrap();
}
