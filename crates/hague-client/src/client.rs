//! The HWS client and its operations.

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use fapi_jwt_assert::AssertionSigner;
use hague_package::{St96Inspector, ValidationOptions, validate_package};
use http_transport::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http_transport::http::{HeaderValue, StatusCode};
use http_transport::{Download, Progress, Request, Response, Transport};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};
use st96_model::{ImportStatus, ServiceRequestStatus};
use tokio::io::AsyncWrite;

use crate::config::Config;
use crate::error::{Error, WipoError};
use crate::token::{Bearer, TokenInfo, TokenSource};
use crate::week::WeekId;

/// **Inferred** path of the connectivity check: the guide names an endpoint `pingMe` but not
/// its path or method.
pub const PING_PATH: &str = "/pingMe";
/// **Inferred** `Content-Type` of `POST /request`: the guide says the content is the import
/// package (a ZIP) and names no media type.
pub const PACKAGE_CONTENT_TYPE: &str = "application/zip";
/// The `Accept` sent on status calls: XML (ST.96) and JSON are both read (**inferred**: the
/// reply formats are not public).
const STATUS_ACCEPT: &str = "application/xml, application/json;q=0.9, */*;q=0.1";

/// Characters escaped in a path segment: everything but `A-Z a-z 0-9 - . _ ~`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The import ID HWS returns for a submitted package.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImportId(String);

impl ImportId {
    /// Wraps an import ID (for example one stored after an earlier submission).
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The ID as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ImportId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The answer to a submission that HWS accepted (any 2xx).
///
/// The guide says only that "an import identifier" comes back. The client looks for it in
/// the body ([`ImportStatus::parse`]: a JSON object under any plausible key, a JSON string
/// or number, one bare word, an XML element) and then in a `Location` header (its last
/// path segment). When none is found, `import_id` is `None` and the submission is still a
/// success: the package **was accepted and must not be sent again**; keep `reply.raw`,
/// `status`, `headers` and `package_sha256` and ask WIPO for the import.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Submission {
    /// The import ID, when the reply carries one.
    pub import_id: Option<ImportId>,
    /// Where the import ID was found: `"body"` or `"location"`.
    pub import_id_source: Option<&'static str>,
    /// The reply, parsed leniently ([`ImportStatus::parse_lenient`]; raw body kept).
    pub reply: ImportStatus,
    /// The HTTP status of the reply (a 2xx).
    pub status: u16,
    /// The reply's headers, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// SHA-256 of the package sent, lowercase hex.
    pub package_sha256: String,
}

/// The last non-empty path segment of a `Location` header value, percent-decoded.
fn id_from_location(location: &str) -> Option<String> {
    let path = location.split(['?', '#']).next().unwrap_or_default().trim();
    let segment = path.rsplit('/').find(|s| !s.is_empty())?;
    let decoded = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()?
        .into_owned();
    let plausible = !decoded.is_empty()
        && !decoded.chars().any(|c| c.is_whitespace() || c.is_control())
        && !matches!(
            decoded.to_ascii_lowercase().as_str(),
            "request" | "import" | "requests" | "imports"
        );
    plausible.then_some(decoded)
}

/// The client for WIPO's Hague System Web Services. Cheap to clone: clones share the
/// connection pool and the token.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    api_base: String,
    transport: Transport,
    tokens: TokenSource,
}

