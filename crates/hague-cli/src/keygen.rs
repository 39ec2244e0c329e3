//! `hague keygen`: the key pair and certificate of the guide's Appendix A.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use cli_support::{CliError, ExitStatus, Report};
use fapi_jwt_assert::{Algorithm, SigningKey, SystemRandom};

use crate::cli::KeygenArgs;

/// The private key file name of Appendix A.
pub const PRIVATE_KEY_FILE: &str = "hague4offices_private.pem";
/// The public key file name of Appendix A.
pub const PUBLIC_KEY_FILE: &str = "hague4offices_public.pem";
/// The certificate file name of Appendix A (the one sent to WIPO).
pub const CERTIFICATE_FILE: &str = "es256_cert.pem";

fn io_error(path: &Path, e: &std::io::Error) -> CliError {
    CliError::invalid_input(
        format!("cannot write {}: {e}", path.display()),
        "check that the directory exists and is writable",
    )
}

/// Writes `content` to `dir/name` through a temporary file renamed into place,
/// with `mode` (unix). Refuses to replace a file unless `force`.
fn write_file(
    dir: &Path,
    name: &str,
    content: &[u8],
    mode: u32,
    force: bool,
) -> Result<PathBuf, CliError> {
    let path = dir.join(name);
    // tempfile creates the file with mode 0600, so a private key is never readable by others.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .tempfile_in(dir)
        .map_err(|e| io_error(&path, &e))?;
    tmp.write_all(content)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| io_error(&path, &e))?;
    set_mode(tmp.path(), mode).map_err(|e| io_error(&path, &e))?;
    let result = if force {
        tmp.persist(&path).map(|_| ())
    } else {
        tmp.persist_noclobber(&path).map(|_| ())
    };
    result.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::usage(
                format!(
                    "{} already exists; refusing to replace a key",
                    path.display()
                ),
                "choose another --dir, or pass --force to replace the files",
            )
        } else {
            io_error(&path, &e.error)
        }
    })?;
    Ok(path)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// Refuses, before anything is made, a `--dir` that is not a directory, and
/// (without `--force`) any of the three files that already exists; with
/// `--force` only regular files are replaced.
fn check_targets(args: &KeygenArgs) -> Result<(), CliError> {
    match std::fs::metadata(&args.dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(CliError::invalid_input(
                format!("--dir {} exists and is not a directory", args.dir.display()),
                "give a directory (it is created if missing)",
            ));
        }
        Ok(_) => {}
        Err(_) => return Ok(()),
    }
    for name in [CERTIFICATE_FILE, PUBLIC_KEY_FILE, PRIVATE_KEY_FILE] {
        let path = args.dir.join(name);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !args.force {
            return Err(CliError::usage(
                format!(
                    "{} already exists; refusing to replace a key",
                    path.display()
                ),
                "choose another --dir, or pass --force to replace the files",
            ));
        }
        if !meta.is_file() {
            return Err(CliError::invalid_input(
                format!(
                    "{} exists and is not a regular file; refusing to replace it",
                    path.display()
                ),
                "remove it or choose another --dir",
            ));
        }
    }
    Ok(())
}

