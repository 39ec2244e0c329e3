//! The `client_credentials` token request and response (RFC 6749 4.4 and
//! 5.1/5.2, RFC 7521 4.2, RFC 7523 2.2), as values.

use std::fmt;
use std::time::SystemTime;

use serde::Deserialize;

use crate::assertion::{AssertionSigner, SignError};
use crate::discovery::ProviderMetadata;
use crate::random::RandomSource;
use crate::secret::{SecretString, secret_newtype};

/// The `client_assertion_type` of RFC 7523 2.2.
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The `Content-Type` of the request body.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Which string goes in `aud`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Audience {
    /// The discovered `token_endpoint`, verbatim (the default; what WIPO's
    /// ForgeRock AM checks, `:443` included).
    #[default]
    TokenEndpoint,
    /// The `issuer` (FAPI 2.0 and draft-ietf-oauth-rfc7523bis).
    Issuer,
    /// A fixed value, for example Auth0's tenant URL with its trailing `/`.
    Custom(String),
}

impl Audience {
    /// The `aud` string for this provider.
    pub fn resolve<'a>(&'a self, metadata: &'a ProviderMetadata) -> &'a str {
        match self {
            Self::TokenEndpoint => metadata.token_endpoint(),
            Self::Issuer => metadata.issuer(),
            Self::Custom(value) => value,
        }
    }
}

/// A token request ready to send: POST `url()` with header
/// `Content-Type: application/x-www-form-urlencoded` and `body()`.
///
/// There is no `Authorization` header: the client authenticates with the
/// assertion alone (OpenAM answers `invalid_request` to both).
/// `Debug` shows the URL and the assertion's `jti`, never the body.
#[derive(Clone)]
pub struct TokenRequest {
    url: String,
    body: SecretString,
    jti: String,
}

impl TokenRequest {
    /// Signs a fresh assertion and builds the request. Build a new request
    /// for every attempt: the `jti` must not repeat.
    ///
    /// `scope` is sent when given (space-separated scopes, for example
    /// `das-api/das-access`). `client_id` is not sent: RFC 7521 4.2 makes it
    /// optional, and the servers take it from `sub`.
    pub fn client_credentials(
        metadata: &ProviderMetadata,
        signer: &AssertionSigner,
        audience: &Audience,
        scope: Option<&str>,
        now: SystemTime,
        rng: &dyn RandomSource,
    ) -> Result<Self, SignError> {
        let assertion = signer.sign(audience.resolve(metadata), now, rng)?;
        let jwt = assertion.expose_secret();
        let mut body = String::with_capacity(jwt.len() + 160 + scope.map_or(0, |s| 3 * s.len()));
        body.push_str("grant_type=client_credentials");
        if let Some(scope) = scope {
            body.push_str("&scope=");
            form_encode_into(&mut body, scope);
        }
        body.push_str("&client_assertion_type=");
        form_encode_into(&mut body, JWT_BEARER_ASSERTION_TYPE);
        body.push_str("&client_assertion=");
        form_encode_into(&mut body, jwt);
        Ok(Self {
            url: metadata.token_endpoint().to_owned(),
            body: SecretString::new(body),
            jti: assertion.jti().to_owned(),
        })
    }

    /// The token endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `application/x-www-form-urlencoded`.
    pub fn content_type(&self) -> &'static str {
        FORM_CONTENT_TYPE
    }

    /// The form body. It carries the assertion, so it is a secret.
    pub fn body(&self) -> &SecretString {
        &self.body
    }

    /// The `jti` of the assertion inside, for logs.
    pub fn jti(&self) -> &str {
        &self.jti
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest")
            .field("url", &self.url)
            .field("jti", &self.jti)
            .field("body", &"[redacted]")
            .finish()
    }
}

/// `application/x-www-form-urlencoded` byte serializer (WHATWG URL 5.2):
/// `*-._` and alphanumerics stay, space becomes `+`, the rest is `%XX`.
fn form_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
}

secret_newtype! {
    /// An access token. Treated as opaque even when it is a JWT.
    AccessToken
}

/// A successful token response (RFC 6749 5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenResponse {
    /// The access token.
    pub access_token: AccessToken,
    /// `token_type`, as sent (`Bearer`, compared without case).
    pub token_type: String,
    /// `expires_in` in seconds, when sent (WIPO sends 3599 or 3600).
    pub expires_in: Option<u64>,
    /// The granted scope: the string as sent, or a JSON array joined with spaces.
    pub scope: Option<String>,
}

