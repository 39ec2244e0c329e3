//! `cargo xtask demo`: the main job. It starts the offline sandbox of both
//! services in-process and runs the whole cycle with the real clients, with
//! no configuration and no credentials: an office's key, token, package,
//! submission and bulletin on the Hague side; a template, a two-signer
//! sending, webhooks, both signatures, the signed document and the trace on
//! the FirmaDocumentos side. It prints a transcript and exits 0 only if every
//! step checked out.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use firmadoc_client::model::{
    Country, DeviceInfo, EventSet, Page, RecipientAction, RecipientResponse, Sending, SendingCode,
    SendingKind, SignatureImage, SignatureKind, SignaturePlacement, Template, TemplateRef,
    WebhookDelivery, WebhookSubscription,
};
use firmadoc_client::webhook::{Receiver, WebhookSecret};
use hague_client::{PollPolicy, ProcessingStatus, Provider, SigningKey, TransportConfig, WeekId};

use crate::Result;
use crate::samples::{PDF, refusal_package};

/// A 1x1 PNG, as a signature image.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x02, 0x00,
    0x00, 0x05, 0x00, 0x01, 0xE9, 0xFA, 0xDC, 0xD8, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44,
    0xAE, 0x42, 0x60, 0x82,
];

/// The transcript: printed as it goes, and kept (the secret-hygiene test
/// searches it).
#[derive(Debug, Default)]
pub(crate) struct Transcript {
    step: usize,
    pub(crate) lines: Vec<String>,
}

impl Transcript {
    fn say(&mut self, line: String) {
        println!("{line}");
        self.lines.push(line);
    }

    fn step(&mut self, title: &str) {
        self.step += 1;
        self.say(format!("\n[{:>2}] {title}", self.step));
    }

    fn ok(&mut self, what: impl std::fmt::Display) {
        self.say(format!("     ok  {what}"));
    }

