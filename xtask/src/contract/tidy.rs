//! Tidy: no secret ever lands in `fixtures/`: no test credential, token,
//! assertion, signature or private key. Fixtures use placeholders
//! (`<consumer-key>`, `<volatile>`) and the runner computes signatures at run time.

use crate::operations::firmadoc;
use crate::workspace::root;

/// Text that must never appear in a fixture, with why.
fn forbidden() -> Vec<(String, &'static str)> {
    vec![
        (
            firmadoc::CONSUMER_KEY.to_owned(),
            "the FirmaDocumentos test consumer key (use <consumer-key>)",
        ),
        (
            firmadoc::CONSUMER_SECRET.to_owned(),
            "the FirmaDocumentos test consumer secret",
        ),
        (
            "\"ms-signature\"".to_owned(),
            "a recorded webhook signature header (it is computed at run time)",
        ),
        (
            "sha256=".to_owned(),
            "what looks like a webhook signature value",
        ),
        (
            "-----BEGIN".to_owned(),
            "a PEM block (keys and certificates stay out of fixtures)",
        ),
        (
            "eyJ".to_owned(),
            "what looks like a JWT (a token or a client assertion)",
        ),
    ]
}

pub(crate) fn scan(dir: &std::path::Path, hits: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            scan(&p, hits);
            continue;
        }
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for (needle, why) in forbidden() {
            if text.contains(&needle) {
                hits.push(format!("{}: {why}", p.display()));
            }
        }
        // A signature parameter must be a placeholder.
        for (i, _) in text.match_indices("oauth_signature\"") {
            let rest = &text[i..text.len().min(i + 60)];
            if !rest.contains("\"<volatile>\"") {
                hits.push(format!(
                    "{}: an oauth_signature value that is not <volatile>",
                    p.display()
                ));
            }
        }
        for (i, _) in text.match_indices("Bearer ") {
            let rest = &text[i + 7..text.len().min(i + 20)];
            if !rest.starts_with('<') {
                hits.push(format!("{}: a bearer token (use <volatile>)", p.display()));
            }
        }
    }
}

#[test]
fn fixtures_hold_no_secrets() {
    let mut hits = Vec::new();
    scan(&root().join("fixtures"), &mut hits);
    assert!(
        hits.is_empty(),
        "secrets in fixtures/:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_scan_finds_a_planted_secret() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("request.json"),
        format!("{{\"q\":\"{}\"}}", firmadoc::CONSUMER_SECRET),
    )
    .unwrap();
    std::fs::write(dir.path().join("x.json"), "{\"oauth_signature\": \"abc=\"}").unwrap();
    let mut hits = Vec::new();
    scan(dir.path(), &mut hits);
    assert_eq!(hits.len(), 2, "{hits:?}");
}
