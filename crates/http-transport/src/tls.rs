//! The rustls client configuration: `ring` provider, built-in roots plus extra roots.

use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};

use crate::config::{Roots, TransportConfig};
use crate::error::Error;

/// Builds the rustls configuration. Certificates are always verified: the only
/// choice is which roots are trusted.
pub(crate) fn client_config(config: &TransportConfig) -> Result<ClientConfig, Error> {
    let mut roots = RootCertStore::empty();
    match config.roots {
        #[cfg(feature = "webpki-roots")]
        Roots::WebPki => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        #[cfg(feature = "native-roots")]
        Roots::Native => {
            let loaded = rustls_native_certs::load_native_certs();
            // Unparseable system certificates are skipped, as browsers do.
            let (_added, _ignored) = roots.add_parsable_certificates(loaded.certs);
            if roots.is_empty() {
                return Err(Error::TlsConfig {
                    reason: format!(
                        "no usable root certificate in the system store ({} error(s)); \
                         install the CA bundle or use the webpki roots",
                        loaded.errors.len()
                    ),
                });
            }
        }
        Roots::ExtraOnly => {}
    }
    for cert in &config.extra_roots {
        roots.add(cert.clone()).map_err(|e| Error::TlsConfig {
            reason: format!("an extra root certificate is not usable as a trust anchor: {e}"),
        })?;
    }
    if roots.is_empty() {
        return Err(Error::TlsConfig {
            reason: "no trusted root certificate: with `Roots::ExtraOnly`, add at least one \
                     extra root certificate"
                .into(),
        });
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::TlsConfig {
            reason: format!("the ring provider refused the default protocol versions: {e}"),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tls)
}
