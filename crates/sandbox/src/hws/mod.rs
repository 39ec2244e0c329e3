//! The Hague System Web Services side: discovery, token endpoint, API.

mod bulletin;
mod jwt;
mod status;

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Arc, Mutex, PoisonError};

use fapi_jwt_assert::PublicJwk;
use http::{Method, StatusCode};
use serde_json::json;

use crate::random::Ids;
use crate::redacted::Redacted;
use crate::server::{Handler, Req, Resp, json, respond};
use crate::{Clock, SandboxConfig};

/// The path of the issuer under the HWS base URL (ForgeRock AM's layout, as WIPO's).
pub(crate) const ISSUER_PATH: &str = "/am/oauth2";
/// The token endpoint under the issuer.
pub(crate) const TOKEN_PATH: &str = "/am/oauth2/access_token";
/// The API's base path (**inferred**: DAS, WIPO's sister API, uses `/das-api/v1`).
pub(crate) const API_PATH: &str = "/hws-api/v1";
/// Sandbox-only: `POST {"client_id": "...", "jwk": {...}}` registers a client, so that
/// tools running in another process can use the sandbox. No real service has it.
pub(crate) const CLIENTS_PATH: &str = "/sandbox/clients";
/// Sandbox-only: `POST {"state": "FAILED"}` to `/sandbox/imports/{importId}` makes that
/// import fail (its status reports the state, never a service request number).
pub(crate) const IMPORTS_CONTROL: &str = "/sandbox/imports/";
/// Sandbox-only: `POST {"status": "Abandoned"}` to `/sandbox/requests/{serviceRequestNumber}`
/// sets that service request's processing status (one of the guide's six, any of its
/// English, Spanish or French labels; sent back as written).
pub(crate) const REQUESTS_CONTROL: &str = "/sandbox/requests/";
/// The `client_assertion_type` of RFC 7523.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Clock skew allowed on `exp`, `iat` and `nbf`, in seconds.
pub(crate) const SKEW: u64 = 30;
/// Longest assertion lifetime accepted (`exp` - `iat`), in seconds.
pub(crate) const MAX_ASSERTION_LIFETIME: u64 = 300;
/// Lifetime of an access token, in seconds.
pub(crate) const TOKEN_LIFETIME: u64 = 3600;

/// The HWS state.
#[derive(Debug)]
pub(crate) struct Hws {
    clock: Arc<dyn Clock>,
    ids: Arc<Ids>,
    base: String,
    config: HwsSettings,
    inner: Mutex<Inner>,
}

/// The settings the HWS side takes from [`SandboxConfig`].
#[derive(Debug, Clone)]
struct HwsSettings {
    scopes: Vec<String>,
    strict_assertions: bool,
    import_delay: u64,
    registration_delay: u64,
    bulletin_records: u64,
    first_bulletin: bulletin::Week,
}

#[derive(Debug, Default)]
struct Inner {
    clients: HashMap<String, PublicJwk>,
    /// (client id, jti) -> the assertion's `exp`: kept until it expires.
    jtis: HashMap<(String, String), u64>,
    /// access token -> (client id, expiry).
    tokens: HashMap<Redacted, (String, u64)>,
    imports: HashMap<String, Import>,
    /// service request number -> import id.
    by_srn: HashMap<String, String>,
    next: u64,
}

/// One submitted package.
#[derive(Debug, Clone)]
struct Import {
    id: String,
    srn: String,
    irn: String,
    submitted: u64,
    client_id: String,
    /// Set by `/sandbox/imports/{id}`: the import failed with this state.
    failed: Option<String>,
    /// Set by `/sandbox/requests/{srn}`: the processing status to report.
    forced_status: Option<String>,
}