/// Generates and writes the three files; `now` is the certificate's start.
///
/// # Errors
/// Exit 2 when a file exists (without `--force`), 5 when a file cannot be written.
pub fn keygen(args: &KeygenArgs, now: SystemTime) -> Result<Report, CliError> {
    if args.client_name.trim().is_empty() {
        return Err(CliError::usage(
            "the client name is empty",
            "pass --client-name NAME (Appendix A uses DAS)",
        ));
    }
    if args.days == 0 {
        return Err(CliError::usage(
            "--days must be 1 to 3650 days",
            "OpenSSL's default validity is 30 days",
        ));
    }
    check_targets(args)?;
    let internal = |what: &str, e: &dyn std::fmt::Display| {
        CliError::new(
            ExitStatus::Internal,
            format!("cannot {what}: {e}"),
            "this is a bug or a broken random source; report it",
        )
    };
    // Everything is checked and computed before the directory is created.
    let key = SigningKey::generate_p256().map_err(|e| internal("generate a P-256 key", &e))?;
    let certificate = key
        .self_signed_certificate(
            &args.client_name,
            now,
            Duration::from_secs(u64::from(args.days) * 24 * 3600),
            &SystemRandom::new(),
        )
        .map_err(|e| internal("make the certificate", &e))?;
    std::fs::create_dir_all(&args.dir).map_err(|e| io_error(&args.dir, &e))?;
    // The certificate first: the private key is written last, so a failure never
    // leaves a key without its certificate.
    let cert_path = write_file(
        &args.dir,
        CERTIFICATE_FILE,
        certificate.as_bytes(),
        0o644,
        args.force,
    )?;
    let public_path = write_file(
        &args.dir,
        PUBLIC_KEY_FILE,
        key.public_key_pem().as_bytes(),
        0o644,
        args.force,
    )?;
    let private_pem = key.to_pkcs8_pem();
    let private_path = write_file(
        &args.dir,
        PRIVATE_KEY_FILE,
        private_pem.expose_secret().as_bytes(),
        0o600,
        args.force,
    )?;

    let jwk = key.public_jwk().clone();
    let thumbprint = jwk.thumbprint();
    let jwk = jwk.with_metadata(Some(&thumbprint), Some(Algorithm::Es256));
    let jwk_json: serde_json::Value =
        serde_json::from_str(&jwk.to_json()).unwrap_or(serde_json::Value::Null);
    let (form_text, form) = request_form(&args.client_name, &cert_path.display().to_string());
    let human = format!(
        "wrote {private} (private key, mode 0600: keep it secret, never send it)\n\
         wrote {public} (public key)\n\
         wrote {cert} (certificate: send this file to WIPO)\n\
         \n\
         public JWK: {jwk}\n\
         JWK thumbprint (RFC 7638, SHA-256): {thumbprint}\n\
         \n\
         {form_text}",
        private = private_path.display(),
        public = public_path.display(),
        cert = cert_path.display(),
        jwk = jwk.to_json(),
    );
    let json = serde_json::json!({
        "private_key_file": private_path.display().to_string(),
        "public_key_file": public_path.display().to_string(),
        "certificate_file": cert_path.display().to_string(),
        "jwk": jwk_json,
        "thumbprint": thumbprint,
        "request_form": form,
    });
    Ok(Report::new(human, json))
}

/// Where the HWS guide asks offices to send the form and the certificate.
pub const REQUEST_ADDRESS: &str = "hague.it@wipo.int";

/// One field of the Appendix B form: the guide's Spanish label, an English label, the value
/// when known (`None`: the office fills it in), and a note.
struct Field {
    label_es: &'static str,
    label: &'static str,
    value: Option<String>,
    note: &'static str,
}

fn field(
    label_es: &'static str,
    label: &'static str,
    value: Option<&str>,
    note: &'static str,
) -> Field {
    Field {
        label_es,
        label,
        value: value.map(str::to_owned),
        note,
    }
}

