//! The HWS side: which client call each operation name makes, the discovery
//! and token endpoints the replay serves beside the recorded exchange, and
//! how an outcome is written as JSON.

use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hague_client::{
    Client, Config, Error, ImportId, PollPolicy, ProcessingStatus, Provider, Publication,
    SigningKey, WeekId,
};
use serde_json::{Value, json};

use crate::Result;

/// The client id every HWS scenario uses (not a secret).
pub(crate) const CLIENT_ID: &str = "contract-test-office";
/// The scope asked for.
pub(crate) const SCOPE: &str = "das-api/das-access";
/// Where the replay serves the token endpoint (unless the scenario records it).
pub(crate) const TOKEN_PATH: &str = "/am/oauth2/access_token";
/// The discovery document's path under the issuer.
pub(crate) const DISCOVERY_PATH: &str = "/am/oauth2/.well-known/openid-configuration";
/// The API base path.
pub(crate) const API_PATH: &str = "/hws-api/v1";

/// Every public async method of `hague_client::Client`.
pub(crate) const OPERATIONS: &[&str] = &[
    "token_info",
    "provider_metadata",
    "ping",
    "submit",
    "submit_with",
    "import_status",
    "request_status",
    "bulletin",
    "confidential_copy",
    "download",
    "download_to_writer",
    "wait_for_service_request",
    "wait_for_import",
    "wait_for_status",
];

/// The discovery document the replay serves, for an issuer at `base`.
pub(crate) fn discovery(base: &str) -> String {
    json!({
        "issuer": format!("{base}/am/oauth2"),
        "token_endpoint": format!("{base}{TOKEN_PATH}"),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
        "grant_types_supported": ["client_credentials"],
    })
    .to_string()
}

/// The token response the replay serves when the scenario does not record one.
pub(crate) fn token_response() -> String {
    json!({"access_token": "contract-access-token", "token_type": "Bearer", "expires_in": 3600, "scope": SCOPE}).to_string()
}

/// Checks a token request: the form fields, and the client assertion's
/// ES256 signature (against the run's key), `iss`, `sub`, `aud`, `exp`, `jti`.
pub(crate) fn check_token_request(
    body: &[u8],
    key: &SigningKey,
    token_endpoint: &str,
) -> std::result::Result<(), String> {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("grant_type") != Some("client_credentials") {
        return Err("token request: grant_type is not client_credentials".into());
    }
    if get("client_assertion_type")
        != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return Err(
            "token request: client_assertion_type is not the RFC 7523 JWT bearer URN".into(),
        );
    }
    let jwt = get("client_assertion").ok_or("token request: no client_assertion")?;
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, p, s] = parts.as_slice() else {
        return Err("client assertion: not a compact JWS".into());
    };
    let jwk = serde_json::to_value(key.public_jwk()).map_err(|e| e.to_string())?;
    let coord = |n: &str| {
        jwk.get(n)
            .and_then(Value::as_str)
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
            .unwrap_or_default()
    };
    let mut point = vec![4u8];
    point.extend(coord("x"));
    point.extend(coord("y"));
    let sig = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| "client assertion: signature is not base64url")?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, &point)
        .verify(format!("{h}.{p}").as_bytes(), &sig)
        .map_err(
            |_| "client assertion: the ES256 signature does not verify with the office's key",
        )?;
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(p)
            .map_err(|_| "claims not base64url")?,
    )
    .map_err(|e| format!("client assertion claims: {e}"))?;
    for (claim, want) in [
        ("iss", CLIENT_ID),
        ("sub", CLIENT_ID),
        ("aud", token_endpoint),
    ] {
        if claims.get(claim).and_then(Value::as_str) != Some(want) {
            return Err(format!(
                "client assertion: `{claim}` is {}, expected {want}",
                claims.get(claim).unwrap_or(&Value::Null)
            ));
        }
    }
    if claims.get("exp").and_then(Value::as_u64).is_none()
        || claims
            .get("jti")
            .and_then(Value::as_str)
            .is_none_or(|j| j.len() < 16)
    {
        return Err("client assertion: `exp` or a 128-bit `jti` is missing".into());
    }
    Ok(())
}

fn client(base: &str, key: SigningKey) -> Result<Client> {
    let config = Config::new(
        format!("{base}{API_PATH}"),
        Provider::Discovery {
            issuer: format!("{base}/am/oauth2"),
        },
        CLIENT_ID,
        key,
    )?
    .scope(Some(SCOPE.into()))
    .transport(hague_client::TransportConfig::default().allow_plain_http(true));
    Ok(Client::new(config)?)
}

fn input<T: serde::de::DeserializeOwned>(inputs: &Value, name: &str) -> Result<T> {
    let v = inputs
        .get(name)
        .cloned()
        .ok_or_else(|| format!("case.json inputs lack `{name}`"))?;
    Ok(serde_json::from_value(v).map_err(|e| format!("case.json input `{name}`: {e}"))?)
}

fn poll() -> PollPolicy {
    PollPolicy::with_deadline(std::time::Duration::from_secs(5)).intervals(
        std::time::Duration::from_millis(10),
        std::time::Duration::from_millis(50),
    )
}

/// An outcome without the raw document (kept by the model, not compared here).
fn strip(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.remove("raw");
        m.remove("fields");
    }
    v
}

fn ok(v: impl serde::Serialize) -> Value {
    json!({"ok": strip(serde_json::to_value(v).unwrap_or(Value::Null))})
}

