//! `firmadoc doctor`: checks, in order, everything a first call needs, and says what to
//! do about each step that is not ok (see docs/cli.md, "`firmadoc doctor`").
//!
//! Steps: `configuration`, `dns`, `tcp`, `tls`, `clock`, `signed_call` (`GET
//! /admin/Budget`, read-only). A step whose prerequisite failed is `skipped`. The clock
//! step reads an injected clock; the OAuth 1.0 timestamps are the client's (the system
//! clock).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cli_support::doctor::{
    ClockThresholds, Doctor, Reach, Setting, Source, Step, configuration_step,
};
use cli_support::{CliError, ExitStatus, ProfileFile, Report, config_location};
use firmadoc_client::{Client, ClientConfig, Reply};
use http_transport::Clock;

use crate::cli::Global;
use crate::errors::from_client;
use crate::settings::{self, Profile, vars};

/// The steps, in the order they run.
pub const STEPS: [&str; 6] = ["configuration", "dns", "tcp", "tls", "clock", "signed_call"];

/// The clock thresholds: a warning from 30 s; a failure from 300 s, the window OAuth 1.0
/// servers commonly allow for `oauth_timestamp` (the guide states none: **inferred**; the
/// sandbox uses 300 s).
pub const CLOCK: ClockThresholds = ClockThresholds {
    warn: Duration::from_secs(30),
    fail: Duration::from_secs(300),
    why: "every call is signed with an OAuth 1.0 oauth_timestamp from this machine's clock, and the service refuses timestamps too far from its own (401)",
};

/// Runs every step with `clock` as this machine's time; the report fails (exit status of
/// the first failed step) when one did.
///
/// # Errors
/// None of its own: a failed step is in the report ([`Report::failure`]).
pub async fn doctor(
    global: &Global,
    env: &dyn Fn(&str) -> Option<String>,
    clock: Arc<dyn Clock>,
) -> Result<Report, CliError> {
    let mut d = Doctor::new(crate::TOOL);
    let shown = describe(global, env);
    let config = settings::resolve(global, env).and_then(|s| s.client_config());
    let secret_files: Vec<(&str, &std::path::Path)> = shown
        .secret_file
        .as_deref()
        .map(|p| vec![("consumer secret", p)])
        .unwrap_or_default();
    d.push(configuration_step(
        shown.file.as_deref(),
        shown.profile.as_deref(),
        &shown.settings,
        &secret_files,
        config.as_ref().map(|_| ()).map_err(Clone::clone),
    ));
    let Ok(config) = config else {
        for name in &STEPS[1..] {
            d.ready(name, &["configuration"]);
        }
        return Ok(d.into_report());
    };

    let base = config.environment.base_url().to_owned();
    let how = Reach {
        transport: &config.transport,
        extra_roots_file: None,
        extra_setting: None,
        url_hint: "check --env or FIRMADOC_ENV",
        clock: CLOCK,
    };
    d.reach(&[("API", base.as_str())], how, clock.as_ref())
        .await;
    if d.ready("signed_call", &["tcp", "tls"]) {
        let clock_off = d.clock_off();
        d.push(signed_call(config, clock_off).await);
    }
    Ok(d.into_report())
}

/// What the configuration step shows.
struct Shown {
    file: Option<PathBuf>,
    profile: Option<String>,
    settings: Vec<Setting>,
    secret_file: Option<PathBuf>,
}

