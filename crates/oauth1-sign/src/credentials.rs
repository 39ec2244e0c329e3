//! Client credentials and the optional token.

use crate::error::Error;
use crate::secret::Secret;

/// The consumer key and secret, plus an optional token and token secret.
///
/// FirmaDocumentos uses consumer-only credentials (no token).
#[derive(Debug, Clone)]
pub struct Credentials {
    consumer_key: String,
    consumer_secret: Secret,
    token: Option<Token>,
}

/// A token and its secret (the "resource owner" credentials of RFC 5849).
#[derive(Debug, Clone)]
pub struct Token {
    /// The token, sent as `oauth_token`.
    pub token: String,
    /// The token secret, the second half of the HMAC key.
    pub secret: Secret,
}

impl Credentials {
    /// Consumer-only credentials.
    ///
    /// # Errors
    /// [`Error::EmptyConsumerKey`] when the key is empty.
    pub fn new(
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<Secret>,
    ) -> Result<Self, Error> {
        let consumer_key = consumer_key.into();
        if consumer_key.is_empty() {
            return Err(Error::EmptyConsumerKey);
        }
        Ok(Self {
            consumer_key,
            consumer_secret: consumer_secret.into(),
            token: None,
        })
    }

    /// Adds a token and its secret. An empty token is treated as no token, as
    /// OAuthBase does, so that no empty `oauth_token=` is ever sent.
    #[must_use]
    pub fn with_token(mut self, token: impl Into<String>, secret: impl Into<Secret>) -> Self {
        let token = token.into();
        self.token = (!token.is_empty()).then(|| Token {
            token,
            secret: secret.into(),
        });
        self
    }

    /// The consumer key (not a secret: it travels in every request).
    #[must_use]
    pub fn consumer_key(&self) -> &str {
        &self.consumer_key
    }

    /// The consumer secret.
    #[must_use]
    pub fn consumer_secret(&self) -> &Secret {
        &self.consumer_secret
    }

    /// The token, if any.
    #[must_use]
    pub fn token(&self) -> Option<&Token> {
        self.token.as_ref()
    }

    /// The HMAC key of RFC 5849 section 3.4.2:
    /// `enc(consumer_secret) "&" enc(token_secret)`; the `&` is always there.
    pub(crate) fn signing_key(&self) -> Secret {
        let mut key = String::new();
        crate::encode::percent_encode_into(&mut key, self.consumer_secret.expose());
        key.push('&');
        if let Some(t) = &self.token {
            crate::encode::percent_encode_into(&mut key, t.secret.expose());
        }
        Secret::new(key)
    }
}
