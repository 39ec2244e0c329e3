//! The transport: a pooled hyper client over rustls, with timeouts and retries.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HOST, IF_RANGE, RANGE, USER_AGENT};
use http::{HeaderValue, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::io::AsyncWrite;
use tokio::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;

use crate::body::{self, CallId, Progress, Sink};
use crate::config::TransportConfig;
use crate::download::PartFile;
use crate::error::{BoxError, Error, TimeoutPhase, chain_has_timed_out, find_in_chain};
use crate::request::{Request, Response};
use crate::resume::{self, Restart, ResumePaths, Validator};
use crate::retry::{Decision, Outcome};

/// The shared HTTPS transport. Cheap to clone: clones share the connection pool.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    config: TransportConfig,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// The result of a streamed download.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Download {
    /// The response status (always a success).
    pub status: StatusCode,
    /// The response headers (for `Content-Type`, `Content-Disposition`...).
    pub headers: http::HeaderMap,
    /// Bytes of the result: the whole file (kept bytes included when resumed).
    pub bytes: u64,
    /// SHA-256 of the whole result (kept bytes included when resumed).
    pub sha256: [u8; 32],
    /// Attempts made to get the response head.
    pub attempts: u32,
    /// Bytes kept from an interrupted download and not fetched again (0 when the
    /// download did not resume).
    pub resumed_from: u64,
    /// Bytes received over the network by this call.
    pub transferred: u64,
    /// Set when a partial file was there but could not be resumed, and why: the
    /// download started again from the first byte.
    pub restart: Option<Restart>,
}

impl Download {
    /// The SHA-256 in lowercase hexadecimal.
    pub fn sha256_hex(&self) -> String {
        resume::hex(&self.sha256)
    }
}

