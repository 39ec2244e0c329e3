//! Reading response bodies: into memory within a limit, or streamed to a writer while
//! hashing, with an idle-read timeout between chunks.

use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::download::PartFile;
use crate::error::{Error, TimeoutPhase};
use crate::request::{STATUS_EXCERPT_LEN, excerpt};

/// Download progress, passed to the progress callback after every chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Bytes of the file so far: those kept from an interrupted download that this one
    /// resumes, plus those received now.
    pub received: u64,
    /// The file's size, from `Content-Length` (plus the bytes kept when resuming), if
    /// the server sent it.
    pub total: Option<u64>,
}

/// Names the call in errors.
#[derive(Debug, Clone)]
pub(crate) struct CallId {
    pub(crate) method: Method,
    pub(crate) template: String,
    /// `host[:port]` of the URL (the port only when it is not the scheme's default).
    pub(crate) host: String,
}

impl CallId {
    pub(crate) fn timeout(&self, phase: TimeoutPhase, after: Duration) -> Error {
        Error::Timeout {
            phase,
            after,
            method: self.method.clone(),
            template: self.template.clone(),
            host: self.host.clone(),
        }
    }
}

/// The `Content-Length` the server declared, if valid.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The next data chunk, skipping trailers; `None` at the end of the body.
async fn next_chunk(
    body: &mut Incoming,
    idle: Duration,
    call: &CallId,
    received: u64,
    expected: Option<u64>,
) -> Result<Option<Bytes>, Error> {
    loop {
        let frame = match tokio::time::timeout(idle, body.frame()).await {
            Err(_) => return Err(call.timeout(TimeoutPhase::IdleRead, idle)),
            Ok(None) => return Ok(None),
            Ok(Some(Err(e))) => {
                return Err(Error::BodyInterrupted {
                    method: call.method.clone(),
                    template: call.template.clone(),
                    host: call.host.clone(),
                    received,
                    expected,
                    source: Box::new(e),
                });
            }
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            return Ok(Some(data));
        }
    }
}

/// Checks that the body was as long as announced (hyper checks it too; this makes
/// the guarantee independent of the HTTP layer).
fn check_complete(call: &CallId, received: u64, expected: Option<u64>) -> Result<(), Error> {
    match expected {
        Some(expected) if expected != received => Err(Error::BodyInterrupted {
            method: call.method.clone(),
            template: call.template.clone(),
            host: call.host.clone(),
            received,
            expected: Some(expected),
            source: format!("the body ended after {received} of {expected} bytes").into(),
        }),
        _ => Ok(()),
    }
}

/// Whether a response to `method` with `status` carries no body whatever its
/// `Content-Length` says.
fn bodiless(method: &Method, status: StatusCode) -> bool {
    method == Method::HEAD
        || status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
}

/// Reads a whole body into memory, refusing more than `limit` bytes (early, from
/// `Content-Length`, when the server declares it).
pub(crate) async fn read_limited(
    mut body: Incoming,
    headers: &HeaderMap,
    status: StatusCode,
    limit: u64,
    idle: Duration,
    call: &CallId,
) -> Result<Bytes, Error> {
    if bodiless(&call.method, status) {
        return Ok(Bytes::new());
    }
    let expected = content_length(headers);
    let too_large = |declared| Error::BodyTooLarge {
        method: call.method.clone(),
        template: call.template.clone(),
        limit,
        declared,
    };
    if let Some(declared) = expected {
        if declared > limit {
            return Err(too_large(Some(declared)));
        }
    }
    let mut buf: Vec<u8> = Vec::new();
    while let Some(chunk) = next_chunk(&mut body, idle, call, buf.len() as u64, expected).await? {
        if (buf.len() as u64).saturating_add(chunk.len() as u64) > limit {
            return Err(too_large(expected));
        }
        buf.extend_from_slice(&chunk);
    }
    check_complete(call, buf.len() as u64, expected)?;
    Ok(Bytes::from(buf))
}

/// Reads at most [`STATUS_EXCERPT_LEN`] bytes of an error body and builds
/// [`Error::Status`]. A body that fails to read only shortens the excerpt.
pub(crate) async fn status_error(
    mut body: Incoming,
    status: StatusCode,
    idle: Duration,
    call: &CallId,
) -> Error {
    let mut buf: Vec<u8> = Vec::new();
    while buf.len() <= STATUS_EXCERPT_LEN {
        match next_chunk(&mut body, idle, call, buf.len() as u64, None).await {
            Ok(Some(chunk)) => buf.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    Error::Status {
        method: call.method.clone(),
        template: call.template.clone(),
        status,
        excerpt: excerpt(&buf),
    }
}

/// Where a streamed body goes. Each sink computes the SHA-256 of what it got.
pub(crate) enum Sink<'a> {
    /// A caller's writer, hashed on the way.
    Writer {
        /// The writer.
        writer: &'a mut (dyn AsyncWrite + Unpin + Send),
        /// The running hash.
        hasher: Sha256,
    },
    /// A part file, hashed and written by its worker thread: the chunk then crosses
    /// to the worker's core once, in the hash, and the copy into the page cache reads
    /// it from a warm cache (see "Benchmark" in the README).
    File(PartFile),
}

impl<'a> Sink<'a> {
    /// A writer sink.
    pub(crate) fn writer(writer: &'a mut (dyn AsyncWrite + Unpin + Send)) -> Self {
        Self::Writer {
            writer,
            hasher: Sha256::new(),
        }
    }

    async fn write(&mut self, chunk: Bytes) -> Result<(), Error> {
        match self {
            Self::Writer { writer, hasher } => {
                hasher.update(&chunk);
                writer.write_all(&chunk).await.map_err(|source| Error::Io {
                    context: "writing the download",
                    path: None,
                    source,
                })
            }
            Self::File(part) => part.write(chunk).await,
        }
    }

    /// Completes the sink (flushes a writer; syncs and renames a part file) and gives
    /// the SHA-256 of everything written.
    pub(crate) async fn finish(self) -> Result<[u8; 32], Error> {
        match self {
            Self::Writer { writer, hasher } => {
                writer.flush().await.map_err(|source| Error::Io {
                    context: "flushing the download",
                    path: None,
                    source,
                })?;
                Ok(hasher.finalize().into())
            }
            Self::File(part) => part.commit().await,
        }
    }

    /// Gives up after an error: a kept part file is flushed and synced before this
    /// returns (a temporary one is removed).
    pub(crate) async fn abandon(self) {
        if let Self::File(part) = self {
            part.abandon().await;
        }
    }
}

/// Streams a body to `sink`, reporting progress (bytes handed to the sink, after the
/// `offset` bytes already held), and checks that it is as long as announced. Returns the
/// byte count of this body; the caller then completes the sink with [`Sink::finish`].
pub(crate) async fn stream_to<P>(
    mut body: Incoming,
    headers: &HeaderMap,
    sink: &mut Sink<'_>,
    progress: &mut P,
    idle: Duration,
    call: &CallId,
    offset: u64,
) -> Result<u64, Error>
where
    P: FnMut(Progress) + ?Sized,
{
    let total = content_length(headers);
    let whole = total.map(|t| t.saturating_add(offset));
    let mut received: u64 = 0;
    progress(Progress {
        received: offset,
        total: whole,
    });
    while let Some(chunk) = next_chunk(&mut body, idle, call, received, total).await? {
        received += chunk.len() as u64;
        sink.write(chunk).await?;
        progress(Progress {
            received: offset + received,
            total: whole,
        });
    }
    check_complete(call, received, total)?;
    Ok(received)
}
