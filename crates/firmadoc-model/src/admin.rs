//! Usage control (`/admin/...`): summary, budget and user creation.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::contact::is_plausible_email;
use crate::error::ModelError;
use crate::secret::Secret;
use crate::text::{Checks, LengthPolicy};
use crate::warning::ModelWarning;

/// Longest user name (`Nombre`) and email (`Email`) of `/admin/Users`.
pub const USER_FIELD_MAX: usize = 50;

/// Counts of sendings between two dates (reply of `GET /admin/Summary/{from}/{to}`).
///
/// The guide shows the shape but no types beyond `0`: each count is read from a number or
/// from a numeric string (`"3"`), and a missing or unreadable count is 0. Properties the
/// guide does not list are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UsageSummary {
    /// `Enviados`: sendings created.
    #[serde(rename = "Enviados", default, deserialize_with = "lenient_count")]
    #[doc(alias = "Enviados")]
    pub sent: u64,
    /// `Pendientes`: still pending.
    #[serde(rename = "Pendientes", default, deserialize_with = "lenient_count")]
    #[doc(alias = "Pendientes")]
    pub pending: u64,
    /// `Firmados`: signed.
    #[serde(rename = "Firmados", default, deserialize_with = "lenient_count")]
    #[doc(alias = "Firmados")]
    pub signed: u64,
    /// `Rechazados`: rejected.
    #[serde(rename = "Rechazados", default, deserialize_with = "lenient_count")]
    #[doc(alias = "Rechazados")]
    pub rejected: u64,
    /// `Caducados`: expired.
    #[serde(rename = "Caducados", default, deserialize_with = "lenient_count")]
    #[doc(alias = "Caducados")]
    pub expired: u64,
    /// Properties the guide does not list, kept as received.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A count written as a number, a numeric string, or anything else (0).
fn lenient_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .unwrap_or_default(),
        serde_json::Value::String(s) => s.trim().parse().unwrap_or_default(),
        _ => 0,
    })
}

/// Sendings left in the contracted plan (reply of `GET /admin/Budget`: a bare integer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Budget(pub i64);

impl FromStr for Budget {
    type Err = ModelError;

    /// Reads the reply body: an integer, with surrounding whitespace and, in case the service
    /// writes it as a JSON string, quotes allowed (the guide says only "Content-Type: integer");
    /// also a whole number written with a fraction (`250.0`) and a JSON object holding one
    /// number (`{"Disponibles":250}`), the shapes a .NET service could plausibly send.
    fn from_str(body: &str) -> Result<Self, Self::Err> {
        let text = body.trim();
        let unquoted = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text)
            .trim();
        let whole = |f: f64| (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64);
        let from_object = || match serde_json::from_str::<serde_json::Value>(unquoted).ok()? {
            serde_json::Value::Object(map) if map.len() == 1 => {
                let n = map.values().next()?;
                n.as_i64().or_else(|| n.as_f64().and_then(whole))
            }
            _ => None,
        };
        unquoted
            .parse()
            .ok()
            .or_else(|| unquoted.parse::<f64>().ok().and_then(whole))
            .or_else(from_object)
            .map(Self)
            .ok_or_else(|| ModelError::UnknownValue {
                field: "Budget",
                value: body.to_owned(),
                expected: "an integer",
            })
    }
}

/// A new admin user (request of `/admin/Users`): name and email, at most 50 characters each.
///
/// The guide gives this call the method GET with a request body; the method is the client's
/// business, the body is this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "NewUserWire")]
pub struct NewUser {
    #[serde(rename = "Nombre")]
    name: String,
    #[serde(rename = "Email")]
    email: String,
    #[serde(skip)]
    warnings: Vec<ModelWarning>,
}

impl NewUser {
    /// A new user. Over-long names and emails are cut only under
    /// [`LengthPolicy::Truncate`], at 50 characters as the guide says the service does ("Si
    /// se indica un texto más largo quedará recortado a 50 caracteres"), each cut listed in
    /// [`NewUser::warnings`]; the cut email must still be an email.
    ///
    /// # Errors
    /// [`ModelError::TooLong`] for a name or email over 50 characters (under `Reject`),
    /// [`ModelError::NotAnEmail`] for an email that is not one.
    pub fn new(
        name: impl Into<String>,
        email: impl Into<String>,
        policy: LengthPolicy,
    ) -> Result<Self, ModelError> {
        let mut checks = Checks::new(policy);
        let name = checks.text("Nombre", name.into(), USER_FIELD_MAX)?;
        let email = checks.text("Email", email.into(), USER_FIELD_MAX)?;
        if !is_plausible_email(&email) {
            return Err(ModelError::NotAnEmail {
                field: "Email",
                value: email,
            });
        }
        Ok(Self {
            name,
            email,
            warnings: checks.finish(),
        })
    }

    /// `Nombre`.
    #[doc(alias = "Nombre")]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `Email`.
    pub fn email(&self) -> &str {
        &self.email
    }

    /// The texts cut under [`LengthPolicy::Truncate`]. Never part of the body.
    pub fn warnings(&self) -> &[ModelWarning] {
        &self.warnings
    }
}

#[derive(Deserialize)]
struct NewUserWire {
    #[serde(rename = "Nombre")]
    name: String,
    #[serde(rename = "Email")]
    email: String,
}

impl TryFrom<NewUserWire> for NewUser {
    type Error = ModelError;
    fn try_from(w: NewUserWire) -> Result<Self, Self::Error> {
        Self::new(w.name, w.email, LengthPolicy::Reject)
    }
}

/// The user created (reply of `/admin/Users`), with the password the service generated.
///
/// The JSON property is `Contraseña`, with its ñ (the guide's table calls it `UrlEnvio`, a
/// copy slip); `Contrasena`, `Password` and `UrlEnvio` are read too. The password is a
/// [`Secret`]: `Debug` prints `[redacted]`. It is `None` when the reply has none of these
/// (the guide is vague here; the user exists all the same): read [`CreatedUser::from_reply`]'s
/// `raw`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedUser {
    /// `Nombre`.
    #[serde(rename = "Nombre", default)]
    #[doc(alias = "Nombre")]
    pub name: Option<String>,
    /// `Email`.
    #[serde(rename = "Email", default)]
    pub email: Option<String>,
    /// `Contraseña`: the new user's password.
    #[serde(
        rename = "Contraseña",
        alias = "Contrasena",
        alias = "Password",
        alias = "UrlEnvio",
        default
    )]
    #[doc(alias = "Contraseña", alias = "Contrasena")]
    pub password: Option<Secret>,
    /// The reply as received when it is not a JSON object (a bare password string, say),
    /// a [`Secret`] since it may hold the password. `None` for a JSON object.
    #[serde(skip)]
    pub raw: Option<Secret>,
}

impl CreatedUser {
    /// Reads the reply of `/admin/Users` and never fails: the user was created (2xx). A JSON
    /// object is read as above; a JSON string is taken as the password; anything else is
    /// kept in `raw`.
    pub fn from_reply(body: &[u8]) -> Self {
        if let Ok(user) = serde_json::from_slice::<Self>(body) {
            return user;
        }
        let text = String::from_utf8_lossy(body).into_owned();
        let password = serde_json::from_slice::<String>(body).ok().map(Secret::new);
        Self {
            name: None,
            email: None,
            password,
            raw: Some(Secret::new(text)),
        }
    }
}