fn error_json(e: &Error) -> Value {
    match e {
        Error::Status { status, wipo, .. } => {
            let code = wipo.as_ref().map(|w| w.code.clone());
            json!({"error": "status", "status": status.as_u16(), "wipo_code": code})
        }
        Error::Token { .. } => {
            json!({"error": "token", "oauth_error": e.oauth_error_code().map(|c| c.as_str().to_owned())})
        }
        Error::PackageInvalid { .. } => json!({"error": "package-invalid"}),
        Error::UnexpectedReply { .. } => json!({"error": "reply"}),
        Error::Timeout { .. } => json!({"error": "timeout"}),
        Error::FinalStatus { status, .. } => {
            json!({"error": "final-status", "status": status.label()})
        }
        Error::ImportFailed { state, .. } => json!({"error": "import-failed", "state": state}),
        Error::DeadlineReached { .. } => json!({"error": "deadline"}),
        _ => json!({"error": "other", "message": e.to_string()}),
    }
}

fn outcome<T>(r: std::result::Result<T, Error>, render: impl FnOnce(T) -> Value) -> Value {
    match r {
        Ok(v) => render(v),
        Err(e) => error_json(&e),
    }
}

fn download_json(d: &hague_client::Download) -> Value {
    json!({"ok": {"bytes": d.bytes, "sha256": d.sha256_hex()}})
}

/// Runs `operation` against the mock at `base`, in the scenario directory `dir`.
pub(crate) async fn run(
    base: &str,
    key: SigningKey,
    operation: &str,
    inputs: &Value,
    dir: &Path,
) -> Result<Value> {
    run_with(&client(base, key)?, operation, inputs, dir).await
}

/// Runs `operation` with a client configured elsewhere (`cargo xtask record --live`).
pub(crate) async fn run_with(
    c: &Client,
    operation: &str,
    inputs: &Value,
    dir: &Path,
) -> Result<Value> {
    let week = || -> Result<WeekId> { Ok(input::<String>(inputs, "week")?.parse()?) };
    let tmp = tempfile::tempdir()?;
    let target = tmp.path().join("download.zip");
    Ok(match operation {
        "token_info" => outcome(
            c.token_info().await,
            |t| json!({"ok": {"token_type": t.token_type, "expires_in": t.expires_in, "scope": t.scope}}),
        ),
        "provider_metadata" => outcome(c.provider_metadata().await, |m| {
            json!({"ok": {
                "issuer_path": path_of(m.issuer()),
                "token_endpoint_path": path_of(m.token_endpoint()),
                "token_endpoint_auth_methods": m.token_endpoint_auth_methods(),
                "token_endpoint_signing_algorithms": m.token_endpoint_signing_algorithms(),
                "private_key_jwt": format!("{:?}", m.private_key_jwt()),
            }})
        }),
        "ping" => outcome(c.ping().await, |()| json!({"ok": null})),
        "submit" | "submit_with" => {
            let file: String = input(inputs, "package_file")?;
            let bytes = std::fs::read(dir.join(&file)).map_err(|e| format!("{file}: {e}"))?;
            let result = if operation == "submit" {
                c.submit(bytes).await
            } else {
                c.submit_with(bytes, &hague_client::ValidationOptions::default())
                    .await
            };
            outcome(result, |s| {
                json!({"ok": {
                    "import_id": s.import_id.as_ref().map(ImportId::as_str),
                    "import_id_source": s.import_id_source,
                    "status": s.status,
                    "raw_reply_bytes": s.reply.raw.len(),
                }})
            })
        }
        "import_status" => outcome(
            c.import_status(&ImportId::new(input::<String>(inputs, "import_id")?))
                .await,
            ok,
        ),
        "request_status" => outcome(
            c.request_status(&input::<String>(inputs, "service_request_id")?)
                .await,
            ok,
        ),
        "bulletin" => outcome(c.bulletin(week()?, &target, |_| {}).await, |d| {
            download_json(&d)
        }),
        "confidential_copy" => outcome(c.confidential_copy(week()?, &target, |_| {}).await, |d| {
            download_json(&d)
        }),
        "download" => outcome(
            c.download(Publication::Bulletin, week()?, &target, |_| {})
                .await,
            |d| download_json(&d),
        ),
        "download_to_writer" => {
            let mut buf: Vec<u8> = Vec::new();
            outcome(
                c.download_to_writer(Publication::ConfidentialCopy, week()?, &mut buf, |_| {})
                    .await,
                |d| download_json(&d),
            )
        }
        "wait_for_service_request" => outcome(
            c.wait_for_service_request(
                &ImportId::new(input::<String>(inputs, "import_id")?),
                poll(),
            )
            .await,
            ok,
        ),
        "wait_for_import" => {
            let id = ImportId::new(input::<String>(inputs, "import_id")?);
            outcome(
                c.wait_for_import(&id, poll(), |s| s.status.is_some()).await,
                ok,
            )
        }
        "wait_for_status" => {
            let id: String = input(inputs, "service_request_id")?;
            // `until`: the awaited statuses (labels); Registered when absent.
            let targets: Vec<ProcessingStatus> = match inputs.get("until") {
                Some(_) => input::<Vec<String>>(inputs, "until")?
                    .iter()
                    .map(|s| ProcessingStatus::parse(s))
                    .collect(),
                None => vec![ProcessingStatus::Registered],
            };
            outcome(c.wait_for_status(&id, &targets, poll()).await, ok)
        }
        other => return Err(format!("unknown hague operation `{other}`").into()),
    })
}

/// Shared record of problems seen by the token endpoint mock.
pub(crate) type Problems = Arc<Mutex<Vec<String>>>;

/// The path of a URL the provider advertised (its host is the replay's, which changes
/// from run to run); the text unchanged if it is not a URL.
fn path_of(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| url.to_owned(), |u| u.path().to_owned())
}
