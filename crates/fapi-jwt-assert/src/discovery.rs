//! OpenID Provider metadata (OpenID Connect Discovery 1.0 section 3,
//! RFC 8414), read as a value: the caller fetches the bytes.

use serde::Deserialize;

use crate::key::Algorithm;

/// The path appended to the issuer to find its metadata.
pub const WELL_KNOWN_PATH: &str = "/.well-known/openid-configuration";

/// The discovery URL of an issuer: the issuer without a trailing `/`, then
/// [`WELL_KNOWN_PATH`] (OpenID Connect Discovery 1.0 section 4).
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}{WELL_KNOWN_PATH}",
        issuer.strip_suffix('/').unwrap_or(issuer)
    )
}

/// Which URLs are acceptable as issuer and endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UrlPolicy {
    /// `https` only (the default).
    #[default]
    HttpsOnly,
    /// `https`, or `http` to a loopback host (`127.0.0.1`, `[::1]`,
    /// `localhost`): for tests against a local provider.
    AllowLoopbackHttp,
}

/// Whether the metadata advertises something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Advertised {
    /// The list is present and contains the value.
    Yes,
    /// The list is present and lacks the value.
    No,
    /// The list is absent.
    Unstated,
}

/// Why a discovery document was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// Not JSON, or a field has the wrong type.
    #[error(
        "the discovery document is not valid OpenID provider metadata ({detail}); check the discovery URL"
    )]
    Json {
        /// serde_json's description (it never quotes the document).
        detail: String,
    },
    /// A required field is absent.
    #[error(
        "the discovery document has no `{field}`; the provider does not offer what this client needs"
    )]
    Missing {
        /// The field name.
        field: &'static str,
    },
    /// The issuer in the document differs from the configured one.
    #[error(
        "the discovery document says issuer `{found}` but `{expected}` was configured; they must be equal character \
         for character (OpenID Connect Discovery 4.3), so fix the configured issuer or the discovery URL"
    )]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The issuer in the document.
        found: String,
    },
    /// The discovery URL answered with a status that is not a success: with a 4xx,
    /// the configured issuer is most likely not the provider's (the metadata lives at
    /// exactly `{issuer}/.well-known/openid-configuration`).
    #[error(
        "the discovery URL answered HTTP {status} instead of the provider metadata; {}",
        if *status >= 500 {
            "the provider has a problem, try again later"
        } else {
            "the configured issuer is probably not the provider's"
        }
    )]
    Status {
        /// The HTTP status.
        status: u16,
    },
    /// An endpoint or the issuer is not https.
    #[error(
        "`{field}` is `{url}`, which is not an https URL; the token endpoint must use TLS (plain http is allowed only \
         to a loopback host, and only with UrlPolicy::AllowLoopbackHttp)"
    )]
    NotHttps {
        /// The field name.
        field: &'static str,
        /// The value.
        url: String,
    },
}

#[derive(Deserialize)]
struct Raw {
    issuer: Option<String>,
    token_endpoint: Option<String>,
    #[serde(default)]
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    token_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    #[serde(default)]
    grant_types_supported: Option<Vec<String>>,
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

/// The provider metadata this client uses, checked.
///
/// Values are kept exactly as the provider wrote them (never normalised):
/// WIPO's issuer and token endpoint carry an explicit `:443`, and the
/// audience must match byte for byte.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderMetadata {
    issuer: String,
    token_endpoint: String,
    auth_methods: Option<Vec<String>>,
    signing_algs: Option<Vec<String>>,
    grant_types: Option<Vec<String>>,
    other: serde_json::Map<String, serde_json::Value>,
}

impl ProviderMetadata {
    /// Parses and checks a discovery document: `issuer` must equal
    /// `expected_issuer` exactly, and the issuer and `token_endpoint` must be
    /// https (or loopback http, if `policy` allows it).
    pub fn from_json(
        document: &[u8],
        expected_issuer: &str,
        policy: UrlPolicy,
    ) -> Result<Self, DiscoveryError> {
        let raw: Raw = serde_json::from_slice(document).map_err(|e| DiscoveryError::Json {
            detail: e.to_string(),
        })?;
        let issuer = raw
            .issuer
            .ok_or(DiscoveryError::Missing { field: "issuer" })?;
        if issuer != expected_issuer {
            return Err(DiscoveryError::IssuerMismatch {
                expected: expected_issuer.to_owned(),
                found: issuer,
            });
        }
        let token_endpoint = raw.token_endpoint.ok_or(DiscoveryError::Missing {
            field: "token_endpoint",
        })?;
        let metadata = Self {
            issuer,
            token_endpoint,
            auth_methods: raw.token_endpoint_auth_methods_supported,
            signing_algs: raw.token_endpoint_auth_signing_alg_values_supported,
            grant_types: raw.grant_types_supported,
            other: raw.other,
        };
        metadata.check_urls(policy)?;
        Ok(metadata)
    }

