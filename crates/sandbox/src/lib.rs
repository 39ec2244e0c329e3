#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod banner;
mod civil;
mod clock;
mod firmadoc;
mod hws;
mod pdf;
mod random;
mod redacted;
mod server;
mod tls;

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use banner::TEST_CLIENT_ID;
pub use clock::{Clock, ManualClock, SystemClock};
pub use fapi_jwt_assert::PublicJwk;
pub use firmadoc::DeliveryAttempt;

/// The consumer key the sandbox accepts by default.
pub const TEST_CONSUMER_KEY: &str = "sandbox-consumer-key";
/// The consumer secret the sandbox accepts by default (40 characters: the ASP.NET WebHooks
/// receivers want 32 to 128).
pub const TEST_CONSUMER_SECRET: &str = "sandbox-consumer-secret-0123456789abcdef";
/// The scope the sandbox grants by default: `das-api/das-access`, the only scope WIPO's
/// guide names (its DAS example); that HWS uses it is **inferred**, as in `hague-client`.
pub const DEFAULT_SCOPE: &str = "das-api/das-access";

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A port could not be bound.
    #[error(
        "cannot listen on {addr} for {service}: {source}; pick another port or 0 for any free one"
    )]
    Bind {
        /// Which service.
        service: &'static str,
        /// The address tried.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The TLS certificate authority or server certificate could not be made.
    #[error("cannot set up TLS for the sandbox: {0}; run without TLS (the default)")]
    Tls(String),
    /// A test key could not be generated.
    #[error("cannot generate the test client's key: {0}")]
    Key(String),
    /// The consumer key or secret is unusable.
    #[error("the FirmaDocumentos test credentials are invalid: {0}; give a non-empty consumer key")]
    Credentials(String),
}

/// How to run the sandbox. [`SandboxConfig::default`] needs nothing: any free ports, the
/// system clock, the test credentials.
#[derive(Clone)]
#[non_exhaustive]
pub struct SandboxConfig {
    /// The clock (inject a [`ManualClock`] to drive time in tests).
    pub clock: Arc<dyn Clock>,
    /// The HWS port on 127.0.0.1; 0 picks a free one.
    pub hws_port: u16,
    /// The FirmaDocumentos port on 127.0.0.1; 0 picks a free one.
    pub firmadoc_port: u16,
    /// Time from `POST /request` until the import status says `IMPORTED` and gives the
    /// service request number (whole seconds).
    pub hws_import_delay: Duration,
    /// Time from the import until the service request is `Registered` (whole seconds).
    pub hws_registration_delay: Duration,
    /// The scopes the token endpoint grants; a request for any other is `invalid_scope`.
    pub hws_scopes: Vec<String>,
    /// Stricter client-assertion checks: `jti` required and never replayed, `iat` required.
    /// Off by default, so that the assertion of the HWS guide's Appendix C (only `iss`,
    /// `sub`, `aud` and `exp`) gets a token, as the guide shows it does. A `jti` that is
    /// present is refused when replayed in both modes. Command line: `--strict-assertions`.
    pub hws_strict_assertions: bool,
    /// Records in each generated bulletin or confidential copy.
    pub bulletin_records: u64,
    /// The first week that has a bulletin, `(year, ISO week)`: older weeks answer 404
    /// (**inferred**; default 2014-W01).
    pub hws_first_bulletin: (u16, u8),
    /// The FirmaDocumentos consumer key.
    pub firmadoc_consumer_key: String,
    /// The FirmaDocumentos consumer secret (also the webhook signing key).
    pub firmadoc_consumer_secret: String,
    /// How far an `oauth_timestamp` may be from the sandbox clock.
    pub oauth_window: Duration,
    /// Waits between webhook attempts: two delays, three attempts in all.
    pub webhook_retry_delays: Vec<Duration>,
    /// Sendings left in the plan (`/admin/Budget`).
    pub firmadoc_budget: i64,
    /// Draw identifiers (tokens, import ids, envelope codes, webhook ids) from a seeded
    /// sequence instead of the system's random source, for reproducible recordings.
    /// Seeded tokens are predictable: never for anything but tests.
    pub id_seed: Option<u64>,
    /// Serve https with a CA generated at start ([`Sandbox::ca_pem`]) instead of plain http.
    pub tls: bool,
    /// Called with every request either service receives, before it is handled: a test
    /// hook that lets a test see what crossed the wire (the secret-hygiene test collects
    /// the tokens, client assertions and OAuth signatures it must then never find in logs).
    pub observer: Option<RequestObserver>,
    /// Called with every exchange once it is answered: the request and the response's
    /// status, headers and body. `cargo xtask record` records fixtures with it.
    pub exchange_observer: Option<ExchangeObserver>,
}