impl Hws {
    pub(crate) fn new(config: &SandboxConfig, ids: Arc<Ids>, base: String) -> Self {
        Self {
            clock: config.clock.clone(),
            ids,
            base,
            config: HwsSettings {
                scopes: config.hws_scopes.clone(),
                strict_assertions: config.hws_strict_assertions,
                import_delay: config.hws_import_delay.as_secs(),
                registration_delay: config.hws_registration_delay.as_secs(),
                bulletin_records: config.bulletin_records,
                first_bulletin: config.hws_first_bulletin,
            },
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn issuer(&self) -> String {
        format!("{}{ISSUER_PATH}", self.base)
    }

    pub(crate) fn token_endpoint(&self) -> String {
        format!("{}{TOKEN_PATH}", self.base)
    }

    pub(crate) fn register_client(&self, client_id: &str, key: PublicJwk) {
        self.lock().clients.insert(client_id.to_owned(), key);
    }

    /// The request handler.
    pub(crate) fn handler(self: Arc<Self>) -> Handler {
        Arc::new(move |req| {
            let this = self.clone();
            Box::pin(async move { this.route(&req) })
        })
    }

    fn route(&self, req: &Req) -> Resp {
        let discovery_paths = [
            format!("{ISSUER_PATH}{}", fapi_jwt_assert::WELL_KNOWN_PATH),
            fapi_jwt_assert::WELL_KNOWN_PATH.to_owned(),
        ];
        if discovery_paths.contains(&req.path) {
            return match req.method {
                Method::GET => self.discovery(),
                _ => method_not_allowed(),
            };
        }
        if req.path == CLIENTS_PATH {
            return match req.method {
                Method::POST => self.register_over_http(req),
                _ => method_not_allowed(),
            };
        }
        if let Some(id) = req.path.strip_prefix(IMPORTS_CONTROL) {
            return match req.method {
                Method::POST => self.control_import(id, req),
                _ => method_not_allowed(),
            };
        }
        if let Some(srn) = req.path.strip_prefix(REQUESTS_CONTROL) {
            return match req.method {
                Method::POST => self.control_request(srn, req),
                _ => method_not_allowed(),
            };
        }
        if req.path == TOKEN_PATH {
            return match req.method {
                Method::POST => self.token(req),
                _ => method_not_allowed(),
            };
        }
        let Some(rest) = req.path.strip_prefix(API_PATH) else {
            return wipo_error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "no such resource",
                vec![],
            );
        };
        let client_id = match self.bearer(req) {
            Ok(c) => c,
            Err(resp) => return *resp,
        };
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        match (&req.method, segments.as_slice()) {
            (&Method::GET, ["pingMe"]) => json(
                StatusCode::OK,
                &json!({"message": "pong", "client_id": client_id}),
            ),
            (&Method::POST, ["request"]) => self.submit(req, &client_id),
            (&Method::GET, ["request", "import", id]) => self.import_status(id, &client_id),
            (&Method::GET, ["request", srn]) => self.request_status(srn, &client_id),
            (&Method::GET, ["publication", "bulletin", week]) => self.bulletin(req, week, false),
            (&Method::GET, ["publication", "copy", "confidential", week]) => {
                self.bulletin(req, week, true)
            }
            _ => wipo_error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "no such resource",
                vec![],
            ),
        }
    }

    fn register_over_http(&self, req: &Req) -> Resp {
        #[derive(serde::Deserialize)]
        struct Registration {
            client_id: String,
            jwk: Option<PublicJwk>,
            public_key_pem: Option<String>,
        }
        let bad = |m: &str| wipo_error(StatusCode::BAD_REQUEST, "INVALID_INPUT_DATA", m, vec![]);
        let usage = "send {\"client_id\": \"...\", \"jwk\": {public JWK}} or {\"client_id\": \"...\", \"public_key_pem\": \"-----BEGIN PUBLIC KEY-----...\"}";
        let r = match serde_json::from_slice::<Registration>(&req.body) {
            Ok(r) => r,
            Err(e) => return bad(&format!("{usage}: {e}")),
        };
        if r.client_id.is_empty() {
            return bad("client_id is empty");
        }
        let key = match (r.jwk, r.public_key_pem) {
            (Some(jwk), _) => jwk,
            (None, Some(pem)) => match jwt::p256_public_pem_to_jwk(&pem) {
                Ok(k) => k,
                Err(e) => return bad(&e),
            },
            (None, None) => return bad(usage),
        };
        self.register_client(&r.client_id, key);
        json(StatusCode::CREATED, &json!({"client_id": r.client_id}))
    }

    fn discovery(&self) -> Resp {
        json(
            StatusCode::OK,
            &json!({
                "issuer": self.issuer(),
                "token_endpoint": self.token_endpoint(),
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                "token_endpoint_auth_signing_alg_values_supported": jwt::ALGORITHMS,
                "grant_types_supported": ["client_credentials"],
                "scopes_supported": self.config.scopes,
                "response_types_supported": ["token"],
            }),
        )
    }

