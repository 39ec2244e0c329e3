//! Tests of `cli-support`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure report

mod frameworks;

use std::io::Write as _;
use std::path::Path;

use cli_support::{
    CliError, ConfigLocation, ExitStatus, Origin, ProfileFile, SecretText, config_location,
    is_loopback_url, layered, read_secret_file,
};

#[test]
fn exit_codes_are_the_documented_numbers() {
    let codes: Vec<(u8, &str)> = ExitStatus::ALL
        .iter()
        .map(|s| (s.code(), s.name()))
        .collect();
    assert_eq!(
        codes,
        [
            (0, "success"),
            (1, "internal"),
            (2, "usage"),
            (3, "authentication"),
            (4, "service"),
            (5, "invalid_input"),
            (6, "network"),
            (7, "verification"),
        ]
    );
    assert_eq!(ExitStatus::from_code(6), Some(ExitStatus::Network));
    assert_eq!(ExitStatus::from_code(9), None);
}

#[test]
fn flags_win_over_environment_over_profile() {
    assert_eq!(layered(Some(1), Some(2), Some(3)), Some((1, Origin::Flag)));
    assert_eq!(
        layered(None, Some(2), Some(3)),
        Some((2, Origin::Environment))
    );
    assert_eq!(layered(None, None, Some(3)), Some((3, Origin::Profile)));
    assert_eq!(layered::<u8>(None, None, None), None);
}

#[test]
fn config_location_order() {
    let env = |n: &str| match n {
        "HOME" => Some("/home/ana".to_owned()),
        _ => None,
    };
    let flag = config_location(
        "firmadoc",
        Some(Path::new("/etc/f.toml")),
        "FIRMADOC_CONFIG",
        &env,
    );
    assert_eq!(
        flag,
        Some(ConfigLocation {
            path: "/etc/f.toml".into(),
            explicit: true
        })
    );
    let home = config_location("firmadoc", None, "FIRMADOC_CONFIG", &env).unwrap();
    assert_eq!(
        home.path,
        Path::new("/home/ana/.config/firmadoc/config.toml")
    );
    assert!(!home.explicit);
    let xdg = |n: &str| match n {
        "XDG_CONFIG_HOME" => Some("/x".to_owned()),
        "FIRMADOC_CONFIG" => None,
        _ => Some("/home/ana".to_owned()),
    };
    let x = config_location("firmadoc", None, "FIRMADOC_CONFIG", &xdg).unwrap();
    assert_eq!(x.path, Path::new("/x/firmadoc/config.toml"));
    let by_env = |n: &str| (n == "FIRMADOC_CONFIG").then(|| "/c.toml".to_owned());
    let e = config_location("firmadoc", None, "FIRMADOC_CONFIG", &by_env).unwrap();
    assert!(e.explicit);
    assert_eq!(
        config_location("firmadoc", None, "FIRMADOC_CONFIG", &|_| None),
        None
    );
}

#[derive(Debug, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Profile {
    env: Option<String>,
    consumer_key: Option<String>,
}

const FILE: &str = r#"
default_profile = "test"
[profile.test]
env = "test"
consumer_key = "k-test"
[profile.prod]
env = "prod"
"#;

#[test]
fn profiles_are_chosen_by_name_or_default() {
    let file = ProfileFile::parse(Path::new("/cfg/config.toml"), FILE).unwrap();
    let p: Profile = file.profile(None).unwrap().unwrap();
    assert_eq!(p.consumer_key.as_deref(), Some("k-test"));
    let p: Profile = file.profile(Some("prod")).unwrap().unwrap();
    assert_eq!(p.env.as_deref(), Some("prod"));
    assert_eq!(p.consumer_key, None);
    let e = file.profile::<Profile>(Some("staging")).unwrap_err();
    assert_eq!(e.status, ExitStatus::Usage);
    assert!(e.message.contains("`staging`"), "{}", e.message);
    assert_eq!(e.hint, "use one of: prod, test");
    assert_eq!(file.resolve(Path::new("secret")), Path::new("/cfg/secret"));
    assert_eq!(file.resolve(Path::new("/abs")), Path::new("/abs"));
}

#[test]
fn a_typo_in_a_profile_is_an_error() {
    let file = ProfileFile::parse(
        Path::new("c.toml"),
        "[profile.test]\nconsumer_kye = \"k\"\n",
    )
    .unwrap();
    let e = file.profile::<Profile>(Some("test")).unwrap_err();
    assert!(e.message.contains("consumer_kye"), "{}", e.message);
    let e = ProfileFile::parse(Path::new("c.toml"), "[profile.test\n").unwrap_err();
    assert_eq!(e.status.code(), 2);
}

