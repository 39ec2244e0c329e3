#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod error;
mod exit;
mod report;
mod secret;

pub use config::{ConfigLocation, Origin, ProfileFile, config_location, layered, process_env};
pub use error::CliError;
pub use exit::ExitStatus;
pub use report::Report;
pub use secret::{SecretText, read_secret_file};

/// Whether `url` is `http://` or `https://` to a loopback host (`127.0.0.0/8`,
/// `::1`, `localhost`): the only place a tool allows plain `http`, so that
/// tests and local sandboxes work while real services keep TLS.
#[must_use]
pub fn is_loopback_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    let Some(rest) = rest else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}
