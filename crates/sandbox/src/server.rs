//! A small hyper 1 server loop shared by both services: read the whole request, hand it
//! to a handler, write the answer; stop accepting and finish open connections on shutdown.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Largest request body accepted (import packages included).
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;

/// A request, read whole.
#[derive(Debug)]
pub(crate) struct Req {
    pub(crate) method: Method,
    /// The path, without the query.
    pub(crate) path: String,
    /// The raw query, if any.
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Req {
    /// The path split into segments, percent-decoded.
    pub(crate) fn segments(&self) -> Vec<String> {
        self.path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect()
    }

    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What a handler answers.
pub(crate) type Resp = Response<Full<Bytes>>;

/// The handler's future.
pub(crate) type HandlerFuture = Pin<Box<dyn Future<Output = Resp> + Send>>;

/// A service: takes a request, answers it.
pub(crate) type Handler = Arc<dyn Fn(Req) -> HandlerFuture + Send + Sync>;

/// Builds an answer.
pub(crate) fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Resp {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A JSON answer.
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Resp {
    respond(status, "application/json; charset=utf-8", value.to_string())
}

/// Accepts connections until `shutdown` turns true; over TLS when `tls` is given.
pub(crate) async fn serve(
    listener: TcpListener,
    handler: Handler,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else { continue };
                let (handler, shutdown) = (handler.clone(), shutdown.clone());
                match tls.clone() {
                    None => tasks.spawn(connection(stream, handler, shutdown)),
                    Some(acceptor) => tasks.spawn(async move {
                        // A failed handshake (a client that does not trust the CA) just ends.
                        if let Ok(stream) = acceptor.accept(stream).await {
                            connection(stream, handler, shutdown).await;
                        }
                    }),
                };
            }
            _ = shutdown.changed() => break,
        }
        // Reap finished connections so the set does not grow.
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
}

async fn connection<I>(stream: I, handler: Handler, mut shutdown: watch::Receiver<bool>)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: http::Request<Incoming>| {
        let handler = handler.clone();
        async move { Ok::<_, std::convert::Infallible>(dispatch(req, handler).await) }
    });
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = shutdown.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

async fn dispatch(req: http::Request<Incoming>, handler: Handler) -> Resp {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return respond(
                StatusCode::PAYLOAD_TOO_LARGE,
                "text/plain; charset=utf-8",
                format!("the request body is unreadable or larger than {MAX_BODY} bytes"),
            );
        }
    };
    let req = Req {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    handler(req).await
}