/// A response as the sandbox sent it, for [`SandboxConfig::exchange_observer`].
#[derive(Debug)]
#[non_exhaustive]
pub struct ObservedResponse<'a> {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: &'a http::HeaderMap,
    /// The body.
    pub body: &'a [u8],
}

/// See [`SandboxConfig::exchange_observer`].
pub type ExchangeObserver = Arc<dyn Fn(&ObservedRequest<'_>, &ObservedResponse<'_>) + Send + Sync>;

/// A request as the sandbox received it, for [`SandboxConfig::observer`].
#[derive(Debug)]
#[non_exhaustive]
pub struct ObservedRequest<'a> {
    /// The method.
    pub method: &'a http::Method,
    /// The path, without the query.
    pub path: &'a str,
    /// The raw query.
    pub query: Option<&'a str>,
    /// The headers.
    pub headers: &'a http::HeaderMap,
    /// The body.
    pub body: &'a [u8],
}

/// See [`SandboxConfig::observer`].
pub type RequestObserver = Arc<dyn Fn(&ObservedRequest<'_>) + Send + Sync>;

/// Wraps a handler so that `observer` sees every request first, and
/// `exchanges` every answered exchange.
fn observed(
    handler: server::Handler,
    observer: Option<RequestObserver>,
    exchanges: Option<ExchangeObserver>,
) -> server::Handler {
    if observer.is_none() && exchanges.is_none() {
        return handler;
    }
    Arc::new(move |req: server::Req| {
        if let Some(o) = &observer {
            o(&ObservedRequest {
                method: &req.method,
                path: &req.path,
                query: req.query.as_deref(),
                headers: &req.headers,
                body: &req.body,
            });
        }
        let copy = exchanges.as_ref().map(|_| {
            (
                req.method.clone(),
                req.path.clone(),
                req.query.clone(),
                req.headers.clone(),
                req.body.clone(),
            )
        });
        let fut = handler(req);
        let exchanges = exchanges.clone();
        Box::pin(async move {
            let resp = fut.await;
            let (Some(x), Some((method, path, query, headers, body))) = (exchanges, copy) else {
                return resp;
            };
            let (parts, full) = resp.into_parts();
            let bytes = http_body_util::BodyExt::collect(full)
                .await
                .map(|c| c.to_bytes())
                .unwrap_or_default();
            x(
                &ObservedRequest {
                    method: &method,
                    path: &path,
                    query: query.as_deref(),
                    headers: &headers,
                    body: &body,
                },
                &ObservedResponse {
                    status: parts.status.as_u16(),
                    headers: &parts.headers,
                    body: &bytes,
                },
            );
            http::Response::from_parts(parts, http_body_util::Full::new(bytes))
        })
    })
}

/// Wraps a handler so that every answer carries a `Date` header read from the sandbox's
/// clock, not the machine's (hyper writes its own only when there is none): a sandbox
/// started with a shifted [`SandboxConfig::clock`] then looks, from the client's side,
/// exactly like a server whose clock is off, which is what `hague doctor` and
/// `firmadoc doctor` measure.
fn dated(handler: server::Handler, clock: Arc<dyn Clock>) -> server::Handler {
    Arc::new(move |req: server::Req| {
        let fut = handler(req);
        let clock = clock.clone();
        Box::pin(async move {
            let mut resp = fut.await;
            if !resp.headers().contains_key(http::header::DATE) {
                let date = httpdate::fmt_http_date(clock.now());
                if let Ok(value) = http::HeaderValue::from_str(&date) {
                    resp.headers_mut().insert(http::header::DATE, value);
                }
            }
            resp
        })
    })
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            hws_port: 0,
            firmadoc_port: 0,
            hws_import_delay: Duration::from_secs(1),
            hws_registration_delay: Duration::from_secs(2),
            hws_scopes: vec![DEFAULT_SCOPE.to_owned()],
            hws_strict_assertions: false,
            bulletin_records: 200,
            hws_first_bulletin: (2014, 1),
            firmadoc_consumer_key: TEST_CONSUMER_KEY.to_owned(),
            firmadoc_consumer_secret: TEST_CONSUMER_SECRET.to_owned(),
            oauth_window: Duration::from_secs(300),
            webhook_retry_delays: vec![Duration::from_millis(200), Duration::from_millis(400)],
            firmadoc_budget: 1000,
            id_seed: None,
            tls: false,
            observer: None,
            exchange_observer: None,
        }
    }
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("clock", &self.clock)
            .field("hws_port", &self.hws_port)
            .field("firmadoc_port", &self.firmadoc_port)
            .field("hws_import_delay", &self.hws_import_delay)
            .field("hws_registration_delay", &self.hws_registration_delay)
            .field("hws_scopes", &self.hws_scopes)
            .field("hws_strict_assertions", &self.hws_strict_assertions)
            .field("bulletin_records", &self.bulletin_records)
            .field("hws_first_bulletin", &self.hws_first_bulletin)
            .field("firmadoc_consumer_key", &self.firmadoc_consumer_key)
            .field("firmadoc_consumer_secret", &"[redacted]")
            .field("oauth_window", &self.oauth_window)
            .field("webhook_retry_delays", &self.webhook_retry_delays)
            .field("firmadoc_budget", &self.firmadoc_budget)
            .field("id_seed", &self.id_seed)
            .field("tls", &self.tls)
            .finish()
    }
}

