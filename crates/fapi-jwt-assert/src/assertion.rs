//! The client assertion JWT (RFC 7523 section 3, OpenID Connect Core section 9).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::random::RandomSource;

use crate::jwk::PublicJwk;
use crate::key::{Algorithm, KeyType, SigningKey};
use crate::secret::SecretString;

/// The longest assertion lifetime accepted: 300 s (Auth0's documented
/// maximum; see `../shared/reference/fapi.md` 2.3).
pub const MAX_LIFETIME: Duration = Duration::from_secs(300);

/// The default assertion lifetime: 60 s.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(60);

/// Random bytes in each `jti`: 16 bytes, 128 bits, 22 base64url characters.
pub const JTI_BYTES: usize = 16;

/// What goes in the `kid` header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KeyId {
    /// No `kid` (the default, as in WIPO's example header).
    #[default]
    None,
    /// The RFC 7638 thumbprint of the public key.
    Thumbprint,
    /// A value chosen by the server or the office.
    Custom(String),
}

/// Options of an [`AssertionSigner`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssertionOptions {
    /// The JWS algorithm. `None` picks ES256 for EC keys and PS256 for RSA keys.
    pub algorithm: Option<Algorithm>,
    /// The `typ` header: `Some("JWT")` by default. draft-ietf-oauth-rfc7523bis
    /// proposes `client-authentication+jwt`. `None` leaves `typ` out.
    pub typ: Option<String>,
    /// The `kid` header, absent by default.
    pub key_id: KeyId,
    /// `exp - iat`: 60 s by default, between 1 s and 300 s.
    pub lifetime: Duration,
}

impl Default for AssertionOptions {
    fn default() -> Self {
        Self {
            algorithm: None,
            typ: Some("JWT".to_owned()),
            key_id: KeyId::None,
            lifetime: DEFAULT_LIFETIME,
        }
    }
}

impl AssertionOptions {
    /// Sets the algorithm.
    #[must_use]
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = Some(algorithm);
        self
    }

    /// Sets the `typ` header (`None` leaves it out).
    #[must_use]
    pub fn with_typ(mut self, typ: Option<&str>) -> Self {
        self.typ = typ.map(str::to_owned);
        self
    }

    /// Sets the `kid` header.
    #[must_use]
    pub fn with_key_id(mut self, key_id: KeyId) -> Self {
        self.key_id = key_id;
        self
    }

    /// Sets the lifetime (checked by [`AssertionSigner::new`]).
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }
}

/// A configuration that cannot produce assertions a server would accept.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The client id is empty.
    #[error(
        "the client id is empty; use the client id WIPO (or the provider) assigned to the office"
    )]
    EmptyClientId,
    /// The lifetime is zero or above [`MAX_LIFETIME`].
    #[error(
        "an assertion lifetime of {secs} s is out of range; choose between 1 and 300 s (60 s is the default)"
    )]
    Lifetime {
        /// The requested lifetime in whole seconds.
        secs: u64,
    },
    /// The algorithm needs another key type.
    #[error(
        "{algorithm} needs an {needs} key, but the key is {key}; load a matching key or choose another algorithm"
    )]
    AlgorithmMismatch {
        /// The requested algorithm.
        algorithm: Algorithm,
        /// The key type it needs.
        needs: KeyType,
        /// The key type given.
        key: KeyType,
    },
    /// The `typ` or `kid` value is empty.
    #[error("the `{header}` header value is empty; leave it out instead (`None`)")]
    EmptyHeader {
        /// Which header.
        header: &'static str,
    },
}

/// Why an assertion could not be signed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The random source failed (for the `jti` or the signature).
    #[error(
        "the random source failed while making a client assertion; the system random generator is unavailable"
    )]
    RandomFailed,
    /// The clock is before 1970.
    #[error(
        "the clock reads a time before 1970-01-01; fix the system clock (assertions carry `iat` and `exp`)"
    )]
    ClockBeforeEpoch,
    /// The key cannot sign with the algorithm.
    #[error("the {key} key cannot sign {algorithm}")]
    AlgorithmMismatch {
        /// The algorithm.
        algorithm: Algorithm,
        /// The key type.
        key: KeyType,
    },
}

/// A signed client assertion (compact JWS).
///
/// The JWT itself is a secret until it expires: anyone holding it can get a
/// token. `Debug` prints `jti` and `exp` only.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientAssertion {
    jwt: SecretString,
    jti: String,
    expires_at: u64,
}

impl ClientAssertion {
    /// The compact JWS, to put in `client_assertion`.
    pub fn expose_secret(&self) -> &str {
        self.jwt.expose_secret()
    }

    /// The `jti` claim (not secret: useful in logs to follow a request).
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// The `exp` claim, seconds since 1970.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl fmt::Debug for ClientAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAssertion")
            .field("jwt", &"[redacted]")
            .field("jti", &self.jti)
            .field("exp", &self.expires_at)
            .finish()
    }
}

/// Signs client assertions for one client with one key.
///
/// The header and the constant part of the claims are encoded once, so
/// each assertion costs one JSON tail, one base64 pass and one signature.
#[derive(Debug)]
pub struct AssertionSigner {
    key: SigningKey,
    algorithm: Algorithm,
    kid: Option<String>,
    lifetime_secs: u64,
    header_b64: String,
    /// `{"iss":<id>,"sub":<id>,"aud":`
    claims_prefix: String,
}

