//! The coded values of the guide.

use crate::received::wire_enum;

wire_enum! {
    /// Page orientation of a template (`Orientacion`).
    #[doc(alias = "Orientacion")]
    Orientation, field = "Orientacion", expected = "V (vertical) or H (horizontal)" {
        /// `V`: vertical (portrait).
        Vertical = "V",
        /// `H`: horizontal (landscape).
        Horizontal = "H",
    }
}

wire_enum! {
    /// Page format of a template (`CodFormato`).
    #[doc(alias = "CodFormato")]
    PageFormat, field = "CodFormato", expected = "A1, A2, A3, A4 or A5" {
        /// `A1`.
        A1 = "A1",
        /// `A2`.
        A2 = "A2",
        /// `A3`.
        A3 = "A3",
        /// `A4`.
        A4 = "A4",
        /// `A5`.
        A5 = "A5",
    }
}

wire_enum! {
    /// What a template placement holds (`UbicacionFirmas[].TipoFirma`).
    #[doc(alias = "TipoFirma")]
    PlacementKind, field = "UbicacionFirmas.TipoFirma", expected = "F (signature) or S (seal)" {
        /// `F`: a recipient's signature.
        #[doc(alias = "Firma")]
        Signature = "F",
        /// `S`: the company seal.
        #[doc(alias = "Sello")]
        Seal = "S",
    }
}

wire_enum! {
    /// How recipients are notified (`TipoEnvio`).
    #[doc(alias = "TipoEnvio")]
    SendingKind, field = "TipoEnvio", expected = "S (SMS), E (email) or L (link)" {
        /// `S`: by SMS; recipients are mobile numbers.
        Sms = "S",
        /// `E`: by email; recipients are email addresses.
        Email = "E",
        /// `L`: no notification; the reply carries a URL the caller delivers itself.
        #[doc(alias = "Enlace")]
        Link = "L",
    }
}

wire_enum! {
    /// How recipients may sign (`TipoFirma` of a sending).
    #[doc(alias = "TipoFirma")]
    SignatureKind, field = "TipoFirma",
    expected = "M (handwritten), C (certificate), A (either), S (simple) or O (OTP)" {
        /// `M`: handwritten digital signature.
        #[doc(alias = "Manuscrita")]
        Handwritten = "M",
        /// `C`: digital certificate; not for multi-signature sendings.
        #[doc(alias = "Certificado")]
        Certificate = "C",
        /// `A`: handwritten or certificate, as the recipient chooses.
        #[doc(alias = "Ambas")]
        Either = "A",
        /// `S`: simple signature.
        Simple = "S",
        /// `O`: one-time code sent to the recipient; not with link sending.
        Otp = "O",
    }
}

wire_enum! {
    /// Country of a sending (`Pais`): it validates phone numbers and sets the language.
    ///
    /// The codes are the Spanish names, with their accents, exactly as the guide lists them.
    #[doc(alias = "Pais")]
    Country, field = "Pais",
    expected = "España, Alemania, Colombia, Argentina, Brasil, México, Perú, EEUU or Canadá" {
        /// `España`.
        #[doc(alias = "España")]
        Spain = "España",
        /// `Alemania`.
        #[doc(alias = "Alemania")]
        Germany = "Alemania",
        /// `Colombia`.
        Colombia = "Colombia",
        /// `Argentina`.
        Argentina = "Argentina",
        /// `Brasil`.
        #[doc(alias = "Brasil")]
        Brazil = "Brasil",
        /// `México`.
        #[doc(alias = "México")]
        Mexico = "México",
        /// `Perú`.
        #[doc(alias = "Perú")]
        Peru = "Perú",
        /// `EEUU`.
        #[doc(alias = "EEUU")]
        UnitedStates = "EEUU",
        /// `Canadá`.
        #[doc(alias = "Canadá")]
        Canada = "Canadá",
    }
}

wire_enum! {
    /// State of a sending (`Estado` of the sending detail).
    #[doc(alias = "Estado")]
    SendingState, field = "Estado",
    expected = "P (pending), F (signed), R (rejected) or C (expired)" {
        /// `P`: pending, the initial state.
        #[doc(alias = "Pendiente")]
        Pending = "P",
        /// `F`: signed (by every recipient, if multi-signature).
        #[doc(alias = "Firmado")]
        Signed = "F",
        /// `R`: rejected (by any recipient, if multi-signature).
        #[doc(alias = "Rechazado")]
        Rejected = "R",
        /// `C`: expired.
        #[doc(alias = "Caducado")]
        Expired = "C",
    }
}

wire_enum! {
    /// State of one recipient (`Destinatarios[].Estado`).
    #[doc(alias = "Estado")]
    RecipientState, field = "Destinatarios.Estado",
    expected = "P (pending), F (signed) or R (rejected)" {
        /// `P`: pending.
        Pending = "P",
        /// `F`: signed.
        Signed = "F",
        /// `R`: rejected.
        Rejected = "R",
    }
}

wire_enum! {
    /// A webhook event (`Eventos` of a subscription, `evento` of `/webhooks/Test`).
    #[doc(alias = "Evento")]
    WebhookEvent, field = "Eventos", expected = "A (opened), F (signed), R (rejected) or C (expired)" {
        /// `A`: the sending was opened.
        #[doc(alias = "Abierto")]
        Opened = "A",
        /// `F`: the sending was signed.
        Signed = "F",
        /// `R`: the sending was rejected.
        Rejected = "R",
        /// `C`: the sending expired.
        Expired = "C",
    }
}

wire_enum! {
    /// A recipient's operation (`Operacion` of `/AddresseeResponse`), without its data.
    #[doc(alias = "Operacion")]
    OperationCode, field = "Operacion",
    expected = "F (sign by hand), R (reject), FC (sign with certificate) or FS (simple signature)" {
        /// `F`: handwritten signature.
        Sign = "F",
        /// `R`: rejection.
        Reject = "R",
        /// `FC`: certificate signature.
        SignWithCertificate = "FC",
        /// `FS`: simple signature.
        SimpleSign = "FS",
    }
}
