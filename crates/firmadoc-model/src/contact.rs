//! Lenient checks of email addresses and phone numbers.
//!
//! The service validates recipients itself (phone numbers per `Pais`). These checks only catch
//! plain mistakes before a sending is spent (a phone number in an email sending, a missing
//! `@`); they accept every address and number the service could plausibly accept, and are
//! documented so that a refusal can be understood.

use crate::error::ModelError;

/// Whether `text` looks like an email address.
///
/// After trimming spaces: no whitespace, control character or comma; one `@` splitting a
/// non-empty local part from a domain (the last `@` counts); a domain of at least two
/// non-empty dot-separated labels. Quoted local parts, IP-literal domains and internationalised
/// addresses are accepted as long as they fit this shape.
pub fn is_plausible_email(text: &str) -> bool {
    let text = text.trim();
    if text
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == ',')
    {
        return false;
    }
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    !local.is_empty() && domain.split('.').count() >= 2 && domain.split('.').all(|l| !l.is_empty())
}

/// Whether `text` looks like a phone number.
///
/// After trimming: an optional leading `+`, then digits, which may be grouped with spaces,
/// dots, dashes or parentheses; 6 to 15 digits in all (15 is the E.164 maximum; 6 allows short
/// national numbers). The country's own numbering plan is left to the service.
pub fn is_plausible_phone(text: &str) -> bool {
    let text = text.trim();
    let body = text.strip_prefix('+').unwrap_or(text);
    let mut digits = 0;
    for c in body.chars() {
        match c {
            '0'..='9' => digits += 1,
            ' ' | '.' | '-' | '(' | ')' => {}
            _ => return false,
        }
    }
    (6..=15).contains(&digits)
}

/// Checks `Usuario` (templates and sendings): absent or empty means the account admin,
/// anything else must be the user's email.
pub(crate) fn check_user(user: Option<&str>) -> Result<(), ModelError> {
    match user {
        Some(u) if !u.is_empty() && !is_plausible_email(u) => Err(ModelError::NotAnEmail {
            field: "Usuario",
            value: u.to_owned(),
        }),
        _ => Ok(()),
    }
}
