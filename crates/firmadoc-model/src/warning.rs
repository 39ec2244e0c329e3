//! Warnings: what a body does that the guide does not forbid but that is
//! probably not what the caller meant. The value is built and sent as it is;
//! the warning says what the service is expected to do with it.

use std::fmt;

/// Something a built body does that the guide does not forbid, but that the
/// caller should know about. Read them with `warnings()` on the built value
/// ([`crate::Sending::warnings`], [`crate::Template::warnings`],
/// [`crate::NewUser::warnings`]); `firmadoc-client` logs each one with
/// `tracing::warn!` before sending, and the `firmadoc` tool prints them on
/// standard error.
///
/// A rule the guide does not state is never an error: it is one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelWarning {
    /// `ConPrioridad` on a sending that is not multi-signature. The guide:
    /// "Esta propiedad sólo se tiene en cuenta en los envíos multifirma": the
    /// service ignores it.
    PriorityIgnored,
    /// A multi-signature sending with a single recipient. The guide states
    /// no minimum: the service is expected to create one sending that one
    /// person signs.
    MultiSignatureWithOneRecipient,
    /// A text was cut under [`crate::LengthPolicy::Truncate`], as the guide
    /// says the service would cut it.
    Truncated {
        /// The JSON property.
        field: &'static str,
        /// The limit, in UTF-16 code units.
        max: usize,
        /// The length before the cut.
        actual: usize,
    },
    /// `Receptores` was over 500 characters and, under
    /// [`crate::LengthPolicy::Truncate`], the last recipients were left out
    /// whole (the service would cut the text at 500 characters, inside an
    /// address).
    RecipientsDropped {
        /// The recipients kept.
        kept: usize,
        /// The recipients left out, from the end of the list.
        dropped: usize,
    },
    /// A sending's `Plantilla` is longer than the 40 characters a template
    /// name keeps (`NomPlantilla` "quedará recortado a 40 caracteres"), so it
    /// probably names no template. The guide gives `Plantilla` no limit.
    TemplateNameOverLimit {
        /// Its length, in UTF-16 code units.
        actual: usize,
    },
}

impl fmt::Display for ModelWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PriorityIgnored => f.write_str(
                "ConPrioridad is set on a sending that is not multi-signature; the service \
                 ignores it there (\"sólo se tiene en cuenta en los envíos multifirma\")",
            ),
            Self::MultiSignatureWithOneRecipient => f.write_str(
                "the multi-signature sending has a single recipient; it is sent as asked, one \
                 sending signed by that person",
            ),
            Self::Truncated { field, max, actual } => write!(
                f,
                "`{field}` was cut from {actual} to {max} UTF-16 code units, as asked \
                 (LengthPolicy::Truncate / --truncate)"
            ),
            Self::RecipientsDropped { kept, dropped } => write!(
                f,
                "Receptores is over 500 characters: the last {dropped} recipient(s) were left \
                 out and {kept} kept, as asked (LengthPolicy::Truncate / --truncate)"
            ),
            Self::TemplateNameOverLimit { actual } => write!(
                f,
                "Plantilla is {actual} characters long, but template names keep 40 (longer \
                 ones are cut when the template is saved); it probably names no template"
            ),
        }
    }
}
