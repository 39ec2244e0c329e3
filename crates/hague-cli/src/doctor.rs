//! `hague doctor`: checks, in order, everything a first call needs, and says what to do
//! about each step that is not ok (see docs/cli.md, "`hague doctor`").
//!
//! Steps: `configuration`, `dns`, `tcp`, `tls`, `clock`, `discovery`, `token`, `ping`,
//! `certificate`. A step whose prerequisite failed is `skipped`. The clock is the one
//! `run` is given, ticking ([`StartedClock`]): the skew is measured and the client
//! assertion signed with the same clock, so a test can shift both.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cli_support::doctor::{
    CertificateInfo, ClockThresholds, Doctor, Reach, Setting, StartedClock, Status, Step,
    configuration_step, expiry_status, pem_certificates,
};
use cli_support::{CliError, ExitStatus, Report, config_location};
use fapi_jwt_assert::{Advertised, Algorithm, DiscoveryError};
use hague_client::{Client, Provider};
use http_transport::Clock as _;

use crate::cli::Global;
use crate::errors::from_client;
use crate::keygen::CERTIFICATE_FILE;
use crate::settings::{self, vars};

/// The steps, in the order they run.
pub const STEPS: [&str; 9] = [
    "configuration",
    "dns",
    "tcp",
    "tls",
    "clock",
    "discovery",
    "token",
    "ping",
    "certificate",
];

/// A clock difference from which the step warns: JWT `iat` checks usually allow a
/// few seconds of leeway.
pub const CLOCK_WARN: Duration = Duration::from_secs(5);

/// Warn this long before the `keygen` certificate expires: 14 days, so that a new one
/// made with Appendix A's openssl default (30 days) is green for its first 16 days, and
/// there are two weeks to have a new one registered with WIPO.
pub const CERTIFICATE_WARNING: Duration = Duration::from_secs(14 * 24 * 3600);

/// Runs every step; the report fails (exit status of the first failed step) when one did.
///
/// # Errors
/// None of its own: a failed step is in the report ([`Report::failure`]).
pub async fn doctor(
    global: &Global,
    env: &dyn Fn(&str) -> Option<String>,
    now: SystemTime,
) -> Result<Report, CliError> {
    let clock = Arc::new(StartedClock::new(now));
    let mut d = Doctor::new(crate::TOOL);

    // 1. Configuration: where each value came from, the key file's mode, and what the
    //    tool's own reading of it says.
    let shown = describe(global, env);
    let config = settings::client_config(global, env);
    let key_files: Vec<(&str, &Path)> = shown
        .key_file
        .as_deref()
        .map(|p| vec![("private key", p)])
        .unwrap_or_default();
    d.push(configuration_step(
        shown.file.as_deref(),
        shown.profile.as_deref(),
        &shown.settings,
        &key_files,
        config.as_ref().map(|_| ()).map_err(Clone::clone),
    ));
    let config = match config {
        Ok(c) => c.clock(clock.clone()),
        Err(_) => {
            for name in &STEPS[1..] {
                d.ready(name, &["configuration"]);
            }
            return Ok(d.into_report());
        }
    };

    // 2. Reach: DNS, TCP, TLS of the API host and the issuer's (and a token endpoint
    //    given by hand).
    let mut urls = vec![("API", config.api_base().to_owned())];
    urls.push(("issuer", config.provider().issuer().to_owned()));
    if let Provider::TokenEndpoint { token_endpoint, .. } = config.provider() {
        urls.push(("token endpoint", token_endpoint.clone()));
    }
    let pairs: Vec<(&str, &str)> = urls.iter().map(|(r, u)| (*r, u.as_str())).collect();
    let how = Reach {
        transport: config.get_transport(),
        extra_roots_file: shown.extra_roots.as_deref(),
        extra_setting: Some("--extra-root-ca-file or HAGUE_EXTRA_ROOT_CA_FILE"),
        url_hint: "check --api-base-url and --issuer",
        // 3. The clock against each server's `Date`.
        clock: ClockThresholds {
            warn: CLOCK_WARN,
            fail: config.get_assertion_options().lifetime,
            why: "the client assertion is valid for its lifetime from this machine's time (iat, exp), so a clock off by the lifetime or more sends assertions that have expired or are not valid yet",
        },
    };
    d.reach(&pairs, how, clock.as_ref()).await;

    // 4. Discovery, a token, pingMe.
    let key_path = shown.key_file.clone();
    let client = match Client::new(config) {
        Ok(c) => Some(c),
        Err(e) => {
            d.push(Step::from_error("discovery", &from_client(&e)));
            None
        }
    };
    if let Some(client) = client {
        if d.ready("discovery", &["tcp", "tls"]) {
            d.push(discovery(&client).await);
        }
        if d.ready("token", &["discovery"]) {
            let clock_off = d.clock_off();
            d.push(token(&client, clock_off).await);
        }
        if d.ready("ping", &["token"]) {
            d.push(match client.ping().await {
                Ok(()) => Step::ok("ping", "GET /pingMe answered with the token"),
                Err(e) => Step::from_error("ping", &from_client(&e)),
            });
        }
    }

    // 5. The certificate `hague keygen` made beside the key.
    if let Some(key) = key_path {
        d.push(certificate(&key, clock.now()));
    }
    Ok(d.into_report())
}

