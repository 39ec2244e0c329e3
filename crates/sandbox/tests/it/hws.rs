//! HWS: discovery, the token endpoint's checks, the API, packages, statuses, bulletins.
//! Assertions come from `fapi-jwt-assert` (an independent signer), and replies are read by
//! `fapi-jwt-assert`, `st96-model` and `hague-package`, not by the sandbox.

use std::io::Cursor;
use std::time::Duration;

use fapi_jwt_assert::{
    AssertionOptions, AssertionSigner, Audience, ProviderMetadata, SigningKey, SystemRandom,
    TokenError, TokenRequest, TokenResponse, UrlPolicy,
};
use http::Method;
use st96_model::{ImportStatus, ProcessingStatus, ServiceRequestStatus};

use crate::common::{Answer, call, manual_sandbox, wall_clock};

pub(crate) const CLIENT: &str = "office-es";
pub(crate) const SCOPE: &str = sandbox::DEFAULT_SCOPE;

async fn provider(sb: &sandbox::Sandbox) -> ProviderMetadata {
    let url = fapi_jwt_assert::discovery_url(&sb.issuer());
    let a = call(Method::GET, &url, &[], "").await;
    assert_eq!(a.status, 200);
    ProviderMetadata::from_json(&a.body, &sb.issuer(), UrlPolicy::AllowLoopbackHttp).unwrap()
}

fn signer(key: SigningKey) -> AssertionSigner {
    AssertionSigner::new(key, CLIENT, AssertionOptions::default()).unwrap()
}

async fn post_token(request: &TokenRequest) -> Answer {
    call(
        Method::POST,
        request.url(),
        &[("content-type", request.content_type())],
        request.body().expose_secret().to_owned(),
    )
    .await
}

