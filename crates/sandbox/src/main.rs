//! `sandbox`: runs both services on loopback in the foreground and prints the URLs and the
//! test credentials. Options: `--hws-port N`, `--firmadoc-port N` (0 = any free port),
//! `--tls` (https with a CA generated at start, whose PEM is printed), `--strict-assertions`
//! (HWS client assertions need `jti`, never replayed, and `iat`).

use std::process::ExitCode;

use sandbox::{Sandbox, SandboxConfig};

fn parse_args() -> Result<SandboxConfig, String> {
    let mut config = SandboxConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut port = |name: &str| -> Result<u16, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a port number (0 to 65535)"))
        };
        match a.as_str() {
            "--hws-port" => config.hws_port = port("--hws-port")?,
            "--firmadoc-port" => config.firmadoc_port = port("--firmadoc-port")?,
            "--tls" => config.tls = true,
            "--strict-assertions" => config.hws_strict_assertions = true,
            "-h" | "--help" => {
                return Err("usage: sandbox [--hws-port N] [--firmadoc-port N] [--tls] [--strict-assertions]".into());
            }
            other => return Err(format!("unknown argument `{other}`; see --help")),
        }
    }
    Ok(config)
}

fn main() -> ExitCode {
    let config = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let sandbox = match Sandbox::start(config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
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
        println!("Ctrl-C to stop.");
        if tokio::signal::ctrl_c().await.is_err() {
            eprintln!("cannot wait for Ctrl-C; stopping");
        }
        sandbox.shutdown().await;
        ExitCode::SUCCESS
    })
}
