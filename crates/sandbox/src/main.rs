//! `sandbox`: runs both services on loopback in the foreground and prints the URLs and the
//! test credentials; `--write-env DIR` also writes the test key, the consumer secret and an
//! `env` file for `hague` and `firmadoc` (see `sandbox --help` and docs/cli.md's quick start).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sandbox::{DEFAULT_SCOPE, Sandbox, SandboxConfig, TEST_CLIENT_ID};

const HELP: &str = "\
sandbox: the offline HWS and FirmaDocumentos sandbox, on loopback, in the foreground.

Usage: sandbox [OPTIONS]

Options:
  --hws-port N         The HWS port on 127.0.0.1 (0, the default, picks a free one)
  --firmadoc-port N    The FirmaDocumentos port on 127.0.0.1 (0 picks a free one)
  --tls                Serve https with a CA generated at start (its PEM is printed, and
                       written to DIR/ca.pem with --write-env)
  --write-env DIR      Write the set-up of both tools into DIR (created if missing, mode 0700):
                         DIR/hague-private.pem       the test client's P-256 key (mode 0600)
                         DIR/es256_cert.pem          its certificate (30 days, as Appendix A)
                         DIR/firmadoc-secret         the consumer secret (mode 0600)
                         DIR/env                     HAGUE_* and FIRMADOC_* variables
                       so that `source DIR/env` is all the set-up `hague` and `firmadoc` need.
                       The files hold test values only, valid while this sandbox runs.
  -h, --help           Print this help

It runs until Ctrl-C (or SIGTERM). Quick start: docs/cli.md.
";

struct Args {
    config: SandboxConfig,
    write_env: Option<PathBuf>,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut config = SandboxConfig::default();
    let mut write_env = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        let a = a.to_string_lossy().into_owned();
        let mut port = |name: &str| -> Result<u16, String> {
            let value = args.next().map(|v| v.to_string_lossy().into_owned());
            value
                .as_deref()
                .and_then(|v| v.trim().parse().ok())
                .ok_or_else(|| {
                    format!(
                        "{name} must be a port number 0 to 65535 (got `{}`)",
                        value.as_deref().unwrap_or("")
                    )
                })
        };
        match a.as_str() {
            "--hws-port" => config.hws_port = port("--hws-port")?,
            "--firmadoc-port" => config.firmadoc_port = port("--firmadoc-port")?,
            "--tls" => config.tls = true,
            "--write-env" => match args.next() {
                Some(dir) if !dir.is_empty() => write_env = Some(PathBuf::from(dir)),
                _ => return Err("--write-env needs a directory".into()),
            },
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument `{other}`; see sandbox --help")),
        }
    }
    Ok(Some(Args { config, write_env }))
}

/// Single-quotes a value for a POSIX shell.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

/// Writes `content` to `path` with `mode`, through `path.part` renamed into place.
fn write_file(path: &Path, content: &[u8], mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let _ = std::fs::remove_file(&part);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&part)?;
    f.write_all(content)?;
    f.sync_all()?;
    std::fs::set_permissions(&part, std::fs::Permissions::from_mode(mode))?;
    std::fs::rename(&part, path)
}

/// Writes the key, the secret and the env file into `dir`; the env file last, so
/// that its presence means the set-up is complete.
fn write_env(
    dir: &Path,
    sandbox: &Sandbox,
    key: &fapi_jwt_assert::SigningKey,
) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    let dir = std::fs::canonicalize(dir)?;
    let key_path = dir.join("hague-private.pem");
    write_file(
        &key_path,
        key.to_pkcs8_pem().expose_secret().as_bytes(),
        0o600,
    )?;
    // The certificate `hague keygen` would write beside the key (Appendix A: 30 days), so
    // that `hague doctor` finds one to check.
    #[allow(clippy::disallowed_methods)] // the certificate starts now
    let now = std::time::SystemTime::now();
    if let Ok(cert) = key.self_signed_certificate(
        "sandbox",
        now,
        fapi_jwt_assert::OPENSSL_DEFAULT_VALIDITY,
        &fapi_jwt_assert::SystemRandom::new(),
    ) {
        write_file(&dir.join("es256_cert.pem"), cert.as_bytes(), 0o644)?;
    }
    let creds = sandbox.firmadoc_credentials();
    let secret_path = dir.join("firmadoc-secret");
    write_file(&secret_path, creds.expose_secret().as_bytes(), 0o600)?;
    let mut env = String::from(
        "# Written by `sandbox --write-env`: the offline sandbox's test set-up for hague and firmadoc.\n",
    );
    let mut put = |name: &str, value: &str| {
        env.push_str(&format!("export {name}={}\n", quote(value)));
    };
    put("HAGUE_API_BASE_URL", &sandbox.hws_api_url());
    put("HAGUE_ISSUER", &sandbox.issuer());
    put("HAGUE_CLIENT_ID", TEST_CLIENT_ID);
    put("HAGUE_SCOPE", DEFAULT_SCOPE);
    put("HAGUE_PRIVATE_KEY_FILE", &key_path.display().to_string());
    put("FIRMADOC_ENV", &sandbox.firmadoc_url());
    put("FIRMADOC_CONSUMER_KEY", &creds.consumer_key);
    put(
        "FIRMADOC_CONSUMER_SECRET_FILE",
        &secret_path.display().to_string(),
    );
    if let Some(pem) = sandbox.ca_pem() {
        let ca_path = dir.join("ca.pem");
        write_file(&ca_path, pem.as_bytes(), 0o644)?;
        put("HAGUE_EXTRA_ROOT_CA_FILE", &ca_path.display().to_string());
    }
    let env_path = dir.join("env");
    write_file(&env_path, env.as_bytes(), 0o600)?;
    Ok(env_path)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("sandbox: error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sandbox: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let sandbox = match Sandbox::start(args.config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("sandbox: error: {e}");
                return ExitCode::FAILURE;
            }
        };
        let key = match sandbox.register_test_client() {
            Ok(k) => Some(k),
            Err(e) => {
                eprintln!("(no test client: {e})");
                None
            }
        };
        print!("{}", sandbox.banner(key.as_ref()));
        if let (Some(dir), Some(key)) = (&args.write_env, &key) {
            match write_env(dir, &sandbox, key) {
                Ok(path) => println!("\nSet-up written: run `source {}`", path.display()),
                Err(e) => {
                    eprintln!(
                        "sandbox: error: cannot write the set-up into {}: {e}",
                        dir.display()
                    );
                    sandbox.shutdown().await;
                    return ExitCode::FAILURE;
                }
            }
        }
        println!("Ctrl-C to stop.");
        let _ = std::io::stdout().flush();
        wait_for_stop().await;
        sandbox.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// Ctrl-C or SIGTERM (`kill %1` in the quick start).
async fn wait_for_stop() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            if tokio::signal::ctrl_c().await.is_err() {
                eprintln!("cannot wait for Ctrl-C; stopping");
            }
        }
    }
}
