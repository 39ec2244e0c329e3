//! The access token: discovery, `client_credentials` with `private_key_jwt`, a cache under
//! `fapi-jwt-assert`'s policy, and one refresh in flight at a time.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use fapi_jwt_assert::{
    Advertised, AssertionSigner, Audience, Lookup, ProviderMetadata, SystemRandom, TokenCache,
    TokenRequest, TokenResponse, UrlPolicy, discovery_url,
};
use http_transport::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http_transport::http::{HeaderValue, StatusCode};
use http_transport::{Clock, Request, Transport};

use crate::config::Provider;
use crate::error::Error;

/// The last token the endpoint issued, as `Client::token_info` returns it (for display, as
/// in the `hague token` command). `Debug` prints the token as `[redacted]`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TokenInfo {
    /// The access token. Never log what `expose_secret` returns.
    pub access_token: fapi_jwt_assert::AccessToken,
    /// `token_type`, as sent.
    pub token_type: String,
    /// `expires_in` in seconds, when sent.
    pub expires_in: Option<u64>,
    /// The granted scope, when sent.
    pub scope: Option<String>,
    /// The instant before the token request was sent (the lifetime counts from it).
    pub requested_at: std::time::SystemTime,
}

/// A bearer header and the cache generation of the token inside it.
pub(crate) struct Bearer {
    pub(crate) header: HeaderValue,
    pub(crate) generation: u64,
}

