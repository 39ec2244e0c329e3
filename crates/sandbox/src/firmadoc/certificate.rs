//! The certificate of an `FC` signature: "En el caso de firma con certificado debe contener
//! un JSON serializado con la siguiente estructura: {“Password certificado”:”string en
//! base64 de los Bytes del certificado exportado”}" — one property whose name is the
//! password and whose value is the exported PKCS#12 file in base64.
//!
//! The PKCS#12 file is opened with `p12-keystore`: pure Rust on the RustCrypto crates the
//! workspace already builds (hmac, sha1, sha2), it reads both what OpenSSL 3 exports by
//! default (PBES2 with AES-256 and PBKDF2, an HMAC-SHA-256 MAC) and the legacy 3DES/RC2
//! files of older tools and Windows, checks the MAC (so a wrong password is told apart
//! from bytes that are not PKCS#12), and is maintained. The alternatives: the `p12`
//! crate reads only the legacy algorithms and has not been released since 2022; the
//! `openssl` crate binds the system library (a C dependency for one check).

use p12_keystore::error::Error;
use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
use serde_json::Value;

use super::fields::{Refusal, base64};

/// Checks `DatoAuxiliar` of an `FC` operation: a JSON object with one property
/// (password → base64 PKCS#12) that opens with that password and holds a private key with
/// its certificate.
pub(crate) fn check(auxiliary: &str) -> Result<(), Refusal> {
    const SHAPE: &str = "En el caso de firma con certificado, DatoAuxiliar debe contener un JSON con la estructura {\"Password certificado\":\"string en base64 de los Bytes del certificado exportado\"}.";
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(auxiliary) else {
        return Err(SHAPE.into());
    };
    let mut entries = map.iter();
    let (Some((password, Value::String(encoded))), None) = (entries.next(), entries.next()) else {
        return Err(SHAPE.into());
    };
    let bytes = base64(encoded).ok_or(
        "El certificado de DatoAuxiliar no está codificado en base64 (se esperan los Bytes del certificado exportado).",
    )?;
    match KeyStore::from_pkcs12(&bytes, password, Pkcs12ImportPolicy::Strict) {
        Ok(store) if store.private_key_chain().is_some() => Ok(()),
        Ok(_) => Err("El certificado de DatoAuxiliar no contiene una clave privada con su certificado: expórtelo con la clave privada.".into()),
        Err(Error::MacError(_)) => {
            Err("La contraseña del certificado de DatoAuxiliar no es correcta.".into())
        }
        Err(_) => Err("El certificado de DatoAuxiliar no es un certificado exportado válido (PKCS#12, .pfx o .p12), o su contraseña no es correcta.".into()),
    }
}