/// Where a download goes.
enum Sink<'a, W> {
    File(&'a Path),
    Writer(&'a mut W),
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

impl Client {
    /// Builds the client: the transport and the assertion signer. No request is sent until
    /// the first call (discovery and the first token come then).
    ///
    /// # Errors
    /// [`Error::Config`] if the key does not fit the client id or algorithm, or
    /// [`Error::Transport`] if the TLS configuration is unusable.
    pub fn new(config: Config) -> Result<Self, Error> {
        let transport = Transport::new(config.transport)?;
        let signer = AssertionSigner::new(config.key, &config.client_id, config.assertion)
            .map_err(|e| Error::Config {
                reason: format!("the assertion signer cannot be built: {e}"),
            })?;
        let tokens = TokenSource::new(
            transport.clone(),
            config.provider,
            signer,
            config.audience,
            config.scope,
            config.clock,
        )
        .with_policy(config.cache_policy);
        Ok(Self {
            inner: Arc::new(Inner {
                api_base: config.api_base,
                transport,
                tokens,
            }),
        })
    }

    /// How many token requests this client has sent so far.
    pub fn token_requests_sent(&self) -> u64 {
        self.inner.tokens.requests_sent()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.api_base)
    }

    /// Sends a request built by `build` with a bearer token; on a 401, drops the token and
    /// sends once more with a new one.
    async fn send_authorized(
        &self,
        build: impl Fn() -> Result<Request, Error>,
    ) -> Result<Response, Error> {
        let mut retried = false;
        loop {
            let Bearer { header, generation } = self.inner.tokens.bearer().await?;
            let request = build()?.header(AUTHORIZATION, header);
            let response = match self.inner.transport.send(&request).await {
                Ok(r) => r,
                Err(e) => return Err(self.map_send_error(&request, e)),
            };
            if response.status() == StatusCode::UNAUTHORIZED && !retried {
                tracing::debug!(
                    template = request.template(),
                    "401: dropping the token, retrying once"
                );
                self.inner.tokens.invalidate(generation);
                retried = true;
                continue;
            }
            return check_status(response);
        }
    }

    fn map_send_error(&self, request: &Request, e: http_transport::Error) -> Error {
        match e {
            http_transport::Error::MayHaveBeenReceived { .. } => Error::MayHaveBeenReceived {
                package_sha256: request.get_fingerprint().unwrap_or("").to_owned(),
                source: Box::new(e),
            },
            e => Error::from(e),
        }
    }

    async fn download_authorized<W, P>(
        &self,
        build: impl Fn() -> Result<Request, Error>,
        mut sink: Sink<'_, W>,
        mut progress: P,
    ) -> Result<Download, Error>
    where
        W: AsyncWrite + Unpin + Send,
        P: FnMut(Progress),
    {
        let mut retried = false;
        loop {
            let Bearer { header, generation } = self.inner.tokens.bearer().await?;
            let request = build()?.header(AUTHORIZATION, header);
            let result = match &mut sink {
                Sink::File(path) => {
                    self.inner
                        .transport
                        .download_to_file(&request, path, &mut progress)
                        .await
                }
                Sink::Writer(writer) => {
                    self.inner
                        .transport
                        .download_to_writer(&request, *writer, &mut progress)
                        .await
                }
            };
            match result {
                Err(http_transport::Error::Status { status, .. })
                    if status == StatusCode::UNAUTHORIZED && !retried =>
                {
                    self.inner.tokens.invalidate(generation);
                    retried = true;
                }
                other => {
                    return other.map_err(Error::from);
                }
            }
        }
    }

    /// A usable access token (from the cache, or requested now) with what the token endpoint
    /// said about it: type, lifetime and granted scope. For display and diagnostics (the
    /// `hague token` command); the calls of this client need none of it.
    ///
    /// # Errors
    /// [`Error::Discovery`], [`Error::Token`], [`Error::Assertion`] or a transport error.
    pub async fn token_info(&self) -> Result<TokenInfo, Error> {
        self.inner.tokens.bearer().await?;
        self.inner.tokens.last().ok_or_else(|| Error::Config {
            reason: "no token details are recorded for the cached token".to_owned(),
        })
    }

    /// The provider's metadata: discovery (`GET {issuer}/.well-known/openid-configuration`,
    /// its issuer checked as for a token) or the token endpoint given by hand. Fetched once
    /// and kept for the tokens that follow; for diagnostics (`hague doctor`), since
    /// [`Client::token_info`] and every call discover on their own.
    ///
    /// # Errors
    /// [`Error::Discovery`] (an issuer mismatch, a document without `token_endpoint`...) or
    /// a transport error.
    pub async fn provider_metadata(&self) -> Result<fapi_jwt_assert::ProviderMetadata, Error> {
        self.inner.tokens.provider_metadata().await
    }

    /// Checks the connection and the token: `GET {base}/pingMe` (**inferred** path and method).
    ///
    /// # Errors
    /// Any [`Error`] of a call.
    pub async fn ping(&self) -> Result<(), Error> {
        let url = self.url(PING_PATH);
        self.send_authorized(|| Ok(Request::get(&url, PING_PATH)?))
            .await
            .map(|_| ())
    }

    /// Validates `package` with `hague-package` (default options) and, if it is valid, sends
    /// it with `POST {base}/request`. See [`Client::submit_with`].
    ///
    /// # Errors
    /// As [`Client::submit_with`].
    pub async fn submit(&self, package: impl Into<Bytes>) -> Result<Submission, Error> {
        self.submit_with(package, &ValidationOptions::default())
            .await
    }

    /// Validates `package` under `options` and, if it is valid, sends it with
    /// `POST {base}/request`, `Content-Type: application/zip` (**inferred**). **Any 2xx is a
    /// success** and is never turned into an error: the reply is read leniently for an
    /// import ID (see [`Submission`]), which may be absent.
    ///
    /// The request is never retried automatically (a 401 excepted: the server refused it
    /// before reading it, and it is sent once more with a new token). If it fails after the
    /// package may have reached HWS, the error is [`Error::MayHaveBeenReceived`] with the
    /// package's SHA-256.
    ///
    /// # Errors
    /// [`Error::PackageInvalid`] (nothing sent), [`Error::MayHaveBeenReceived`], or any
    /// other call error (a non-2xx status, a token refusal...). Never after a 2xx.
    pub async fn submit_with(
        &self,
        package: impl Into<Bytes>,
        options: &ValidationOptions,
    ) -> Result<Submission, Error> {
        let package: Bytes = package.into();
        let validation = validate_package(&mut Cursor::new(&package[..]), options, &St96Inspector)
            .map_err(|source| Error::PackageUnreadable { source })?;
        if !validation.report.is_valid() {
            return Err(Error::PackageInvalid {
                report: Box::new(validation.report),
            });
        }
        let sha256 = hex(&Sha256::digest(&package));
        let url = self.url("/request");
        let response = self
            .send_authorized(|| {
                Ok(Request::post(&url, "/request", package.clone())?
                    .header(CONTENT_TYPE, HeaderValue::from_static(PACKAGE_CONTENT_TYPE))
                    .header(ACCEPT, HeaderValue::from_static(STATUS_ACCEPT))
                    .fingerprint(sha256.clone()))
            })
            .await?;
        let reply = ImportStatus::parse_lenient(response.body());
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let from_location = || {
            response
                .headers()
                .get(http_transport::http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(id_from_location)
        };
        let (import_id, import_id_source) = match reply.import_id.clone() {
            Some(id) => (Some(ImportId(id)), Some("body")),
            None => match from_location() {
                Some(id) => (Some(ImportId(id)), Some("location")),
                None => (None, None),
            },
        };
        match &import_id {
            Some(id) => {
                tracing::info!(import_id = %id, package_sha256 = %sha256, "package submitted");
            }
            None => tracing::warn!(
                status = response.status().as_u16(),
                package_sha256 = %sha256,
                "package accepted, but no import ID was found in the reply: do not submit it again"
            ),
        }
        Ok(Submission {
            import_id,
            import_id_source,
            reply,
            status: response.status().as_u16(),
            headers,
            package_sha256: sha256,
        })
    }

    /// The import status: `GET {base}/request/import/{importId}`. Once WIPO has created the
    /// service request, `service_request_number` is set.
    ///
    /// # Errors
    /// Any [`Error`] of a call; [`Error::UnexpectedReply`] if the body is neither XML nor JSON.
    pub async fn import_status(&self, id: &ImportId) -> Result<ImportStatus, Error> {
        const TEMPLATE: &str = "/request/import/{importId}";
        let url = self.url(&format!(
            "/request/import/{}",
            utf8_percent_encode(id.as_str(), SEGMENT)
        ));
        let response = self
            .send_authorized(|| {
                Ok(Request::get(&url, TEMPLATE)?
                    .header(ACCEPT, HeaderValue::from_static(STATUS_ACCEPT)))
            })
            .await?;
        parse_reply(&response, TEMPLATE, ImportStatus::parse)
    }

    /// The status of a service request: `GET {base}/request/{serviceRequestId}`, with the
    /// typed processing status of `st96-model`.
    ///
    /// # Errors
    /// As [`Client::import_status`].
    pub async fn request_status(
        &self,
        service_request_id: &str,
    ) -> Result<ServiceRequestStatus, Error> {
        const TEMPLATE: &str = "/request/{serviceRequestId}";
        let url = self.url(&format!(
            "/request/{}",
            utf8_percent_encode(service_request_id, SEGMENT)
        ));
        let response = self
            .send_authorized(|| {
                Ok(Request::get(&url, TEMPLATE)?
                    .header(ACCEPT, HeaderValue::from_static(STATUS_ACCEPT)))
            })
            .await?;
        parse_reply(&response, TEMPLATE, ServiceRequestStatus::parse)
    }

    /// Downloads the bulletin of `week` (`GET {base}/publication/bulletin/{weekId}`) to the
    /// file `target`. See [`Client::download`].
    ///
    /// # Errors
    /// As [`Client::download`].
    pub async fn bulletin(
        &self,
        week: WeekId,
        target: &Path,
        progress: impl FnMut(Progress),
    ) -> Result<Download, Error> {
        self.download(Publication::Bulletin, week, target, progress)
            .await
    }

    /// Downloads the confidential copies of `week`
    /// (`GET {base}/publication/copy/confidential/{weekId}`; examining offices only) to the
    /// file `target`. See [`Client::download`].
    ///
    /// # Errors
    /// As [`Client::download`].
    pub async fn confidential_copy(
        &self,
        week: WeekId,
        target: &Path,
        progress: impl FnMut(Progress),
    ) -> Result<Download, Error> {
        self.download(Publication::ConfidentialCopy, week, target, progress)
            .await
    }

    /// Downloads a publication of `week` to the file `target`, through a temporary file in
    /// the same directory renamed when complete; `progress` is called after every chunk.
    /// The result has the byte count and the SHA-256.
    ///
    /// # Errors
    /// Any [`Error`] of a call; on error no file is left at `target` (nor a temporary one).
    pub async fn download(
        &self,
        publication: Publication,
        week: WeekId,
        target: &Path,
        progress: impl FnMut(Progress),
    ) -> Result<Download, Error> {
        let (url, template) = self.publication_url(publication, week);
        self.download_authorized(
            || Ok(Request::get(&url, template)?),
            Sink::<Vec<u8>>::File(target),
            progress,
        )
        .await
    }

    /// Streams a publication of `week` to `writer`, which may hold a partial body if an error
    /// occurs (use [`Client::download`] to never keep a partial file).
    ///
    /// # Errors
    /// As [`Client::download`].
    pub async fn download_to_writer<W: AsyncWrite + Unpin + Send>(
        &self,
        publication: Publication,
        week: WeekId,
        writer: &mut W,
        progress: impl FnMut(Progress),
    ) -> Result<Download, Error> {
        let (url, template) = self.publication_url(publication, week);
        self.download_authorized(
            || Ok(Request::get(&url, template)?),
            Sink::Writer(writer),
            progress,
        )
        .await
    }

    fn publication_url(&self, publication: Publication, week: WeekId) -> (String, &'static str) {
        let (prefix, template) = match publication {
            Publication::Bulletin => ("/publication/bulletin/", "/publication/bulletin/{weekId}"),
            Publication::ConfidentialCopy => (
                "/publication/copy/confidential/",
                "/publication/copy/confidential/{weekId}",
            ),
        };
        (self.url(&format!("{prefix}{week}")), template)
    }
}

/// What to download for a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Publication {
    /// The weekly bulletin (`GET /publication/bulletin/{weekId}`): a ZIP with the ST.96 data
    /// and image folders.
    Bulletin,
    /// The weekly confidential copies (`GET /publication/copy/confidential/{weekId}`), for
    /// examining offices; same layout as the bulletin.
    ConfidentialCopy,
}

/// A successful response, or [`Error::Status`] with the WIPO error body when present.
fn check_status(response: Response) -> Result<Response, Error> {
    if response.status().is_success() {
        return Ok(response);
    }
    let wipo = WipoError::parse(response.body()).map(Box::new);
    match response.error_for_status() {
        Err(http_transport::Error::Status {
            method,
            template,
            status,
            excerpt,
            ..
        }) => Err(Error::Status {
            method,
            template,
            status,
            excerpt,
            wipo,
        }),
        Err(e) => Err(e.into()),
        Ok(r) => Ok(r),
    }
}

fn parse_reply<T>(
    response: &Response,
    template: &str,
    parse: impl Fn(&[u8]) -> Result<T, st96_model::Error>,
) -> Result<T, Error> {
    parse(response.body()).map_err(|e| Error::UnexpectedReply {
        template: template.to_owned(),
        detail: e.to_string(),
        raw: String::from_utf8_lossy(response.body()).into_owned(),
    })
}
