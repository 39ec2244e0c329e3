//! Envelope and recipient codes.

use firmadoc_model::{CodeError, EnvelopeCode, RecipientCode, RecipientId, SendingCode};
use proptest::prelude::*;

#[test]
fn the_guides_example() {
    // "si se requiere obtener la información acotada del destinatario 12 del envío XJH29, el
    // parámetro cod será "XJH290C" ya que 12 = 0C en hexadecimal"
    let envelope = EnvelopeCode::parse("XJH29").unwrap();
    let code = envelope.recipient(RecipientId::new(12).unwrap());
    assert_eq!(code.to_string(), "XJH290C");
    let parsed = RecipientCode::parse("XJH290C").unwrap();
    assert_eq!(parsed, code);
    assert_eq!(parsed.recipient().get(), 12);
    assert_eq!(parsed.envelope().as_str(), "XJH29");
}

#[test]
fn the_curl_examples_code_is_recipient_two() {
    // POST /send/Sending/95SX602 in the guide's Postman example.
    match SendingCode::parse("95SX602").unwrap() {
        SendingCode::Recipient(r) => {
            assert_eq!(r.envelope().as_str(), "95SX6");
            assert_eq!(r.recipient().get(), 2);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn malformed_codes_are_refused_with_their_reason() {
    assert!(matches!(
        SendingCode::parse("XJH2"),
        Err(CodeError::Length { .. })
    ));
    assert!(matches!(
        SendingCode::parse("XJH290"),
        Err(CodeError::Length { .. })
    ));
    assert!(matches!(
        SendingCode::parse("XJH290C1"),
        Err(CodeError::Length { .. })
    ));
    assert!(matches!(
        SendingCode::parse("XJ-29"),
        Err(CodeError::Envelope { .. })
    ));
    assert!(matches!(
        SendingCode::parse("XJ-290C"),
        Err(CodeError::Envelope { .. })
    ));
    assert!(matches!(
        SendingCode::parse("XJH290c"),
        Err(CodeError::RecipientHex { .. })
    ));
    assert!(matches!(
        SendingCode::parse("XJH29G1"),
        Err(CodeError::RecipientHex { .. })
    ));
    assert!(matches!(
        SendingCode::parse("XJH29+1"),
        Err(CodeError::RecipientHex { .. })
    ));
    assert!(matches!(
        SendingCode::parse("XJH2900"),
        Err(CodeError::RecipientZero)
    ));
    assert!(matches!(
        SendingCode::parse("XJH2ñ"),
        Err(CodeError::Length { .. })
    ));
    assert!(matches!(RecipientId::new(0), Err(CodeError::RecipientZero)));
    assert!(serde_json::from_str::<SendingCode>("\"XJH290c\"").is_err());
}

/// An independent statement of the guide's format: 5 ASCII alphanumerics, optionally followed
/// by two upper-case hex digits that are not `00`.
fn well_formed(code: &str) -> bool {
    let b = code.as_bytes();
    let envelope_ok = |e: &[u8]| e.iter().all(|c| c.is_ascii_alphanumeric());
    match b.len() {
        5 => envelope_ok(b),
        7 => {
            envelope_ok(&b[..5])
                && b[5..]
                    .iter()
                    .all(|c| matches!(c, b'0'..=b'9' | b'A'..=b'F'))
                && &b[5..] != b"00"
        }
        _ => false,
    }
}

proptest! {
    #[test]
    fn recipient_codes_round_trip(envelope in "[A-Za-z0-9]{5}", id in 1u8..=255) {
        let code = EnvelopeCode::parse(&envelope)
            .unwrap()
            .recipient(RecipientId::new(id).unwrap());
        let text = code.to_string();
        prop_assert_eq!(text.len(), 7);
        prop_assert!(text.starts_with(&envelope));
        prop_assert_eq!(u8::from_str_radix(&text[5..], 16).unwrap(), id);
        prop_assert!(!text[5..].bytes().any(|c| c.is_ascii_lowercase()));
        prop_assert_eq!(RecipientCode::parse(&text).unwrap(), code);
        prop_assert_eq!(SendingCode::parse(&text).unwrap(), SendingCode::Recipient(code));
        let json = serde_json::to_string(&code).unwrap();
        prop_assert_eq!(serde_json::from_str::<RecipientCode>(&json).unwrap(), code);
    }

    #[test]
    fn envelope_codes_round_trip(envelope in "[A-Za-z0-9]{5}") {
        let code = SendingCode::parse(&envelope).unwrap();
        prop_assert_eq!(code.to_string(), envelope.as_str());
        let e = code.envelope();
        prop_assert_eq!(e.as_str(), envelope.as_str());
    }

    #[test]
    fn any_text_parses_exactly_when_well_formed(code in "\\PC{0,9}") {
        prop_assert_eq!(SendingCode::parse(&code).is_ok(), well_formed(&code), "{:?}", code);
    }

    #[test]
    fn near_miss_codes_parse_exactly_when_well_formed(code in "[A-Za-z0-9 _.-]{4,8}") {
        let parsed = SendingCode::parse(&code);
        prop_assert_eq!(parsed.is_ok(), well_formed(&code), "{:?}", code);
        if let Ok(p) = parsed {
            prop_assert_eq!(p.to_string(), code);
        }
    }

    #[test]
    fn lower_case_hex_is_refused(envelope in "[A-Z0-9]{5}", id in 1u8..=255) {
        let lower = format!("{envelope}{id:02x}");
        prop_assume!(lower.bytes().skip(5).any(|c| c.is_ascii_lowercase()));
        prop_assert!(
            matches!(RecipientCode::parse(&lower), Err(CodeError::RecipientHex { .. })),
            "{}", lower
        );
    }
}
