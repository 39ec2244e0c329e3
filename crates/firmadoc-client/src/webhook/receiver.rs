//! The receiver: verification, de-duplication and the user's handler, as a
//! function any server can call, plus a ready hyper server.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use firmadoc_model::WebhookDelivery;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::webhook::store::{Claim, DedupStore, MemoryStore};
use crate::webhook::verify::{Rejection, WebhookSecret, echo, verify_delivery};

/// The error a handler returns when it could not take an event: the sender
/// is answered 500 and retries later.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// The boxed future a [`Handler`] returns.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send>>;

/// Takes verified deliveries. Return `Ok` only once the event is safely taken
/// (stored, queued): the 2xx that tells the sender to stop retrying is sent after.
pub trait Handler: Send + Sync + 'static {
    /// Handles one verified, not-yet-seen delivery.
    fn handle(&self, delivery: WebhookDelivery) -> HandlerFuture;
}

impl<F, Fut> Handler for F
where
    F: Fn(WebhookDelivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    fn handle(&self, delivery: WebhookDelivery) -> HandlerFuture {
        Box::pin(self(delivery))
    }
}

/// An answer to send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The body (plain text).
    pub body: String,
}

impl Reply {
    fn new(status: StatusCode, body: impl Into<String>) -> Self {
        Self {
            status,
            body: body.into(),
        }
    }
}

/// The webhook receiver.
///
/// [`Receiver::handle`] works with any framework (give it the method, the
/// query, the headers and the raw body); [`Receiver::serve`] runs it alone
/// on a hyper server.
#[derive(Clone)]
pub struct Receiver {
    secret: WebhookSecret,
    max_body: usize,
    store: Arc<dyn DedupStore>,
    handler: Arc<dyn Handler>,
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("secret", &self.secret)
            .field("max_body", &self.max_body)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// The default body limit: 1 MiB (a delivery is a few hundred bytes).
pub const DEFAULT_MAX_BODY: usize = 1 << 20;

impl Receiver {
    /// A receiver with an in-memory de-duplication store and a 1 MiB body limit.
    pub fn new(secret: WebhookSecret, handler: impl Handler) -> Self {
        Self {
            secret,
            max_body: DEFAULT_MAX_BODY,
            store: Arc::new(MemoryStore::default()),
            handler: Arc::new(handler),
        }
    }

    /// Uses another de-duplication store: `SqliteStore` (feature `sqlite`) to
    /// survive restarts, `PostgresStore` (feature `postgres`) for several replicas.
    #[must_use]
    pub fn store(mut self, store: Arc<dyn DedupStore>) -> Self {
        self.store = store;
        self
    }

    /// Sets the body limit.
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Handles one request: `GET ?echo=X` answers `X`; `POST` is verified,
    /// de-duplicated by `Id`, and handed to the handler; 2xx only after the
    /// handler returned `Ok` and the store recorded the `Id`.
    pub async fn handle(
        &self,
        method: &Method,
        query: Option<&str>,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Reply {
        match *method {
            Method::GET => match echo(query) {
                Ok(value) => Reply::new(StatusCode::OK, value),
                Err(e) => Reply::new(StatusCode::BAD_REQUEST, e.to_string()),
            },
            Method::POST => self.deliver(headers, body).await,
            _ => Reply::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "use POST for deliveries and GET ?echo= for the handshake",
            ),
        }
    }