/// The RFC 6749 5.2 error codes, and any other code kept as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// `invalid_request`
    InvalidRequest,
    /// `invalid_client`: the assertion was refused (bad signature, `aud`,
    /// `exp`, replayed `jti`, unknown client...).
    InvalidClient,
    /// `invalid_grant`
    InvalidGrant,
    /// `unauthorized_client`
    UnauthorizedClient,
    /// `unsupported_grant_type`
    UnsupportedGrantType,
    /// `invalid_scope`
    InvalidScope,
    /// Another code (extensions), as sent.
    Other(String),
}

impl OAuthErrorCode {
    fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The code as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::Other(code) => code,
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why no token came out of a token response.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// The server refused the request with an RFC 6749 5.2 error body.
    #[error(
        "the token endpoint refused the request: HTTP {status}, error `{error}`{}{}",
        description.as_deref().map(|d| format!(", description: {d}")).unwrap_or_default(),
        hint(error)
    )]
    Rejected {
        /// The HTTP status (400 or 401 usually).
        status: u16,
        /// `error`.
        error: OAuthErrorCode,
        /// `error_description`, when sent.
        description: Option<String>,
        /// `error_uri`, when sent.
        uri: Option<String>,
    },
    /// A 4xx whose body is not an RFC 6749 error object.
    #[error(
        "the token endpoint answered HTTP {status} without an OAuth error body; check the token endpoint URL and \
         that the request comes from the IP address registered with the provider"
    )]
    UnexpectedClientError {
        /// The HTTP status.
        status: u16,
    },
    /// A 5xx or other non-success status.
    #[error(
        "the token endpoint answered HTTP {status}; the provider has a problem, try again later"
    )]
    ServerError {
        /// The HTTP status.
        status: u16,
    },
    /// A 2xx that is not a valid token response.
    #[error("the token endpoint answered {status} but the body is not a token response ({detail})")]
    MalformedResponse {
        /// The HTTP status.
        status: u16,
        /// What was wrong (never the body itself, which may hold a token).
        detail: String,
    },
    /// A token type this client cannot use.
    #[error(
        "the token endpoint issued a `{token_type}` token, but this client sends Bearer tokens only"
    )]
    UnsupportedTokenType {
        /// The `token_type` sent.
        token_type: String,
    },
}

fn hint(error: &OAuthErrorCode) -> &'static str {
    match error {
        OAuthErrorCode::InvalidClient => {
            " (the assertion was refused: check the client id, the registered public key, the algorithm, `aud`, the clock, and that each request has a new assertion)"
        }
        OAuthErrorCode::InvalidScope => " (ask the provider which scopes the client may request)",
        _ => "",
    }
}

#[derive(Deserialize)]
struct RawToken {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<ExpiresIn>,
    #[serde(default)]
    scope: Option<Scope>,
}

/// Some servers send `expires_in` as a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum ExpiresIn {
    Number(u64),
    Text(String),
}

/// The WIPO AM sample shows `scope` as an array inside the token; accept both.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scope {
    Text(String),
    List(Vec<String>),
}

#[derive(Deserialize)]
struct RawError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_uri: Option<String>,
}

impl TokenResponse {
    /// Reads the token endpoint's answer: HTTP `status` and `body`.
    ///
    /// A 2xx must be a token response (RFC 6749 5.1) with a Bearer token.
    /// Any 4xx is read as an RFC 6749 5.2 error object, whatever the status
    /// (servers differ: `invalid_client` comes as 400 or 401).
    pub fn from_http(status: u16, body: &[u8]) -> Result<Self, TokenError> {
        match status {
            200..=299 => Self::parse_success(status, body),
            400..=499 => match serde_json::from_slice::<RawError>(body) {
                Ok(e) => Err(TokenError::Rejected {
                    status,
                    error: OAuthErrorCode::parse(&e.error),
                    description: e.error_description,
                    uri: e.error_uri,
                }),
                Err(_) => Err(TokenError::UnexpectedClientError { status }),
            },
            _ => Err(TokenError::ServerError { status }),
        }
    }

