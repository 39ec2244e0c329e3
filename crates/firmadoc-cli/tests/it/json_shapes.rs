//! Every subcommand with `--json`, checked against the table of `docs/cli.md`
//! (the table is parsed, so the doc and the code cannot drift): one table of
//! cases, each a command line and the replies of a mock service (the guide's
//! example bodies). The same cases run against unreachable hosts in
//! `network.rs`.

use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::Path;

use clap::CommandFactory as _;

use crate::support::{DEVICE_FLAGS, firmadoc, path, run};

/// The PNG file signature: the smallest image `attach` and `respond sign` take.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
/// The start of the guide's example PDF (base64), as the service returns documents.
const PDF_B64: &str = "JVBERi0xLjcNCiW1tbW1DQo=";

/// One command line of the tool, and what the mock service answers to it.
pub(crate) struct Case {
    /// The documented subcommand (`firmadoc webhook test`).
    pub(crate) command: &'static str,
    /// The arguments, `{dir}` standing for a scratch directory with `sig.png`,
    /// `doc.pdf` and `me.p12` in it.
    pub(crate) args: Vec<String>,
    /// Extra environment.
    pub(crate) env: Vec<(&'static str, &'static str)>,
    /// `(method, path, body)` of each call the command makes.
    pub(crate) replies: Vec<(&'static str, &'static str, String)>,
}

fn case(
    command: &'static str,
    args: &[&str],
    replies: &[(&'static str, &'static str, &str)],
) -> Case {
    Case {
        command,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        env: Vec::new(),
        replies: replies
            .iter()
            .map(|(m, p, b)| (*m, *p, (*b).to_owned()))
            .collect(),
    }
}

/// A scratch directory with the files the cases name.
pub(crate) fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sig.png"), PNG).unwrap();
    std::fs::write(dir.path().join("doc.pdf"), b"%PDF-1.7\n%%EOF\n").unwrap();
    std::fs::write(dir.path().join("me.p12"), b"PKCS12-bytes").unwrap();
    dir
}

/// The arguments of `case` with `{dir}` replaced.
pub(crate) fn args_in(case: &Case, dir: &Path) -> Vec<String> {
    let dir = dir.to_str().unwrap();
    case.args.iter().map(|a| a.replace("{dir}", dir)).collect()
}

/// `respond VERB CODE EXTRA... DEVICE...`.
fn respond(command: &'static str, verb: &str, code: &str, extra: &[&str]) -> Case {
    let mut args = vec!["respond", verb, code];
    args.extend_from_slice(extra);
    args.extend_from_slice(&DEVICE_FLAGS);
    case(command, &args, &[("POST", "/send/AddresseeResponse/", "")])
}

/// Every subcommand that calls the service, on its success path.
pub(crate) fn service_cases() -> Vec<Case> {
    let status_body = r#"{"IdEnvio":7,"CodEnvio":"XJH29","Id":"","CodHash":"abc","Asunto":"Contrato","Emisor":"e","Usuario":null,"Receptores":"a@b.es","FechaEnvio":"07/05/2020 10:00:00","TipoEnvio":"E","TipoFirma":"M","Estado":"P","DiasCaducidad":5,"FechaFirma":"","FechaRechazo":"","MotivoRechazo":"","Multifirma":false,"ConPrioridad":false,"Pais":"España","Plantilla":"","Documento":"","Adjuntos":"","DocsEnvio":[],"Destinatarios":[{"IdDestinatario":12,"IdEnvio":7,"DatoDestinatario":"a@b.es","Estado":"P","Fecha":"","MotivoRechazo":""}]}"#;
    let pdf = format!("\"{PDF_B64}\"");
    let mut certificate = respond(
        "firmadoc respond",
        "certificate",
        "XJH2901",
        &["--pkcs12", "{dir}/me.p12"],
    );
    certificate
        .env
        .push(("FIRMADOC_CERTIFICATE_PASSWORD", "p4ss word"));
    vec![
        case(
            "firmadoc template set",
            &[
                "template",
                "set",
                "--name",
                "Plantilla 1",
                "--placement",
                "sig:0:1:0:0",
            ],
            &[("POST", "/send/Template", "")],
        ),
        case(
            "firmadoc send",
            &[
                "send",
                "--pdf",
                "{dir}/doc.pdf",
                "--subject",
                "Contrato",
                "--sender",
                "ACME",
                "--to",
                "ana@example.es",
                "--template",
                "Plantilla 1",
            ],
            &[(
                "POST",
                "/send/Sending",
                r#"[{"IdEnvio":1,"CodEnvio":"AB123","UrlEnvio":""}]"#,
            )],
        ),
        case(
            "firmadoc status",
            &["status", "XJH29"],
            &[("POST", "/send/Sending/XJH29", status_body)],
        ),
        case(
            "firmadoc document",
            &["document", "XJH29", "-o", "{dir}/signed.pdf"],
            &[("POST", "/send/Document/XJH29", &pdf)],
        ),
        case(
            "firmadoc trace",
            &["trace", "XJH29", "-o", "{dir}/trace.pdf"],
            &[("GET", "/send/Trace/XJH29", PDF_B64)],
        ),
        case(
            "firmadoc attach",
            &[
                "attach",
                "XJH2901",
                "{dir}/sig.png",
                "--attachment-id",
                "44",
                "--order",
                "1",
                "--photos",
                "2",
            ],
            &[("POST", "/send/Attachment/XJH2901", "")],
        ),
        respond(
            "firmadoc respond",
            "sign",
            "XJH2901",
            &["--image", "{dir}/sig.png"],
        ),
        respond(
            "firmadoc respond",
            "reject",
            "XJH2902",
            &["--reason", "No estoy de acuerdo"],
        ),
        respond("firmadoc respond", "simple", "XJH2903", &[]),
        certificate,
        case(
            "firmadoc summary",
            &["summary", "--from", "2024-01-01", "--to", "2024-12-31"],
            &[(
                "GET",
                "/admin/Summary/2024-01-01/2024-12-31",
                r#"{"Enviados":10,"Pendientes":2,"Firmados":6,"Rechazados":1,"Caducados":1}"#,
            )],
        ),
        case(
            "firmadoc budget",
            &["budget"],
            &[("GET", "/admin/Budget", "250")],
        ),
        case(
            "firmadoc user add",
            &["user", "add", "--name", "Ana", "--email", "ana@example.es"],
            &[(
                "GET",
                "/admin/Users",
                r#"{"Nombre":"Ana","Email":"ana@example.es","Contraseña":"Gen3rated-pw"}"#,
            )],
        ),
        case(
            "firmadoc webhook subscribe",
            &[
                "webhook",
                "subscribe",
                "--url",
                "https://hooks.example.es/api/webhooks/incoming/custom",
                "--events",
                "F,R",
            ],
            &[("POST", "/webhooks/Subscribe", "")],
        ),
        case(
            "firmadoc webhook unsubscribe",
            &["webhook", "unsubscribe"],
            &[("POST", "/webhooks/Unsubscribe", "")],
        ),
        case(
            "firmadoc webhook test",
            &["webhook", "test", "signed"],
            &[("POST", "/webhooks/Test/F", "")],
        ),
    ]
}