    /// RFC 6749 4.4 with RFC 7523 client authentication.
    fn token(&self, req: &Req) -> Resp {
        let form: HashMap<String, String> = url::form_urlencoded::parse(&req.body)
            .into_owned()
            .collect();
        let get = |k: &str| form.get(k).map(String::as_str);
        match get("grant_type") {
            None => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "grant_type is missing",
                );
            }
            Some("client_credentials") => {}
            Some(other) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    &format!("the grant type {other} is not supported; use client_credentials"),
                );
            }
        }
        let Some(assertion) = get("client_assertion") else {
            return invalid_client(
                "no client authentication: send client_assertion (private_key_jwt)",
            );
        };
        if get("client_assertion_type") != Some(JWT_BEARER) {
            return invalid_client(&format!("client_assertion_type must be {JWT_BEARER}"));
        }
        let client_id = match self.check_assertion(assertion, get("client_id")) {
            Ok(c) => c,
            Err(description) => return invalid_client(&description),
        };
        let scope = get("scope").unwrap_or_default();
        let requested: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
        if let Some(bad) = requested
            .iter()
            .find(|s| !self.config.scopes.iter().any(|a| a == *s))
        {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                &format!("the scope {bad} is not allowed for this client"),
            );
        }
        let token = self.ids.hex(32);
        let now = self.clock.unix();
        {
            let mut inner = self.lock();
            inner.tokens.retain(|_, (_, exp)| *exp > now);
            inner
                .tokens
                .insert(Redacted(token.clone()), (client_id, now + TOKEN_LIFETIME));
        }
        let mut body = json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
        });
        if !requested.is_empty() {
            body["scope"] = requested.join(" ").into();
        }
        let mut r = json(StatusCode::OK, &body);
        r.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
        r
    }

    /// Every check of RFC 7523 3 and OIDC Core 9; returns the client id.
    fn check_assertion(
        &self,
        assertion: &str,
        client_id_param: Option<&str>,
    ) -> Result<String, String> {
        let parsed = jwt::parse(assertion)?;
        let c = &parsed.claims;
        let iss = c
            .iss
            .clone()
            .ok_or("the client assertion has no iss claim")?;
        if c.sub.as_deref() != Some(iss.as_str()) {
            return Err("the client assertion's sub must equal its iss (the client id)".into());
        }
        if let Some(p) = client_id_param
            && p != iss
        {
            return Err("client_id does not match the client assertion's iss".into());
        }
        let key = self
            .lock()
            .clients
            .get(&iss)
            .cloned()
            .ok_or_else(|| format!("unknown client {iss}: register its public key first"))?;
        parsed.verify_signature(&key)?;
        let (issuer, endpoint) = (self.issuer(), self.token_endpoint());
        if !c.aud.iter().any(|a| *a == endpoint || *a == issuer) {
            return Err(format!(
                "the client assertion's aud must be the token endpoint {endpoint} (or the issuer {issuer})"
            ));
        }
        let now = self.clock.unix();
        let secs = |v: Option<f64>| v.filter(|x| x.is_finite() && *x >= 0.0).map(|x| x as u64);
        let exp = secs(c.exp).ok_or("the client assertion has no valid exp claim")?;
        if exp + SKEW < now {
            return Err(
                "the client assertion has expired (exp is in the past): check the clock".into(),
            );
        }
        if let Some(nbf) = secs(c.nbf)
            && nbf > now + SKEW
        {
            return Err("the client assertion is not yet valid (nbf is in the future)".into());
        }
        let strict = self.config.strict_assertions;
        let start = match secs(c.iat) {
            Some(iat) if iat > now + SKEW => {
                return Err(
                    "the client assertion was issued in the future (iat): check the clock".into(),
                );
            }
            Some(iat) => iat,
            None if strict => {
                return Err(
                    "the client assertion has no iat claim (this sandbox runs with --strict-assertions)"
                        .into(),
                );
            }
            // The guide's Appendix C sends no iat: the lifetime counts from now.
            None => now,
        };
        if exp.saturating_sub(start) > MAX_ASSERTION_LIFETIME {
            return Err(format!(
                "the client assertion lives longer than {MAX_ASSERTION_LIFETIME} s (exp - iat)"
            ));
        }
        // The guide's Appendix C sends no jti (it sets JWT_ID but never uses it): accepted
        // unless strict. A jti that is present is never accepted twice, in either mode.
        let jti = match (c.jti.clone(), strict) {
            (Some(j), _) => j,
            (None, true) => {
                return Err(
                    "the client assertion has no jti claim (this sandbox runs with --strict-assertions)"
                        .into(),
                );
            }
            (None, false) => return Ok(iss),
        };
        let mut inner = self.lock();
        inner.jtis.retain(|_, e| *e + SKEW >= now);
        if inner.jtis.contains_key(&(iss.clone(), jti.clone())) {
            return Err(
                "client assertion tokens must only be used once (this jti was seen before)".into(),
            );
        }
        inner.jtis.insert((iss.clone(), jti), exp);
        Ok(iss)
    }

    /// The client id of a valid Bearer token, or the 401 answer.
    fn bearer(&self, req: &Req) -> Result<String, Box<Resp>> {
        let token = req
            .header("authorization")
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim);
        let now = self.clock.unix();
        let found = token.and_then(|t| {
            self.lock()
                .tokens
                .get(&Redacted(t.to_owned()))
                .filter(|(_, exp)| *exp > now)
                .map(|(c, _)| c.clone())
        });
        found.ok_or_else(|| {
            let (code, message) = if token.is_none() {
                ("UNAUTHORIZED", "a Bearer access token is required")
            } else {
                (
                    "INVALID_TOKEN",
                    "the access token is unknown or expired: get a new one",
                )
            };
            let mut r = wipo_error(StatusCode::UNAUTHORIZED, code, message, vec![]);
            let challenge = if token.is_none() {
                "Bearer"
            } else {
                "Bearer error=\"invalid_token\""
            };
            r.headers_mut().insert(
                http::header::WWW_AUTHENTICATE,
                http::HeaderValue::from_static(challenge),
            );
            Box::new(r)
        })
    }

    fn submit(&self, req: &Req, client_id: &str) -> Resp {
        let options = hague_package::ValidationOptions::default();
        let checked = match hague_package::validate_package(
            &mut Cursor::new(&req.body[..]),
            &options,
            &hague_package::St96Inspector,
        ) {
            Ok(c) => c,
            Err(e) => {
                return wipo_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    &format!("the package could not be read: {e}"),
                    vec![],
                );
            }
        };
        if !checked.report.is_valid() {
            let report = checked.report.to_json();
            let details: Vec<serde_json::Value> = report["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["severity"] == "error")
                .map(|f| {
                    let mut d = json!({"code": f["kind"], "message": f["message"]});
                    if let Some(entry) = f.get("entry").filter(|e| !e.is_null()) {
                        d["target"] = entry.clone();
                    }
                    d
                })
                .collect();
            return wipo_error(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT_DATA",
                "the import package is invalid",
                details,
            );
        }
        let now = self.clock.unix();
        let import = {
            let mut inner = self.lock();
            inner.next += 1;
            let n = inner.next;
            let (year, _, _) = crate::civil::ymd(now);
            let import = Import {
                id: format!("{}-{}", self.ids.hex(4), self.ids.hex(6)),
                srn: format!("SR-{year}-{n:06}"),
                irn: format!("DM/{:06}", 230_000 + n),
                submitted: now,
                client_id: client_id.to_owned(),
                failed: None,
                forced_status: None,
            };
            inner.by_srn.insert(import.srn.clone(), import.id.clone());
            inner.imports.insert(import.id.clone(), import.clone());
            import
        };
        xml(
            StatusCode::ACCEPTED,
            status::import_xml(&import.id, "RECEIVED", None),
        )
    }

    fn import_status(&self, id: &str, client_id: &str) -> Resp {
        let Some(import) = self
            .lock()
            .imports
            .get(id)
            .filter(|i| i.client_id == client_id)
            .cloned()
        else {
            return wipo_error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                &format!("no import {id}"),
                vec![],
            );
        };
        let age = self.clock.unix().saturating_sub(import.submitted);
        let body = if let Some(state) = &import.failed {
            status::import_xml(&import.id, state, None)
        } else if age < self.config.import_delay && import.forced_status.is_none() {
            status::import_xml(&import.id, "PENDING", None)
        } else {
            status::import_xml(&import.id, "IMPORTED", Some(&import.srn))
        };
        xml(StatusCode::OK, body)
    }

    fn request_status(&self, srn: &str, client_id: &str) -> Resp {
        let found = {
            let inner = self.lock();
            inner
                .by_srn
                .get(srn)
                .and_then(|id| inner.imports.get(id))
                .filter(|i| i.client_id == client_id)
                .cloned()
        };
        let now = self.clock.unix();
        let Some(import) = found.filter(|i| {
            i.failed.is_none()
                && (i.forced_status.is_some()
                    || now.saturating_sub(i.submitted) >= self.config.import_delay)
        }) else {
            return wipo_error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                &format!("no service request {srn}"),
                vec![],
            );
        };
        let age = now.saturating_sub(import.submitted);
        let publication = crate::civil::iso_date(import.submitted + 42 * 86_400);
        let body = if let Some(label) = &import.forced_status {
            let registered = st96_model::ProcessingStatus::parse(label)
                == st96_model::ProcessingStatus::Registered;
            status::request_xml(
                &import.id,
                label,
                &import.srn,
                registered.then_some(import.irn.as_str()),
                registered.then_some(publication.as_str()),
            )
        } else if age < self.config.import_delay + self.config.registration_delay {
            status::request_xml(&import.id, "In process", &import.srn, None, None)
        } else {
            status::request_xml(
                &import.id,
                "Registered",
                &import.srn,
                Some(&import.irn),
                Some(&publication),
            )
        };
        xml(StatusCode::OK, body)
    }
}

