//! Values from the command line: the guide's codes, or English names.

use cli_support::CliError;
use firmadoc_client::model::{
    Country, PlacementKind, PlacementParts, SendingKind, SignatureKind, WebhookEvent,
};

fn bad(what: &str, value: &str, allowed: &str) -> CliError {
    CliError::invalid_input(
        format!("`{value}` is not a {what}"),
        format!("use one of: {allowed}"),
    )
}

/// `email`, `sms`, `link`, or E, S, L.
pub(crate) fn sending_kind(value: &str) -> Result<SendingKind, CliError> {
    match value.to_ascii_lowercase().as_str() {
        "email" | "e" => Ok(SendingKind::Email),
        "sms" | "s" => Ok(SendingKind::Sms),
        "link" | "l" => Ok(SendingKind::Link),
        _ => Err(bad("sending kind", value, "email, sms, link (E, S, L)")),
    }
}

/// `handwritten`, `certificate`, `either`, `simple`, `otp`, or M, C, A, S, O.
pub(crate) fn signature_kind(value: &str) -> Result<SignatureKind, CliError> {
    match value.to_ascii_lowercase().as_str() {
        "handwritten" | "m" => Ok(SignatureKind::Handwritten),
        "certificate" | "c" => Ok(SignatureKind::Certificate),
        "either" | "a" => Ok(SignatureKind::Either),
        "simple" | "s" => Ok(SignatureKind::Simple),
        "otp" | "o" => Ok(SignatureKind::Otp),
        _ => Err(bad(
            "signature kind",
            value,
            "handwritten, certificate, either, simple, otp (M, C, A, S, O)",
        )),
    }
}

/// The guide's Spanish name (`España`), or an English one (`spain`).
pub(crate) fn country(value: &str) -> Result<Country, CliError> {
    if let Ok(c) = value.parse::<Country>() {
        return Ok(c);
    }
    match value.to_lowercase().as_str() {
        "spain" | "es" | "españa" | "espana" => Ok(Country::Spain),
        "germany" | "de" | "alemania" => Ok(Country::Germany),
        "colombia" | "co" => Ok(Country::Colombia),
        "argentina" | "ar" => Ok(Country::Argentina),
        "brazil" | "br" | "brasil" => Ok(Country::Brazil),
        "mexico" | "mx" | "méxico" => Ok(Country::Mexico),
        "peru" | "pe" | "perú" => Ok(Country::Peru),
        "us" | "usa" | "eeuu" | "united states" => Ok(Country::UnitedStates),
        "canada" | "ca" | "canadá" => Ok(Country::Canada),
        _ => Err(bad(
            "country",
            value,
            "spain, germany, colombia, argentina, brazil, mexico, peru, us, canada (or the guide's names: España...)",
        )),
    }
}

/// A, F, R, C, or `opened`, `signed`, `rejected`, `expired`.
pub(crate) fn event(value: &str) -> Result<WebhookEvent, CliError> {
    match value.to_ascii_lowercase().as_str() {
        "a" | "opened" => Ok(WebhookEvent::Opened),
        "f" | "signed" => Ok(WebhookEvent::Signed),
        "r" | "rejected" => Ok(WebhookEvent::Rejected),
        "c" | "expired" => Ok(WebhookEvent::Expired),
        _ => Err(bad(
            "webhook event",
            value,
            "A (opened), F (signed), R (rejected), C (expired)",
        )),
    }
}

/// `sig:RECIPIENT:PAGE:X:Y`, `seal:PAGE:X:Y` or `text:RECIPIENT:TEXT`.
pub(crate) fn placement(spec: &str) -> Result<PlacementParts, CliError> {
    let wrong = || {
        CliError::invalid_input(
            format!("the placement `{spec}` is not understood"),
            "write sig:RECIPIENT:PAGE:X:Y, seal:PAGE:X:Y or text:RECIPIENT:TEXT (X and Y in cm)",
        )
    };
    let (kind, rest) = spec.split_once(':').ok_or_else(wrong)?;
    match kind {
        "sig" | "signature" => {
            let parts: Vec<&str> = rest.split(':').collect();
            let [r, page, x, y] = parts.as_slice() else {
                return Err(wrong());
            };
            Ok(PlacementParts::new(
                r.parse().map_err(|_| wrong())?,
                PlacementKind::Signature,
                page.parse().map_err(|_| wrong())?,
                x.parse().map_err(|_| wrong())?,
                y.parse().map_err(|_| wrong())?,
                "",
            ))
        }
        "seal" => {
            let parts: Vec<&str> = rest.split(':').collect();
            let [page, x, y] = parts.as_slice() else {
                return Err(wrong());
            };
            Ok(PlacementParts::new(
                0,
                PlacementKind::Seal,
                page.parse().map_err(|_| wrong())?,
                x.parse().map_err(|_| wrong())?,
                y.parse().map_err(|_| wrong())?,
                "",
            ))
        }
        "text" => {
            let (r, text) = rest.split_once(':').ok_or_else(wrong)?;
            Ok(PlacementParts::new(
                r.parse().map_err(|_| wrong())?,
                PlacementKind::Signature,
                0,
                0.0,
                0.0,
                text,
            ))
        }
        _ => Err(wrong()),
    }
}

/// `YYYY-MM-DD`.
pub(crate) fn date(value: &str) -> Result<time::Date, CliError> {
    let wrong = || {
        CliError::invalid_input(
            format!("`{value}` is not a date"),
            "write dates as YYYY-MM-DD, for example 2026-11-01",
        )
    };
    let parts: Vec<&str> = value.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(wrong());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(wrong());
    }
    let year: i32 = y.parse().map_err(|_| wrong())?;
    let month: u8 = m.parse().map_err(|_| wrong())?;
    let day: u8 = d.parse().map_err(|_| wrong())?;
    let month = time::Month::try_from(month).map_err(|_| wrong())?;
    time::Date::from_calendar_date(year, month, day).map_err(|_| wrong())
}
