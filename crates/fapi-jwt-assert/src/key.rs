//! Private keys: loading from PEM or DER, generating P-256 keys, signing.

use std::fmt;

use ring::signature::{self, EcdsaKeyPair, KeyPair as _, RsaKeyPair};
use zeroize::Zeroizing;

use der::Decode as _;

use crate::asn1::{self, oid};
use crate::jwk::PublicJwk;
use crate::pem;
use crate::secret::SecretString;

/// The JWS algorithm of the client assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// ECDSA with P-256 and SHA-256, signature as raw R‖S (RFC 7518 3.4).
    /// What WIPO's Appendix A key is for; the default.
    #[default]
    Es256,
    /// RSASSA-PSS with SHA-256 (RFC 7518 3.5). Allowed by FAPI and Auth0.
    Ps256,
    /// RSASSA-PKCS1-v1_5 with SHA-256. FAPI 1.0 Part 2 8.6 says "should
    /// not use"; Auth0 accepts it.
    Rs256,
}

impl Algorithm {
    /// The JOSE name: `ES256`, `PS256` or `RS256`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Ps256 => "PS256",
            Self::Rs256 => "RS256",
        }
    }

    /// The key type the algorithm needs.
    pub const fn needs(self) -> KeyType {
        match self {
            Self::Es256 => KeyType::EcP256,
            Self::Ps256 | Self::Rs256 => KeyType::Rsa,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of a loaded key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// An EC key on P-256 (prime256v1, secp256r1).
    EcP256,
    /// An RSA key of 2048 to 4096 bits.
    Rsa,
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EcP256 => "EC P-256",
            Self::Rsa => "RSA",
        })
    }
}

/// Why a private key could not be loaded or generated.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The text holds no PEM block.
    #[error(
        "the key text is not PEM: no `-----BEGIN ...-----` line was found; expected a private key in PEM \
         (`EC PRIVATE KEY` as made by `openssl ecparam -genkey -name prime256v1 -noout`, `PRIVATE KEY`, or `RSA PRIVATE KEY`)"
    )]
    NotPem,
    /// A PEM block is broken.
    #[error(
        "the PEM block `{label}` is broken ({problem}); copy the whole file again, BEGIN and END lines included"
    )]
    BadPem {
        /// The block label.
        label: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The key is encrypted with a passphrase.
    #[error(
        "the private key is encrypted (`{label}`); this crate takes unencrypted keys only: decrypt it with \
         `openssl pkey -in key.pem -out plain.pem` and protect the file instead"
    )]
    Encrypted {
        /// The block label, or a description of the encryption header.
        label: String,
    },
    /// A public key, certificate or request was given instead of the private key.
    #[error(
        "found {found} where the private key was expected; give the private key file (`EC PRIVATE KEY`, \
         `PRIVATE KEY` or `RSA PRIVATE KEY`), not the public key or the certificate sent to WIPO"
    )]
    NotAPrivateKey {
        /// What was found, for example "a certificate (`CERTIFICATE`)".
        found: String,
    },
    /// A PEM block of a kind this crate does not read.
    #[error(
        "found a PEM block `{label}`, which is not a supported private key format; expected `EC PRIVATE KEY` (SEC1), \
         `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1)"
    )]
    UnsupportedFormat {
        /// The block label.
        label: String,
    },
    /// An EC key on a curve other than P-256.
    #[error(
        "the EC key is on curve {curve}, but ES256 needs P-256 (prime256v1); make a new key with \
         `openssl ecparam -genkey -name prime256v1 -noout`"
    )]
    UnsupportedCurve {
        /// The curve found.
        curve: String,
    },
    /// A key type that is neither EC P-256 nor RSA.
    #[error(
        "the key is a {found} key; expected an EC P-256 key (for ES256) or an RSA key of 2048 to 4096 bits (for PS256 or RS256)"
    )]
    UnsupportedKeyType {
        /// The key type found.
        found: String,
    },
    /// An RSA key that is too short.
    #[error(
        "the RSA key has {bits} bits; FAPI and Auth0 require at least 2048: make a new one with \
         `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`"
    )]
    RsaTooSmall {
        /// The modulus length found.
        bits: usize,
    },
    /// An RSA key that is longer than ring supports.
    #[error(
        "the RSA key has {bits} bits; at most 4096 are supported (the limit of the `ring` signer)"
    )]
    RsaTooLarge {
        /// The modulus length found.
        bits: usize,
    },
    /// A SEC1 EC key without its public key, which ring needs.
    #[error(
        "the EC private key does not embed its public key, which the signer needs; rewrite it with \
         `openssl ec -in key.pem -out key-with-public.pem`"
    )]
    MissingPublicKey,
    /// The DER inside is not what its label says.
    #[error("the {format} key is malformed: {detail}; check that the file was not cut or altered")]
    Malformed {
        /// The format that was being read.
        format: &'static str,
        /// What was wrong.
        detail: &'static str,
    },
    /// The signer refused the key material.
    #[error(
        "the {format} key was rejected by the signer ({reason}); check that the file was not altered"
    )]
    Rejected {
        /// The format that was being read.
        format: &'static str,
        /// ring's reason.
        reason: String,
    },
    /// The random source failed while generating a key.
    #[error("could not generate a P-256 key: the random source failed")]
    RandomFailed,
}