impl AssertionSigner {
    /// A signer for `client_id` with `key`.
    pub fn new(
        key: SigningKey,
        client_id: &str,
        options: AssertionOptions,
    ) -> Result<Self, ConfigError> {
        if client_id.is_empty() {
            return Err(ConfigError::EmptyClientId);
        }
        let lifetime_secs = options.lifetime.as_secs();
        // `iat` and `exp` are whole seconds: a fraction of a second is dropped.
        if lifetime_secs < 1 || options.lifetime > MAX_LIFETIME {
            return Err(ConfigError::Lifetime {
                secs: lifetime_secs,
            });
        }
        let algorithm = options.algorithm.unwrap_or_else(|| key.default_algorithm());
        if algorithm.needs() != key.key_type() {
            return Err(ConfigError::AlgorithmMismatch {
                algorithm,
                needs: algorithm.needs(),
                key: key.key_type(),
            });
        }
        let kid = match options.key_id {
            KeyId::None => None,
            KeyId::Thumbprint => Some(key.public_jwk().thumbprint()),
            KeyId::Custom(k) if k.is_empty() => {
                return Err(ConfigError::EmptyHeader { header: "kid" });
            }
            KeyId::Custom(k) => Some(k),
        };
        if options.typ.as_deref() == Some("") {
            return Err(ConfigError::EmptyHeader { header: "typ" });
        }
        let mut header = String::with_capacity(64);
        header.push_str(r#"{"alg":""#);
        header.push_str(algorithm.as_str());
        header.push('"');
        if let Some(typ) = &options.typ {
            header.push_str(r#","typ":"#);
            header.push_str(&json_str(typ));
        }
        if let Some(kid) = &kid {
            header.push_str(r#","kid":"#);
            header.push_str(&json_str(kid));
        }
        header.push('}');
        let id = json_str(client_id);
        let claims_prefix = format!(r#"{{"iss":{id},"sub":{id},"aud":"#);
        Ok(Self {
            key,
            algorithm,
            kid,
            lifetime_secs,
            header_b64: URL_SAFE_NO_PAD.encode(header),
            claims_prefix,
        })
    }

    /// The algorithm in use.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The key.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The public JWK to register with the provider: with `alg`, `use: sig`,
    /// and the `kid` this signer sends, if any.
    pub fn registration_jwk(&self) -> PublicJwk {
        self.key
            .public_jwk()
            .clone()
            .with_metadata(self.kid.as_deref(), Some(self.algorithm))
    }

    /// Signs a new assertion for `audience` (copied verbatim into `aud` as one
    /// string), issued at `now`, with a fresh `jti` of [`JTI_BYTES`] bytes
    /// from `rng`. The signature nonce comes from ring's `SystemRandom`
    /// (see [`RandomSource`]).
    ///
    /// Sign a new one for every HTTP attempt, retries included: servers
    /// refuse a `jti` they have seen.
    pub fn sign(
        &self,
        audience: &str,
        now: SystemTime,
        rng: &dyn RandomSource,
    ) -> Result<ClientAssertion, SignError> {
        let iat = now
            .duration_since(UNIX_EPOCH)
            .map_err(|_| SignError::ClockBeforeEpoch)?
            .as_secs();
        let exp = iat.saturating_add(self.lifetime_secs);
        let mut random = [0u8; JTI_BYTES];
        rng.fill(&mut random).map_err(|_| SignError::RandomFailed)?;
        let mut jti = String::with_capacity(24);
        URL_SAFE_NO_PAD.encode_string(random, &mut jti);

        let mut claims = String::with_capacity(self.claims_prefix.len() + audience.len() + 96);
        claims.push_str(&self.claims_prefix);
        push_json_str(&mut claims, audience);
        claims.push_str(r#","iat":"#);
        claims.push_str(&iat.to_string());
        claims.push_str(r#","exp":"#);
        claims.push_str(&exp.to_string());
        claims.push_str(r#","jti":""#);
        claims.push_str(&jti);
        claims.push_str(r#""}"#);

        let sig_len = match self.algorithm {
            Algorithm::Es256 => 64,
            Algorithm::Ps256 | Algorithm::Rs256 => 512,
        };
        let mut jwt = String::with_capacity(
            self.header_b64.len() + claims.len() * 4 / 3 + sig_len * 4 / 3 + 8,
        );
        jwt.push_str(&self.header_b64);
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(claims.as_bytes(), &mut jwt);
        let mut sig = Vec::with_capacity(sig_len);
        self.key
            .sign_into(self.algorithm, jwt.as_bytes(), &mut sig)?;
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(&sig, &mut jwt);
        Ok(ClientAssertion {
            jwt: SecretString::new(jwt),
            jti,
            expires_at: exp,
        })
    }

    /// [`sign`](Self::sign) with the system clock and ring's `SystemRandom`.
    #[allow(clippy::disallowed_methods)] // the convenience layer reads the clock
    pub fn sign_now(&self, audience: &str) -> Result<ClientAssertion, SignError> {
        self.sign(
            audience,
            SystemTime::now(),
            &ring::rand::SystemRandom::new(),
        )
    }
}

/// A JSON string literal.
pub(crate) fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_json_str(&mut out, s);
    out
}

/// Appends `s` as a JSON string literal (RFC 8259 section 7).
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}
