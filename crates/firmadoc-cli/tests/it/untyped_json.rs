//! A 2xx reply whose body the client cannot type is a success (the service
//! has acted): with `--json` the result is `untyped`, the reason, and under
//! `raw` the service's body exactly as received (docs/cli.md, `--json`).

use crate::support::{DEVICE_FLAGS, firmadoc, path, run, signed};

/// Odd bodies, each a shape the guide does not show for the call; they carry
/// non-ASCII text, line breaks and spacing that a re-serialisation would
/// change, so only the unchanged body passes.
struct Case {
    method: &'static str,
    path: &'static str,
    args: fn(&str) -> Vec<String>,
    bodies: &'static [&'static str],
}

fn budget(_: &str) -> Vec<String> {
    vec!["budget".into()]
}

fn summary(_: &str) -> Vec<String> {
    ["summary", "--from", "2024-01-01", "--to", "2024-12-31"]
        .map(str::to_owned)
        .to_vec()
}

fn status(_: &str) -> Vec<String> {
    ["status", "XJH29"]
        .into_iter()
        .chain(DEVICE_FLAGS)
        .map(str::to_owned)
        .collect()
}

fn send(pdf: &str) -> Vec<String> {
    [
        "send",
        "--pdf",
        pdf,
        "--subject",
        "Contrato",
        "--sender",
        "ACME",
        "--to",
        "ana@example.es",
        "--template",
        "Plantilla 1",
    ]
    .map(str::to_owned)
    .to_vec()
}

const CASES: [Case; 4] = [
    Case {
        method: "GET",
        path: "/admin/Budget",
        args: budget,
        bodies: &[
            "{ \"Disponibles\" : \"muchos\",\r\n  \"Moneda\": \"€\" }",
            "<html><body>Saldo: 250 envíos</body></html>\n",
        ],
    },
    Case {
        method: "GET",
        path: "/admin/Summary/2024-01-01/2024-12-31",
        args: summary,
        bodies: &["\"10 envíos,  2 pendientes\"", "[10, 2, 6,\t1, 1]"],
    },
    Case {
        method: "POST",
        path: "/send/Sending/XJH29",
        args: status,
        bodies: &["\"Envío en curso ✓\"", "Estado: P\r\n"],
    },
    Case {
        method: "POST",
        path: "/send/Sending",
        args: send,
        // The code as a bare string; one object instead of the list; the
        // list with the id as a string.
        bodies: &[
            "\"AB123\"",
            "{\"IdEnvio\": 1, \"CodEnvio\": \"AB123\", \"UrlEnvio\": \"\"}",
            "[{\"IdEnvio\":\"1\",\"CodEnvio\":\"AB123\",\"Año\":2024}]",
        ],
    },
];

#[test]
fn json_result_of_an_untyped_2xx_holds_the_body_unchanged_under_raw() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("contract.pdf");
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
    )
    .unwrap();
    let pdf = pdf.to_str().unwrap();
    for case in &CASES {
        for body in case.bodies {
            let mut server = mockito::Server::new();
            let m = server
                .mock(case.method, path(case.path))
                .match_request(signed(server.url()))
                .with_body(body)
                .expect(2)
                .create();
            let args = (case.args)(pdf);
            let out = run(firmadoc(&server.url()).arg("--json").args(&args)).ok();
            assert_eq!(out.lines().count(), 1, "{args:?}: {out}");
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["raw"], *body, "{args:?}: {out}");
            assert_eq!(v["untyped"], true, "{args:?}: {out}");
            let reason = v["reason"].as_str().unwrap_or_default();
            assert!(!reason.is_empty(), "{args:?}: {out}");
            let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, ["raw", "reason", "untyped"], "{args:?}: {out}");
            // Without --json, people read the same body after the explanation.
            let text = run(firmadoc(&server.url()).args(&args)).ok();
            assert!(
                text.contains("the service accepted the call") && text.contains(body),
                "{args:?}: {text}"
            );
            m.assert();
        }
    }
}
