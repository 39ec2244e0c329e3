//! `cargo xtask fuzz [--seconds N] [--target NAME]`: runs every fuzz target of
//! `fuzz/` in turn (cargo-fuzz, libFuzzer, nightly), each seeded with a
//! corpus drawn from `fixtures/`, and fails on any crash, hang (10 s per
//! input) or allocation beyond 512 MB.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;
use crate::workspace::{root, run};

/// Each target, and the fixture files that seed it (by directory and suffix).
const TARGETS: &[(&str, &[(&str, &str)])] = &[
    ("oauth1_verify", &[("fixtures/firmadoc", "request.json")]),
    (
        "fapi_parsers",
        &[("fixtures/hague", ".json"), ("fixtures/hague", ".body")],
    ),
    (
        "st96_office",
        &[
            ("fixtures/st96/office", ".xml"),
            ("fixtures/packages", ".xml"),
        ],
    ),
    (
        "st96_status",
        &[
            ("fixtures/st96/status", ".xml"),
            ("fixtures/hague", ".body"),
        ],
    ),
    ("st96_bulletin", &[("fixtures/st96/bulletin", ".xml")]),
    (
        "package_validate",
        &[("fixtures/hague", ".body"), ("fixtures/packages", ".xml")],
    ),
    (
        "firmadoc_responses",
        &[
            ("fixtures/firmadoc", ".body"),
            ("fixtures/firmadoc/bodies", ".json"),
        ],
    ),
    (
        "key_loading",
        &[
            ("crates/fapi-jwt-assert/tests/data", ".pem"),
            ("fuzz/seeds/key_loading", ".der"),
        ],
    ),
    (
        "webhook_verify_parse",
        &[("fixtures/firmadoc", "request.body")],
    ),
];

/// Hand-written seeds for the OAuth verifier: fields separated by NUL.
const OAUTH_SEEDS: &[&str] = &[
    "GET\0https://apitest.firmadocumentos.es/admin/Budget?oauth_consumer_key=k&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1700000000&oauth_nonce=n&oauth_version=1.0&oauth_signature=abc%3D",
    "POST\0http://example.com/request\0OAuth realm=\"Example\", oauth_consumer_key=\"9djdj82h48djs9d2\", oauth_signature=\"x%2F%3D\"\0c2&a3=2+q",
];

pub(crate) fn run_fuzz(args: &[String]) -> Result<()> {
    let mut seconds: u64 = 60;
    let mut only: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .ok_or("--seconds needs a value")?
                    .parse()
                    .map_err(|_| "--seconds takes a number")?
            }
            "--target" => only = Some(it.next().ok_or("--target needs a name")?.clone()),
            other => return Err(format!(
                "unknown argument `{other}`; usage: cargo xtask fuzz [--seconds N] [--target NAME]"
            )
            .into()),
        }
    }
    ensure_cargo_fuzz()?;
    let fuzz_dir = root().join("fuzz");
    let mut report = Vec::new();
    for (target, seeds) in TARGETS {
        if only.as_deref().is_some_and(|o| o != *target) {
            continue;
        }
        let corpus = seed_corpus(target, seeds)?;
        let started = std::time::Instant::now();
        run(Command::new("cargo")
            .current_dir(&fuzz_dir)
            .args(["+nightly", "fuzz", "run", "-O", target])
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .args([
                "-rss_limit_mb=512",
                "-malloc_limit_mb=512",
                "-timeout=10",
                "-print_final_stats=1",
            ]))
        .map_err(|e| {
            format!("fuzz target {target} found a problem (see fuzz/artifacts/{target}/): {e}")
        })?;
        report.push(format!(
            "{target}: {:.0} s, no finding",
            started.elapsed().as_secs_f64()
        ));
    }
    for line in &report {
        println!("fuzz: {line}");
    }
    Ok(())
}

fn ensure_cargo_fuzz() -> Result<()> {
    let nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .output();
    if !nightly.is_ok_and(|o| o.status.success()) {
        return Err("fuzzing needs the nightly toolchain (libFuzzer instrumentation): `rustup toolchain install nightly`".into());
    }
    let have = Command::new("cargo").args(["fuzz", "--version"]).output();
    if !have.is_ok_and(|o| o.status.success()) {
        run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}

/// A fresh corpus directory for `target`, seeded from the fixtures.
fn seed_corpus(target: &str, seeds: &[(&str, &str)]) -> Result<PathBuf> {
    let dir = root().join("target/fuzz-corpus").join(target);
    std::fs::create_dir_all(&dir)?;
    let mut n = 0;
    for (sub, suffix) in seeds {
        for file in files_under(&root().join(sub)) {
            if file.to_string_lossy().ends_with(suffix) {
                std::fs::copy(&file, dir.join(format!("seed-{n:04}")))?;
                n += 1;
            }
        }
    }
    if target == "oauth1_verify" {
        for s in OAUTH_SEEDS {
            std::fs::write(dir.join(format!("seed-{n:04}")), s)?;
            n += 1;
        }
    }
    eprintln!("xtask: {target}: {n} seed files from fixtures/");
    Ok(dir)
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}