/// The documented rows of this tool.
fn documented() -> BTreeSet<String> {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/cli.md")).unwrap();
    cli_support::testing::documented_shapes(&doc)
        .into_iter()
        .map(|(c, _)| c)
        .filter(|c| c.starts_with("firmadoc "))
        .collect()
}

/// Runs `args` with `--json` against `url`, and checks its one line against the table.
fn check(command: &str, args: &[String], env: &[(&str, &str)], url: &str) -> serde_json::Value {
    let mut cmd = firmadoc(url);
    cmd.arg("--json").args(args).envs(env.iter().copied());
    let out = run(&mut cmd).ok();
    assert_eq!(out.lines().count(), 1, "{command}: one JSON line: {out}");
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    crate::support::check_shape(command, &value);
    value
}

#[test]
fn every_service_subcommand_prints_the_documented_json() {
    let dir = scratch();
    for case in service_cases() {
        let mut server = mockito::Server::new();
        let mocks: Vec<mockito::Mock> = case
            .replies
            .iter()
            .map(|(method, p, body)| {
                let matcher = if p.ends_with('/') {
                    mockito::Matcher::Regex(format!("^{p}"))
                } else {
                    path(p)
                };
                server
                    .mock(method, matcher)
                    .with_header("content-type", "application/json; charset=utf-8")
                    .with_body(body)
                    .create()
            })
            .collect();
        let args = args_in(&case, dir.path());
        check(case.command, &args, &case.env, &server.url());
        for m in &mocks {
            m.assert();
        }
    }
}

#[test]
fn webhook_serve_lines_and_verify_print_the_documented_json() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, mut stderr) = crate::webhook::serve(&["--json", "--max-events", "1"]);
    assert_eq!(crate::webhook::deliver_v1(&addr), 200);
    let out = crate::webhook::stdout_after_exit_0(&mut child);
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    for line in rest.lines() {
        let note: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|_| panic!("with --json, stderr is JSON too: {line:?}"));
        assert!(note.get("note").is_some(), "{line}");
    }
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    let line: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    crate::support::check_shape("firmadoc webhook serve", &line);

    // The saved line verifies again, as docs/cli.md says.
    let saved = dir.path().join("saved.jsonl");
    std::fs::write(&saved, format!("{}\n", lines[0])).unwrap();
    let verified = check(
        "firmadoc webhook verify",
        &[
            "webhook".into(),
            "verify".into(),
            "--saved".into(),
            saved.to_str().unwrap().into(),
        ],
        &[],
        "http://127.0.0.1:9",
    );
    assert_eq!(verified["verified"], true);
    assert_eq!(verified["delivery"]["Id"], "1234567890");
}

#[test]
fn the_table_lists_every_subcommand_and_the_cases_cover_the_table() {
    let documented = documented();
    let commands = cli_support::testing::leaf_commands(&firmadoc_cli::Cli::command());
    for leaf in &commands {
        // `respond sign|reject|...` share one row.
        let row = if leaf.starts_with("firmadoc respond ") {
            "firmadoc respond"
        } else {
            leaf
        };
        assert!(
            documented.contains(row),
            "`{leaf}` has no row in docs/cli.md's --json table"
        );
    }
    let mut covered: BTreeSet<String> = service_cases()
        .iter()
        .map(|c| c.command.to_owned())
        .collect();
    covered.extend([
        "firmadoc webhook serve".into(),
        "firmadoc webhook verify".into(),
    ]);
    // `firmadoc doctor` shares its row with `hague doctor`; the doctor's own tests
    // check its report against it.
    covered.insert("firmadoc doctor".to_owned());
    assert_eq!(
        covered, documented,
        "every documented row has a case here, and nothing else"
    );
}