/// What the configuration step shows.
struct Shown {
    file: Option<PathBuf>,
    profile: Option<String>,
    settings: Vec<Setting>,
    key_file: Option<PathBuf>,
    extra_roots: Option<String>,
}

/// What `hague-client` uses for a setting left unset, as the doctor shows it.
fn default_of(key: &str) -> Option<&'static str> {
    match key {
        "token_endpoint" => Some("discovery"),
        "audience" => Some("token-endpoint"),
        "assertion_lifetime" => Some("60"),
        "assertion_kid" => Some("none"),
        "assertion_typ" => Some("JWT"),
        _ => None,
    }
}

/// Each setting with its source, read the way `settings::client_config` reads them
/// (flag, then `HAGUE_*`, then the profile).
fn describe(global: &Global, env: &dyn Fn(&str) -> Option<String>) -> Shown {
    let location = config_location("hague", global.config.as_deref(), vars::CONFIG, env);
    let requested = global.profile.clone().or_else(|| env(vars::PROFILE));
    let (profile, file) = settings::profile(global, env).unwrap_or_default();
    let profile_name = file
        .as_ref()
        .and_then(|f| f.selected(requested.as_deref()).map(str::to_owned));
    let mut rows = settings::layers(global, &profile, file.as_ref());
    // The key file, read apart by `client_config`, is shown before the extra roots.
    let key = settings::key_file_layer(global, &profile, file.as_ref());
    let at = rows
        .iter()
        .position(|l| l.key == "extra_root_ca_file")
        .unwrap_or(rows.len());
    rows.insert(at, key);
    let mut settings = Vec::new();
    let (mut key_file, mut extra_roots) = (None, None);
    for l in rows {
        let setting = Setting::layered(
            l.key,
            (l.flag, l.flag_value),
            (l.var, env(l.var)),
            l.profile_value,
            default_of(l.key),
        );
        match l.key {
            "private_key_file" => key_file = setting.value.clone().map(PathBuf::from),
            "extra_root_ca_file" => extra_roots.clone_from(&setting.value),
            _ => {}
        }
        settings.push(setting);
    }
    Shown {
        file: location.map(|l| l.path),
        profile: profile_name,
        settings,
        key_file,
        extra_roots,
    }
}

fn advertised(a: Advertised) -> &'static str {
    match a {
        Advertised::Yes => "yes",
        Advertised::No => "no",
        _ => "not stated",
    }
}