    /// Metadata configured by hand, for a provider without discovery. The
    /// same URL checks apply.
    pub fn manual(
        issuer: &str,
        token_endpoint: &str,
        policy: UrlPolicy,
    ) -> Result<Self, DiscoveryError> {
        let metadata = Self {
            issuer: issuer.to_owned(),
            token_endpoint: token_endpoint.to_owned(),
            auth_methods: None,
            signing_algs: None,
            grant_types: None,
            other: serde_json::Map::new(),
        };
        metadata.check_urls(policy)?;
        Ok(metadata)
    }

    fn check_urls(&self, policy: UrlPolicy) -> Result<(), DiscoveryError> {
        for (field, url) in [
            ("issuer", &self.issuer),
            ("token_endpoint", &self.token_endpoint),
        ] {
            if !url_allowed(url, policy) {
                return Err(DiscoveryError::NotHttps {
                    field,
                    url: url.clone(),
                });
            }
        }
        Ok(())
    }

    /// The issuer, verbatim.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The token endpoint, verbatim.
    pub fn token_endpoint(&self) -> &str {
        &self.token_endpoint
    }

    /// Whether `token_endpoint_auth_methods_supported` lists `private_key_jwt`.
    ///
    /// When the list is absent, Discovery 1.0 says the default is
    /// `client_secret_basic`, so [`Advertised::Unstated`] is a warning sign,
    /// not a refusal: some providers accept more than they advertise.
    pub fn private_key_jwt(&self) -> Advertised {
        advertised(self.auth_methods.as_deref(), "private_key_jwt")
    }

    /// Whether `token_endpoint_auth_signing_alg_values_supported` lists `algorithm`.
    pub fn signing_algorithm(&self, algorithm: Algorithm) -> Advertised {
        advertised(self.signing_algs.as_deref(), algorithm.as_str())
    }

    /// `token_endpoint_auth_methods_supported` as the provider wrote it (`None` when absent).
    pub fn token_endpoint_auth_methods(&self) -> Option<&[String]> {
        self.auth_methods.as_deref()
    }

    /// `token_endpoint_auth_signing_alg_values_supported` as the provider wrote it
    /// (`None` when absent).
    pub fn token_endpoint_signing_algorithms(&self) -> Option<&[String]> {
        self.signing_algs.as_deref()
    }

    /// Whether `grant_types_supported` lists `client_credentials`.
    pub fn client_credentials(&self) -> Advertised {
        advertised(self.grant_types.as_deref(), "client_credentials")
    }

    /// Every other member of the document, kept as received.
    pub fn other(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.other
    }
}

fn advertised(list: Option<&[String]>, value: &str) -> Advertised {
    match list {
        None => Advertised::Unstated,
        Some(l) if l.iter().any(|v| v == value) => Advertised::Yes,
        Some(_) => Advertised::No,
    }
}

/// `https://` with a host, or `http://` to a loopback host when allowed.
fn url_allowed(url: &str, policy: UrlPolicy) -> bool {
    let scheme_rest = |scheme: &str| {
        url.get(..scheme.len())
            .filter(|s| s.eq_ignore_ascii_case(scheme))
            .map(|_| &url[scheme.len()..])
    };
    if let Some(rest) = scheme_rest("https://") {
        return !authority(rest).is_empty();
    }
    if policy == UrlPolicy::AllowLoopbackHttp
        && let Some(rest) = scheme_rest("http://")
    {
        let auth = authority(rest);
        if auth.contains('@') {
            return false;
        }
        let host = if let Some(v6) = auth.strip_prefix('[') {
            v6.split(']').next().unwrap_or_default()
        } else {
            auth.split(':').next().unwrap_or_default()
        };
        return host == "127.0.0.1" || host == "::1" || host.eq_ignore_ascii_case("localhost");
    }
    false
}

