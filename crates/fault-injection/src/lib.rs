#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// The largest request head the server reads.
const MAX_HEAD: usize = 64 * 1024;

/// One request as the fault server saw it (its head, and whether its body was read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The method (`GET`, `POST`).
    pub method: String,
    /// The path with its query.
    pub path: String,
    /// The declared `Content-Length` of the request body (0 if none).
    pub content_length: usize,
}

impl Seen {
    /// The path without its query string.
    pub fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or("")
    }
}

/// One thing the server does on a connection, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Writes these bytes.
    Write(Vec<u8>),
    /// Writes these bytes one at a time, pausing `every` before each one.
    Drip {
        /// The bytes.
        bytes: Vec<u8>,
        /// The pause before each byte.
        every: Duration,
    },
    /// Waits.
    Sleep(Duration),
    /// Resets the connection (`SO_LINGER` 0, then close: the peer gets an RST).
    Reset,
    /// Closes the connection cleanly (FIN).
    Close,
    /// Never answers and keeps the connection open until the server is dropped.
    Hang,
}

/// What the server does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Whether to read the request body (`Content-Length` bytes) before the steps.
    pub read_body: bool,
    /// The steps. If the last one is not `Reset`, `Close` or `Hang`, the connection is kept
    /// alive for the next request.
    pub steps: Vec<Step>,
}

impl Plan {
    /// Reads the body, then runs `steps`.
    pub fn after_body(steps: Vec<Step>) -> Self {
        Self {
            read_body: true,
            steps,
        }
    }

    /// Reads the body and answers `bytes` (keeping the connection alive).
    pub fn reply(bytes: Vec<u8>) -> Self {
        Self::after_body(vec![Step::Write(bytes)])
    }
}

/// Decides what to do with a request: it gets the request and its 0-based index among all
/// the requests this server has seen.
pub type Script = Arc<dyn Fn(&Seen, usize) -> Plan + Send + Sync>;

/// How the server treats a new connection.
#[derive(Clone)]
enum Mode {
    /// Parse HTTP/1.1 requests and follow the script.
    Http(Script),
    /// Parse HTTP/1.1 inside TLS.
    Tls(TlsAcceptor, Script),
    /// Read whatever the client sent first, then run these steps (no HTTP parsing): for a
    /// TLS handshake that fails.
    Raw(Vec<Step>),
}

/// A loopback server that misbehaves exactly as told, and counts what it saw.
///
/// Dropping it stops accepting and ends every connection it holds (including `Hang`).
#[derive(Debug)]
pub struct FaultServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: JoinHandle<()>,
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultServer {
    /// An HTTP/1.1 server on `127.0.0.1:0` following `script`.
    ///
    /// # Errors
    /// The listener cannot be bound.
    pub async fn http(
        script: impl Fn(&Seen, usize) -> Plan + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        Self::start(Mode::Http(Arc::new(script))).await
    }

    /// An HTTPS server on `127.0.0.1:0` with `config`, following `script`.
    ///
    /// # Errors
    /// The listener cannot be bound.
    pub async fn https(
        config: Arc<rustls::ServerConfig>,
        script: impl Fn(&Seen, usize) -> Plan + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        Self::start(Mode::Tls(TlsAcceptor::from(config), Arc::new(script))).await
    }

    /// A server that reads the first bytes a client sends and then runs `steps`, without
    /// speaking HTTP (for example: answer a TLS ClientHello with an alert).
    ///
    /// # Errors
    /// The listener cannot be bound.
    pub async fn raw(steps: Vec<Step>) -> std::io::Result<Self> {
        Self::start(Mode::Raw(steps)).await
    }

    async fn start(mode: Mode) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let connections = Arc::new(AtomicUsize::new(0));
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (c, s) = (Arc::clone(&connections), Arc::clone(&seen));
        let task = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let (mode, seen) = (mode.clone(), Arc::clone(&s));
                conns.spawn(async move {
                    let _ = serve_connection(stream, mode, seen).await;
                });
            }
        });
        Ok(Self {
            addr,
            connections,
            seen,
            task,
        })
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:port`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `https://127.0.0.1:port`.
    pub fn https_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Every request head read so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// How many requests had this route (path without query).
    pub fn requests_to(&self, route: &str) -> usize {
        self.seen().iter().filter(|s| s.route() == route).count()
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then released): connecting is refused.
///
/// # Errors
/// The probe listener cannot be bound.
pub async fn refused_addr() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    listener.local_addr()
}

async fn serve_connection(
    stream: TcpStream,
    mode: Mode,
    seen: Arc<Mutex<Vec<Seen>>>,
) -> std::io::Result<()> {
    match mode {
        Mode::Raw(steps) => {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await?;
            run_steps(&mut stream, &steps).await?;
            Ok(())
        }
        Mode::Http(script) => http_loop(stream, &script, &seen).await,
        Mode::Tls(acceptor, script) => {
            let tls = acceptor.accept(stream).await?;
            http_loop(tls, &script, &seen).await
        }
    }
}

