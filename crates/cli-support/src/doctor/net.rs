//! DNS, TCP and TLS reach of the hosts a tool talks to, and their `Date`.

use std::time::{Duration, Instant, SystemTime};

use http_transport::{TlsFailure, Transport, TransportConfig};
use serde_json::json;

use super::cert::{CertificateInfo, EXPIRY_WARNING, expiry_status};
use super::clock::DateSample;
use super::{Status, Step};
use crate::exit::ExitStatus;

/// A host a tool talks to, and for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// What it is for (`API`, `issuer`); several when they share the host.
    pub roles: Vec<String>,
    /// The host name or address, as in the URL (IPv6 without brackets).
    pub host: String,
    /// The port (the scheme's default when the URL has none).
    pub port: u16,
    /// Whether the URL is `https`.
    pub https: bool,
    /// A URL of it (for the `Date` request).
    pub url: String,
}

impl Endpoint {
    /// The endpoints of `(role, url)` pairs, one per distinct scheme, host and
    /// port (their roles joined).
    ///
    /// # Errors
    /// A URL that has no host.
    pub fn from_urls(urls: &[(&str, &str)]) -> Result<Vec<Self>, String> {
        let mut out: Vec<Self> = Vec::new();
        for (role, url) in urls {
            let parsed =
                url::Url::parse(url.trim()).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
            let host = match parsed.host() {
                Some(url::Host::Ipv6(ip)) => ip.to_string(),
                Some(h) => h.to_string(),
                None => return Err(format!("`{url}` has no host")),
            };
            let https = parsed.scheme() == "https";
            let port = parsed
                .port_or_known_default()
                .ok_or_else(|| format!("`{url}` has no port"))?;
            if let Some(e) = out
                .iter_mut()
                .find(|e| e.host == host && e.port == port && e.https == https)
            {
                e.roles.push((*role).to_owned());
                continue;
            }
            out.push(Self {
                roles: vec![(*role).to_owned()],
                host,
                port,
                https,
                url: url.trim().to_owned(),
            });
        }
        Ok(out)
    }

    /// `API, issuer 127.0.0.1:8443`.
    #[must_use]
    pub fn label(&self) -> String {
        format!("{} {}", self.roles.join(", "), self.authority())
    }

    fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// The `dns` step: every endpoint's host resolves (an IP address resolves to itself).
pub async fn dns_step(endpoints: &[Endpoint], timeout: Duration) -> Step {
    let mut lines = Vec::new();
    let mut hosts = Vec::new();
    let mut failure = None;
    for e in endpoints {
        let lookup =
            tokio::time::timeout(timeout, tokio::net::lookup_host((e.host.as_str(), e.port))).await;
        match lookup {
            Ok(Ok(addrs)) => {
                let addrs: Vec<String> = addrs.map(|a| a.ip().to_string()).collect();
                lines.push(format!("{} -> {}", e.label(), addrs.join(", ")));
                hosts.push(json!({"host": e.host, "roles": e.roles, "addresses": addrs}));
            }
            Ok(Err(err)) => {
                lines.push(format!("{}: {err}", e.label()));
                hosts.push(json!({"host": e.host, "roles": e.roles, "error": err.to_string()}));
                failure.get_or_insert_with(|| {
                    format!("cannot resolve {} ({}): {err}", e.host, e.roles.join(", "))
                });
            }
            Err(_) => {
                lines.push(format!("{}: no answer within {:?}", e.label(), timeout));
                hosts.push(json!({"host": e.host, "roles": e.roles, "error": "timeout"}));
                failure.get_or_insert_with(|| {
                    format!("no DNS answer for {} within {timeout:?}", e.host)
                });
            }
        }
    }
    let step = match failure {
        Some(f) => Step::failed(
            "dns",
            ExitStatus::Network,
            f,
            "check the host name in the URL (a typo?), this machine's DNS resolver (/etc/resolv.conf) and the network",
        ),
        None => Step::ok("dns", format!("{} host(s) resolved", endpoints.len())),
    };
    step.lines(lines).detail("hosts", hosts)
}

/// The `tcp` step: a TCP connection opens to every endpoint.
pub async fn tcp_step(endpoints: &[Endpoint], timeout: Duration) -> Step {
    let mut lines = Vec::new();
    let mut hosts = Vec::new();
    let mut failure = None;
    for e in endpoints {
        let started = Instant::now();
        let connect = tokio::time::timeout(
            timeout,
            tokio::net::TcpStream::connect((e.host.as_str(), e.port)),
        )
        .await;
        let ms = started.elapsed().as_millis();
        match connect {
            Ok(Ok(stream)) => {
                let peer = stream
                    .peer_addr()
                    .map(|a| a.to_string())
                    .unwrap_or_default();
                lines.push(format!("{}: connected to {peer} in {ms} ms", e.label()));
                hosts.push(json!({"host": e.host, "port": e.port, "roles": e.roles, "peer": peer, "millis": ms}));
            }
            Ok(Err(err)) => {
                lines.push(format!("{}: {err}", e.label()));
                hosts.push(json!({"host": e.host, "port": e.port, "roles": e.roles, "error": err.to_string()}));
                failure.get_or_insert_with(|| {
                    format!(
                        "cannot connect to {} ({}): {err}",
                        e.authority(),
                        e.roles.join(", ")
                    )
                });
            }
            Err(_) => {
                lines.push(format!("{}: no connection within {timeout:?}", e.label()));
                hosts.push(
                    json!({"host": e.host, "port": e.port, "roles": e.roles, "error": "timeout"}),
                );
                failure.get_or_insert_with(|| {
                    format!("no connection to {} within {timeout:?}", e.authority())
                });
            }
        }
    }
    let step = match failure {
        Some(f) => Step::failed(
            "tcp",
            ExitStatus::Network,
            f,
            "check the port in the URL, that the server is up, and firewalls or the proxy on the way (the tools use no proxy)",
        ),
        None => Step::ok("tcp", format!("{} host(s) reachable", endpoints.len())),
    };
    step.lines(lines).detail("hosts", hosts)
}

/// Which roots `config` trusts, in words: `webpki (Mozilla) roots + 1 extra root from FILE`.
#[must_use]
pub fn roots_in_use(config: &TransportConfig, extra_roots_file: Option<&str>) -> String {
    let builtin = match format!("{:?}", config.get_roots()).as_str() {
        "WebPki" => "the webpki (Mozilla) roots compiled in",
        "Native" => "the operating system's roots",
        _ => "no built-in roots",
    };
    let extra = config.extra_root_count();
    match (extra, extra_roots_file) {
        (0, _) => builtin.to_owned(),
        (n, Some(f)) => format!("{builtin} + {n} extra root(s) from {f}"),
        (n, None) => format!("{builtin} + {n} extra root(s)"),
    }
}

fn tls_hint(failure: Option<TlsFailure>, extra_setting: Option<&str>) -> String {
    let add = extra_setting.map_or_else(
        || "this tool trusts only the built-in roots".to_owned(),
        |s| format!("if the server uses a private or test CA (a sandbox started with --tls), give its PEM with {s}"),
    );
    match failure {
        Some(TlsFailure::UnknownIssuer) => format!(
            "the server's certificate chain does not lead to a trusted root: {add}; a TLS-inspecting proxy also causes this"
        ),
        Some(TlsFailure::Expired) => "the server's certificate has expired or is not valid yet: check this machine's clock, then tell the service's operator".to_owned(),
        Some(TlsFailure::WrongName) => "the certificate is not valid for this host name: check the host in the URL (use the name the service gave, not an IP address or alias)".to_owned(),
        _ => format!("the TLS handshake failed: check the URL's port is the HTTPS one; {add}"),
    }
}

/// The `tls` step: a handshake with each `https` endpoint, its chain verified
/// with the roots `config` trusts (named in the step), and the leaf's expiry
/// (a warning within [`EXPIRY_WARNING`]). Skipped when no URL is `https`
/// (plain `http`, which the tools allow only to loopback hosts).
/// `extra_setting` names how the user adds roots (`--extra-root-ca-file`).
pub async fn tls_step(
    endpoints: &[Endpoint],
    config: &TransportConfig,
    extra_roots_file: Option<&str>,
    extra_setting: Option<&str>,
    now: SystemTime,
) -> Step {
    let roots = roots_in_use(config, extra_roots_file);
    if !endpoints.iter().any(|e| e.https) {
        return Step::not_applicable(
            "tls",
            "plain http (allowed only to loopback hosts): no TLS to check",
        )
        .detail("roots", roots);
    }
    let mut lines = vec![format!("trusted roots: {roots}")];
    let mut hosts = Vec::new();
    let mut failure: Option<Step> = None;
    let mut warning: Option<(String, String)> = None;
    for e in endpoints.iter().filter(|e| e.https) {
        match http_transport::probe_tls(config, &e.host, e.port).await {
            Err(err) => {
                lines.push(format!("{}: {err}", e.label()));
                hosts.push(json!({"host": e.host, "port": e.port, "roles": e.roles, "error": err.to_string()}));
                if failure.is_none() {
                    let kind = err.tls_failure();
                    failure = Some(Step::failed(
                        "tls",
                        ExitStatus::Network,
                        format!(
                            "the TLS handshake with {} ({}) failed: {}",
                            e.authority(),
                            e.roles.join(", "),
                            short_tls_reason(&err)
                        ),
                        tls_hint(kind, extra_setting),
                    ));
                }
            }
            Ok(peer) => {
                let leaf = peer
                    .certificates
                    .first()
                    .map(|c| CertificateInfo::from_der(c));
                let mut host = json!({
                    "host": e.host, "port": e.port, "roles": e.roles,
                    "protocol": peer.protocol, "cipher_suite": peer.cipher_suite,
                    "chain_length": peer.certificates.len(),
                });
                match leaf {
                    Some(Ok(info)) => {
                        let (status, text) = expiry_status(&info, now, EXPIRY_WARNING);
                        lines.push(format!(
                            "{}: {} verified, {}; leaf {} issued by {}, {text}",
                            e.label(),
                            peer.protocol.as_deref().unwrap_or("TLS"),
                            format_args!("{} certificate(s)", peer.certificates.len()),
                            info.subject,
                            info.issuer
                        ));
                        host["subject"] = info.subject.clone().into();
                        host["issuer"] = info.issuer.clone().into();
                        host["not_after"] = info.not_after_text().into();
                        if status != Status::Ok && warning.is_none() {
                            warning = Some((
                                format!("the certificate of {} {text}", e.authority()),
                                "nothing to do on this side unless it lapses: tell the service's operator; then check this machine's clock".to_owned(),
                            ));
                        }
                    }
                    Some(Err(why)) => lines.push(format!(
                        "{}: verified; the leaf cannot be read: {why}",
                        e.label()
                    )),
                    None => lines.push(format!("{}: verified; no certificate seen", e.label())),
                }
                hosts.push(host);
            }
        }
    }
    let step = match (failure, warning) {
        (Some(f), _) => f,
        (None, Some((summary, hint))) => Step::warning("tls", summary, hint),
        (None, None) => Step::ok("tls", format!("certificate chain(s) verified with {roots}")),
    };
    step.lines(lines)
        .detail("roots", roots)
        .detail("hosts", hosts)
}

/// The innermost cause of a TLS error, for a one-line summary.
fn short_tls_reason(e: &http_transport::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// `GET url` without credentials, for its `Date` header (whatever the status):
/// the server's time, and this machine's when the answer arrived.
///
/// # Errors
/// Why no `Date` came: the request failed, or the header is missing or unreadable.
pub async fn server_date(
    transport: &Transport,
    url: &str,
    clock: &dyn http_transport::Clock,
) -> Result<(SystemTime, SystemTime), String> {
    let request = http_transport::Request::get(url, "(doctor: Date)").map_err(|e| e.to_string())?;
    let response = transport.send(&request).await.map_err(|e| e.to_string())?;
    let local = clock.now();
    let date = response
        .headers()
        .get(http_transport::http::header::DATE)
        .ok_or_else(|| "the answer has no Date header".to_owned())?;
    let text = date
        .to_str()
        .map_err(|_| "the Date header is not text".to_owned())?;
    let server = httpdate::parse_http_date(text)
        .map_err(|_| format!("the Date header `{text}` is not an HTTP date"))?;
    Ok((server, local))
}

/// The `Date` of each endpoint: a plain `GET` of its URL, without credentials,
/// over a transport built from `config` (its roots and timeouts).
pub async fn date_samples(
    config: &TransportConfig,
    endpoints: &[Endpoint],
    clock: &dyn http_transport::Clock,
) -> Vec<DateSample> {
    let transport = match Transport::new(config.clone()) {
        Ok(t) => t,
        Err(e) => {
            return endpoints
                .iter()
                .map(|ep| DateSample {
                    server: ep.label(),
                    date: Err(e.to_string()),
                    local: clock.now(),
                })
                .collect();
        }
    };
    let mut samples = Vec::new();
    for e in endpoints {
        let result = server_date(&transport, &e.url, clock).await;
        samples.push(DateSample {
            server: e.label(),
            local: result.as_ref().map_or_else(|_| clock.now(), |(_, l)| *l),
            date: result.map(|(s, _)| s),
        });
    }
    samples
}
