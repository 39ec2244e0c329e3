//! Configuration: flags, then environment, then the TOML profile; secret files.

use std::path::Path;

use crate::support::{KEY, SECRET, firmadoc, path, run, signed};

fn write_private(path: &Path, content: &str, mode: u32) {
    std::fs::write(path, content).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
}

/// A config file with a `test` profile pointing at `url`, and the secret in a
/// file beside it (relative path).
fn config_dir(url: &str, secret_mode: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_private(
        &dir.path().join("secret"),
        &format!("{SECRET}\n"),
        secret_mode,
    );
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "default_profile = \"prod\"\n\n[profile.test]\nenv = \"{url}\"\nconsumer_key = \"{KEY}\"\nconsumer_secret_file = \"secret\"\n\n[profile.prod]\nenv = \"prod\"\nconsumer_key = \"other\"\n"
        ),
    )
    .unwrap();
    dir
}

#[test]
fn a_profile_supplies_everything() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("GET", path("/admin/Budget"))
        .match_request(signed(server.url()))
        .with_body("7")
        .expect(2)
        .create();
    let dir = config_dir(&server.url(), 0o600);
    let bare = || {
        let mut c = firmadoc("unused");
        c.env_remove("FIRMADOC_CONSUMER_KEY")
            .env_remove("FIRMADOC_CONSUMER_SECRET")
            .env_remove("FIRMADOC_ENV");
        c
    };
    // --config and --profile.
    let out = run(bare()
        .args(["--profile", "test", "--config"])
        .arg(dir.path().join("config.toml"))
        .arg("budget"))
    .ok();
    assert_eq!(out.trim(), "7 sendings left");
    // The file found under XDG_CONFIG_HOME/firmadoc/, the profile from FIRMADOC_PROFILE.
    let xdg = tempfile::tempdir().unwrap();
    std::fs::create_dir(xdg.path().join("firmadoc")).unwrap();
    for f in ["config.toml", "secret"] {
        std::fs::copy(dir.path().join(f), xdg.path().join("firmadoc").join(f)).unwrap();
    }
    let out = run(bare()
        .env("XDG_CONFIG_HOME", xdg.path())
        .env("FIRMADOC_PROFILE", "test")
        .arg("budget"))
    .ok();
    assert_eq!(out.trim(), "7 sendings left");
    m.assert();
}

#[test]
fn flags_beat_environment_beat_profile() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("GET", path("/admin/Budget"))
        .match_request(signed(server.url()))
        .with_body("3")
        .expect(2)
        .create();
    let dir = config_dir("http://127.0.0.1:9", 0o600);
    let config = dir.path().join("config.toml");
    // The profile says port 9 and key "other"; the environment names the server and the
    // right key: the environment wins.
    let out = run(firmadoc(&server.url())
        .args(["--profile", "prod", "--config"])
        .arg(&config)
        .arg("budget"))
    .ok();
    assert_eq!(out.trim(), "3 sendings left");
    // The environment names a dead port; the flag names the server: the flag wins.
    let out = run(firmadoc("http://127.0.0.1:9")
        .args(["--env", &server.url(), "--config"])
        .arg(&config)
        .args(["--profile", "test", "budget"]))
    .ok();
    assert_eq!(out.trim(), "3 sendings left");
    m.assert();
    // A flag key that the server does not know: signature refused.
    let mut server = mockito::Server::new();
    let refused = server
        .mock("GET", path("/admin/Budget"))
        .match_request(signed(server.url()))
        .expect(0)
        .create();
    let r = run(firmadoc(&server.url()).args(["--consumer-key", "wrong", "budget"]));
    assert_ne!(r.code, 0);
    refused.assert();
}

#[cfg(unix)]
#[test]
fn a_secret_file_others_can_read_is_refused() {
    let dir = config_dir("http://127.0.0.1:9", 0o644);
    let err = run(firmadoc("http://127.0.0.1:9")
        .env_remove("FIRMADOC_CONSUMER_SECRET")
        .args(["--profile", "test", "--config"])
        .arg(dir.path().join("config.toml"))
        .arg("budget"))
    .fails(2);
    assert!(
        err.contains("group or others may access it (mode 0644)"),
        "{err}"
    );
    assert!(err.contains("hint: run `chmod 600"), "{err}");
}