/// What ended a run of steps.
enum End {
    KeepAlive,
    Closed,
}

/// A stream whose TCP socket can be set to reset on close.
trait Resettable: AsyncRead + AsyncWrite + Unpin + Send {
    fn zero_linger(&self) -> std::io::Result<()>;
}

impl Resettable for TcpStream {
    fn zero_linger(&self) -> std::io::Result<()> {
        self.set_zero_linger()
    }
}

impl Resettable for tokio_rustls::server::TlsStream<TcpStream> {
    fn zero_linger(&self) -> std::io::Result<()> {
        self.get_ref().0.set_zero_linger()
    }
}

async fn run_steps<S: Resettable>(stream: &mut S, steps: &[Step]) -> std::io::Result<End> {
    for step in steps {
        match step {
            Step::Write(bytes) => {
                stream.write_all(bytes).await?;
                stream.flush().await?;
            }
            Step::Drip { bytes, every } => {
                for b in bytes {
                    tokio::time::sleep(*every).await;
                    stream.write_all(&[*b]).await?;
                    stream.flush().await?;
                }
            }
            Step::Sleep(d) => tokio::time::sleep(*d).await,
            Step::Reset => {
                stream.zero_linger()?;
                return Ok(End::Closed);
            }
            Step::Close => {
                let _ = stream.shutdown().await;
                return Ok(End::Closed);
            }
            Step::Hang => {
                std::future::pending::<()>().await;
            }
        }
    }
    Ok(End::KeepAlive)
}

async fn http_loop<S: Resettable>(
    mut stream: S,
    script: &Script,
    seen: &Mutex<Vec<Seen>>,
) -> std::io::Result<()> {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        // Read one request head.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if buf.len() > MAX_HEAD {
                return Ok(());
            }
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let request = parse_head(&buf[..head_end]);
        buf.drain(..head_end);
        let index = {
            let mut s = seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            s.push(request.clone());
            s.len() - 1
        };
        let plan = script(&request, index);
        if plan.read_body {
            while buf.len() < request.content_length {
                let mut chunk = [0u8; 8192];
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            buf.drain(..request.content_length);
        }
        match run_steps(&mut stream, &plan.steps).await? {
            End::KeepAlive => {}
            End::Closed => return Ok(()),
        }
    }
}

fn parse_head(head: &[u8]) -> Seen {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_owned();
    let path = first.next().unwrap_or("").to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let content_length = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Seen {
        method,
        path,
        content_length,
    }
}

/// An HTTP/1.1 response: status line, the given headers, `Content-Length` of `body` unless
/// a `Content-Length` or `Transfer-Encoding` header is given, then the body.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status)).into_bytes();
    let mut framed = false;
    for (k, v) in headers {
        let lower = k.to_ascii_lowercase();
        framed |= lower == "content-length" || lower == "transfer-encoding";
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    if !framed {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        401 => "Unauthorized",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// A TLS `handshake_failure` alert record (RFC 8446 §6: level fatal, description 40).
pub const TLS_HANDSHAKE_FAILURE_ALERT: [u8; 7] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28];

/// A test CA and a server configuration whose certificate, signed by that CA, names only
/// `names` (DNS names or IP addresses).
#[derive(Debug)]
pub struct TestPki {
    /// The CA certificate in PEM, to give the client as an extra root.
    pub ca_pem: String,
    /// The server configuration.
    pub server: Arc<rustls::ServerConfig>,
}

/// Why [`TestPki::new`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// rcgen refused the parameters (for example a name that is neither a DNS name nor an
    /// IP address).
    #[error("cannot generate the test certificates: {0}; check the names given")]
    Rcgen(#[source] rcgen::Error),
    /// rustls refused the certificate or key.
    #[error("rustls refused the test certificate or key: {0}")]
    Rustls(#[source] rustls::Error),
}

impl TestPki {
    /// Generates a CA and a leaf certificate for `names`.
    ///
    /// # Errors
    /// [`PkiError`] if rcgen or rustls refuses.
    pub fn new(names: &[&str]) -> Result<Self, PkiError> {
        use rcgen::{
            BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair,
            KeyUsagePurpose,
        };
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(PkiError::Rcgen)?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "fault-injection test CA");
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca =
            CertifiedIssuer::self_signed(params, KeyPair::generate().map_err(PkiError::Rcgen)?)
                .map_err(PkiError::Rcgen)?;
        let key = KeyPair::generate().map_err(PkiError::Rcgen)?;
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut leaf = CertificateParams::new(names.clone()).map_err(PkiError::Rcgen)?;
        leaf.distinguished_name.push(
            DnType::CommonName,
            names.first().cloned().unwrap_or_default(),
        );
        let cert = leaf.signed_by(&key, &ca).map_err(PkiError::Rcgen)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(PkiError::Rustls)?
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(
                    rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()),
                ),
            )
            .map_err(PkiError::Rustls)?;
        Ok(Self {
            ca_pem: ca.pem(),
            server: Arc::new(server),
        })
    }
}
