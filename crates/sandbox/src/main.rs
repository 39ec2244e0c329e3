//! `sandbox`: runs both services on loopback in the foreground and prints the URLs and the
//! test credentials. Options: `--hws-port N`, `--firmadoc-port N` (0 = any free port),
//! `--tls` (https with a CA generated at start, whose PEM is printed).

use std::process::ExitCode;

use sandbox::{Sandbox, SandboxConfig};

/// The HWS client the binary registers at start.
const TEST_CLIENT_ID: &str = "sandbox-office";

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
            "-h" | "--help" => {
                return Err("usage: sandbox [--hws-port N] [--firmadoc-port N] [--tls]".into());
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
        let creds = sandbox.firmadoc_credentials();
        match sandbox.ca_pem() {
            None => println!("Offline sandbox running on loopback (plain http). Ctrl-C to stop.\n"),
            Some(pem) => {
                println!("Offline sandbox running on loopback (https). Ctrl-C to stop.");
                println!("Trust this test CA (generated for this run) as an extra root:\n{pem}");
            }
        }
        println!("HWS (Hague System Web Services)");
        println!("  issuer:         {}", sandbox.issuer());
        println!("  discovery:      {}/.well-known/openid-configuration", sandbox.issuer());
        println!("  token endpoint: {}", sandbox.token_endpoint());
        println!("  API base:       {}", sandbox.hws_api_url());
        println!("  scope:          {}", sandbox::DEFAULT_SCOPE);
        match fapi_jwt_assert::SigningKey::generate_p256() {
            Ok(key) => {
                sandbox.register_hws_client(TEST_CLIENT_ID, key.public_jwk().clone());
                println!("  test client id: {TEST_CLIENT_ID}");
                println!("  its P-256 key (a throw-away test key, registered for this run):");
                print!("{}", key.to_pkcs8_pem().expose_secret());
            }
            Err(e) => eprintln!("  (no test client: key generation failed: {e})"),
        }
        println!(
            "  more clients:   POST {{\"client_id\":\"...\",\"jwk\":{{...}}}} to {}/sandbox/clients\n",
            sandbox.hws_url()
        );
        println!("FirmaDocumentos 1.9");
        println!("  base URL:        {}", sandbox.firmadoc_url());
        println!("  consumer key:    {}", creds.consumer_key);
        // Printing the test secret is the point of this command: it is a public test value.
        println!("  consumer secret: {}", creds.expose_secret());
        println!("  env:             FIRMADOC_ENV={} FIRMADOC_CONSUMER_KEY={} FIRMADOC_CONSUMER_SECRET=...", sandbox.firmadoc_url(), creds.consumer_key);
        if tokio::signal::ctrl_c().await.is_err() {
            eprintln!("cannot wait for Ctrl-C; stopping");
        }
        sandbox.shutdown().await;
        ExitCode::SUCCESS
    })
}
