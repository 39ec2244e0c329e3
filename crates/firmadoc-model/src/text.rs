//! Length limits, counted the way the service counts, and explicit truncation.

use crate::error::ModelError;

/// What to do with a text longer than the service's limit.
///
/// The service cuts over-long texts silently. The model refuses them by default
/// ([`LengthPolicy::Reject`]); [`LengthPolicy::Truncate`] cuts them here instead, on a character
/// boundary, so that the caller sees the value that will be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LengthPolicy {
    /// Refuse an over-long value with [`ModelError::TooLong`] (the default).
    #[default]
    Reject,
    /// Cut an over-long value to the limit, never inside a character.
    Truncate,
}

/// The length of `text` as the service counts it: UTF-16 code units.
///
/// The service is .NET (its property types are `Single`, `Byte`, `Entero 32 bits`), whose
/// `String.Length` counts UTF-16 code units. A character outside the Basic Multilingual Plane
/// (an emoji, say) counts 2. This count is never lower than the number of `char`s, so a text
/// that passes here is never cut by the service. **Inferred** from the .NET types; the guide
/// only says "caracteres".
pub fn service_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The longest prefix of `text` whose [`service_len`] is at most `max`, ending on a `char`
/// boundary (never inside a UTF-8 sequence, nor between the two halves of a surrogate pair).
pub fn truncate_to(text: &str, max: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices() {
        used += c.len_utf16();
        if used > max {
            return &text[..at];
        }
    }
    text
}

/// Checks `value` against the limit of `field`, cutting it if the policy says so.
pub(crate) fn limit(
    field: &'static str,
    value: String,
    max: usize,
    policy: LengthPolicy,
) -> Result<String, ModelError> {
    let actual = service_len(&value);
    if actual <= max {
        return Ok(value);
    }
    match policy {
        LengthPolicy::Reject => Err(ModelError::TooLong { field, max, actual }),
        LengthPolicy::Truncate => Ok(truncate_to(&value, max).to_owned()),
    }
}

/// Splits a comma-separated property as the service does. An empty text is an empty list.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split(',').map(str::to_owned).collect()
    }
}

/// Checks that every item of a list the service splits on commas is non-empty and comma-free.
pub(crate) fn check_list_items(field: &'static str, items: &[String]) -> Result<(), ModelError> {
    for (index, item) in items.iter().enumerate() {
        if item.trim().is_empty() || item.contains(',') {
            return Err(ModelError::BadListItem {
                field,
                index,
                value: item.clone(),
            });
        }
    }
    Ok(())
}

/// Serialises a list the way the service reads it: items joined with `,`.
pub(crate) fn serialize_list<S: serde::Serializer>(
    items: &[String],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&items.join(","))
}

/// The checks the body builders ([`crate::SendingBuilder`],
/// [`crate::TemplateBuilder`], [`crate::NewUser`]) share: texts held to
/// their limits under the caller's [`LengthPolicy`], `Usuario`, and the
/// warnings collected on the way.
#[derive(Debug)]
pub(crate) struct Checks {
    policy: LengthPolicy,
    warnings: Vec<crate::ModelWarning>,
}

impl Checks {
    pub(crate) fn new(policy: LengthPolicy) -> Self {
        Self {
            policy,
            warnings: Vec::new(),
        }
    }

    pub(crate) fn policy(&self) -> LengthPolicy {
        self.policy
    }

    /// Checks `value` against the limit of `field`; under
    /// [`LengthPolicy::Truncate`] cuts it, with a warning.
    pub(crate) fn text(
        &mut self,
        field: &'static str,
        value: String,
        max: usize,
    ) -> Result<String, ModelError> {
        let actual = service_len(&value);
        let cut = limit(field, value, max, self.policy)?;
        if actual > max {
            self.warn(crate::ModelWarning::Truncated { field, max, actual });
        }
        Ok(cut)
    }

    /// `Usuario`: the guide's "se rellenará con el correo electrónico del usuario".
    pub(crate) fn user(&self, user: Option<&str>) -> Result<(), ModelError> {
        crate::contact::check_user(user)
    }

    pub(crate) fn warn(&mut self, warning: crate::ModelWarning) {
        self.warnings.push(warning);
    }

    pub(crate) fn finish(self) -> Vec<crate::ModelWarning> {
        self.warnings
    }
}

/// The setters every body builder has: `Usuario` and the length policy.
macro_rules! user_and_length_policy_setters {
    ($owner:literal, $texts:literal) => {
        #[doc = concat!("`Usuario`: the email of the user the ", $owner, " belongs to.")]
        pub fn user(mut self, email: impl Into<String>) -> Self {
            self.user = Some(email.into());
            self
        }
        #[doc = concat!("What to do with over-long texts (", $texts, "); rejecting is the default.")]
        #[doc = ""]
        #[doc = "Under [`LengthPolicy::Truncate`] each cut is listed in the built value's `warnings()`."]
        pub fn length_policy(mut self, policy: LengthPolicy) -> Self {
            self.policy = policy;
            self
        }
    };
}

pub(crate) use user_and_length_policy_setters;