impl Hws {
    /// Makes the import `id` fail with `state` (default `FAILED`).
    pub(crate) fn fail_import(&self, id: &str, state: &str) -> bool {
        match self.lock().imports.get_mut(id) {
            Some(i) => {
                i.failed = Some(state.to_owned());
                true
            }
            None => false,
        }
    }

    /// Sets the processing status of the service request `srn`; `label` must be one of the
    /// guide's six statuses.
    pub(crate) fn set_request_status(&self, srn: &str, label: &str) -> Result<(), String> {
        if st96_model::ProcessingStatus::parse_known(label).is_none() {
            return Err(format!(
                "`{label}` is not one of the guide's six statuses (Undefined, In process, Pending regularization, Registered, Abandoned, Cancelled; or their Spanish or French labels)"
            ));
        }
        let mut inner = self.lock();
        let id = inner
            .by_srn
            .get(srn)
            .cloned()
            .ok_or_else(|| format!("no service request {srn}"))?;
        let import = inner
            .imports
            .get_mut(&id)
            .ok_or_else(|| format!("no service request {srn}"))?;
        import.failed = None;
        import.forced_status = Some(label.trim().to_owned());
        Ok(())
    }

    fn control_import(&self, id: &str, req: &Req) -> Resp {
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let state = body["state"].as_str().unwrap_or("FAILED");
        if self.fail_import(id, state) {
            json(StatusCode::OK, &json!({"import_id": id, "state": state}))
        } else {
            wipo_error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                &format!("no import {id}"),
                vec![],
            )
        }
    }

    fn control_request(&self, srn: &str, req: &Req) -> Resp {
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let Some(label) = body["status"].as_str() else {
            return wipo_error(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT_DATA",
                "send {\"status\": \"Abandoned\"} (one of the guide's six statuses)",
                vec![],
            );
        };
        match self.set_request_status(srn, label) {
            Ok(()) => json(
                StatusCode::OK,
                &json!({"service_request_number": srn, "status": label}),
            ),
            Err(e) if e.starts_with("no service") => {
                wipo_error(StatusCode::NOT_FOUND, "NOT_FOUND", &e, vec![])
            }
            Err(e) => wipo_error(StatusCode::BAD_REQUEST, "INVALID_INPUT_DATA", &e, vec![]),
        }
    }
}

fn xml(status: StatusCode, body: String) -> Resp {
    respond(status, "application/xml; charset=utf-8", body)
}

fn method_not_allowed() -> Resp {
    wipo_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "method not allowed",
        vec![],
    )
}

/// The WIPO error body (**inferred** from DAS, WIPO's sister API):
/// `{"error":{"code":"...","message":"...","details":[{...}]}}`.
pub(crate) fn wipo_error(
    status: StatusCode,
    code: &str,
    message: &str,
    details: Vec<serde_json::Value>,
) -> Resp {
    json(
        status,
        &json!({"error": {"code": code, "message": message, "details": details}}),
    )
}

/// An RFC 6749 5.2 error.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Resp {
    let mut r = json(
        status,
        &json!({"error": error, "error_description": description}),
    );
    r.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    r
}

/// `invalid_client`, 401, as oidc-provider and ForgeRock AM answer a refused assertion.
fn invalid_client(description: &str) -> Resp {
    oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description)
}