/// The FirmaDocumentos test credentials. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TestCredentials {
    /// The consumer key.
    pub consumer_key: String,
    secret: String,
}

impl TestCredentials {
    /// The consumer secret: pass it to the client, never log it.
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for TestCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestCredentials")
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &"[redacted]")
            .finish()
    }
}

/// A running sandbox: both services on 127.0.0.1 until [`Sandbox::shutdown`] (or drop).
///
/// Must be started inside a Tokio runtime (multi-thread or current-thread).
pub struct Sandbox {
    hws: Arc<hws::Hws>,
    firmadoc: Arc<firmadoc::Firmadoc>,
    hws_addr: SocketAddr,
    firmadoc_addr: SocketAddr,
    credentials: TestCredentials,
    scheme: &'static str,
    ca_pem: Option<String>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("hws_addr", &self.hws_addr)
            .field("firmadoc_addr", &self.firmadoc_addr)
            .field("credentials", &self.credentials)
            .field("hws", &self.hws)
            .field("firmadoc", &self.firmadoc)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Binds both ports and starts serving.
    ///
    /// # Errors
    /// [`Error::Bind`] when a port is taken, [`Error::Credentials`] for an empty key.
    pub async fn start(config: SandboxConfig) -> Result<Self, Error> {
        if config.firmadoc_consumer_key.is_empty() {
            return Err(Error::Credentials("the consumer key is empty".into()));
        }
        let bind = |service: &'static str, port: u16| async move {
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            TcpListener::bind(addr)
                .await
                .and_then(|l| l.local_addr().map(|a| (l, a)))
                .map_err(|source| Error::Bind {
                    service,
                    addr,
                    source,
                })
        };
        let (hws_listener, hws_addr) = bind("HWS", config.hws_port).await?;
        let (fd_listener, firmadoc_addr) = bind("FirmaDocumentos", config.firmadoc_port).await?;
        let tls = if config.tls {
            Some(tls::generate().map_err(Error::Tls)?)
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let acceptor = tls.as_ref().map(|t| t.acceptor.clone());
        let ids = Arc::new(random::Ids::new(config.id_seed));
        let hws = Arc::new(hws::Hws::new(
            &config,
            ids.clone(),
            format!("{scheme}://{hws_addr}"),
        ));
        let firmadoc = Arc::new(firmadoc::Firmadoc::new(
            &config,
            ids,
            format!("{scheme}://{firmadoc_addr}"),
        ));
        let (shutdown, rx) = watch::channel(false);
        // `Date` outside the observers, so recordings stay reproducible.
        let wrap = |handler| {
            dated(
                observed(
                    handler,
                    config.observer.clone(),
                    config.exchange_observer.clone(),
                ),
                config.clock.clone(),
            )
        };
        let tasks = vec![
            tokio::spawn(server::serve(
                hws_listener,
                wrap(hws.clone().handler()),
                acceptor.clone(),
                rx.clone(),
            )),
            tokio::spawn(server::serve(
                fd_listener,
                wrap(firmadoc.clone().handler()),
                acceptor,
                rx,
            )),
        ];
        Ok(Self {
            hws,
            firmadoc,
            hws_addr,
            firmadoc_addr,
            credentials: TestCredentials {
                consumer_key: config.firmadoc_consumer_key,
                secret: config.firmadoc_consumer_secret,
            },
            scheme,
            ca_pem: tls.map(|t| t.ca_pem),
            shutdown,
            tasks,
        })
    }

