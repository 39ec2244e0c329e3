//! The whole cycle against the workspace's FirmaDocumentos sandbox: an
//! independent implementation that checks every OAuth signature, applies the
//! guide's rules (418 in Spanish), and posts real ASP.NET-style webhooks.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Run, run};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The `FIRMADOC_*` variables of a run (the later of two values of one variable wins).
struct Env {
    vars: Vec<(&'static str, String)>,
}

impl Env {
    fn firmadoc(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_firmadoc"));
        c.env_clear()
            .env("HOME", "/nonexistent-firmadoc-test-home")
            .envs(self.vars.iter().map(|(k, v)| (k, v)));
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        run(self.firmadoc().args(args))
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let value = serde_json::from_str(&self.run(&all).ok()).unwrap();
        crate::support::check_shape_of(args, &value);
        value
    }
}

#[test]
fn full_cycle_with_webhooks() {
    let sb = test_support::sandbox::Running::start(sandbox::SandboxConfig::default());
    let env = Env {
        vars: test_support::sandbox::firmadoc_env(&sb).to_vec(),
    };
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();

    // The receiver, then the subscription (the sandbox runs the echo handshake against it).
    let events = p("events.jsonl");
    let dedup = format!("sqlite:{}", p("dedup.sqlite"));
    let mut serve = env
        .firmadoc()
        .args([
            "webhook",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--out",
            &events,
            "--store",
            &dedup,
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(serve.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("listening on ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_owned();
    env.run(&[
        "webhook",
        "subscribe",
        "--url",
        &addr,
        "--events",
        "A,F,R,C",
    ])
    .ok();

    // Template, sending, status.
    env.run(&[
        "template",
        "set",
        "--name",
        "Dos firmas",
        "--multi-signature",
        "2",
        "--placement",
        "sig:1:1:2:3",
        "--placement",
        "sig:2:1:9:3",
    ])
    .ok();
    std::fs::write(p("c.pdf"), b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n").unwrap();
    let sent = env.json(&[
        "send",
        "--pdf",
        &p("c.pdf"),
        "--subject",
        "Contrato 2026/17",
        "--sender",
        "ACME",
        "--to",
        "ana@example.es,luis@example.es",
        "--multi-signature",
        "--priority",
        "--signature",
        "handwritten",
        "--template",
        "Dos firmas",
        "--expiry-days",
        "10",
    ]);
    let code = sent["sendings"][0]["code"].as_str().unwrap().to_owned();
    assert_eq!(sent["sendings"].as_array().unwrap().len(), 1, "{sent}");
    assert_eq!(env.json(&["status", &code])["state"], "P");

    // The document (recipient 1's first fetch opens the sending for them), the
    // signatures, the trace.
    env.run(&["document", &format!("{code}01"), "-o", &p("doc.pdf")])
        .ok();
    assert!(
        std::fs::read(p("doc.pdf"))
            .unwrap()
            .starts_with(b"%PDF-1.7")
    );
    std::fs::write(p("sig.png"), PNG).unwrap();
    // Priority order: recipient 2 cannot sign first (a 418 from the service).
    let err = env
        .run(&[
            "respond",
            "sign",
            &format!("{code}02"),
            "--image",
            &p("sig.png"),
        ])
        .fails(4);
    assert!(err.contains("(418)"), "{err}");
    for r in ["01", "02"] {
        env.run(&[
            "respond",
            "sign",
            &format!("{code}{r}"),
            "--image",
            &p("sig.png"),
        ])
        .ok();
    }
    assert_eq!(env.json(&["status", &code])["state"], "F");
    env.run(&["trace", &code, "-o", &p("trace.pdf")]).ok();
    assert!(std::fs::read(p("trace.pdf")).unwrap().starts_with(b"%PDF"));

    // Administration.
    let summary = env.json(&["summary", "--from", "2000-01-01", "--to", "2099-12-31"]);
    assert_eq!(summary["signed"], 1, "{summary}");
    assert_eq!(env.json(&["budget"])["sendings_left"], 999);
    let user = env.json(&["user", "add", "--name", "Ana", "--email", "ana@example.es"]);
    assert!(!user["password"].as_str().unwrap().is_empty());

    // Failures from the service itself: an unknown template (418), a wrong secret (401).
    let err = env
        .run(&[
            "send",
            "--pdf",
            &p("c.pdf"),
            "--subject",
            "s",
            "--sender",
            "e",
            "--to",
            "ana@example.es",
            "--template",
            "No existe",
        ])
        .fails(4);
    assert!(err.contains("refused /send/Sending (418)"), "{err}");
    let mut wrong = Env {
        vars: env.vars.clone(),
    };
    wrong.vars.push((
        "FIRMADOC_CONSUMER_SECRET",
        "another-secret-of-forty-characters-00000".into(),
    ));
    wrong.run(&["budget"]).fails(3);
    env.run(&["webhook", "test", "F"]).ok();

    // The webhooks: opened by 01, signed by 01, signed by 02, signed by all (id2 0).
    let deadline = Instant::now() + Duration::from_secs(20);
    let actions = loop {
        let text = std::fs::read_to_string(&events).unwrap_or_default();
        let actions: Vec<(String, i64)> = text
            .lines()
            .flat_map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["delivery"]["Notifications"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|n| n["id"] == code.as_str())
                    .map(|n| {
                        (
                            n["Action"].as_str().unwrap().to_owned(),
                            n["id2"].as_i64().unwrap_or(-1),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        if actions.len() >= 4 || Instant::now() > deadline {
            break actions;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        actions,
        [
            ("A".into(), 1),
            ("F".into(), 1),
            ("F".into(), 2),
            ("F".into(), 0)
        ],
        "the events the sandbox sent"
    );
    // Every attempt the sandbox made was acknowledged at once (nothing retried).
    let attempts = sb.webhook_attempts();
    assert!(attempts.len() >= 4, "{attempts:?}");
    assert!(
        attempts
            .iter()
            .all(|a| a.status == Some(200) && a.attempt == 1),
        "{attempts:?}"
    );
    serve.kill().unwrap();
    serve.wait().unwrap();
    sb.shutdown();
}
