#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod args;
mod config;
pub mod console;
pub mod doctor;
mod error;
mod exit;
pub mod output;
mod report;
mod secret;
mod startup;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{ConfigLocation, Origin, ProfileFile, config_location, layered, process_env};
pub use error::CliError;
pub use exit::ExitStatus;
pub use output::{OutputKind, OutputTarget, Staging, check_new_directory};
pub use report::{Report, finish, finish_to};
pub use secret::{SecretText, read_secret_file};
pub use startup::{block_on, main, main_with, usage_error_json, wants_json};

/// Whether `url` is `http://` or `https://` to a loopback host (`127.0.0.0/8`,
/// `::1`, `localhost`): the only place a tool allows plain `http`, so that
/// tests and local sandboxes work while real services keep TLS.
#[must_use]
pub fn is_loopback_url(url: &str) -> bool {
    // The `url` crate parses the authority as browsers and hyper do (user
    // info, IPv6 brackets, trailing dots), which a hand-written split would not.
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return false;
    }
    match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