fn rejected(a: &Answer) -> (u16, String, String) {
    match TokenResponse::from_http(a.status, &a.body) {
        Err(TokenError::Rejected {
            status,
            error,
            description,
            ..
        }) => (
            status,
            error.as_str().to_owned(),
            description.unwrap_or_default(),
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A token request for `signer`, signed at `now`.
fn token_request(
    p: &ProviderMetadata,
    signer: &AssertionSigner,
    audience: &Audience,
    scope: &str,
    now: std::time::SystemTime,
) -> TokenRequest {
    TokenRequest::client_credentials(p, signer, audience, Some(scope), now, &SystemRandom::new())
        .unwrap()
}

/// Registers a new P-256 client and returns its `Authorization: Bearer` value.
pub(crate) async fn bearer(sb: &sandbox::Sandbox) -> String {
    let key = registered_key(sb);
    format!("Bearer {}", token(sb, &signer(key)).await)
}

async fn token(sb: &sandbox::Sandbox, signer: &AssertionSigner) -> String {
    let p = provider(sb).await;
    let req = token_request(&p, signer, &Audience::TokenEndpoint, SCOPE, wall_clock());
    let a = post_token(&req).await;
    let t = TokenResponse::from_http(a.status, &a.body).unwrap();
    assert_eq!(t.expires_in, Some(3600));
    t.access_token.expose_secret().to_owned()
}

/// A fresh P-256 key, registered with the sandbox as [`CLIENT`].
fn registered_key(sb: &sandbox::Sandbox) -> SigningKey {
    let key = SigningKey::generate_p256().unwrap();
    sb.register_hws_client(CLIENT, key.public_jwk().clone());
    key
}

/// The real `hague-client`, with a fresh key registered as [`CLIENT`], against `sb`.
fn hague_client_of(sb: &sandbox::Sandbox) -> hague_client::Client {
    use hague_client::{Config, Provider};
    let key = registered_key(sb);
    let config = Config::new(
        sb.hws_api_url(),
        Provider::Discovery {
            issuer: sb.issuer(),
        },
        CLIENT,
        key,
    )
    .unwrap()
    .scope(Some(SCOPE.to_owned()))
    .transport(http_transport::TransportConfig::default().allow_plain_http(true));
    hague_client::Client::new(config).unwrap()
}

fn refusal_pdf_package(pdf_name: &str) -> Vec<u8> {
    test_support::hws::refusal_package(pdf_name, b"%PDF-1.7\n%%EOF\n")
}

#[tokio::test]
async fn discovery_advertises_private_key_jwt() {
    let (sb, _) = manual_sandbox().await;
    let p = provider(&sb).await;
    use fapi_jwt_assert::{Advertised, Algorithm};
    assert_eq!(p.token_endpoint(), sb.token_endpoint());
    assert_eq!(p.private_key_jwt(), Advertised::Yes);
    assert_eq!(p.client_credentials(), Advertised::Yes);
    for alg in [Algorithm::Es256, Algorithm::Ps256, Algorithm::Rs256] {
        assert_eq!(p.signing_algorithm(alg), Advertised::Yes, "{alg:?}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn token_then_api_with_bearer() {
    let (sb, clock) = manual_sandbox().await;
    let key = registered_key(&sb);
    let s = signer(key);
    let token = token(&sb, &s).await;
    let ping = format!("{}/pingMe", sb.hws_api_url());
    let ok = call(
        Method::GET,
        &ping,
        &[("authorization", &format!("Bearer {token}"))],
        "",
    )
    .await;
    assert_eq!(ok.status, 200);
    let none = call(Method::GET, &ping, &[], "").await;
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["error"]["code"], "UNAUTHORIZED");
    let wrong = call(
        Method::GET,
        &ping,
        &[("authorization", "Bearer not-a-token")],
        "",
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.header("www-authenticate").contains("invalid_token"));
    // Tokens live 3600 s.
    clock.advance(Duration::from_secs(3601));
    let late = call(
        Method::GET,
        &ping,
        &[("authorization", &format!("Bearer {token}"))],
        "",
    )
    .await;
    assert_eq!(late.status, 401);
    sb.shutdown().await;
}

#[tokio::test]
async fn forged_assertion_is_invalid_client() {
    let (sb, _) = manual_sandbox().await;
    let registered = registered_key(&sb);
    // Same client id, another key: what an attacker who knows the id can do.
    let forger = signer(SigningKey::generate_p256().unwrap());
    let p = provider(&sb).await;
    let req = token_request(&p, &forger, &Audience::TokenEndpoint, SCOPE, wall_clock());
    let (status, error, description) = rejected(&post_token(&req).await);
    assert_eq!((status, error.as_str()), (401, "invalid_client"));
    assert!(description.contains("signature"), "{description}");

    // A genuine assertion with its payload edited (sub/iss swapped for another client).
    let good = signer(registered);
    let req = token_request(&p, &good, &Audience::TokenEndpoint, SCOPE, wall_clock());
    let body = req.body().expose_secret().to_owned();
    let assertion = body.split("client_assertion=").nth(1).unwrap().to_owned();
    let mut parts: Vec<String> = assertion.split('.').map(str::to_owned).collect();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let claims = String::from_utf8(b64.decode(&parts[1]).unwrap()).unwrap();
    parts[1] = b64.encode(claims.replace("\"exp\":", "\"exp\":1").as_bytes());
    let tampered = body.replace(&assertion, &parts.join("."));
    let a = call(
        Method::POST,
        req.url(),
        &[("content-type", req.content_type())],
        tampered,
    )
    .await;
    let (status, error, _) = rejected(&a);
    assert_eq!((status, error.as_str()), (401, "invalid_client"));

    // A client nobody registered.
    let stranger = AssertionSigner::new(
        SigningKey::generate_p256().unwrap(),
        "nobody",
        AssertionOptions::default(),
    )
    .unwrap();
    let req = token_request(&p, &stranger, &Audience::TokenEndpoint, SCOPE, wall_clock());
    let (status, error, description) = rejected(&post_token(&req).await);
    assert_eq!((status, error.as_str()), (401, "invalid_client"));
    assert!(description.contains("unknown client"), "{description}");
    sb.shutdown().await;
}

#[tokio::test]
async fn replayed_assertion_is_invalid_client() {
    let (sb, _) = manual_sandbox().await;
    let key = registered_key(&sb);
    let p = provider(&sb).await;
    let req = token_request(
        &p,
        &signer(key),
        &Audience::TokenEndpoint,
        SCOPE,
        wall_clock(),
    );
    let first = post_token(&req).await;
    assert_eq!(
        first.status,
        200,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    let (status, error, description) = rejected(&post_token(&req).await);
    assert_eq!((status, error.as_str()), (401, "invalid_client"));
    assert!(description.contains("only be used once"), "{description}");
    sb.shutdown().await;
}

#[tokio::test]
async fn audience_lifetime_grant_and_scope_checks() {
    let (sb, clock) = manual_sandbox().await;
    let key = registered_key(&sb);
    let s = signer(key);
    let p = provider(&sb).await;
    let now = wall_clock();

    // The issuer is accepted as audience too; another audience is not.
    let req = token_request(&p, &s, &Audience::Issuer, SCOPE, now);
    assert_eq!(post_token(&req).await.status, 200);
    let other = Audience::Custom("https://logindev.wipo.int:443/am/oauth2/access_token".into());
    let req = token_request(&p, &s, &other, SCOPE, now);
    let (_, error, description) = rejected(&post_token(&req).await);
    assert_eq!(error, "invalid_client");
    assert!(description.contains("aud"), "{description}");

    // Signed 10 minutes ago with the 60 s default lifetime: expired.
    let req = token_request(
        &p,
        &s,
        &Audience::TokenEndpoint,
        SCOPE,
        now - Duration::from_secs(600),
    );
    let (_, error, description) = rejected(&post_token(&req).await);
    assert_eq!(error, "invalid_client");
    assert!(description.contains("expired"), "{description}");

    // Issued in the future (the sandbox's clock is behind).
    clock.set(now - Duration::from_secs(120));
    let req = token_request(&p, &s, &Audience::TokenEndpoint, SCOPE, now);
    let (_, error, _) = rejected(&post_token(&req).await);
    assert_eq!(error, "invalid_client");
    clock.set(now);

    // Unknown scope, wrong grant type.
    let req = token_request(&p, &s, &Audience::TokenEndpoint, "admin", now);
    let (status, error, _) = rejected(&post_token(&req).await);
    assert_eq!((status, error.as_str()), (400, "invalid_scope"));
    let req = token_request(&p, &s, &Audience::TokenEndpoint, SCOPE, now);
    let body = req
        .body()
        .expose_secret()
        .replace("grant_type=client_credentials", "grant_type=password");
    let a = call(
        Method::POST,
        req.url(),
        &[("content-type", req.content_type())],
        body,
    )
    .await;
    let (status, error, _) = rejected(&a);
    assert_eq!((status, error.as_str()), (400, "unsupported_grant_type"));
    sb.shutdown().await;
}

#[tokio::test]
async fn invalid_package_gets_wipo_error() {
    let (sb, _) = manual_sandbox().await;
    let auth = bearer(&sb).await;
    let url = format!("{}/request", sb.hws_api_url());
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/zip"),
    ];

    // The XML names refusal/decision.pdf, the ZIP holds refusal/Decision.pdf.
    let a = call(
        Method::POST,
        &url,
        &headers,
        refusal_pdf_package("refusal/Decision.pdf"),
    )
    .await;
    assert_eq!(a.status, 400);
    let e = a.json();
    assert_eq!(e["error"]["code"], "INVALID_INPUT_DATA");
    let details = e["error"]["details"].as_array().unwrap();
    assert!(
        details.iter().any(|d| d["code"] == "missing_reference"),
        "{e}"
    );

    // Not a ZIP at all.
    let a = call(Method::POST, &url, &headers, "this is not a zip").await;
    assert_eq!(a.status, 400);
    assert!(
        a.json()["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "not_a_zip")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn request_moves_from_import_to_registered() {
    let (sb, clock) = manual_sandbox().await;
    let auth = bearer(&sb).await;
    let h = [("authorization", auth.as_str())];
    let api = sb.hws_api_url();

    let a = call(
        Method::POST,
        &format!("{api}/request"),
        &h,
        refusal_pdf_package("refusal/decision.pdf"),
    )
    .await;
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let submitted = ImportStatus::parse(&a.body).unwrap();
    let import_id = submitted.import_id.unwrap();

    let a = call(
        Method::GET,
        &format!("{api}/request/import/{import_id}"),
        &h,
        "",
    )
    .await;
    let pending = ImportStatus::parse(&a.body).unwrap();
    assert_eq!(pending.status.as_deref(), Some("PENDING"));
    assert_eq!(pending.service_request_number, None);

    clock.advance(Duration::from_secs(1));
    let a = call(
        Method::GET,
        &format!("{api}/request/import/{import_id}"),
        &h,
        "",
    )
    .await;
    let imported = ImportStatus::parse(&a.body).unwrap();
    assert_eq!(imported.status.as_deref(), Some("IMPORTED"));
    let srn = imported.service_request_number.unwrap();

    let a = call(Method::GET, &format!("{api}/request/{srn}"), &h, "").await;
    assert_eq!(a.status, 200);
    let s = ServiceRequestStatus::parse(&a.body).unwrap();
    assert_eq!(s.processing_status, Some(ProcessingStatus::InProcess));
    assert_eq!(s.service_request_number.as_deref(), Some(srn.as_str()));
    assert_eq!(s.registration_number, None);

    clock.advance(Duration::from_secs(2));
    let a = call(Method::GET, &format!("{api}/request/{srn}"), &h, "").await;
    let s = ServiceRequestStatus::parse(&a.body).unwrap();
    assert_eq!(s.processing_status, Some(ProcessingStatus::Registered));
    assert!(s.registration_number.unwrap().starts_with("DM/"));
    assert!(s.expected_publication_date.is_some());

    let a = call(
        Method::GET,
        &format!("{api}/request/SR-0000-999999"),
        &h,
        "",
    )
    .await;
    assert_eq!(a.status, 404);
    sb.shutdown().await;
}

#[tokio::test]
async fn bulletins_and_confidential_copies_open() {
    let (sb, _) = manual_sandbox().await;
    let auth = bearer(&sb).await;
    let h = [("authorization", auth.as_str())];
    let api = sb.hws_api_url();
    for path in [
        "publication/bulletin/202447",
        "publication/copy/confidential/202447",
    ] {
        let a = call(Method::GET, &format!("{api}/{path}"), &h, "").await;
        assert_eq!(a.status, 200, "{path}");
        assert_eq!(a.header("content-type"), "application/zip");
        let mut b = hague_package::Bulletin::open(
            Cursor::new(a.body.to_vec()),
            &hague_package::Limits::default(),
        )
        .unwrap();
        let records = b.records().unwrap().collect::<Result<Vec<_>, _>>().unwrap();
        assert_eq!(records.len(), 200, "{path}");
    }
    let a = call(
        Method::GET,
        &format!("{api}/publication/bulletin/2024-47"),
        &h,
        "",
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["error"]["code"], "INVALID_INPUT_DATA");
    let a = call(
        Method::GET,
        &format!("{api}/publication/bulletin/202447"),
        &[],
        "",
    )
    .await;
    assert_eq!(a.status, 401);
    sb.shutdown().await;
}

#[tokio::test]
async fn clients_register_over_http() {
    let (sb, _) = manual_sandbox().await;
    let key = SigningKey::generate_p256().unwrap();
    let body = serde_json::json!({"client_id": CLIENT, "jwk": key.public_jwk()}).to_string();
    let a = call(
        Method::POST,
        &format!("{}/sandbox/clients", sb.hws_url()),
        &[("content-type", "application/json")],
        body,
    )
    .await;
    assert_eq!(a.status, 201);
    token(&sb, &signer(key)).await;
    sb.shutdown().await;
}

#[tokio::test]
async fn the_real_hague_client_runs_the_cycle() {
    use hague_client::{PollPolicy, WeekId};
    let (sb, clock) = manual_sandbox().await;
    let client = hague_client_of(&sb);
    client.ping().await.unwrap();
    let id = client
        .submit(refusal_pdf_package("refusal/decision.pdf"))
        .await
        .unwrap()
        .import_id
        .unwrap();
    let mut fast = PollPolicy::default();
    fast.initial_interval = Duration::from_millis(10);
    fast.max_interval = Duration::from_millis(20);
    fast.deadline = Duration::from_secs(10);
    clock.advance(Duration::from_secs(1));
    let import = client.wait_for_service_request(&id, fast).await.unwrap();
    let srn = import.service_request_number.unwrap();
    let status = client.request_status(&srn).await.unwrap();
    assert_eq!(status.processing_status, Some(ProcessingStatus::InProcess));
    clock.advance(Duration::from_secs(2));
    let status = client
        .wait_for_status(&srn, &[ProcessingStatus::Registered], fast)
        .await
        .unwrap();
    assert!(status.registration_number.is_some());
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bulletin.zip");
    let week: WeekId = "2024-W47".parse().unwrap();
    let download = client.bulletin(week, &target, |_| {}).await.unwrap();
    assert!(download.bytes > 0);
    let file = std::fs::File::open(&target).unwrap();
    let mut b = hague_package::Bulletin::open(file, &hague_package::Limits::default()).unwrap();
    assert_eq!(b.records().unwrap().count(), 200);
    assert_eq!(client.token_requests_sent(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn secrets_never_show_in_debug() {
    let (sb, _) = manual_sandbox().await;
    let key = registered_key(&sb);
    let token = token(&sb, &signer(key)).await;
    let secret = sb.firmadoc_credentials().expose_secret().to_owned();
    let config = format!("{:?}", sandbox::SandboxConfig::default());
    let creds = format!("{:?}", sb.firmadoc_credentials());
    let whole = format!("{sb:?}");
    for text in [&config, &creds, &whole] {
        assert!(!text.contains(&secret), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }
    assert!(!whole.contains(&token), "the access token leaks: {whole}");
    sb.shutdown().await;
}

#[tokio::test]
async fn banner_lists_urls_and_a_working_test_client() {
    let (sb, _) = manual_sandbox().await;
    let key = sb.register_test_client().unwrap();
    let banner = sb.banner(Some(&key));
    for needle in [
        sb.issuer(),
        sb.token_endpoint(),
        sb.hws_api_url(),
        sb.firmadoc_url(),
    ] {
        assert!(banner.contains(&needle), "{needle} missing from:\n{banner}");
    }
    assert!(banner.contains(sandbox::TEST_CONSUMER_KEY));
    assert!(banner.contains("-----BEGIN PRIVATE KEY-----"));
    // The printed key is the registered one: it gets a token.
    let printed = banner
        .split("-----BEGIN PRIVATE KEY-----")
        .nth(1)
        .and_then(|rest| rest.split("-----END PRIVATE KEY-----").next())
        .unwrap();
    let pem = format!("-----BEGIN PRIVATE KEY-----{printed}-----END PRIVATE KEY-----\n");
    let reloaded = SigningKey::from_pem(&pem).unwrap();
    let s = AssertionSigner::new(
        reloaded,
        sandbox::TEST_CLIENT_ID,
        AssertionOptions::default(),
    )
    .unwrap();
    token(&sb, &s).await;
    sb.shutdown().await;
}

/// The sandbox-only controls reach every processing status and a failed import, and each
/// client path runs against them: statuses read, waits that end on a final status, a wait
/// that ends on a failed import.
#[tokio::test]
async fn every_status_and_a_failed_import_are_reachable() {
    use hague_client::{Error, PollPolicy};
    let (sb, clock) = manual_sandbox().await;
    let client = hague_client_of(&sb);
    let fast = PollPolicy::with_deadline(Duration::from_secs(5))
        .intervals(Duration::from_millis(10), Duration::from_millis(20));
    let package = || refusal_pdf_package("refusal/decision.pdf");

    // Each of the six, set over HTTP (as with curl), in the guide's Spanish labels.
    for (label, want) in [
        ("No definido", ProcessingStatus::Undefined),
        ("En trámite", ProcessingStatus::InProcess),
        (
            "Pendiente de regularización",
            ProcessingStatus::PendingRegularization,
        ),
        ("Registrado", ProcessingStatus::Registered),
        ("Abandonado", ProcessingStatus::Abandoned),
        ("Anulado", ProcessingStatus::Cancelled),
    ] {
        let id = client.submit(package()).await.unwrap().import_id.unwrap();
        clock.advance(Duration::from_secs(1));
        let srn = client
            .wait_for_service_request(&id, fast)
            .await
            .unwrap()
            .service_request_number
            .unwrap();
        let a = call(
            Method::POST,
            &format!("{}/sandbox/requests/{srn}", sb.hws_url()),
            &[("content-type", "application/json")],
            serde_json::json!({"status": label}).to_string(),
        )
        .await;
        assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
        let s = client.request_status(&srn).await.unwrap();
        assert_eq!(s.processing_status.as_ref(), Some(&want), "{label}");
        assert_eq!(
            s.registration_number.is_some(),
            want == ProcessingStatus::Registered
        );
        // A wait for Pending regularization: returns on it, ends at once on a final status,
        // and keeps polling on the others (here: deadline).
        let short = PollPolicy::with_deadline(Duration::from_millis(100))
            .intervals(Duration::from_millis(10), Duration::from_millis(20));
        let waited = client
            .wait_for_status(&srn, &[ProcessingStatus::PendingRegularization], short)
            .await;
        match (&want, waited) {
            (ProcessingStatus::PendingRegularization, Ok(s)) => {
                assert_eq!(s.processing_status, Some(want.clone()));
            }
            (w, Err(Error::FinalStatus { status, .. })) if w.is_final() => {
                assert_eq!(&status, w);
            }
            (w, Err(Error::DeadlineReached { .. })) if !w.is_final() => {}
            (w, other) => panic!("{w:?}: {other:?}"),
        }
    }
    // A label outside the six is refused by the control.
    let id = client.submit(package()).await.unwrap().import_id.unwrap();
    clock.advance(Duration::from_secs(1));
    let srn = client
        .wait_for_service_request(&id, fast)
        .await
        .unwrap()
        .service_request_number
        .unwrap();
    assert!(sb.set_hws_request_status(&srn, "Frozen").is_err());
    sb.set_hws_request_status(&srn, "Abandoned").unwrap();

    // A failed import, over HTTP: the wait for its service request ends at once.
    let id = client.submit(package()).await.unwrap().import_id.unwrap();
    let a = call(
        Method::POST,
        &format!("{}/sandbox/imports/{id}", sb.hws_url()),
        &[("content-type", "application/json")],
        r#"{"state":"REJECTED"}"#,
    )
    .await;
    assert_eq!(a.status, 200);
    clock.advance(Duration::from_secs(5));
    match client.wait_for_service_request(&id, fast).await {
        Err(Error::ImportFailed { state, reply }) => {
            assert_eq!(state, "REJECTED");
            assert!(reply.service_request_number.is_none());
        }
        other => panic!("{other:?}"),
    }
    // The Rust API does the same; an unknown import is refused.
    let id = client.submit(package()).await.unwrap().import_id.unwrap();
    assert!(sb.fail_hws_import(id.as_str(), "FAILED"));
    assert!(!sb.fail_hws_import("no-such-import", "FAILED"));
    assert!(client.import_status(&id).await.unwrap().is_failed());
    sb.shutdown().await;
}