    /// The HWS base URL, `http://127.0.0.1:<port>` (`https` with [`SandboxConfig::tls`]).
    pub fn hws_url(&self) -> String {
        format!("{}://{}", self.scheme, self.hws_addr)
    }

    /// The PEM of the sandbox's certificate authority when it serves https: add it to the
    /// clients' trusted roots (`TransportConfig::add_root_certificate_pem`).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The OpenID issuer, `http://127.0.0.1:<port>/am/oauth2`; discovery is at
    /// `<issuer>/.well-known/openid-configuration`.
    pub fn issuer(&self) -> String {
        self.hws.issuer()
    }

    /// The token endpoint, `<issuer>/access_token`.
    pub fn token_endpoint(&self) -> String {
        self.hws.token_endpoint()
    }

    /// The HWS API base, `http://127.0.0.1:<port>/hws-api/v1` (**inferred** path).
    pub fn hws_api_url(&self) -> String {
        format!("{}{}", self.hws_url(), hws::API_PATH)
    }

    /// The FirmaDocumentos base URL (`/send`, `/admin`, `/webhooks` below it).
    pub fn firmadoc_url(&self) -> String {
        format!("{}://{}", self.scheme, self.firmadoc_addr)
    }

    /// Registers an HWS client and its public key (what WIPO does with the certificate an
    /// office sends). Registering the same id again replaces the key.
    pub fn register_hws_client(&self, client_id: &str, public_jwk: PublicJwk) {
        self.hws.register_client(client_id, public_jwk);
    }

    /// Makes the HWS import `import_id` fail: its status then reports `state` (for example
    /// `FAILED` or `REJECTED`) and no service request number. The same as
    /// `POST {hws_url}/sandbox/imports/{importId}` with `{"state": "..."}`. Returns whether
    /// the import exists.
    pub fn fail_hws_import(&self, import_id: &str, state: &str) -> bool {
        self.hws.fail_import(import_id, state)
    }

    /// Sets the processing status of the HWS service request `service_request_number` to
    /// `label`, one of the guide's six statuses in English, Spanish or French (reported as
    /// written). The same as `POST {hws_url}/sandbox/requests/{serviceRequestNumber}` with
    /// `{"status": "..."}`.
    ///
    /// # Errors
    /// The reason, when the label is not one of the six or the request does not exist.
    pub fn set_hws_request_status(
        &self,
        service_request_number: &str,
        label: &str,
    ) -> Result<(), String> {
        self.hws.set_request_status(service_request_number, label)
    }

    /// The FirmaDocumentos consumer key and secret the sandbox accepts.
    pub fn firmadoc_credentials(&self) -> TestCredentials {
        self.credentials.clone()
    }

    /// Every webhook attempt so far, in order.
    pub fn webhook_attempts(&self) -> Vec<DeliveryAttempt> {
        self.firmadoc
            .deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Stops accepting, lets open requests finish, and waits for the servers.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
