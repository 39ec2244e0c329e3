//! A TLS handshake on its own, with the roots of a [`TransportConfig`]: what a diagnostic
//! (`hague doctor`, `firmadoc doctor`) shows about a server's certificate chain.

use std::sync::Arc;

use http::Method;
use rustls_pki_types::{CertificateDer, ServerName};

use crate::config::TransportConfig;
use crate::error::{Error, TimeoutPhase};

/// What a successful handshake showed: the negotiated protocol and the server's chain,
/// which rustls verified against the configured roots (and the host name) before this is
/// returned.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TlsPeer {
    /// The protocol version, for example `TLSv1_3`.
    pub protocol: Option<String>,
    /// The cipher suite, for example `TLS13_AES_256_GCM_SHA384`.
    pub cipher_suite: Option<String>,
    /// The certificates the server sent, its own (the leaf) first, DER.
    pub certificates: Vec<CertificateDer<'static>>,
}

/// Why rustls refused a server's certificate, as far as a diagnostic needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsFailure {
    /// The chain does not lead to a trusted root (a private or test CA, or a
    /// TLS-inspecting proxy).
    UnknownIssuer,
    /// The certificate has expired (or is not valid yet: check the clock).
    Expired,
    /// The certificate is not valid for the host name in the URL.
    WrongName,
    /// Another handshake failure (protocol, revocation, a bad signature...).
    Other,
}

impl Error {
    /// Why the TLS handshake failed, when this is a TLS error whose cause rustls names.
    pub fn tls_failure(&self) -> Option<TlsFailure> {
        let Self::Tls { source, .. } = self else {
            return None;
        };
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
        while let Some(e) = cause {
            // An I/O error (tokio-rustls) holds the rustls error itself, which its
            // `source()` skips.
            let inner = e
                .downcast_ref::<std::io::Error>()
                .and_then(std::io::Error::get_ref)
                .map(|i| i as &(dyn std::error::Error + 'static));
            let found = e
                .downcast_ref::<rustls::Error>()
                .or_else(|| inner.and_then(|i| i.downcast_ref::<rustls::Error>()));
            if let Some(r) = found {
                use rustls::CertificateError as C;
                return Some(match r {
                    rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
                        TlsFailure::UnknownIssuer
                    }
                    rustls::Error::InvalidCertificate(
                        C::Expired | C::ExpiredContext { .. } | C::NotValidYet,
                    )
                    | rustls::Error::InvalidCertificate(C::NotValidYetContext { .. }) => {
                        TlsFailure::Expired
                    }
                    rustls::Error::InvalidCertificate(
                        C::NotValidForName | C::NotValidForNameContext { .. },
                    ) => TlsFailure::WrongName,
                    _ => TlsFailure::Other,
                });
            }
            cause = e.source();
        }
        Some(TlsFailure::Other)
    }
}

/// Connects to `host:port` and runs a TLS handshake with the roots `config` trusts (the
/// same rustls configuration a [`crate::Transport`] built from it uses), then closes the
/// connection without sending a request. The connect timeout of `config` bounds the TCP
/// connection, its request timeout the handshake.
///
/// # Errors
/// [`Error::TlsConfig`] for unusable roots; [`Error::Connect`] or [`Error::Timeout`] when
/// no connection opens; [`Error::Tls`] when the handshake fails (see
/// [`Error::tls_failure`]). The errors name the call `CONNECT host:port`.
pub async fn probe_tls(config: &TransportConfig, host: &str, port: u16) -> Result<TlsPeer, Error> {
    let tls = crate::tls::client_config(config)?;
    let template = format!("{host}:{port}");
    // As in the transport's errors: the port only when it is not https's default.
    let server = if port == 443 {
        host.to_owned()
    } else {
        template.clone()
    };
    let name = ServerName::try_from(
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
    )
    .map_err(|e| Error::InvalidRequest {
        reason: format!("`{host}` is not a host name TLS can check: {e}"),
    })?;
    let connect = config.timeouts.connect;
    let tcp =
        match tokio::time::timeout(connect, tokio::net::TcpStream::connect((host, port))).await {
            Err(_) => {
                return Err(Error::Timeout {
                    phase: TimeoutPhase::Connect,
                    after: connect,
                    method: Method::CONNECT,
                    template,
                    host: server,
                });
            }
            Ok(Err(e)) => {
                return Err(Error::Connect {
                    method: Method::CONNECT,
                    template,
                    host: server,
                    attempts: 1,
                    source: Box::new(e),
                });
            }
            Ok(Ok(s)) => s,
        };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls));
    let handshake = config.timeouts.request;
    let stream = match tokio::time::timeout(handshake, connector.connect(name, tcp)).await {
        Err(_) => {
            return Err(Error::Timeout {
                phase: TimeoutPhase::Response,
                after: handshake,
                method: Method::CONNECT,
                template,
                host: server,
            });
        }
        Ok(Err(e)) => {
            return Err(Error::Tls {
                method: Method::CONNECT,
                template,
                host: server,
                source: Box::new(e),
            });
        }
        Ok(Ok(s)) => s,
    };
    let (_, session) = stream.get_ref();
    Ok(TlsPeer {
        protocol: session.protocol_version().map(|v| format!("{v:?}")),
        cipher_suite: session
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite())),
        certificates: session
            .peer_certificates()
            .map(|c| c.iter().map(|c| c.clone().into_owned()).collect())
            .unwrap_or_default(),
    })
}
