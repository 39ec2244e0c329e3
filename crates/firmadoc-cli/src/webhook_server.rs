//! The HTTP side of `webhook serve`: hyper on the listener, each request handed
//! to [`Receiver::handle`] (verification, handshake, de-duplication), with the
//! exact body bytes and the `ms-signature` header kept for the handler, so that
//! each line written holds what `webhook verify` needs to verify it again.

use std::future::Future;
use std::sync::Arc;

use firmadoc_client::webhook::Receiver;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;

/// The largest delivery body accepted (the receiver's own default).
const MAX_BODY: usize = 1 << 20;

/// What was received with the delivery being handled.
#[derive(Debug, Clone, Default)]
pub(crate) struct Raw {
    /// The body, exactly as received.
    pub(crate) body: Bytes,
    /// The `ms-signature` header, if any.
    pub(crate) signature: Option<String>,
}

tokio::task_local! {
    static RAW: Raw;
}

/// The raw request of the delivery the current task is handling.
pub(crate) fn current() -> Raw {
    RAW.try_with(Clone::clone).unwrap_or_default()
}

/// Serves `receiver` on `listener` until `shutdown`; then waits for the
/// requests in flight, so no acknowledged delivery is lost.
pub(crate) async fn serve(
    receiver: Receiver,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let receiver = Arc::new(receiver);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let receiver = Arc::clone(&receiver);
                let service = service_fn(move |req: http::Request<Incoming>| {
                    let receiver = Arc::clone(&receiver);
                    async move { Ok::<_, std::convert::Infallible>(respond(&receiver, req).await) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

async fn respond(receiver: &Receiver, req: http::Request<Incoming>) -> http::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let (status, text) = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => {
            let body = collected.to_bytes();
            let raw = Raw {
                body: body.clone(),
                signature: parts
                    .headers
                    .get("ms-signature")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
            };
            let reply = RAW
                .scope(
                    raw,
                    receiver.handle(&parts.method, parts.uri.query(), &parts.headers, &body),
                )
                .await;
            (reply.status, reply.body)
        }
        Err(_) => (
            http::StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over {MAX_BODY} bytes"),
        ),
    };
    let mut response = http::Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