    fn check(&mut self, cond: bool, what: impl std::fmt::Display) -> Result<()> {
        if cond {
            self.ok(what);
            Ok(())
        } else {
            Err(format!("step {} failed: {what}", self.step).into())
        }
    }
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    if let Some(a) = args.first() {
        return Err(format!("`demo` takes no arguments, got `{a}`").into());
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut t = Transcript::default();
    rt.block_on(demo(sandbox::SandboxConfig::default(), &mut t))?;
    println!("\ndemo: every step checked out");
    Ok(())
}

/// What a demo run leaves for the secret-hygiene test.
#[derive(Debug)]
#[cfg_attr(not(test), allow(dead_code))] // read by the secret-hygiene test only
pub(crate) struct DemoRun {
    /// The work directory (every file the demo wrote).
    pub(crate) work: tempfile::TempDir,
    /// The private key file, the one file whose purpose is a secret.
    pub(crate) key_path: std::path::PathBuf,
    /// The FirmaDocumentos consumer secret.
    pub(crate) consumer_secret: String,
}

/// Runs the whole cycle against a sandbox started with `config` (its
/// delays are shortened here).
pub(crate) async fn demo(
    mut config: sandbox::SandboxConfig,
    t: &mut Transcript,
) -> Result<DemoRun> {
    let work = tempfile::tempdir()?;
    t.say(format!(
        "Offline sandbox of WIPO HWS and FirmaDocumentos 1.9 on 127.0.0.1; files in {}",
        work.path().display()
    ));
    config.hws_import_delay = Duration::from_millis(300);
    config.hws_registration_delay = Duration::from_millis(600);
    let sb = sandbox::Sandbox::start(config).await?;
    t.say(format!(
        "HWS issuer {}  API {}  FirmaDocumentos {}",
        sb.issuer(),
        sb.hws_api_url(),
        sb.firmadoc_url()
    ));

    // ---------------------------------------------------------------- HWS
    t.step("HWS: generate the office's P-256 key pair and certificate (Appendix A)");
    let key = SigningKey::generate_p256()?;
    let jwk = key.public_jwk().clone();
    let key_path = work.path().join("hague4offices_private.pem");
    write_private(&key_path, key.to_pkcs8_pem().expose_secret().as_bytes())?;
    let cert = key.self_signed_certificate(
        "DEMO",
        std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(sandbox_now()),
        fapi_jwt_assert::OPENSSL_DEFAULT_VALIDITY,
        &fapi_jwt_assert::SystemRandom::new(),
    )?;
    t.check(
        cert.starts_with("-----BEGIN CERTIFICATE-----"),
        "self-signed X.509 certificate, CN \"DEMO private_key_jwt authentication\"",
    )?;
    t.ok(format!(
        "private key written to {} (mode 0600)",
        key_path.display()
    ));
    t.ok(format!(
        "public JWK thumbprint (RFC 7638): {}",
        jwk.thumbprint()
    ));
    sb.register_hws_client("demo-office", jwk);
    t.ok("the sandbox registered the public key for client id demo-office, as WIPO would");

    t.step("HWS: discovery and a client_credentials token through a private_key_jwt assertion");
    let hws = hague_client::Client::new(
        hague_client::Config::new(
            sb.hws_api_url(),
            Provider::Discovery {
                issuer: sb.issuer(),
            },
            "demo-office",
            SigningKey::from_pem(&std::fs::read_to_string(&key_path)?)?,
        )?
        .scope(Some(sandbox::DEFAULT_SCOPE.into()))
        .transport(TransportConfig::default().allow_plain_http(true)),
    )?;
    hws.ping().await?;
    t.check(
        hws.token_requests_sent() == 1,
        "token issued (one token request); GET pingMe answered with it",
    )?;

    t.step("HWS: build and validate an import package (a refusal with its decision PDF)");
    let zip = refusal_package()?;
    let checked = hague_package::validate_package(
        &mut std::io::Cursor::new(&zip),
        &hague_package::ValidationOptions::default(),
        &hague_package::St96Inspector,
    )?;
    t.check(
        checked.report.is_valid(),
        format!(
            "package of {} bytes validates clean: {}",
            zip.len(),
            checked.report.to_string().trim()
        ),
    )?;

    t.step("HWS: submit it, wait for the service request number, then its status");
    let submission = hws.submit(zip).await?;
    let import_id = submission
        .import_id
        .ok_or("POST /request was accepted but the sandbox's reply has no import id")?;
    t.ok(format!("POST /request accepted: import id {import_id}"));
    let poll = PollPolicy::with_deadline(Duration::from_secs(30))
        .intervals(Duration::from_millis(100), Duration::from_millis(400));
    let import = hws.wait_for_service_request(&import_id, poll).await?;
    let srn = import.service_request_number.clone().unwrap_or_default();
    t.check(!srn.is_empty(), format!("service request number {srn}"))?;
    let status = hws
        .wait_for_status(&srn, &[ProcessingStatus::Registered], poll)
        .await?;
    t.check(
        status.processing_status == Some(ProcessingStatus::Registered),
        format!(
            "status Registered, international registration {}",
            status.registration_number.as_deref().unwrap_or("-")
        ),
    )?;

    t.step(
        "HWS: fetch last week's bulletin (the latest surely published), streaming to disk with a progress bar, and inspect it",
    );
    // The ISO week of a week ago: its Friday-evening publication has always passed,
    // whatever the day today (the sandbox answers 404 for unpublished weeks).
    let week = published_week(sandbox_now())?;
    let target = work.path().join(format!("bulletin-{week}.zip"));
    let bar = progress_bar();
    let download = hws
        .bulletin(week, &target, |p| {
            if let Some(total) = p.total {
                bar.set_length(total);
            }
            bar.set_position(p.received);
        })
        .await?;
    bar.finish_and_clear();
    t.ok(format!(
        "{} bytes, sha256 {}",
        download.bytes,
        download.sha256_hex()
    ));
    let mut bulletin = hague_package::Bulletin::open(
        std::fs::File::open(&target)?,
        &hague_package::Limits::default(),
    )?;
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut with_images = 0;
    for record in bulletin.records()? {
        let record = record?;
        *kinds.entry(format!("{:?}", record.kind)).or_default() += 1;
        with_images += usize::from(record.image_file_names().next().is_some());
    }
    let total: usize = kinds.values().sum();
    t.check(
        total > 0,
        format!(
            "{} ({total} records, {with_images} with images), XML {}",
            fmt_counts(&kinds),
            bulletin.xml_name()
        ),
    )?;

    t.step(
        "HWS: the office's worklist: registrations designating ES, nearest refusal deadline first",
    );
    let cache = work.path().join("bulletin-cache");
    let args = hague_cli::worklist::WorklistArgs {
        designating: "ES".into(),
        weeks: vec!["2026-W46".into(), "2026-W47".into()],
        since: None,
        refusal_period: None,
        include_passed: false,
        cache_dir: Some(cache.clone()),
    };
    let today = time::Date::from_calendar_date(2026, time::Month::November, 23)?;
    let report = hague_cli::worklist::worklist(&hws, &args, None, today, &|_| None)
        .await
        .map_err(|e| e.message)?;
    let listed = report.json["registrations"].as_array().map_or(0, Vec::len);
    for line in report.human.lines().take(4) {
        t.say(format!("    {line}"));
    }
    t.check(
        listed > 0 && report.json["fetched"].as_array().map_or(0, Vec::len) == 2,
        format!(
            "hague bulletin worklist --designating ES 2026-W46 2026-W47: {listed} registration(s), both weeks fetched into {}",
            cache.display()
        ),
    )?;

    // ---------------------------------------------------- FirmaDocumentos
    let creds = sb.firmadoc_credentials();
    let mut fd_config = firmadoc_client::ClientConfig::new(
        firmadoc_client::Environment::Custom(sb.firmadoc_url()),
        firmadoc_client::Credentials::new(creds.consumer_key.clone(), creds.expose_secret())?,
    );
    fd_config.transport = fd_config.transport.allow_plain_http(true);
    let fd = firmadoc_client::Client::new(fd_config)?;

    t.step("FirmaDocumentos: run a webhook receiver and subscribe it (echo handshake)");
    let received: Arc<Mutex<Vec<WebhookDelivery>>> = Arc::default();
    let r2 = Arc::clone(&received);
    let receiver = Receiver::new(
        WebhookSecret::new(creds.expose_secret())?,
        move |d: WebhookDelivery| {
            r2.lock().map(|mut v| v.push(d)).ok();
            async { Ok(()) }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook_url = format!(
        "http://{}/api/webhooks/incoming/custom",
        listener.local_addr()?
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(receiver.serve(listener, async move {
        let _ = stopped.await;
    }));
    fd.subscribe(&WebhookSubscription::new(
        hook_url.clone(),
        "A,F,R,C".parse::<EventSet>()?,
    )?)
    .await?;
    t.ok(format!(
        "subscribed {hook_url} to A,F,R,C; the echo handshake passed"
    ));

    t.step("FirmaDocumentos: create a two-signer multi-signature template");
    let template = Template::builder("Demo two signers")
        .orientation(firmadoc_client::model::Orientation::Vertical)
        .page_format(firmadoc_client::model::PageFormat::A4)
        .signature_size(2.0, 5.0)
        .multi_signature(2)
        .placement(SignaturePlacement::signature_at(
            1,
            Page::new(1)?,
            2.0,
            3.0,
        )?)
        .placement(SignaturePlacement::signature_at(
            2,
            Page::new(1)?,
            10.0,
            3.0,
        )?)
        .build()?;
    fd.set_template(&template).await?;
    t.ok("POST /send/Template: \"Demo two signers\", 2 recipients");

    t.step("FirmaDocumentos: send a PDF to two signers");
    let sending = Sending::builder()
        .subject("Demo contract 2026/47")
        .sender("Demo office")
        .recipients(["ana@example.es", "luis@example.es"])
        .sending_kind(SendingKind::Email)
        .signature_kind(SignatureKind::Handwritten)
        .expiry_days(10)
        .multi_signature(true)
        .country(Country::Spain)
        .template(TemplateRef::multi_signature("Demo two signers"))
        .document_pdf(PDF)
        .build()?;
    let created = fd
        .create_sending(&sending)
        .await?
        .into_typed("/send/Sending")?;
    t.check(created.len() == 1, "one multi-signature sending created")?;
    let envelope = created[0].envelope_code()?;
    t.ok(format!("sending code {envelope}"));

    t.step("FirmaDocumentos: both recipients open the document and sign");
    for recipient in 1..=2u8 {
        let code = SendingCode::parse(&format!("{envelope}{recipient:02X}"))?;
        let pdf = fd.document(&code, &device(recipient)).await?.bytes;
        t.check(
            pdf == PDF,
            format!(
                "recipient {recipient} fetched the document ({} bytes)",
                pdf.len()
            ),
        )?;
        let sign = RecipientResponse::new(
            RecipientAction::Sign(SignatureImage::new(PNG)?),
            device(recipient),
        )?;
        fd.respond(&code, &sign).await?;
        t.ok(format!("recipient {recipient} signed ({code})"));
    }
    let detail = fd
        .sending_detail(
            &SendingCode::parse(envelope.as_str())?,
            &DeviceInfo::default(),
        )
        .await?
        .into_typed("/send/Sending/{cod}")?;
    let signed = matches!(
        detail.state,
        Some(firmadoc_client::model::Received::Known(
            firmadoc_client::model::SendingState::Signed
        ))
    );
    t.check(signed, "the sending's state is F (signed by all)")?;

    t.step("FirmaDocumentos: receive and verify the webhook events");
    let wanted = |v: &Vec<WebhookDelivery>| {
        v.iter()
            .filter(|d| {
                d.notifications
                    .iter()
                    .any(|n| n.id2 == Some(0) && is_signed(n))
            })
            .count()
            > 0
    };
    for _ in 0..100 {
        if received.lock().map(|v| wanted(&v)).unwrap_or(false) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let events = received.lock().map(|v| v.clone()).unwrap_or_default();
    let mut summary = Vec::new();
    for d in &events {
        for n in &d.notifications {
            let action = match &n.action {
                Some(firmadoc_client::model::Received::Known(e)) => format!("{e:?}"),
                Some(firmadoc_client::model::Received::Unknown(code)) => code.clone(),
                None => "?".to_owned(),
            };
            let who = match n.id2 {
                Some(0) => "the whole sending".to_owned(),
                Some(r) => format!("recipient {r}"),
                None => "-".to_owned(),
            };
            summary.push(format!("{action} by {who}"));
        }
    }
    t.check(
        wanted(&events),
        format!(
            "{} verified deliveries (ms-signature checked): {}",
            events.len(),
            summary.join(", ")
        ),
    )?;
    t.ok(
        "the last signature produced two deliveries in a row: the recipient's F, then the whole sending's F (id2 0)",
    );

    t.step("FirmaDocumentos: download the signed document and the trace");
    let signed_path = work.path().join("signed.pdf");
    let n = fd
        .document_to_file(
            &SendingCode::parse(envelope.as_str())?,
            &DeviceInfo::default(),
            &signed_path,
        )
        .await?;
    t.check(
        std::fs::read(&signed_path)?.starts_with(b"%PDF"),
        format!(
            "signed document: {} bytes at {}",
            n.bytes,
            signed_path.display()
        ),
    )?;
    let trace_path = work.path().join("trace.pdf");
    let n = fd.trace_to_file(&envelope, &trace_path).await?;
    t.check(
        std::fs::read(&trace_path)?.starts_with(b"%PDF"),
        format!(
            "trace document: {} bytes at {}",
            n.bytes,
            trace_path.display()
        ),
    )?;

    let _ = stop.send(());
    server.await??;
    let consumer_secret = creds.expose_secret().to_owned();
    sb.shutdown().await;
    Ok(DemoRun {
        work,
        key_path,
        consumer_secret,
    })
}

fn is_signed(n: &firmadoc_client::model::Notification) -> bool {
    matches!(
        n.action,
        Some(firmadoc_client::model::Received::Known(
            firmadoc_client::model::WebhookEvent::Signed
        ))
    )
}

fn device(recipient: u8) -> DeviceInfo {
    DeviceInfo {
        os_name: "Chrome".into(),
        os_version: "131.0".into(),
        model: String::new(),
        username: format!("demo recipient {recipient}"),
        device_id: "127.0.0.1".into(),
    }
}

fn fmt_counts(kinds: &BTreeMap<String, usize>) -> String {
    kinds
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn progress_bar() -> indicatif::ProgressBar {
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "     {bar:40} {bytes}/{total_bytes} {bytes_per_sec}",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    }
}

#[allow(clippy::disallowed_methods)] // the demo's certificate is valid from now
fn sandbox_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The ISO week of the day seven days before `now` (Unix seconds): always published.
fn published_week(now: u64) -> Result<WeekId> {
    let then = time::OffsetDateTime::from_unix_timestamp(i64::try_from(now)? - 7 * 86_400)?;
    let (year, week, _) = then.date().to_iso_week_date();
    Ok(WeekId::new(u32::try_from(year)?, u32::from(week))?)
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(bytes)?;
    Ok(())
}