fn authority(rest: &str) -> &str {
    rest.split(['/', '?', '#']).next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIPO_LIKE: &str = r#"{
        "issuer": "https://logindev.wipo.int:443/am/oauth2",
        "token_endpoint": "https://logindev.wipo.int:443/am/oauth2/access_token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
        "jwks_uri": "https://logindev.wipo.int:443/am/oauth2/connect/jwk_uri"
    }"#;

    #[test]
    fn keeps_urls_verbatim_and_reports_support() {
        let m = ProviderMetadata::from_json(
            WIPO_LIKE.as_bytes(),
            "https://logindev.wipo.int:443/am/oauth2",
            UrlPolicy::HttpsOnly,
        )
        .unwrap();
        assert_eq!(
            m.token_endpoint(),
            "https://logindev.wipo.int:443/am/oauth2/access_token"
        );
        assert_eq!(m.private_key_jwt(), Advertised::Yes);
        assert_eq!(m.signing_algorithm(Algorithm::Es256), Advertised::Yes);
        assert_eq!(m.signing_algorithm(Algorithm::Ps256), Advertised::No);
        assert_eq!(m.client_credentials(), Advertised::Unstated);
        assert!(m.other().contains_key("jwks_uri"));
    }

    #[test]
    fn issuer_must_match_exactly() {
        // Without the port, or with a trailing slash, it is another string.
        for configured in [
            "https://logindev.wipo.int/am/oauth2",
            "https://logindev.wipo.int:443/am/oauth2/",
        ] {
            let err =
                ProviderMetadata::from_json(WIPO_LIKE.as_bytes(), configured, UrlPolicy::HttpsOnly)
                    .unwrap_err();
            assert!(
                matches!(err, DiscoveryError::IssuerMismatch { .. }),
                "{err}"
            );
        }
    }

    #[test]
    fn http_only_for_loopback_and_only_when_allowed() {
        let doc =
            r#"{"issuer":"http://127.0.0.1:4000","token_endpoint":"http://127.0.0.1:4000/token"}"#;
        let err = ProviderMetadata::from_json(
            doc.as_bytes(),
            "http://127.0.0.1:4000",
            UrlPolicy::HttpsOnly,
        )
        .unwrap_err();
        assert_eq!(
            err,
            DiscoveryError::NotHttps {
                field: "issuer",
                url: "http://127.0.0.1:4000".into()
            }
        );
        assert!(
            ProviderMetadata::from_json(
                doc.as_bytes(),
                "http://127.0.0.1:4000",
                UrlPolicy::AllowLoopbackHttp
            )
            .is_ok()
        );
        for bad in [
            "http://127.0.0.1.evil.example/token",
            "http://127.0.0.1@evil.example/t",
            "http://example.com/token",
            "ftp://x/y",
            "https:///x",
        ] {
            let doc = format!(r#"{{"issuer":"https://a.example","token_endpoint":"{bad}"}}"#);
            let err = ProviderMetadata::from_json(
                doc.as_bytes(),
                "https://a.example",
                UrlPolicy::AllowLoopbackHttp,
            )
            .unwrap_err();
            assert!(
                matches!(
                    err,
                    DiscoveryError::NotHttps {
                        field: "token_endpoint",
                        ..
                    }
                ),
                "{bad}: {err}"
            );
        }
        for good in [
            "http://localhost:8080/t",
            "http://[::1]:9/t",
            "HTTPS://a.example/t",
        ] {
            assert!(url_allowed(good, UrlPolicy::AllowLoopbackHttp), "{good}");
        }
    }

    #[test]
    fn missing_and_malformed() {
        let err = ProviderMetadata::from_json(
            br#"{"issuer":"https://a"}"#,
            "https://a",
            UrlPolicy::HttpsOnly,
        )
        .unwrap_err();
        assert_eq!(
            err,
            DiscoveryError::Missing {
                field: "token_endpoint"
            }
        );
        let err =
            ProviderMetadata::from_json(b"<html>", "https://a", UrlPolicy::HttpsOnly).unwrap_err();
        assert!(matches!(err, DiscoveryError::Json { .. }));
    }

    #[test]
    fn discovery_url_strips_one_slash() {
        assert_eq!(
            discovery_url("https://a.example/x/"),
            "https://a.example/x/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("https://a.example:443/am/oauth2"),
            "https://a.example:443/am/oauth2/.well-known/openid-configuration"
        );
    }
}