pub(crate) struct TokenSource {
    transport: Transport,
    provider: Provider,
    signer: AssertionSigner,
    audience: Audience,
    scope: Option<String>,
    clock: Arc<dyn Clock>,
    rng: SystemRandom,
    cache: Mutex<TokenCache>,
    /// Held while a token is fetched: one refresh in flight, the others wait and then find
    /// the new token in the cache. It also holds the provider metadata once known.
    refresh: tokio::sync::Mutex<Option<ProviderMetadata>>,
    requests: AtomicU64,
    last: Mutex<Option<TokenInfo>>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("provider", &self.provider)
            .field("signer", &self.signer)
            .field("scope", &self.scope)
            .field("token_requests", &self.requests.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Whether two issuers differ only by an explicit default port (`https://h:443/x` and
/// `https://h/x`). WIPO's guide configures `https://logindev.wipo.int/am/oauth2` while its
/// tokens carry `https://logindev.wipo.int:443/am/oauth2` (**inferred** to be what its
/// discovery document says as well).
fn same_issuer_but_default_port(configured: &str, found: &str) -> bool {
    let strip = |s: &str| -> String {
        let lower = s.trim_end_matches('/').to_owned();
        match lower.split_once("://") {
            Some((scheme, rest)) => {
                let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
                let host = match scheme.to_ascii_lowercase().as_str() {
                    "https" => host.strip_suffix(":443").unwrap_or(host),
                    "http" => host.strip_suffix(":80").unwrap_or(host),
                    _ => host,
                };
                format!(
                    "{}://{}/{}",
                    scheme.to_ascii_lowercase(),
                    host.to_ascii_lowercase(),
                    path
                )
            }
            None => lower,
        }
    };
    strip(configured) == strip(found)
}

impl TokenSource {
    pub(crate) fn new(
        transport: Transport,
        provider: Provider,
        signer: AssertionSigner,
        audience: Audience,
        scope: Option<String>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            transport,
            provider,
            signer,
            audience,
            scope,
            clock,
            rng: SystemRandom::new(),
            cache: Mutex::new(TokenCache::default()),
            refresh: tokio::sync::Mutex::new(None),
            requests: AtomicU64::new(0),
            last: Mutex::new(None),
        }
    }

    pub(crate) fn with_policy(self, policy: fapi_jwt_assert::CachePolicy) -> Self {
        Self {
            cache: Mutex::new(TokenCache::new(policy)),
            ..self
        }
    }

    /// What the endpoint answered for the token now cached, if any.
    pub(crate) fn last(&self) -> Option<TokenInfo> {
        self.last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// How many token requests were sent (for diagnostics).
    pub(crate) fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn url_policy(&self) -> UrlPolicy {
        if self
            .provider
            .issuer()
            .to_ascii_lowercase()
            .starts_with("http://")
        {
            UrlPolicy::AllowLoopbackHttp
        } else {
            UrlPolicy::HttpsOnly
        }
    }

    fn cached(&self) -> Option<Bearer> {
        let cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match cache.lookup(self.clock.now()) {
            Lookup::Usable { token, generation } => {
                let mut header =
                    HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())).ok()?;
                header.set_sensitive(true);
                Some(Bearer { header, generation })
            }
            _ => None,
        }
    }

    /// A usable bearer header: from the cache, or after one refresh shared by every caller
    /// that is waiting.
    pub(crate) async fn bearer(&self) -> Result<Bearer, Error> {
        if let Some(bearer) = self.cached() {
            return Ok(bearer);
        }
        let mut metadata = self.refresh.lock().await;
        // Another task may have refreshed while this one waited for the lock.
        if let Some(bearer) = self.cached() {
            return Ok(bearer);
        }
        if metadata.is_none() {
            let found = self.metadata().await?;
            self.warn_if_unadvertised(&found);
            *metadata = Some(found);
        }
        let Some(metadata) = metadata.as_ref() else {
            return Err(Error::Config {
                reason: "provider metadata missing after discovery".to_owned(),
            });
        };
        self.fetch(metadata).await?;
        self.cached().ok_or_else(|| Error::Config {
            reason: "the token just issued is already expiring under the cache policy; \
                     check the clock and the provider's expires_in"
                .to_owned(),
        })
    }

    /// The provider metadata, discovered now if not known yet (and then kept).
    pub(crate) async fn provider_metadata(&self) -> Result<ProviderMetadata, Error> {
        let mut metadata = self.refresh.lock().await;
        if let Some(m) = metadata.as_ref() {
            return Ok(m.clone());
        }
        let found = self.metadata().await?;
        self.warn_if_unadvertised(&found);
        *metadata = Some(found.clone());
        Ok(found)
    }

    /// Warns when the provider says it does not take `private_key_jwt` or this algorithm
    /// (it may still work: some providers advertise less than they accept).
    fn warn_if_unadvertised(&self, metadata: &ProviderMetadata) {
        if metadata.private_key_jwt() == Advertised::No {
            tracing::warn!(
                "the provider does not advertise private_key_jwt client authentication; \
                 the token request may be refused"
            );
        }
        let algorithm = self.signer.algorithm();
        if metadata.signing_algorithm(algorithm) == Advertised::No {
            tracing::warn!(
                algorithm = algorithm.as_str(),
                "the provider does not advertise this assertion signing algorithm"
            );
        }
    }

    /// The API refused the token of `generation`: drop it (unless already replaced).
    pub(crate) fn invalidate(&self, generation: u64) {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.invalidate(generation);
    }

    async fn metadata(&self) -> Result<ProviderMetadata, Error> {
        let policy = self.url_policy();
        match &self.provider {
            Provider::TokenEndpoint {
                issuer,
                token_endpoint,
            } => ProviderMetadata::manual(issuer, token_endpoint, policy).map_err(|source| {
                Error::Discovery {
                    source,
                    url: String::new(),
                }
            }),
            Provider::Discovery { issuer } => {
                let url = discovery_url(issuer);
                let refused = |source| Error::Discovery {
                    source,
                    url: url.clone(),
                };
                let request = Request::get(&url, "/.well-known/openid-configuration")?
                    .header(ACCEPT, HeaderValue::from_static("application/json"));
                let response = self
                    .transport
                    .send(&request)
                    .await
                    .and_then(http_transport::Response::error_for_status)
                    .map_err(|e| match e {
                        // A 404 here says the issuer is wrong, not that an id is unknown.
                        http_transport::Error::Status { status, .. } => {
                            refused(fapi_jwt_assert::DiscoveryError::Status {
                                status: status.as_u16(),
                            })
                        }
                        e => Error::from(e),
                    })?;
                match ProviderMetadata::from_json(response.body(), issuer, policy) {
                    Err(fapi_jwt_assert::DiscoveryError::IssuerMismatch { found, .. })
                        if same_issuer_but_default_port(issuer, &found) =>
                    {
                        ProviderMetadata::from_json(response.body(), &found, policy)
                            .map_err(refused)
                    }
                    other => other.map_err(refused),
                }
            }
        }
    }

    async fn fetch(&self, metadata: &ProviderMetadata) -> Result<(), Error> {
        let now = self.clock.now();
        // A new assertion (new jti) for every request; this one is never resent.
        let token_request = TokenRequest::client_credentials(
            metadata,
            &self.signer,
            &self.audience,
            self.scope.as_deref(),
            now,
            &self.rng,
        )
        .map_err(|source| Error::Assertion { source })?;
        tracing::debug!(jti = token_request.jti(), "requesting an access token");
        let request = Request::post(
            token_request.url(),
            "/token",
            token_request.body().expose_secret().to_owned(),
        )?
        .header(
            CONTENT_TYPE,
            HeaderValue::from_static(fapi_jwt_assert::FORM_CONTENT_TYPE),
        )
        .header(ACCEPT, HeaderValue::from_static("application/json"));
        debug_assert!(request.headers().get(AUTHORIZATION).is_none());
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = self.transport.send(&request).await.map_err(Error::from)?;
        let status: StatusCode = response.status();
        let token = TokenResponse::from_http(status.as_u16(), response.body())
            .map_err(|source| Error::Token { source })?;
        if HeaderValue::from_str(&format!("Bearer {}", token.access_token.expose_secret())).is_err()
        {
            return Err(Error::Token {
                source: fapi_jwt_assert::TokenError::MalformedResponse {
                    status: status.as_u16(),
                    detail: "the access token has characters that cannot go in an HTTP header"
                        .to_owned(),
                },
            });
        }
        let info = TokenInfo {
            access_token: token.access_token.clone(),
            token_type: token.token_type.clone(),
            expires_in: token.expires_in,
            scope: token.scope.clone(),
            requested_at: now,
        };
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.store(token, now);
        *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(info);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::same_issuer_but_default_port as same;

    #[test]
    fn default_port_equivalence() {
        assert!(same(
            "https://logindev.wipo.int/am/oauth2",
            "https://logindev.wipo.int:443/am/oauth2"
        ));
        assert!(same("http://127.0.0.1/x", "http://127.0.0.1:80/x"));
        assert!(!same(
            "https://logindev.wipo.int/am/oauth2",
            "https://logindev.wipo.int:8443/am/oauth2"
        ));
        assert!(!same(
            "https://logindev.wipo.int/am/oauth2",
            "https://evil.example:443/am/oauth2"
        ));
    }
}
