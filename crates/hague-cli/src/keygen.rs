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
    let form = serde_json::json!({
        "client_id": "given by WIPO",
        "client_type": "confidential",
        "supported_scopes": "default profile",
        "certificate": "X509v3 - ES256",
        "certificate_file": cert_path.display().to_string(),
        "client_authentication_method": "private_key_jwt",
        "api_protection": "access token from the OAuth2 client credentials flow",
    });
    let human = format!(
        "wrote {private} (private key, mode 0600: keep it secret, never send it)\n\
         wrote {public} (public key)\n\
         wrote {cert} (certificate: send this file to WIPO)\n\
         \n\
         public JWK: {jwk}\n\
         JWK thumbprint (RFC 7638, SHA-256): {thumbprint}\n\
         \n\
         Appendix B request form, OAuth2 client section:\n\
         \x20 Client identifier: given by WIPO\n\
         \x20 Client type: confidential\n\
         \x20 Supported scopes: default profile\n\
         \x20 Certificate (X509v3 - ES256): {cert}\n\
         \x20 Client IP / IP range: (fill in)\n\
         \x20 Client authentication method: private_key_jwt (the client sends its credentials as a JWT)\n\
         \x20 API protection: access token from the OAuth2 client credentials flow",
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