    fn parse_success(status: u16, body: &[u8]) -> Result<Self, TokenError> {
        let malformed = |detail: String| TokenError::MalformedResponse { status, detail };
        // serde_json's messages name the field and position, never the values.
        let raw: RawToken = serde_json::from_slice(body).map_err(|e| malformed(e.to_string()))?;
        if raw.access_token.is_empty() {
            return Err(malformed("`access_token` is empty".to_owned()));
        }
        if !raw.token_type.eq_ignore_ascii_case("bearer") {
            return Err(TokenError::UnsupportedTokenType {
                token_type: raw.token_type,
            });
        }
        let expires_in = match raw.expires_in {
            None => None,
            Some(ExpiresIn::Number(n)) => Some(n),
            Some(ExpiresIn::Text(t)) => Some(t.trim().parse().map_err(|_| {
                malformed(format!("`expires_in` is not a number of seconds: `{t}`"))
            })?),
        };
        let scope = raw.scope.map(|s| match s {
            Scope::Text(t) => t,
            Scope::List(l) => l.join(" "),
        });
        Ok(Self {
            access_token: AccessToken::new(raw.access_token),
            token_type: raw.token_type,
            expires_in,
            scope,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_follows_whatwg() {
        let mut s = String::new();
        form_encode_into(&mut s, "das-api/das-access openid a+b~c*");
        assert_eq!(s, "das-api%2Fdas-access+openid+a%2Bb%7Ec*");
        let mut s = String::new();
        form_encode_into(&mut s, JWT_BEARER_ASSERTION_TYPE);
        assert_eq!(
            s,
            "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
        );
    }

    #[test]
    fn success() {
        // Shape of oidc-provider's answer (../shared/reference/fapi.md 3.1).
        let body = br#"{"access_token":"abc.def","expires_in":3600,"scope":"das-api/das-access","token_type":"Bearer"}"#;
        let t = TokenResponse::from_http(200, body).unwrap();
        assert_eq!(t.access_token.expose_secret(), "abc.def");
        assert_eq!(t.expires_in, Some(3600));
        assert_eq!(t.scope.as_deref(), Some("das-api/das-access"));
        let dbg = format!("{t:?}");
        assert!(
            !dbg.contains("abc.def") && dbg.contains("[redacted]"),
            "{dbg}"
        );
        let t = TokenResponse::from_http(
            200,
            br#"{"access_token":"x","token_type":"bearer","expires_in":"3599","scope":["a","b"]}"#,
        )
        .unwrap();
        assert_eq!(
            (t.expires_in, t.scope.as_deref()),
            (Some(3599), Some("a b"))
        );
    }

    #[test]
    fn success_body_problems() {
        let e = TokenResponse::from_http(
            200,
            br#"{"access_token":"secret-token","token_type":"DPoP"}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            TokenError::UnsupportedTokenType {
                token_type: "DPoP".into()
            }
        );
        let e = TokenResponse::from_http(200, br#"{"token_type":"Bearer"}"#).unwrap_err();
        assert!(
            matches!(e, TokenError::MalformedResponse { status: 200, .. }),
            "{e}"
        );
        let e = TokenResponse::from_http(
            200,
            br#"{"access_token":"secret-token","token_type":"Bearer","expires_in":true}"#,
        )
        .unwrap_err();
        assert!(!e.to_string().contains("secret-token"), "{e}");
    }

    #[test]
    fn rfc6749_errors_from_any_4xx() {
        let e = TokenResponse::from_http(
            401,
            br#"{"error":"invalid_client","error_description":"client authentication failed"}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            TokenError::Rejected {
                status: 401,
                error: OAuthErrorCode::InvalidClient,
                description: Some("client authentication failed".into()),
                uri: None
            }
        );
        assert!(e.to_string().contains("invalid_client"), "{e}");
        let e = TokenResponse::from_http(400, br#"{"error":"invalid_scope"}"#).unwrap_err();
        assert!(matches!(
            e,
            TokenError::Rejected {
                status: 400,
                error: OAuthErrorCode::InvalidScope,
                ..
            }
        ));
        let e = TokenResponse::from_http(
            403,
            br#"{"error":"access_denied","error_uri":"https://x/e"}"#,
        )
        .unwrap_err();
        assert!(
            matches!(e, TokenError::Rejected { status: 403, error: OAuthErrorCode::Other(ref c), uri: Some(_), .. } if c == "access_denied")
        );
        assert_eq!(
            TokenResponse::from_http(403, b"<html>Forbidden</html>").unwrap_err(),
            TokenError::UnexpectedClientError { status: 403 }
        );
        assert_eq!(
            TokenResponse::from_http(503, b"").unwrap_err(),
            TokenError::ServerError { status: 503 }
        );
    }
}
