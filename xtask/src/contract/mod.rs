//! `cargo xtask test-contract`: replays every recorded exchange in
//! `fixtures/` against the clients.
//!
//! For each scenario: mockito serves the recorded response; the client runs
//! the operation named in `case.json`; the request it sent is compared with
//! the recording (method, path, each query parameter, the headers that
//! matter, the body as JSON, XML or bytes); the signature is checked valid
//! for the test credentials instead of comparing values that change on every
//! call; and the outcome must equal the expected one.

pub(crate) mod compare;
#[cfg(test)]
pub(crate) mod tidy;

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::Result;
use crate::operations::{firmadoc, fixture, hague};
use crate::workspace::root;
use compare::{Captured, json_difference, request_differences};
use fixture::Scenario;

const USAGE: &str = "usage: cargo xtask test-contract [--service hague|firmadoc] [--filter TEXT] [--update] [--fixtures DIR]";

/// The services and their operations.
const SERVICES: &[(&str, &[&str], &[&str])] = &[
    (
        "hague",
        hague::OPERATIONS,
        &[
            "crates/hague-client/src/client.rs",
            "crates/hague-client/src/wait.rs",
        ],
    ),
    (
        "firmadoc",
        firmadoc::OPERATIONS,
        &["crates/firmadoc-client/src/client.rs"],
    ),
];

struct Options {
    service: Option<String>,
    filter: Option<String>,
    update: bool,
    /// Replay the scenarios of another folder (holding `hague/` and
    /// `firmadoc/`), such as a fresh recording; coverage is not checked there.
    fixtures: Option<std::path::PathBuf>,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        service: None,
        filter: None,
        update: false,
        fixtures: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--service" => o.service = Some(it.next().ok_or(USAGE)?.clone()),
            "--filter" => o.filter = Some(it.next().ok_or(USAGE)?.clone()),
            "--update" => o.update = true,
            "--fixtures" => o.fixtures = Some(it.next().ok_or(USAGE)?.into()),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}").into()),
        }
    }
    if let Some(s) = &o.service
        && !SERVICES.iter().any(|(name, _, _)| name == s)
    {
        return Err(format!(
            "unknown service `{s}`: use {}",
            SERVICES
                .iter()
                .map(|s| s.0)
                .collect::<Vec<_>>()
                .join(" or ")
        )
        .into());
    }
    Ok(o)
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    let opts = parse(args)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut passed = 0;
    let mut failed = 0;
    for (service, operations, source) in SERVICES {
        if opts.service.as_deref().is_some_and(|s| s != *service) {
            continue;
        }
        let scenarios = match &opts.fixtures {
            Some(dir) => fixture::load_dir(&dir.join(service), service)?,
            None => fixture::load(&root(), service)?,
        };
        // Coverage, both ways: the source's public methods and the scenarios.
        if opts.fixtures.is_none() {
            for problem in coverage(service, operations, source, &scenarios)? {
                println!("FAIL {service}: {problem}");
                failed += 1;
            }
        }
        for s in &scenarios {
            if opts.filter.as_deref().is_some_and(|f| !s.id().contains(f)) {
                continue;
            }
            match rt.block_on(run_scenario(s, opts.update)) {
                Ok(()) => {
                    println!("ok   {}", s.id());
                    passed += 1;
                }
                Err(e) => {
                    println!("FAIL {}: {e}", s.id());
                    failed += 1;
                }
            }
        }
    }
    println!("test-contract: {passed} passed, {failed} failed");
    if failed > 0 {
        Err(format!("{failed} contract scenario(s) failed").into())
    } else {
        Ok(())
    }
}

/// A scenario naming an operation the client lacks, and a client operation
/// without a scenario, are both failures.
fn coverage(
    service: &str,
    operations: &[&str],
    sources: &[&str],
    scenarios: &[Scenario],
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut text = String::new();
    for source in sources {
        text.push_str(&std::fs::read_to_string(root().join(source))?);
    }
    for line in text.lines() {
        if let Some(rest) = line.trim_start().strip_prefix("pub async fn ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !operations.contains(&name.as_str()) {
                problems.push(format!("the client has `{name}` but test-contract does not know it: add it and a scenario"));
            }
        }
    }
    for op in operations {
        if !scenarios.iter().any(|s| s.case.operation == *op) {
            problems.push(format!(
                "operation `{op}` has no scenario under fixtures/{service}/"
            ));
        }
    }
    for s in scenarios {
        if !operations.contains(&s.case.operation.as_str()) {
            problems.push(format!(
                "{} names the operation `{}`, which the client lacks",
                s.id(),
                s.case.operation
            ));
        }
    }
    Ok(problems)
}

