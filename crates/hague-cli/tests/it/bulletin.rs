//! bulletin fetch / inspect / extract and confidential fetch.

use std::io::Write as _;
use std::path::Path;

use crate::support::{Hws, Keys, fixture, hague, run};

const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9";

/// A bulletin ZIP: the hand-written per-kind bulletin of `fixtures/st96` and the two
/// images of its one registration (DM/300100) in the folder `DM300100`.
fn bulletin_zip(path: &Path) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("bulletin.xml", opts).unwrap();
    w.write_all(&std::fs::read(fixture("st96/bulletin/per_kind_bags.xml")).unwrap())
        .unwrap();
    for name in [
        "DM300100/D300100-0001-001.JPG",
        "DM300100/D300100-0002-001.JPG",
    ] {
        w.start_file(name, opts).unwrap();
        w.write_all(JPEG).unwrap();
    }
    let bytes = w.finish().unwrap().into_inner();
    std::fs::write(path, &bytes).unwrap();
    bytes
}

#[test]
fn inspect_counts_kinds_and_lists_registrations_with_images() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("b.zip");
    bulletin_zip(&zip);
    let json = run(hague().args(["bulletin", "inspect", "--json"]).arg(&zip)).json();
    // The fixture's records, as st96-model's own test lists them.
    assert_eq!(json["records"], 5);
    assert_eq!(json["bulletin_number"], "14/2023");
    assert_eq!(json["kinds"]["HagueRegistration"], 1);
    assert_eq!(json["kinds"]["HagueRefusal"], 1);
    assert_eq!(json["kinds"]["HagueHolderNameAddressChange"], 1);
    assert_eq!(json["kinds"]["HagueRepresentativeAppointment"], 1);
    assert_eq!(json["kinds"]["HagueExpiration"], 1);
    let regs = json["registrations"].as_array().unwrap();
    assert_eq!(regs.len(), 1);
    assert_eq!(regs[0]["registration_number"], "DM/300100");
    assert_eq!(
        regs[0]["images"],
        serde_json::json!([
            "DM300100/D300100-0001-001.JPG",
            "DM300100/D300100-0002-001.JPG"
        ])
    );
    assert_eq!(
        regs[0]["image_file_names_in_xml"],
        serde_json::json!(["D300100-0001-001.JPG", "D300100-0002-001.JPG"])
    );
    let text = run(hague().args(["bulletin", "inspect"]).arg(&zip)).ok();
    assert!(text.contains("HagueRegistration: 1"), "{text}");
    assert!(text.contains("DM/300100: 2 image(s)"), "{text}");
}

#[test]
fn extract_writes_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("b.zip");
    bulletin_zip(&zip);
    let out = dir.path().join("out");
    let json = run(hague()
        .args(["bulletin", "extract", "--json", "-o"])
        .arg(&out)
        .arg(&zip))
    .json();
    assert_eq!(json["files"], 3);
    assert_eq!(
        std::fs::read(out.join("DM300100/D300100-0002-001.JPG")).unwrap(),
        JPEG
    );
    assert_eq!(
        std::fs::read(out.join("bulletin.xml")).unwrap(),
        std::fs::read(fixture("st96/bulletin/per_kind_bags.xml")).unwrap()
    );
}

#[test]
fn extract_refuses_a_hostile_archive_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let case = hague_package::hostile::corpus()
        .into_iter()
        .find(|c| c.unsafe_to_extract && c.expected_kind == "parent_segment")
        .expect("a zip-slip case");
    let zip = dir.path().join("slip.zip");
    std::fs::write(&zip, &case.bytes).unwrap();
    let out = dir.path().join("out");
    let r = run(hague()
        .args(["bulletin", "extract", "-o"])
        .arg(&out)
        .arg(&zip));
    assert!(r.stderr.contains("parent_segment"), "{}", r.stderr);
    r.fails(5);
    assert!(!out.exists());
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "only the archive is left");
}

#[test]
fn fetch_streams_the_bulletin_to_disk_with_plain_progress_lines() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = bulletin_zip(&dir.path().join("source.zip"));
    let mut hws = Hws::new(Keys::new());
    let mock = hws
        .api("GET", "/publication/bulletin/202447")
        .with_header("content-type", "application/zip")
        .with_body(bytes.clone())
        .create();
    let target = dir.path().join("b.zip");
    let r = run(hws
        .hague()
        .args(["bulletin", "fetch", "2024-W47", "--json", "-o"])
        .arg(&target));
    // Not a terminal: no bar; with --json the progress lines are JSON too.
    let first: serde_json::Value =
        serde_json::from_str(r.stderr.lines().next().unwrap_or_default()).unwrap();
    assert_eq!(first["note"], "progress", "{}", r.stderr);
    assert_eq!(first["message"], "bulletin 202447: downloading");
    let json = r.json();
    mock.assert();
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert_eq!(json["bytes"], bytes.len());
    let sum = std::process::Command::new("sha256sum")
        .arg(&target)
        .output()
        .unwrap();
    let sum = String::from_utf8(sum.stdout).unwrap();
    assert_eq!(
        json["sha256"].as_str().unwrap(),
        sum.split_whitespace().next().unwrap()
    );
}