/// The `discovery` step: the issuer matches, the token endpoint, and what the provider
/// advertises for `private_key_jwt` and ES256.
async fn discovery(client: &Client) -> Step {
    let metadata = match client.provider_metadata().await {
        Ok(m) => m,
        Err(hague_client::Error::Discovery {
            source: DiscoveryError::IssuerMismatch { expected, found },
            ..
        }) => {
            // A configuration error (exit 2), as every subcommand reports it.
            return Step::failed(
                "discovery",
                ExitStatus::Usage,
                format!("the provider's discovery document says issuer `{found}`, but `{expected}` is configured"),
                format!("set the issuer to exactly `{found}` (--issuer or HAGUE_ISSUER, character for character) if this is the right provider; otherwise fix the issuer URL"),
            )
            .detail("expected_issuer", expected)
            .detail("found_issuer", found);
        }
        Err(e) => return Step::from_error("discovery", &from_client(&e)),
    };
    let pkj = metadata.private_key_jwt();
    let es256 = metadata.signing_algorithm(Algorithm::Es256);
    let list = |l: Option<&[String]>| l.map_or_else(|| "(not stated)".to_owned(), |l| l.join(", "));
    let es256_offered = pkj == Advertised::Yes && es256 == Advertised::Yes;
    let summary = format!(
        "issuer `{}` matches; ES256 for private_key_jwt {}",
        metadata.issuer(),
        if es256_offered {
            "is offered"
        } else {
            "is not advertised"
        }
    );
    let step = if pkj == Advertised::No || es256 == Advertised::No {
        Step::warning(
            "discovery",
            summary,
            "the provider does not advertise private_key_jwt with ES256, which the guide asks for; a token may still come (some providers accept more than they advertise): if the token step fails, ask WIPO which method the client is registered for",
        )
    } else {
        Step::ok("discovery", summary)
    };
    step.line(format!("token endpoint: {}", metadata.token_endpoint()))
        .line(format!(
            "token_endpoint_auth_methods_supported: {} (private_key_jwt: {})",
            list(metadata.token_endpoint_auth_methods()),
            advertised(pkj)
        ))
        .line(format!(
            "token_endpoint_auth_signing_alg_values_supported: {} (ES256: {})",
            list(metadata.token_endpoint_signing_algorithms()),
            advertised(es256)
        ))
        .detail("issuer", metadata.issuer())
        .detail("token_endpoint", metadata.token_endpoint())
        .detail(
            "token_endpoint_auth_methods_supported",
            metadata
                .token_endpoint_auth_methods()
                .map(<[String]>::to_vec),
        )
        .detail(
            "token_endpoint_auth_signing_alg_values_supported",
            metadata
                .token_endpoint_signing_algorithms()
                .map(<[String]>::to_vec),
        )
        .detail("private_key_jwt", advertised(pkj))
        .detail("es256", advertised(es256))
        .detail("es256_offered_for_private_key_jwt", es256_offered)
}

/// The `token` step: `client_credentials` with the `private_key_jwt` assertion.
async fn token(client: &Client, clock_off: bool) -> Step {
    match client.token_info().await {
        Ok(info) => Step::ok(
            "token",
            format!(
                "the provider issued a {} token{}{}",
                info.token_type,
                info.expires_in
                    .map(|s| format!(", valid {s} s"))
                    .unwrap_or_default(),
                info.scope
                    .as_deref()
                    .map(|s| format!(", scope {s}"))
                    .unwrap_or_default()
            ),
        )
        .detail("token_type", info.token_type.clone())
        .detail("expires_in", info.expires_in)
        .detail("scope", info.scope),
        Err(e) => {
            let mut err = from_client(&e);
            if clock_off && err.status == ExitStatus::Authentication {
                err.hint = format!(
                    "the clock step found this machine's clock off: fix it first (the assertion's iat and exp come from it); then: {}",
                    err.hint
                );
            }
            Step::from_error("token", &err)
        }
    }
}

/// The `certificate` step: `es256_cert.pem` beside the key (where `hague keygen` writes
/// it), and how long it stays valid.
fn certificate(key: &Path, now: SystemTime) -> Step {
    let dir = key
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let path = dir.join(CERTIFICATE_FILE);
    let shown = path.display().to_string();
    let pem = match std::fs::read(&path) {
        Ok(p) => p,
        Err(e) => {
            return Step::warning(
                "certificate",
                format!("cannot read {shown} ({e}): its expiry is not checked"),
                format!("keep the certificate registered with WIPO beside the key as {CERTIFICATE_FILE} (where `hague keygen` writes it), so that doctor warns before it expires"),
            )
            .detail("path", shown);
        }
    };
    let info = pem_certificates(&pem).and_then(|c| {
        c.first()
            .map(|c| CertificateInfo::from_der(c))
            .unwrap_or_else(|| Err("empty".to_owned()))
    });
    let info = match info {
        Ok(i) => i,
        Err(why) => {
            return Step::warning(
                "certificate",
                format!("{shown} is not a readable certificate: {why}"),
                "make a new key and certificate with `hague keygen` and register the certificate with WIPO",
            )
            .detail("path", shown);
        }
    };
    let (status, text) = expiry_status(&info, now, CERTIFICATE_WARNING);
    let summary = format!("{shown} ({}) {text}", info.subject);
    let step = match status {
        Status::Ok => Step::ok("certificate", summary),
        _ => Step::warning(
            "certificate",
            summary,
            "make a new key pair and certificate (`hague keygen --days N`; Appendix A's openssl default is 30 days), send the certificate to WIPO (hague.it@wipo.int) and switch to the new key once WIPO confirms; the guide does not say whether WIPO refuses an expired certificate",
        ),
    };
    step.detail("path", shown)
        .detail("subject", info.subject.clone())
        .detail("not_after", info.not_after_text())
}