async fn run_scenario(s: &Scenario, update: bool) -> Result<()> {
    let actual = if s.case.operation == "webhook_receive" {
        receive_scenario(s).await?
    } else {
        let (actual, captured, base, extra) = replay(s).await?;
        let rec_body = s.request_body()?;
        let expected_requests = s.case.requests.unwrap_or(1);
        let mut diffs = if captured.len() == expected_requests {
            captured
                .iter()
                .flat_map(|c| {
                    request_differences(
                        &s.request,
                        rec_body.as_deref(),
                        c,
                        &placeholders(&s.service),
                    )
                })
                .collect::<Vec<_>>()
        } else {
            vec![format!(
                "the client sent {} request(s) to the recorded exchange, the scenario expects {expected_requests}",
                captured.len()
            )]
        };
        if s.service == "firmadoc" {
            for one in &captured {
                if let Err(e) = check_oauth(&base, one) {
                    diffs.push(e);
                }
            }
        }
        diffs.extend(extra);
        if !diffs.is_empty() {
            return Err(diffs.join("; ").into());
        }
        actual
    };
    if let Some(d) = json_difference("outcome", &s.case.expected, &actual) {
        if update {
            let mut case = s.case.clone();
            println!(
                "update {}:\n- {}\n+ {}",
                s.id(),
                serde_json::to_string(&s.case.expected)?,
                serde_json::to_string(&actual)?
            );
            case.expected = actual;
            std::fs::write(
                s.dir.join("case.json"),
                serde_json::to_string_pretty(&case)? + "\n",
            )?;
            return Ok(());
        }
        return Err(format!("{d} (run with --update after a deliberate change)").into());
    }
    Ok(())
}

/// The placeholders a service's fixtures use instead of credentials.
fn placeholders(service: &str) -> Vec<(&'static str, &'static str)> {
    match service {
        "firmadoc" => vec![("<consumer-key>", firmadoc::CONSUMER_KEY)],
        _ => Vec::new(),
    }
}

/// Serves the recorded response to whatever the client sends, and captures it.
async fn replay(s: &Scenario) -> Result<(Value, Vec<Captured>, String, Vec<String>)> {
    let mut server = mockito::Server::new_async().await;
    let captured: Arc<Mutex<Vec<Captured>>> = Arc::default();
    let body = s.response_body()?;
    let mut mocks = Vec::new();
    let url = server.url();
    // HWS: discovery and the token endpoint are served beside the recorded
    // exchange (unless it is the token request itself), and every token
    // request's client assertion is verified against this run's key.
    let key = hague_client::SigningKey::generate_p256()?;
    let problems: hague::Problems = Arc::default();
    let mut support: Vec<String> = Vec::new();
    // A scenario whose recorded exchange is discovery itself (`provider_metadata`) is
    // served its recorded document, `<base-url>` standing for the replay's address.
    let discovery_exchange = s.service == "hague" && s.request.path == hague::DISCOVERY_PATH;
    let body = if discovery_exchange {
        String::from_utf8_lossy(&body)
            .replace("<base-url>", &url)
            .into_bytes()
    } else {
        body
    };
    if s.service == "hague" && !discovery_exchange {
        support.push(hague::DISCOVERY_PATH.to_owned());
    }
    if s.service == "hague" {
        if s.request.path == hague::TOKEN_PATH {
            support.push(format!("{}{}", hague::API_PATH, hague_client::PING_PATH));
        } else {
            support.push(hague::TOKEN_PATH.to_owned());
        }
        if !discovery_exchange {
            mocks.push(
                server
                    .mock("GET", hague::DISCOVERY_PATH)
                    .with_body(hague::discovery(&url))
                    .create_async()
                    .await,
            );
        }
        let token_endpoint = format!("{url}{}", hague::TOKEN_PATH);
        let public = hague_client::SigningKey::from_pem(key.to_pkcs8_pem().expose_secret())?;
        let (p2, ep2) = (Arc::clone(&problems), token_endpoint.clone());
        let check = move |req: &mockito::Request| {
            if let Err(e) = hague::check_token_request(
                req.body().map(Vec::as_slice).unwrap_or_default(),
                &public,
                &ep2,
            ) {
                p2.lock().map(|mut v| v.push(e)).ok();
            }
            true
        };
        if s.request.path == hague::TOKEN_PATH {
            mocks.push(
                server
                    .mock(
                        "GET",
                        format!("{}{}", hague::API_PATH, hague_client::PING_PATH).as_str(),
                    )
                    .create_async()
                    .await,
            );
            // The recorded token exchange is served by the catch-all below; check it too.
            let public = hague_client::SigningKey::from_pem(key.to_pkcs8_pem().expose_secret())?;
            let p3 = Arc::clone(&problems);
            let ep3 = token_endpoint.clone();
            mocks.push(
                server
                    .mock("POST", hague::TOKEN_PATH)
                    .match_request(move |req| {
                        if let Err(e) = hague::check_token_request(
                            req.body().map(Vec::as_slice).unwrap_or_default(),
                            &public,
                            &ep3,
                        ) {
                            p3.lock().map(|mut v| v.push(e)).ok();
                        }
                        false
                    })
                    .create_async()
                    .await,
            );
        } else {
            mocks.push(
                server
                    .mock("POST", hague::TOKEN_PATH)
                    .match_request(check)
                    .with_body(hague::token_response())
                    .create_async()
                    .await,
            );
        }
    }
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"] {
        let cap = Arc::clone(&captured);
        let support = support.clone();
        let mut m = server
            .mock(method, mockito::Matcher::Any)
            .match_request(move |req| {
                let (path, query) = split_query(req.path_and_query());
                // mockito evaluates every mock's matcher; the requests the
                // support mocks answer (discovery, token) are not the exchange.
                if support.contains(&path) {
                    return false;
                }
                let c = Captured {
                    method: req.method().to_owned(),
                    path,
                    query,
                    headers: req
                        .headers()
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().to_owned(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect(),
                    body: req.body().cloned().unwrap_or_default(),
                };
                cap.lock().map(|mut v| v.push(c)).ok();
                true
            })
            .with_status(usize::from(s.response.status))
            .with_body(body.clone());
        for (k, v) in &s.response.headers {
            m = m.with_header(k.as_str(), v.as_str());
        }
        mocks.push(m.create_async().await);
    }
    let actual = match s.service.as_str() {
        "firmadoc" => firmadoc::run(&url, &s.case.operation, &s.case.inputs).await?,
        "hague" => hague::run(&url, key, &s.case.operation, &s.case.inputs, &s.dir).await?,
        other => return Err(format!("no runner for service `{other}`").into()),
    };
    let captured = captured.lock().map(|v| v.clone()).unwrap_or_default();
    let mut extra = problems.lock().map(|v| v.clone()).unwrap_or_default();
    if discovery_exchange {
        // Discovery is public: no credential of any kind goes to it.
        for c in &captured {
            if c.headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            {
                extra.push("the discovery request carries an Authorization header".to_owned());
            }
        }
    } else if s.service == "hague" && s.request.path != hague::TOKEN_PATH {
        for c in &captured {
            let auth = c
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                .map(|(_, v)| v.as_str());
            if auth != Some("Bearer contract-access-token") {
                extra.push("the API call does not carry the issued bearer token".to_owned());
            }
        }
    }
    Ok((actual, captured, url, extra))
}