#[test]
fn confidential_fetch_latest_asks_for_a_published_week() {
    let dir = tempfile::tempdir().unwrap();
    let mut hws = Hws::new(Keys::new());
    // The expected week, by Python's calendar: from Saturday (UTC) on the current ISO
    // week, else the previous one.
    let script = "import datetime as d\nt = d.datetime.now(d.timezone.utc).date()\n\
t = t if t.weekday() >= 5 else t - d.timedelta(days=7)\ny, w, _ = t.isocalendar()\n\
print(f'{y:04d}{w:02d}')";
    let week = crate::support::run_python(script, std::iter::empty::<&str>())
        .trim()
        .to_owned();
    assert_eq!(week.len(), 6, "python printed {week:?}");
    let mock = hws
        .api("GET", &format!("/publication/copy/confidential/{week}"))
        .with_body("PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0")
        .create();
    let target = dir.path().join("c.zip");
    let json = run(hws
        .hague()
        .args(["confidential", "fetch", "--latest", "--json", "-o"])
        .arg(&target))
    .json();
    mock.assert();
    assert_eq!(json["publication"], "confidential");
    assert_eq!(json["bytes"], 22);
    assert!(target.exists());
}

#[test]
fn an_unknown_week_exits_5_before_any_call() {
    // No configuration at all: the week is refused first.
    for week in ["202400", "2021-W53", "54/2024", "next"] {
        let line = run(hague().args(["bulletin", "fetch", week])).fails(5);
        assert!(
            line.contains(&format!("the week `{week}` is not valid")),
            "{line}"
        );
    }
    let line = run(hague().args(["confidential", "fetch", "2021-W53"])).fails(5);
    assert!(line.contains("2021-W53"), "{line}");
}

#[test]
fn a_week_hws_does_not_have_is_a_service_error_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut hws = Hws::new(Keys::new());
    let _m = hws
        .api("GET", "/publication/bulletin/202401")
        .with_status(404)
        .create();
    let target = dir.path().join("b.zip");
    let line = run(hws
        .hague()
        .args(["bulletin", "fetch", "202401", "-o"])
        .arg(&target))
    .fails(4);
    assert!(line.contains("no bulletin for week 202401"), "{line}");
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no part file"
    );
}

#[test]
fn fetch_draws_a_progress_bar_on_a_terminal() {
    // `script` (util-linux) gives the binary a pseudo-terminal.
    let dir = tempfile::tempdir().unwrap();
    let body = vec![0x5a_u8; 4 << 20];
    let mut hws = Hws::new(Keys::new());
    let _m = hws
        .api("GET", "/publication/bulletin/202447")
        .with_body(body)
        .create();
    let target = dir.path().join("b.zip");
    let line = format!(
        "{} bulletin fetch 202447 -o {}",
        env!("CARGO_BIN_EXE_hague"),
        target.display()
    );
    let out = {
        let c = hws.hague();
        let envs: Vec<(std::ffi::OsString, std::ffi::OsString)> = c
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
            .collect();
        let mut script = std::process::Command::new("script");
        script
            .env_clear()
            .envs(envs)
            .env("TERM", "xterm")
            .args(["-qec", &line, "/dev/null"]);
        script.output().expect("util-linux `script` is installed")
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("bulletin 202447 ["), "a bar: {text:?}");
    assert!(
        !text.contains("downloading"),
        "no plain lines on a terminal: {text:?}"
    );
    assert_eq!(std::fs::metadata(&target).unwrap().len(), 4 << 20);
}

#[test]
fn an_interrupted_fetch_leaves_no_file() {
    use std::io::{Read as _, Write as _};
    // A server that announces 10 MB, sends 64 KiB, then waits (each connection).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let api = format!("http://{}/hws", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/zip\r\ncontent-length: 10000000\r\n\r\n",
                );
                let _ = s.write_all(&[0u8; 65536]);
                std::thread::sleep(std::time::Duration::from_secs(30));
            });
        }
    });
    let hws = Hws::new(Keys::new());
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("b.zip");
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let child = hws
            .hague()
            .env("HAGUE_API_BASE_URL", &api)
            .args(["bulletin", "fetch", "202447", "-o"])
            .arg(&target)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until the download has started (the part file exists).
        let started = std::time::Instant::now();
        while std::fs::read_dir(dir.path()).unwrap().count() == 0 {
            assert!(
                started.elapsed().as_secs() < 20,
                "the download never started"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let kill = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{stderr}");
        assert!(
            stderr.contains(&format!("interrupted by SIG{signal}")),
            "{stderr}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "neither the target nor a part file is left"
        );
    }
}