/// The whole Appendix B form of the HWS guide ("Formulario de petición de acceso a la API"):
/// its general section and its OAuth2 client section, filled where the values are known and
/// marked `TO FILL` where the office must give them; as text and as JSON.
fn request_form(client_name: &str, certificate: &str) -> (String, serde_json::Value) {
    let general = [
        field(
            "¿Tipo de petición?",
            "Request type",
            Some("create"),
            "create (Petición de creación) or update (Petición de actualización)",
        ),
        field(
            "Descripción de la información actualizada",
            "Description of the updated information",
            None,
            "only for an update: contact information, client IP/IP range, certificate, scopes",
        ),
        field(
            "Entorno",
            "Environment",
            Some("Production"),
            "the only environment the draft form offers",
        ),
        field(
            "Nombre de la aplicación API",
            "API application name",
            None,
            "for example the office's HWS client",
        ),
        field(
            "Descripción de la aplicación",
            "Application description",
            None,
            "",
        ),
        field(
            "Direcciones URL de la API",
            "API URLs",
            None,
            "the HWS URLs the application calls (WIPO gives the base URL)",
        ),
        field(
            "Titular comercial de la aplicación",
            "Application business owner",
            None,
            "",
        ),
        field(
            "Correo electrónico del titular comercial de la aplicación",
            "Business owner's email",
            None,
            "used for notices of OAuth2 provider deployments",
        ),
        field(
            "Nombre del contacto técnico de la aplicación",
            "Technical contact's name",
            None,
            "",
        ),
        field(
            "Correo electrónico del contacto técnico de la aplicación",
            "Technical contact's email",
            None,
            "used for notices of OAuth2 provider deployments",
        ),
        field(
            "¿Quién tendrá acceso a la aplicación?",
            "Who will have access to the application?",
            None,
            "internal staff (Personal interno) or external staff (Personal externo)",
        ),
        field(
            "¿Cómo se protege la API?",
            "How is the API protected?",
            Some("access token from the OAuth2 client credentials flow"),
            "",
        ),
    ];
    let oauth2 = [
        field(
            "Identificador del cliente",
            "Client identifier",
            Some("given by WIPO"),
            "Facilitado por la OMPI",
        ),
        field("Tipo de cliente", "Client type", Some("confidential"), ""),
        field(
            "Ámbitos compatibles (opcional)",
            "Supported scopes (optional)",
            Some("default profile"),
            "",
        ),
        field(
            "Certificado (X509V3 - ES256)",
            "Certificate (X509v3 - ES256)",
            Some(certificate),
            "attach this file to the email",
        ),
        field(
            "IP del cliente/rango de IP",
            "Client IP / IP range",
            None,
            "the public IP address(es) the office's calls come from: WIPO authorises only those",
        ),
        field(
            "Método de autentificación del cliente",
            "Client authentication method",
            Some("private_key_jwt"),
            "the client sends its credentials as a JWT",
        ),
    ];
    let line = |f: &Field| {
        let value = f.value.clone().unwrap_or_else(|| "TO FILL".to_owned());
        let note = if f.note.is_empty() {
            String::new()
        } else {
            format!(" ({})", f.note)
        };
        format!("  {} / {}: {value}{note}", f.label, f.label_es)
    };
    let json_fields = |fields: &[Field]| -> Vec<serde_json::Value> {
        fields
            .iter()
            .map(|f| {
                serde_json::json!({
                    "label": f.label,
                    "label_es": f.label_es,
                    "value": f.value,
                    "to_fill": f.value.is_none(),
                    "note": f.note,
                })
            })
            .collect()
    };
    let text = format!(
        "Appendix B access request form (the guide's draft form), for {client_name}:\n\
         General information (Información general):\n{}\n\
         OAuth2 client (Protección de la API mediante OAuth2):\n{}\n\
         \n\
         Send the completed form and the certificate {certificate} by email to {REQUEST_ADDRESS}\n\
         (guide, step 3: \"Pedir acceso a los HWS enviando un correo electrónico a hague.it@wipo.int\").\n\
         Never send the private key. WIPO then confirms the client id and the scope.",
        general.iter().map(line).collect::<Vec<_>>().join("\n"),
        oauth2.iter().map(line).collect::<Vec<_>>().join("\n"),
    );
    let value = serde_json::json!({
        "general": json_fields(&general),
        "oauth2_client": json_fields(&oauth2),
        "send_to": REQUEST_ADDRESS,
        "attach": certificate,
        "client_type": "confidential",
        "client_authentication_method": "private_key_jwt",
        "certificate": "X509v3 - ES256",
    });
    (text, value)
}