#[test]
fn missing_files_default_or_fail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.toml");
    let implicit = ConfigLocation {
        path: path.clone(),
        explicit: false,
    };
    let file = ProfileFile::load(&implicit).unwrap();
    assert_eq!(file.names().count(), 0);
    assert!(file.profile::<Profile>(None).unwrap().is_none());
    let explicit = ConfigLocation {
        path,
        explicit: true,
    };
    assert_eq!(
        ProfileFile::load(&explicit).unwrap_err().status,
        ExitStatus::Usage
    );
}

#[test]
fn secret_debug_is_redacted() {
    let s = SecretText::new("hunter2-the-secret");
    assert_eq!(format!("{s:?}"), "[redacted]");
    assert_eq!(s.expose(), "hunter2-the-secret");
}

#[cfg(unix)]
#[test]
fn secret_files_must_be_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"s3cr3t-value\r\n").unwrap();
    drop(f);
    for mode in [0o644, 0o640, 0o604, 0o660] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let e = read_secret_file(&path, "consumer secret").unwrap_err();
        assert_eq!(e.status, ExitStatus::Usage);
        assert!(e.message.contains(&format!("{mode:04o}")), "{}", e.message);
        assert!(e.hint.contains("chmod 600"), "{}", e.hint);
        assert!(!e.message.contains("s3cr3t"));
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let s = read_secret_file(&path, "consumer secret").unwrap();
    assert_eq!(s.expose(), "s3cr3t-value");
    std::fs::write(&path, "").unwrap();
    assert!(
        read_secret_file(&path, "consumer secret")
            .unwrap_err()
            .message
            .contains("empty")
    );
    assert!(read_secret_file(&dir.path().join("nope"), "x").is_err());
}

#[test]
fn errors_render_as_text_or_json() {
    let e = CliError::new(
        ExitStatus::Service,
        "refused (418): line one\nline two",
        "read it",
    );
    assert_eq!(e.message, "refused (418): line one line two");
    assert_eq!(
        e.to_text("firmadoc"),
        "firmadoc: error: refused (418): line one line two\nfirmadoc: hint: read it\n"
    );
    let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
    assert_eq!(v["error"]["exit_code"], 4);
    assert_eq!(v["error"]["status"], "service");
    assert_eq!(v["error"]["hint"], "read it");
    let mut out = Vec::new();
    assert_eq!(e.report("t", true, &mut out), ExitStatus::Service);
    assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1);
}

#[test]
fn loopback_urls() {
    for yes in [
        "http://127.0.0.1:8080",
        "http://localhost/x",
        "http://[::1]:9/",
        "https://127.0.0.2",
    ] {
        assert!(is_loopback_url(yes), "{yes}");
    }
    for no in [
        "http://example.es",
        "http://127.0.0.1.example.es",
        "http://user@127.0.0.1@evil.es",
        "ftp://127.0.0.1",
        "http://10.0.0.1",
        "http://localhost.evil.es",
        "not a url",
    ] {
        assert!(!is_loopback_url(no), "{no}");
    }
}

#[test]
fn reports_print_text_or_one_json_line() {
    let r = cli_support::Report::new("7 left", serde_json::json!({"left": 7}));
    let mut out = Vec::new();
    r.print(false, &mut out).unwrap();
    assert_eq!(out, b"7 left\n");
    out.clear();
    r.print(true, &mut out).unwrap();
    assert_eq!(out, b"{\"left\":7}\n");
    out.clear();
    cli_support::Report::new("", serde_json::Value::Null)
        .print(false, &mut out)
        .unwrap();
    assert!(out.is_empty());
}

#[test]
fn finish_prints_the_report_or_the_error() {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let ok = Ok(Some(cli_support::Report::new(
        "done",
        serde_json::json!({"done": true}),
    )));
    let status = cli_support::finish_to("t", false, ok, &mut out, &mut err);
    assert_eq!(
        (status, out.as_slice(), err.as_slice()),
        (ExitStatus::Success, &b"done\n"[..], &b""[..])
    );
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let failed = Err(CliError::new(
        ExitStatus::Network,
        "cannot connect",
        "check the network",
    ));
    let status = cli_support::finish_to("t", false, failed, &mut out, &mut err);
    assert_eq!(status, ExitStatus::Network);
    assert!(out.is_empty());
    assert_eq!(
        String::from_utf8(err).unwrap(),
        "t: error: cannot connect\nt: hint: check the network\n"
    );
}
