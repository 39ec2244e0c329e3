//! Secrets never show in Debug output or error messages.

use firmadoc_model::{
    Certificate, CreatedUser, DeviceInfo, ModelError, RecipientAction, RecipientResponse,
    SignatureImage,
};

const PASSWORD: &str = "S3cr3t-Pa55w0rd";

#[test]
fn the_created_users_password_is_redacted_and_spelt_with_its_n_tilde() {
    let json = format!(r#"{{"Nombre":"Ana","Email":"ana@example.com","Contraseña":"{PASSWORD}"}}"#);
    let user: CreatedUser = serde_json::from_str(&json).unwrap();
    assert_eq!(user.password.as_ref().unwrap().expose(), PASSWORD);
    let debug = format!("{user:?}");
    assert!(!debug.contains(PASSWORD), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
    // The property name is byte-exact: "Contrase" + U+00F1 (C3 B1 in UTF-8) + "a".
    let written = serde_json::to_string(&user).unwrap();
    assert!(
        written
            .as_bytes()
            .windows(13)
            .any(|w| w == b"\"Contrase\xc3\xb1a\""),
        "{written}"
    );
    // The reply's shape is vague in the guide: the spelling without the tilde is read too,
    // and written back with it.
    let plain: CreatedUser = serde_json::from_str(r#"{"Nombre":"A","Contrasena":"x"}"#).unwrap();
    assert_eq!(plain.password.as_ref().unwrap().expose(), "x");
    assert!(
        serde_json::to_string(&plain)
            .unwrap()
            .contains("Contraseña")
    );
}

#[test]
fn a_certificate_is_redacted_and_serialised_as_the_guide_shows() {
    let pkcs12 = vec![0x30, 0x82, 0x01, 0x02];
    let response = RecipientResponse::new(
        RecipientAction::SignWithCertificate(Certificate::new(pkcs12.clone(), PASSWORD)),
        DeviceInfo::default(),
    )
    .unwrap();
    let debug = format!("{response:?}");
    assert!(
        !debug.contains(PASSWORD) && !debug.contains("MIIBAg"),
        "{debug}"
    );
    assert!(debug.contains("[redacted]"));
    let v = serde_json::to_value(&response).unwrap();
    assert_eq!(v["Operacion"], "FC");
    // {"<password>":"<base64 of the PKCS#12>"}: base64 of 30 82 01 02 is "MIIBAg==".
    assert_eq!(v["DatoAuxiliar"], format!(r#"{{"{PASSWORD}":"MIIBAg=="}}"#));
    let back: RecipientResponse = serde_json::from_value(v).unwrap();
    match back.action() {
        RecipientAction::SignWithCertificate(c) => {
            assert_eq!(c.pkcs12(), pkcs12.as_slice());
            assert_eq!(c.password().expose(), PASSWORD);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_bad_certificate_error_does_not_echo_the_secret() {
    let json = format!(
        r#"{{"Operacion":"FC","DatoAuxiliar":"{{\"{PASSWORD}\":\"not base64!\"}}","OsName":"","OSVersion":"","Model":"","Username":"","DeviceID":""}}"#
    );
    let err = serde_json::from_str::<RecipientResponse>(&json).unwrap_err();
    assert!(err.to_string().contains("not valid base64"), "{err}");
    assert!(!err.to_string().contains(PASSWORD), "{err}");
}

#[test]
fn recipient_operations_serialise_with_their_data() {
    let device = DeviceInfo {
        os_name: "android".into(),
        os_version: "7.0".into(),
        model: "samsung SM-G935F".into(),
        username: "".into(),
        device_id: "63d28e0c801b0485".into(),
    };
    // A 1x1 PNG's first bytes: the signature must be PNG or JPEG.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let sign = RecipientResponse::new(
        RecipientAction::Sign(SignatureImage::new(png).unwrap()),
        device.clone(),
    )
    .unwrap();
    let v = serde_json::to_value(&sign).unwrap();
    assert_eq!(v["Operacion"], "F");
    assert_eq!(v["DatoAuxiliar"], "iVBORw0KGgoAAAANSUhEUg==");
    assert_eq!(v["OSVersion"], "7.0");
    assert_eq!(
        serde_json::from_value::<RecipientResponse>(v).unwrap(),
        sign
    );
    assert!(matches!(
        SignatureImage::new(b"GIF89a"),
        Err(ModelError::WrongFileKind { .. })
    ));
    let reject = RecipientResponse::new(
        RecipientAction::Reject {
            reason: "No estoy de acuerdo".into(),
        },
        device.clone(),
    )
    .unwrap();
    let v = serde_json::to_value(&reject).unwrap();
    assert_eq!(
        (v["Operacion"].as_str(), v["DatoAuxiliar"].as_str()),
        (Some("R"), Some("No estoy de acuerdo"))
    );
    assert_eq!(
        RecipientResponse::new(
            RecipientAction::Reject { reason: " ".into() },
            device.clone()
        )
        .unwrap_err(),
        ModelError::Missing {
            field: "DatoAuxiliar"
        }
    );
    let simple = RecipientResponse::new(
        RecipientAction::SimpleSign {
            name: String::new(),
        },
        device,
    )
    .unwrap();
    let v = serde_json::to_value(&simple).unwrap();
    assert_eq!(
        (v["Operacion"].as_str(), v["DatoAuxiliar"].as_str()),
        (Some("FS"), Some(""))
    );
}
