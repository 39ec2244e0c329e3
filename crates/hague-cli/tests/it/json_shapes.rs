//! Every subcommand with `--json`, checked against the table of `docs/cli.md`
//! (parsed, so the doc and the code cannot drift): one table of steps run in
//! order against the workspace's sandbox, each step's command line built from
//! what the earlier steps printed. `Run::json` checks each result against its
//! row; this test checks that the steps cover every row, and that every
//! subcommand of the tool has a row.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use clap::CommandFactory as _;

use crate::support::{Keys, hague, run, workspace};

const CLIENT: &str = "json-shapes-office";

/// What earlier steps printed that later ones use.
#[derive(Default)]
struct State {
    import_id: String,
    service_request: String,
}

/// One step: its documented row and its arguments (`{dir}` is a scratch
/// directory; `{import}` and `{srn}` come from earlier steps).
fn steps() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("hague keygen", vec!["keygen", "--dir", "{dir}/keys2"]),
        ("hague token", vec!["token"]),
        ("hague ping", vec!["ping"]),
        (
            "hague package build",
            vec![
                "package",
                "build",
                "{fixtures}/packages/refusal.xml",
                "--files",
                "{dir}/files",
                "-o",
                "{dir}/refusal.zip",
            ],
        ),
        (
            "hague package validate",
            vec!["package", "validate", "{dir}/refusal.zip"],
        ),
        ("hague submit", vec!["submit", "{dir}/refusal.zip"]),
        ("hague import-status", vec!["import-status", "{import}"]),
        (
            "hague wait",
            vec!["wait", "{import}", "--interval", "0.1", "--timeout", "60"],
        ),
        ("hague status", vec!["status", "{srn}"]),
        (
            "hague bulletin fetch",
            vec!["bulletin", "fetch", "202447", "-o", "{dir}/b.zip"],
        ),
        (
            "hague confidential fetch",
            vec!["confidential", "fetch", "202447", "-o", "{dir}/c.zip"],
        ),
        (
            "hague bulletin inspect",
            vec!["bulletin", "inspect", "{dir}/b.zip"],
        ),
        (
            "hague bulletin extract",
            vec!["bulletin", "extract", "{dir}/b.zip", "-o", "{dir}/b"],
        ),
        (
            "hague bulletin export",
            vec!["bulletin", "export", "{dir}/b.zip", "-o", "{dir}/b.jsonl"],
        ),
        (
            "hague bulletin worklist",
            vec!["bulletin", "worklist", "--designating", "ES", "202447"],
        ),
    ]
}

fn expand(arg: &str, dir: &Path, state: &State) -> String {
    arg.replace("{dir}", dir.to_str().unwrap())
        .replace("{fixtures}", workspace().join("fixtures").to_str().unwrap())
        .replace("{import}", &state.import_id)
        .replace("{srn}", &state.service_request)
}

#[test]
fn every_subcommand_prints_the_documented_json_against_the_sandbox() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut config = sandbox::SandboxConfig::default();
    config.hws_import_delay = Duration::from_millis(100);
    config.hws_registration_delay = Duration::from_millis(100);
    config.bulletin_records = 20;
    let sb = rt.block_on(sandbox::Sandbox::start(config)).unwrap();
    let keys = Keys::new();
    let pem = std::fs::read_to_string(keys.private_key()).unwrap();
    let key = fapi_jwt_assert::SigningKey::from_pem(&pem).unwrap();
    sb.register_hws_client(CLIENT, key.public_jwk().clone());

    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files/refusal");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(
        files.join("decision.pdf"),
        b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
    )
    .unwrap();
    let mut state = State::default();
    for (row, args) in steps() {
        let mut c: Command = hague();
        c.env("HAGUE_API_BASE_URL", sb.hws_api_url())
            .env("HAGUE_ISSUER", sb.issuer())
            .env("HAGUE_CLIENT_ID", CLIENT)
            .env("HAGUE_SCOPE", sandbox::DEFAULT_SCOPE)
            .env("HAGUE_PRIVATE_KEY_FILE", keys.private_key())
            .env("HAGUE_CACHE_DIR", dir.path().join("cache"))
            .arg("--json");
        for a in &args {
            c.arg(expand(a, dir.path(), &state));
        }
        // `Run::json` finds the row from the arguments and checks the keys.
        let value = run(&mut c).json();
        match row {
            "hague submit" => {
                state.import_id = value["import_id"].as_str().unwrap().to_owned();
            }
            "hague wait" => {
                state.service_request = value["service_request_number"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{value}"))
                    .to_owned();
            }
            _ => {}
        }
    }
    rt.block_on(sb.shutdown());
}

#[test]
fn the_table_lists_every_subcommand_and_the_steps_cover_the_table() {
    let doc = std::fs::read_to_string(workspace().join("docs/cli.md")).unwrap();
    let documented: BTreeSet<String> = cli_support::testing::documented_shapes(&doc)
        .into_iter()
        .map(|(c, _)| c)
        .filter(|c| c.starts_with("hague "))
        .collect();
    let commands = cli_support::testing::leaf_commands(&hague_cli::Cli::command());
    assert_eq!(
        commands, documented,
        "every subcommand has a row in docs/cli.md's --json table, and every row a subcommand"
    );
    let mut covered: BTreeSet<String> = steps().iter().map(|(r, _)| (*r).to_owned()).collect();
    // `doctor.rs` checks `hague doctor --json` against its row, set-up by set-up.
    covered.insert("hague doctor".to_owned());
    assert_eq!(covered, documented, "every documented row is run here");
}