    async fn deliver(&self, headers: &http::HeaderMap, body: &[u8]) -> Reply {
        let delivery = match verify_delivery(&self.secret, headers, body) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(reason = %e, "webhook delivery refused");
                return Reply::new(StatusCode::BAD_REQUEST, e.to_string());
            }
        };
        if let Some(untyped) = &delivery.untyped {
            tracing::warn!(
                id = %delivery.id,
                reason = %untyped.reason,
                "a verified webhook delivery could not be typed in full; it is acknowledged and handed over with its raw body"
            );
        }
        let id = dedup_key(&delivery, body);
        match self.store.claim(&id).await {
            Ok(Claim::Done) => return Reply::new(StatusCode::OK, ""),
            Ok(Claim::InProgress) => {
                return Reply::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "this delivery is being handled; retry later",
                );
            }
            Ok(Claim::New) => {}
            Err(e) => {
                tracing::error!(error = %e, "the de-duplication store cannot claim a delivery");
                return Reply::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the de-duplication store is unavailable; retry later",
                );
            }
        }
        match self.handler.handle(delivery).await {
            Ok(()) => match self.store.complete(&id).await {
                Ok(()) => Reply::new(StatusCode::OK, ""),
                Err(e) => {
                    tracing::error!(error = %e, "cannot record a handled delivery");
                    // Give it back so that the retry is handled rather than refused
                    // until the lease expires (the handler may see it twice).
                    if let Err(e) = self.store.release(&id).await {
                        tracing::warn!(error = %e, "cannot release the claim; it lapses with its lease");
                    }
                    Reply::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "cannot record the delivery",
                    )
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "the webhook handler failed; the sender will retry");
                if let Err(e) = self.store.release(&id).await {
                    tracing::warn!(error = %e, "cannot release the claim; it lapses with its lease");
                }
                Reply::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the handler failed; retry later",
                )
            }
        }
    }

    /// Serves on `listener` until `shutdown` completes, then stops accepting
    /// and waits for the requests in flight, so no acknowledged event is lost.
    ///
    /// # Errors
    /// An accept error that is not transient.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let receiver = Arc::new(self);
        let graceful = GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, _) = match accepted {
                        Ok(s) => s,
                        Err(e) if is_transient(&e) => continue,
                        Err(e) => return Err(e),
                    };
                    let receiver = Arc::clone(&receiver);
                    let service = service_fn(move |req: http::Request<Incoming>| {
                        let receiver = Arc::clone(&receiver);
                        async move { Ok::<_, std::convert::Infallible>(receiver.respond(req).await) }
                    });
                    let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        if let Err(e) = conn.await {
                            tracing::debug!(error = %e, "webhook connection ended with an error");
                        }
                    });
                }
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        graceful.shutdown().await;
        Ok(())
    }

    async fn respond(&self, req: http::Request<Incoming>) -> http::Response<Full<Bytes>> {
        let (parts, body) = req.into_parts();
        let reply = match Limited::new(body, self.max_body).collect().await {
            Ok(collected) => {
                self.handle(
                    &parts.method,
                    parts.uri.query(),
                    &parts.headers,
                    &collected.to_bytes(),
                )
                .await
            }
            Err(_) => Reply::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is over {} bytes", self.max_body),
            ),
        };
        let mut response = http::Response::new(Full::new(Bytes::from(reply.body)));
        *response.status_mut() = reply.status;
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    }
}

/// The key a delivery is de-duplicated by: its `Id`. A verified body whose
/// `Id` is missing or empty (only possible for a body the model could not
/// type) is keyed by `body-sha256:` and the SHA-256 of the body with its
/// `Attempt` removed (when the body is a JSON object), so that the sender's
/// retries of the same event, which differ only by `Attempt`, still count as
/// one; a body that is not JSON is keyed by the SHA-256 of its bytes.
pub(crate) fn dedup_key(delivery: &WebhookDelivery, body: &[u8]) -> String {
    use sha2::Digest as _;
    if !delivery.id.is_empty() {
        return delivery.id.clone();
    }
    let digest = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut map)) => {
            map.remove("Attempt");
            sha2::Sha256::digest(serde_json::Value::Object(map).to_string().as_bytes())
        }
        _ => sha2::Sha256::digest(body),
    };
    format!("body-sha256:{}", hex::encode(digest))
}

fn is_transient(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::Interrupted
    )
}

impl From<Rejection> for Reply {
    fn from(r: Rejection) -> Self {
        Self::new(StatusCode::BAD_REQUEST, r.to_string())
    }
}
