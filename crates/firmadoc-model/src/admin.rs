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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UsageSummary {
    /// `Enviados`: sendings created.
    #[serde(rename = "Enviados", default)]
    #[doc(alias = "Enviados")]
    pub sent: u64,
    /// `Pendientes`: still pending.
    #[serde(rename = "Pendientes", default)]
    #[doc(alias = "Pendientes")]
    pub pending: u64,
    /// `Firmados`: signed.
    #[serde(rename = "Firmados", default)]
    #[doc(alias = "Firmados")]
    pub signed: u64,
    /// `Rechazados`: rejected.
    #[serde(rename = "Rechazados", default)]
    #[doc(alias = "Rechazados")]
    pub rejected: u64,
    /// `Caducados`: expired.
    #[serde(rename = "Caducados", default)]
    #[doc(alias = "Caducados")]
    pub expired: u64,
}

/// Sendings left in the contracted plan (reply of `GET /admin/Budget`: a bare integer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Budget(pub i64);

impl FromStr for Budget {
    type Err = ModelError;

    /// Reads the reply body: an integer, with surrounding whitespace and, in case the service
    /// writes it as a JSON string, quotes allowed (the guide says only "Content-Type: integer").
    fn from_str(body: &str) -> Result<Self, Self::Err> {
        let text = body.trim();
        let unquoted = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        unquoted
            .trim()
            .parse()
            .map(Self)
            .map_err(|_| ModelError::UnknownValue {
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
/// copy slip). The password is a [`Secret`]: `Debug` prints `[redacted]`.
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
    #[serde(rename = "Contraseña")]
    #[doc(alias = "Contraseña", alias = "Contrasena")]
    pub password: Secret,
}
