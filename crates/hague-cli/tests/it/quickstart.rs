//! docs/cli.md's quick start, followed verbatim: the first `sh` block after
//! `## Quick start` is run by bash from the workspace root.

use crate::support::workspace;

fn quick_start_script() -> String {
    let doc = std::fs::read_to_string(workspace().join("docs/cli.md")).unwrap();
    let start = doc
        .find("## Quick start")
        .expect("docs/cli.md has a quick start");
    let rest = &doc[start..];
    let block = rest.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let end = rest[block..].find("```").expect("the block ends");
    rest[block..block + end].to_owned()
}

#[test]
fn the_quick_start_works_verbatim() {
    let script = quick_start_script();
    assert!(script.contains("sandbox --write-env"), "{script}");
    assert!(
        script.contains("hague ping") && script.contains("firmadoc budget"),
        "{script}"
    );
    // The harness only adds: stop on the first error, stop the sandbox whatever happens,
    // and show where the set-up went.
    let wrapped = format!(
        "set -eu\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n{script}\necho \"QS=$QS\"\n"
    );
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(&wrapped)
        .current_dir(workspace())
        .env_remove("HAGUE_API_BASE_URL")
        .env_remove("FIRMADOC_ENV")
        .env("HOME", home.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stdout.contains("pong: HWS answered with the token"),
        "{stdout}"
    );
    assert!(stdout.contains("sendings left"), "{stdout}");
    let json_line = stdout
        .lines()
        .find(|l| l.starts_with("{\"sendings_left\""))
        .expect("firmadoc --json budget printed its JSON");
    let v: serde_json::Value = serde_json::from_str(json_line).unwrap();
    assert!(v["sendings_left"].as_i64().unwrap() > 0);
    // The secrets the sandbox wrote are private to the user.
    let qs = stdout
        .lines()
        .find_map(|l| l.strip_prefix("QS="))
        .expect("the set-up directory");
    use std::os::unix::fs::PermissionsExt as _;
    for name in ["hague-private.pem", "firmadoc-secret", "env"] {
        let mode = std::fs::metadata(std::path::Path::new(qs).join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    let _ = std::fs::remove_dir_all(qs);
}

#[test]
fn sandbox_help_is_real_help() {
    let script = "cargo run -q -p sandbox -- --help";
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(workspace())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "Usage: sandbox [OPTIONS]",
        "--write-env DIR",
        "--hws-port",
        "--tls",
    ] {
        assert!(stdout.contains(expected), "{stdout}");
    }
}