impl Transport {
    /// Builds the transport: TLS configuration, connector and pool.
    ///
    /// # Errors
    /// [`Error::TlsConfig`] if the root certificates are not usable.
    pub fn new(config: TransportConfig) -> Result<Self, Error> {
        let tls = crate::tls::client_config(&config)?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(config.timeouts.connect));
        http.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .build(connector);
        Ok(Self {
            inner: Arc::new(Inner { client, config }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &TransportConfig {
        &self.inner.config
    }

    /// Sends a request and reads the whole response body into memory, refusing a
    /// body larger than [`TransportConfig::max_body`]. Idempotent requests are
    /// retried under the [`crate::RetryPolicy`]; after the last attempt the response
    /// is returned whatever its status (use [`Response::error_for_status`]).
    ///
    /// # Errors
    /// Any [`Error`] but [`Error::Status`]. A non-idempotent request that fails after
    /// it may have been sent gives [`Error::MayHaveBeenReceived`].
    pub async fn send(&self, request: &Request) -> Result<Response, Error> {
        traced(request, async {
            let call = call_id(request);
            let (head, attempts) = self.exchange(request).await?;
            let (parts, body) = head.into_parts();
            let body = body::read_limited(
                body,
                &parts.headers,
                parts.status,
                self.inner.config.max_body,
                self.inner.config.timeouts.idle_read,
                &call,
            )
            .await?;
            Ok(Response {
                method: call.method,
                template: call.template,
                status: parts.status,
                headers: parts.headers,
                body,
                attempts,
            })
        })
        .await
    }

    /// Sends a request and streams a successful response body to `writer`, with its
    /// byte count and SHA-256. `progress` is called after every chunk. A non-2xx
    /// status gives [`Error::Status`] and writes nothing.
    ///
    /// The writer may hold a partial body if an error occurs; use
    /// [`Transport::download_to_file`] to never leave a partial file behind.
    ///
    /// # Errors
    /// As [`Transport::send`], plus [`Error::Status`] and [`Error::Io`].
    pub async fn download_to_writer<W, P>(
        &self,
        request: &Request,
        writer: &mut W,
        mut progress: P,
    ) -> Result<Download, Error>
    where
        W: AsyncWrite + Unpin + Send,
        P: FnMut(Progress),
    {
        traced(request, async {
            let head = self.success_head(request).await?;
            self.stream(request, head, Sink::writer(writer), &mut progress, 0, None)
                .await
        })
        .await
    }

    /// Sends a request and streams a successful response body to the file `target`,
    /// through a part file in the same directory that is renamed to `target` only once
    /// the body is complete and synced to disk. Only a regular file at `target` is ever
    /// replaced: a directory, FIFO or device there is an error.
    ///
    /// **Resuming** (on by default, [`TransportConfig::resume_downloads`]): when the
    /// server sends a validator (a strong `ETag`, or `Last-Modified`), the body goes to
    /// `.<name>.partial` beside the target, with the validator in `.<name>.partial.meta`;
    /// if the download is interrupted, both stay. The next download of the same URL to
    /// the same target asks only for the rest (`Range: bytes=N-` and `If-Range`), appends
    /// it, and hashes the whole file. If the server answers with the whole body (it
    /// ignores ranges, or the file changed) the download starts over, and
    /// [`Download::restart`] says why (also logged). Without a validator nothing is kept:
    /// on any error (or if the future is dropped) the part file is removed. `target` is
    /// never touched until the file is complete.
    ///
    /// # Errors
    /// As [`Transport::download_to_writer`], and [`Error::InvalidRequest`] for a target
    /// that is not a regular file.
    pub async fn download_to_file<P>(
        &self,
        request: &Request,
        target: &std::path::Path,
        mut progress: P,
    ) -> Result<Download, Error>
    where
        P: FnMut(Progress),
    {
        traced(request, async {
            resume::check_target(target)?;
            let paths = ResumePaths::new(target)?;
            let resume = self.inner.config.resume_downloads;
            let previous = if resume {
                paths.load(request.uri())
            } else {
                None
            };
            let mut restart = None;
            if let Some(partial) = previous {
                let ranged = request.clone().header(
                    RANGE,
                    HeaderValue::from_str(&format!("bytes={}-", partial.len))
                        .map_err(|e| invalid(request, &e))?,
                );
                let ranged = ranged.header(
                    IF_RANGE,
                    HeaderValue::from_str(partial.validator.value())
                        .map_err(|e| invalid(request, &e))?,
                );
                let (head, attempts) = self.exchange(&ranged).await?;
                let status = head.status();
                if status == StatusCode::PARTIAL_CONTENT {
                    if resume::content_range_start(head.headers()) == Some(partial.len) {
                        tracing::info!(
                            resumed_at = partial.len,
                            "resuming the download after the bytes kept"
                        );
                        let (parts, body) = head.into_parts();
                        let part = PartFile::create_kept(target, paths, partial.len)?;
                        return self
                            .stream(
                                request,
                                (parts, body, attempts),
                                Sink::File(part),
                                &mut progress,
                                partial.len,
                                None,
                            )
                            .await;
                    }
                    restart = Some(Restart::RangeMismatch);
                } else if status == StatusCode::RANGE_NOT_SATISFIABLE {
                    restart = Some(Restart::RangeNotSatisfiable);
                } else if status.is_success() {
                    let same = Validator::from_headers(head.headers()).as_ref()
                        == Some(&partial.validator);
                    let why = if same {
                        Restart::RangeIgnored
                    } else {
                        Restart::ValidatorChanged
                    };
                    tracing::warn!(kept = partial.len, reason = %why, "download restarted");
                    let head = self.check_success(request, (head, attempts)).await?;
                    return self
                        .fresh_file(request, target, &paths, head, &mut progress, Some(why))
                        .await;
                } else {
                    // A refusal (401, 404, 5xx...): the partial file stays for a retry.
                    let (parts, body) = head.into_parts();
                    let idle = self.inner.config.timeouts.idle_read;
                    return Err(
                        body::status_error(body, parts.status, idle, &call_id(request)).await,
                    );
                }
                if let Some(why) = restart {
                    tracing::warn!(kept = partial.len, reason = %why, "download restarted");
                    paths.remove();
                }
            }
            // Ask first: no part file exists if the server refuses.
            let head = self.success_head(request).await?;
            self.fresh_file(request, target, &paths, head, &mut progress, restart)
                .await
        })
        .await
    }

    /// Streams a whole body to a new part file: kept (for a resume) when the server
    /// sent a validator and resuming is on, temporary otherwise.
    async fn fresh_file<P: FnMut(Progress)>(
        &self,
        request: &Request,
        target: &std::path::Path,
        paths: &ResumePaths,
        head: SuccessHead,
        progress: &mut P,
        restart: Option<Restart>,
    ) -> Result<Download, Error> {
        paths.remove();
        let validator = Validator::from_headers(&head.0.headers)
            .filter(|_| self.inner.config.resume_downloads && head.0.status == StatusCode::OK);
        let part = match validator {
            Some(v) => {
                paths.save(request.uri(), &v)?;
                PartFile::create_kept(target, paths.clone(), 0)?
            }
            None => PartFile::create(target)?,
        };
        self.stream(request, head, Sink::File(part), progress, 0, restart)
            .await
    }

    /// Streams a successful response's body to `sink`, then completes the sink; after
    /// an error, abandons it (a kept part file is synced for a later resume).
    async fn stream<P: FnMut(Progress)>(
        &self,
        request: &Request,
        (parts, body, attempts): SuccessHead,
        mut sink: Sink<'_>,
        progress: &mut P,
        offset: u64,
        restart: Option<Restart>,
    ) -> Result<Download, Error> {
        let idle = self.inner.config.timeouts.idle_read;
        let call = call_id(request);
        let streamed = body::stream_to(
            body,
            &parts.headers,
            &mut sink,
            progress,
            idle,
            &call,
            offset,
        )
        .await;
        let transferred = match streamed {
            Ok(n) => n,
            Err(e) => {
                sink.abandon().await;
                return Err(e);
            }
        };
        let sha256 = sink.finish().await?;
        Ok(Download {
            status: parts.status,
            headers: parts.headers,
            bytes: offset + transferred,
            sha256,
            attempts,
            resumed_from: offset,
            transferred,
            restart,
        })
    }

    /// The response head of a successful call, or [`Error::Status`].
    async fn success_head(&self, request: &Request) -> Result<SuccessHead, Error> {
        let exchanged = self.exchange(request).await?;
        self.check_success(request, exchanged).await
    }

    /// A successful response head, or [`Error::Status`] with an excerpt of the body.
    async fn check_success(
        &self,
        request: &Request,
        (head, attempts): (http::Response<Incoming>, u32),
    ) -> Result<SuccessHead, Error> {
        let (parts, body) = head.into_parts();
        if !parts.status.is_success() {
            return Err(body::status_error(
                body,
                parts.status,
                self.inner.config.timeouts.idle_read,
                &call_id(request),
            )
            .await);
        }
        Ok((parts, body, attempts))
    }

    /// Gets the response head, retrying under the policy.
    async fn exchange(&self, request: &Request) -> Result<(http::Response<Incoming>, u32), Error> {
        let config = &self.inner.config;
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            tracing::Span::current().record("attempt", attempt);
            let result = self.attempt(request).await;
            let outcome = match &result {
                Ok(response) => Outcome::Response {
                    status: response.status(),
                    headers: response.headers(),
                },
                Err(Error::Connect { .. })
                | Err(Error::Timeout {
                    phase: TimeoutPhase::Connect,
                    ..
                }) => Outcome::ConnectFailed,
                Err(_) => Outcome::OtherFailure,
            };
            let decision = config.retry.decide(
                request.method(),
                outcome,
                attempt,
                started.elapsed(),
                config.clock.now(),
                config.jitter.as_ref(),
            );
            if let Ok(response) = &result {
                tracing::Span::current().record("status", response.status().as_u16());
            }
            match decision {
                Decision::RetryAfter(wait) => {
                    tracing::debug!(
                        attempt,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "retrying"
                    );
                    drop(result);
                    tokio::time::sleep(wait).await;
                }
                _ => return finish_attempts(request, result, attempt),
            }
        }
    }

    /// One attempt: send and wait for the response head.
    async fn attempt(&self, request: &Request) -> Result<http::Response<Incoming>, Error> {
        let config = &self.inner.config;
        let call = call_id(request);
        if request.uri().scheme() != Some(&http::uri::Scheme::HTTPS) && !config.allow_plain_http {
            return Err(Error::InvalidRequest {
                reason: format!(
                    "{} {} uses plain http; use https, or allow plain http in the transport \
                     configuration (for local tests only)",
                    call.method, call.template
                ),
            });
        }
        let mut builder = http::Request::builder()
            .method(request.method().clone())
            .uri(request.uri().clone());
        if let Some(headers) = builder.headers_mut() {
            headers.extend(
                request
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
            if !headers.contains_key(USER_AGENT) {
                if let Some(ua) = config
                    .user_agent
                    .as_deref()
                    .and_then(|ua| HeaderValue::from_str(ua).ok())
                {
                    headers.insert(USER_AGENT, ua);
                }
            }
            headers.remove(HOST); // set by hyper from the URI
        }
        let hyper_request = builder
            .body(Full::new(request.body_bytes().clone()))
            .map_err(|e| Error::InvalidRequest {
                reason: format!("{} {} cannot be built: {e}", call.method, call.template),
            })?;
        let timeout = config.timeouts.request;
        match tokio::time::timeout(timeout, self.inner.client.request(hyper_request)).await {
            Err(_) => Err(call.timeout(TimeoutPhase::Response, timeout)),
            Ok(Ok(response)) => Ok(response),
            Ok(Err(e)) => Err(classify(e, &call, config.timeouts.connect)),
        }
    }
}

/// A header value that cannot be built from the kept validator.
fn invalid(request: &Request, e: &http::header::InvalidHeaderValue) -> Error {
    Error::InvalidRequest {
        reason: format!(
            "{} {}: the kept download state gives an unusable header ({e}); delete the \
             .partial files beside the target",
            request.method(),
            request.template()
        ),
    }
}

/// Maps a hyper-util client error to ours.
fn classify(e: hyper_util::client::legacy::Error, call: &CallId, connect: Duration) -> Error {
    let method = call.method.clone();
    let template = call.template.clone();
    let host = call.host.clone();
    if e.is_connect() {
        if find_in_chain::<rustls::Error>(&e).is_some() {
            return Error::Tls {
                method,
                template,
                host,
                source: Box::new(e),
            };
        }
        if chain_has_timed_out(&e) {
            return call.timeout(TimeoutPhase::Connect, connect);
        }
        return Error::Connect {
            method,
            template,
            host,
            attempts: 1,
            source: Box::new(e),
        };
    }
    let source: BoxError = Box::new(e);
    Error::Http {
        method,
        template,
        host,
        source,
    }
}

/// Final shaping of the error after the last attempt: the attempt count, and the
/// "may have been received" wrapper for non-idempotent requests.
fn finish_attempts<T>(
    request: &Request,
    result: Result<T, Error>,
    attempts: u32,
) -> Result<(T, u32), Error> {
    match result {
        Ok(v) => Ok((v, attempts)),
        Err(Error::Connect {
            method,
            template,
            host,
            source,
            ..
        }) => Err(Error::Connect {
            method,
            template,
            host,
            attempts,
            source,
        }),
        Err(
            e @ (Error::Http { .. }
            | Error::Timeout {
                phase: TimeoutPhase::Response,
                ..
            }),
        ) if !request.method().is_idempotent() => Err(Error::MayHaveBeenReceived {
            method: request.method().clone(),
            template: request.template().to_owned(),
            fingerprint: request.get_fingerprint().map(str::to_owned),
            source: Box::new(e),
        }),
        Err(e) => Err(e),
    }
}

/// A successful response head, its body still to read, and the attempts made.
type SuccessHead = (http::response::Parts, Incoming, u32);

/// Runs one call inside its span, and records the duration and error kind.
async fn traced<T>(
    request: &Request,
    work: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let span = call_span(request);
    let started = Instant::now();
    let result = work.instrument(span.clone()).await;
    finish_span(&span, started, result.as_ref().err());
    result
}

fn call_id(request: &Request) -> CallId {
    CallId {
        method: request.method().clone(),
        template: request.template().to_owned(),
        host: crate::error::host_of(request.uri()),
    }
}

/// The span of one call. Only the method and the path template are recorded: never
/// the URL, query, headers or body.
fn call_span(request: &Request) -> tracing::Span {
    tracing::info_span!(
        "http_call",
        method = %request.method(),
        path_template = %request.template(),
        attempt = Empty,
        status = Empty,
        duration_ms = Empty,
        error = Empty,
    )
}

fn finish_span(span: &tracing::Span, started: Instant, error: Option<&Error>) {
    span.record(
        "duration_ms",
        u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    );
    if let Some(error) = error {
        span.record("error", error_kind(error));
    }
}

/// A short, secret-free name for the error in spans.
fn error_kind(error: &Error) -> &'static str {
    match error {
        Error::InvalidRequest { .. } => "invalid_request",
        Error::TlsConfig { .. } => "tls_config",
        Error::Connect { .. } => "connect",
        Error::Tls { .. } => "tls",
        Error::Timeout { .. } => "timeout",
        Error::BodyTooLarge { .. } => "body_too_large",
        Error::Status { .. } => "status",
        Error::MayHaveBeenReceived { .. } => "may_have_been_received",
        Error::BodyInterrupted { .. } => "body_interrupted",
        Error::Http { .. } => "http",
        Error::Io { .. } => "io",
    }
}