fn split_query(pq: &str) -> (String, Vec<(String, String)>) {
    match pq.split_once('?') {
        None => (pq.to_owned(), Vec::new()),
        Some((p, q)) => {
            let pairs = url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            (p.to_owned(), pairs)
        }
    }
}

/// The OAuth 1.0 signature must verify with the test credentials.
fn check_oauth(base: &str, c: &Captured) -> std::result::Result<(), String> {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&c.query)
        .finish();
    let url = format!("{base}{}?{query}", c.path);
    let body = if c.body.is_empty() {
        oauth1_sign::Body::None
    } else {
        oauth1_sign::Body::Opaque
    };
    let now = oauth1_sign::unix_time_now().map_err(|e| e.to_string())?;
    oauth1_sign::verify(
        &oauth1_sign::Request::new(&c.method, &url).body(body),
        &oauth1_sign::VerifyOptions::new(now),
        |k, _| {
            (k == firmadoc::CONSUMER_KEY)
                .then(|| {
                    oauth1_sign::Credentials::new(firmadoc::CONSUMER_KEY, firmadoc::CONSUMER_SECRET)
                        .ok()
                })
                .flatten()
        },
        |_| true,
    )
    .map(drop)
    .map_err(|e| format!("OAuth signature: {e}"))
}

async fn receive_scenario(s: &Scenario) -> Result<Value> {
    let mut headers = http::HeaderMap::new();
    for (k, v) in &s.request.headers {
        headers.insert(
            http::HeaderName::from_bytes(k.as_bytes())?,
            http::HeaderValue::from_str(v)?,
        );
    }
    // `request.body`, then each of `inputs.more_bodies` (deliveries that follow one
    // another, like the two events of a multi-signature sending's last signature), all
    // with the recorded headers; the outcome lists every delivery the handler took.
    let mut bodies = vec![s.request_body()?.unwrap_or_default()];
    if let Some(more) = s.case.inputs.get("more_bodies") {
        let names: Vec<String> = serde_json::from_value(more.clone())
            .map_err(|e| format!("{}: inputs.more_bodies: {e}", s.id()))?;
        for name in names {
            let path = s.dir.join(&name);
            bodies.push(
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            );
        }
    }
    let want = s.response.status;
    let mut deliveries = Vec::new();
    for body in bodies {
        let got = firmadoc::receive(&headers, &body).await?;
        if got["status"] != want {
            return Err(format!(
                "the receiver answered {}, the recording {want}",
                got["status"]
            )
            .into());
        }
        if let Value::Array(d) = &got["deliveries"] {
            deliveries.extend(d.iter().cloned());
        }
    }
    Ok(Value::Array(deliveries))
}