/// Each setting with its source, read the way `settings::resolve` reads them.
fn describe(global: &Global, env: &dyn Fn(&str) -> Option<String>) -> Shown {
    let location = config_location("firmadoc", global.config.as_deref(), vars::CONFIG, env);
    let requested = global.profile.clone().or_else(|| env(vars::PROFILE));
    let file = location.as_ref().and_then(|l| ProfileFile::load(l).ok());
    let profile: Profile = file
        .as_ref()
        .and_then(|f| f.profile::<Profile>(requested.as_deref()).ok().flatten())
        .unwrap_or_default();
    let profile_name = file
        .as_ref()
        .and_then(|f| f.selected(requested.as_deref()).map(str::to_owned));
    let mut settings = vec![
        Setting::layered(
            "env",
            ("--env", global.environment.clone()),
            (vars::ENVIRONMENT, env(vars::ENVIRONMENT)),
            profile.env.clone(),
            Some("test"),
        ),
        Setting::layered(
            "consumer_key",
            ("--consumer-key", global.consumer_key.clone()),
            (vars::CONSUMER_KEY, env(vars::CONSUMER_KEY)),
            profile.consumer_key.clone(),
            None,
        ),
        Setting::layered(
            "signature_shape",
            ("--signature-shape", global.signature_shape.clone()),
            (vars::SIGNATURE_SHAPE, env(vars::SIGNATURE_SHAPE)),
            profile.signature_shape.clone(),
            Some("unescaped"),
        ),
    ];
    // The secret: never shown; where it came from, and its file.
    let profile_file = profile
        .consumer_secret_file
        .as_ref()
        .and_then(|p| file.as_ref().map(|f| f.resolve(p)));
    let (source, secret_file) = if env(vars::CONSUMER_SECRET).is_some() {
        (Source::Environment(vars::CONSUMER_SECRET.to_owned()), None)
    } else if let Some(p) = env(vars::CONSUMER_SECRET_FILE) {
        (
            Source::Environment(vars::CONSUMER_SECRET_FILE.to_owned()),
            Some(PathBuf::from(p)),
        )
    } else if let Some(p) = profile_file {
        (Source::Profile("consumer_secret_file".to_owned()), Some(p))
    } else {
        (Source::Unset, None)
    };
    let value = match (&source, &secret_file) {
        (Source::Unset, _) => None,
        (_, Some(p)) => Some(format!("(in {})", p.display())),
        _ => Some("(set, not shown)".to_owned()),
    };
    settings.push(Setting::new("consumer_secret", value, source));
    Shown {
        file: location.map(|l| l.path),
        profile: profile_name,
        settings,
        secret_file,
    }
}

/// The `signed_call` step: `GET /admin/Budget`, signed, read-only.
async fn signed_call(config: ClientConfig, clock_off: bool) -> Step {
    let client = match Client::new(config) {
        Ok(c) => c,
        Err(e) => return Step::from_error("signed_call", &from_client(&e)),
    };
    match client.budget().await {
        Ok(Reply::Typed(b)) => Step::ok(
            "signed_call",
            format!(
                "GET /admin/Budget accepted the signature: {} sendings left",
                b.0
            ),
        )
        .detail("sendings_left", b.0),
        Ok(other) => Step::ok(
            "signed_call",
            "GET /admin/Budget accepted the signature (its reply is not a number: kept raw)",
        )
        .detail("raw", other.raw_text()),
        Err(e) => {
            let mut err = from_client(&e);
            if let firmadoc_client::Error::Status { status, .. } = &e {
                if status.as_u16() == 403 {
                    err.status = ExitStatus::Authentication;
                    err.hint = "the signature was accepted but this consumer key may not read the plan (admin/Budget): ask FirmaDocumentos which operations the key is enabled for, and check it is the key of this environment".to_owned();
                }
            }
            if matches!(e, firmadoc_client::Error::Authentication { .. }) {
                err.hint = "the service refused the signature (401): check the consumer secret (FIRMADOC_CONSUMER_SECRET or the secret file) and the consumer key, that both belong to this environment (test and production have their own), and this machine's clock".to_owned();
            }
            if clock_off && err.status == ExitStatus::Authentication {
                err.hint = format!(
                    "the clock step found this machine's clock off: fix it first (oauth_timestamp comes from it); then: {}",
                    err.hint
                );
            }
            Step::from_error("signed_call", &err)
        }
    }
}