#[test]
fn unknown_profiles_and_bad_files_are_configuration_errors() {
    let dir = config_dir("http://127.0.0.1:9", 0o600);
    let config = dir.path().join("config.toml");
    let err = run(firmadoc("unused")
        .args(["--profile", "staging", "--config"])
        .arg(&config)
        .arg("budget"))
    .fails(2);
    assert!(
        err.contains("the profile `staging` is not in the configuration file"),
        "{err}"
    );
    assert!(err.contains("hint: use one of: prod, test"), "{err}");
    let err =
        run(firmadoc("unused").args(["--config", "/nonexistent/firmadoc.toml", "budget"])).fails(2);
    assert!(
        err.contains("cannot read the configuration file /nonexistent/firmadoc.toml"),
        "{err}"
    );
    std::fs::write(&config, "[profile.test]\nconsumer_secret = \"inline\"\n").unwrap();
    let err = run(firmadoc("unused")
        .args(["--profile", "test", "--config"])
        .arg(&config)
        .arg("budget"))
    .fails(2);
    assert!(err.contains("unknown field `consumer_secret`"), "{err}");
}

#[test]
fn resolved_settings_never_print_the_secret() {
    use clap::Parser as _;
    let cli = firmadoc_cli::Cli::try_parse_from(["firmadoc", "budget"]).unwrap();
    let env = |name: &str| match name {
        "FIRMADOC_CONSUMER_KEY" => Some(KEY.to_owned()),
        "FIRMADOC_CONSUMER_SECRET" => Some(SECRET.to_owned()),
        "FIRMADOC_ENV" => Some("http://localhost:8080".to_owned()),
        _ => None,
    };
    let settings = firmadoc_cli::settings::resolve(&cli.global, &env).unwrap();
    assert_eq!(settings.consumer_secret.expose(), SECRET);
    let shown = format!("{settings:?}");
    assert!(
        shown.contains("[redacted]") && !shown.contains(SECRET),
        "{shown}"
    );
    let config = settings.client_config().unwrap();
    assert!(!format!("{config:?}").contains(SECRET));
}

#[test]
fn the_secret_may_come_from_a_file_named_in_the_environment() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("GET", path("/admin/Budget"))
        .match_request(signed(server.url()))
        .with_body("1")
        .create();
    let dir = config_dir("unused", 0o600);
    let out = run(firmadoc(&server.url())
        .env_remove("FIRMADOC_CONSUMER_SECRET")
        .env("FIRMADOC_CONSUMER_SECRET_FILE", dir.path().join("secret"))
        .arg("budget"))
    .ok();
    assert_eq!(out.trim(), "1 sendings left");
    m.assert();
}

#[cfg(unix)]
#[test]
fn each_wrong_secret_file_has_its_own_hint_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    write_private(&empty, "", 0o600);
    let binary = dir.path().join("binary");
    write_private(&binary, "", 0o600);
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x81]).unwrap();
    let sub = dir.path().join("dir");
    std::fs::create_dir(&sub).unwrap();
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let cases = [
        (dir.path().join("missing"), "no file of that name exists"),
        (empty, "is empty"),
        (binary, "binary data"),
        (sub, "is a directory"),
    ];
    let mut hints = std::collections::BTreeSet::new();
    for (file, expected) in cases {
        let r = run(firmadoc("http://127.0.0.1:9")
            .env_remove("FIRMADOC_CONSUMER_SECRET")
            .env("FIRMADOC_CONSUMER_SECRET_FILE", &file)
            .arg("budget"));
        let stderr = r.stderr.clone();
        let err = r.fails(2);
        assert!(err.contains(expected), "{}: {err}", file.display());
        let hint = stderr
            .lines()
            .find(|l| l.starts_with("firmadoc: hint: "))
            .unwrap_or_default()
            .to_owned();
        hints.insert(hint);
    }
    assert_eq!(hints.len(), 4, "each situation its own hint: {hints:#?}");
}