enum Inner {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// A private key that signs client assertions: EC P-256 or RSA.
///
/// Its `Debug` output prints `[redacted]` and never the key. The PKCS#8
/// copy kept for export and for certificates is zeroized on drop.
pub struct SigningKey {
    inner: Inner,
    pkcs8: Zeroizing<Vec<u8>>,
    jwk: PublicJwk,
    spki: Vec<u8>,
    rsa_bits: usize,
    rng: ring::rand::SystemRandom,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("type", &self.key_type())
            .field("private", &"[redacted]")
            .finish()
    }
}

impl SigningKey {
    /// Loads a private key from PEM: SEC1 `EC PRIVATE KEY` (as Appendix A of
    /// the HWS guide makes it, with or without the `EC PARAMETERS` block
    /// before it), PKCS#8 `PRIVATE KEY` (EC P-256 or RSA), or PKCS#1
    /// `RSA PRIVATE KEY`.
    ///
    /// When the text holds several blocks, the first private key is used;
    /// certificates next to it are ignored.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let blocks = pem::parse(text).map_err(|p| match p {
            pem::PemProblem::NoBlock => KeyError::NotPem,
            pem::PemProblem::Unterminated(label) => KeyError::BadPem {
                label,
                problem: "no matching END line",
            },
            pem::PemProblem::BadBase64(label) => KeyError::BadPem {
                label,
                problem: "the base64 text does not decode",
            },
        })?;
        let is_private = |l: &str| l.ends_with("PRIVATE KEY");
        let block = blocks
            .iter()
            .find(|b| is_private(&b.label))
            .or_else(|| blocks.iter().find(|b| b.label != "EC PARAMETERS"))
            .or_else(|| blocks.first())
            .ok_or(KeyError::NotPem)?;
        let label = block.label.as_str();
        if block.legacy_encrypted {
            return Err(KeyError::Encrypted {
                label: format!("{label} with a Proc-Type: 4,ENCRYPTED header"),
            });
        }
        match label {
            "EC PRIVATE KEY" => Self::from_sec1_der(&block.der),
            "PRIVATE KEY" => Self::from_pkcs8_der(&block.der),
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(&block.der),
            "ENCRYPTED PRIVATE KEY" => Err(KeyError::Encrypted {
                label: label.to_owned(),
            }),
            "PUBLIC KEY" | "EC PUBLIC KEY" | "RSA PUBLIC KEY" => Err(KeyError::NotAPrivateKey {
                found: format!("a public key (`{label}`)"),
            }),
            "CERTIFICATE" | "TRUSTED CERTIFICATE" | "X509 CERTIFICATE" => {
                Err(KeyError::NotAPrivateKey {
                    found: format!("a certificate (`{label}`)"),
                })
            }
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => Err(KeyError::NotAPrivateKey {
                found: format!("a certificate request (`{label}`)"),
            }),
            "EC PARAMETERS" => Err(KeyError::NotAPrivateKey {
                found: "only EC parameters (`EC PARAMETERS`) and no key block".to_owned(),
            }),
            other => Err(KeyError::UnsupportedFormat {
                label: other.to_owned(),
            }),
        }
    }

    /// Loads an unencrypted PKCS#8 `PrivateKeyInfo` (or v2
    /// `OneAsymmetricKey`) holding an EC P-256 or RSA key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        const FORMAT: &str = "PKCS#8";
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|e| malformed(FORMAT, e))?;
        let inner = info.private_key.as_bytes();
        match info.algorithm.oid {
            oid::EC_PUBLIC_KEY => {
                let curve = info
                    .algorithm
                    .parameters_oid()
                    .map_err(|_| KeyError::Malformed {
                        format: FORMAT,
                        detail: "EC key without a named curve",
                    })?;
                if curve != oid::P256 {
                    return Err(KeyError::UnsupportedCurve {
                        curve: oid::name(&curve),
                    });
                }
                Self::from_sec1_inner(inner, FORMAT, true)
            }
            oid::RSA_ENCRYPTION => Self::from_pkcs1_inner(inner, FORMAT),
            other => Err(KeyError::UnsupportedKeyType {
                found: oid::name(&other),
            }),
        }
    }

    /// Loads an unencrypted SEC1 / RFC 5915 `ECPrivateKey`, the DER inside
    /// `-----BEGIN EC PRIVATE KEY-----`.
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::from_sec1_inner(der, "SEC1", false)
    }

    fn from_sec1_inner(
        der: &[u8],
        format: &'static str,
        curve_known: bool,
    ) -> Result<Self, KeyError> {
        let key = sec1::EcPrivateKey::from_der(der).map_err(|e| malformed(format, e))?;
        let curve_seen = match key.parameters {
            Some(sec1::EcParameters::NamedCurve(curve)) if curve != oid::P256 => {
                return Err(KeyError::UnsupportedCurve {
                    curve: oid::name(&curve),
                });
            }
            Some(_) => true,
            None => curve_known,
        };
        if !curve_seen && key.private_key.len() != 32 {
            return Err(KeyError::UnsupportedCurve {
                curve: format!(
                    "unknown (no curve named, private scalar of {} bytes)",
                    key.private_key.len()
                ),
            });
        }
        if key.public_key.is_none() {
            return Err(KeyError::MissingPublicKey);
        }
        let pkcs8 = asn1::pkcs8_ec_p256(der).map_err(|e| malformed(format, e))?;
        Self::from_ec_pkcs8(pkcs8, format)
    }

    fn from_ec_pkcs8(pkcs8: Zeroizing<Vec<u8>>, format: &'static str) -> Result<Self, KeyError> {
        let rng = ring::rand::SystemRandom::new();
        let pair =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8, &rng)
                .map_err(|e| KeyError::Rejected {
                    format,
                    reason: e.to_string(),
                })?;
        let point = pair.public_key().as_ref();
        // Uncompressed point: 0x04 || X (32) || Y (32).
        let not_uncompressed = KeyError::Malformed {
            format,
            detail: "the public point is not uncompressed P-256",
        };
        let (x, y) = match point {
            [0x04, rest @ ..] if rest.len() == 64 => rest.split_at(32),
            _ => return Err(not_uncompressed),
        };
        let jwk = PublicJwk::p256(x, y);
        let spki = asn1::spki_ec_p256(point).map_err(|_| not_uncompressed)?;
        Ok(Self {
            inner: Inner::Ec(pair),
            pkcs8,
            jwk,
            spki,
            rsa_bits: 0,
            rng,
        })
    }

    /// Loads an unencrypted PKCS#1 `RSAPrivateKey`, the DER inside
    /// `-----BEGIN RSA PRIVATE KEY-----`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::from_pkcs1_inner(der, "PKCS#1")
    }

    fn from_pkcs1_inner(der: &[u8], format: &'static str) -> Result<Self, KeyError> {
        let key = pkcs1::RsaPrivateKeyRef::from_der(der).map_err(|e| malformed(format, e))?;
        let (n, e) = (key.modulus.as_bytes(), key.public_exponent.as_bytes());
        let bits = asn1::bit_len(n);
        if bits < 2048 {
            return Err(KeyError::RsaTooSmall { bits });
        }
        if bits > 4096 {
            return Err(KeyError::RsaTooLarge { bits });
        }
        let pkcs8 = asn1::pkcs8_rsa(der).map_err(|e| malformed(format, e))?;
        let pair = RsaKeyPair::from_pkcs8(&pkcs8).map_err(|e| KeyError::Rejected {
            format,
            reason: e.to_string(),
        })?;
        let jwk = PublicJwk::rsa(n, e);
        let spki = asn1::spki_rsa(pair.public().as_ref()).map_err(|e| malformed(format, e))?;
        Ok(Self {
            inner: Inner::Rsa(pair),
            pkcs8,
            jwk,
            spki,
            rsa_bits: bits,
            rng: ring::rand::SystemRandom::new(),
        })
    }

    /// Generates a new EC P-256 key with ring's `SystemRandom` (ring takes no
    /// other source for keys).
    pub fn generate_p256() -> Result<Self, KeyError> {
        let doc = EcdsaKeyPair::generate_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &ring::rand::SystemRandom::new(),
        )
        .map_err(|_| KeyError::RandomFailed)?;
        Self::from_ec_pkcs8(Zeroizing::new(doc.as_ref().to_vec()), "PKCS#8")
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        match self.inner {
            Inner::Ec(_) => KeyType::EcP256,
            Inner::Rsa(_) => KeyType::Rsa,
        }
    }

    /// The RSA modulus length in bits, or `None` for an EC key.
    pub fn rsa_bits(&self) -> Option<usize> {
        matches!(self.inner, Inner::Rsa(_)).then_some(self.rsa_bits)
    }

    /// The algorithm to use by default: ES256 for EC keys, PS256 for RSA keys.
    pub fn default_algorithm(&self) -> Algorithm {
        match self.inner {
            Inner::Ec(_) => Algorithm::Es256,
            Inner::Rsa(_) => Algorithm::Ps256,
        }
    }

    /// The public key as a JWK, without `kid`, `alg` or `use`.
    pub fn public_jwk(&self) -> &PublicJwk {
        &self.jwk
    }

    /// The public key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo), like
    /// `openssl ec -in key.pem -pubout` prints it.
    pub fn public_key_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.spki).to_string()
    }

    /// The private key as an unencrypted PKCS#8 `PRIVATE KEY` PEM, to store
    /// a generated key. OpenSSL and every JOSE library read this form.
    pub fn to_pkcs8_pem(&self) -> SecretString {
        SecretString::new(pem::encode("PRIVATE KEY", &self.pkcs8).to_string())
    }

    pub(crate) fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// Signs `message` and appends the JWS signature bytes to `out`.
    ///
    /// ES256 gives the raw 64-byte R‖S form (ring's `*_FIXED_SIGNING`), never DER.
    pub(crate) fn sign_into(
        &self,
        alg: Algorithm,
        message: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), crate::SignError> {
        let rng = &self.rng;
        match (&self.inner, alg) {
            (Inner::Ec(pair), Algorithm::Es256) => {
                let sig = pair
                    .sign(rng, message)
                    .map_err(|_| crate::SignError::RandomFailed)?;
                out.extend_from_slice(sig.as_ref());
                Ok(())
            }
            (Inner::Rsa(pair), Algorithm::Ps256 | Algorithm::Rs256) => {
                let padding: &'static dyn signature::RsaEncoding = if alg == Algorithm::Ps256 {
                    &signature::RSA_PSS_SHA256
                } else {
                    &signature::RSA_PKCS1_SHA256
                };
                let start = out.len();
                out.resize(start + pair.public().modulus_len(), 0);
                pair.sign(padding, rng, message, &mut out[start..])
                    .map_err(|_| crate::SignError::RandomFailed)
            }
            _ => Err(crate::SignError::AlgorithmMismatch {
                algorithm: alg,
                key: self.key_type(),
            }),
        }
    }
}

/// A [`KeyError::Malformed`] for a DER error while reading `format`.
fn malformed(format: &'static str, err: der::Error) -> KeyError {
    KeyError::Malformed {
        format,
        detail: asn1::describe(err),
    }
}
