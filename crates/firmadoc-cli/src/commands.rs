//! One function per subcommand that calls the service.

use std::path::Path;

use cli_support::{CliError, OutputTarget, Report, SecretText, read_secret_file};
use firmadoc_client::model::{
    AttachmentUpload, Certificate, DeviceInfo, EnvelopeCode, EventSet, LengthPolicy, NewUser,
    RecipientAction, RecipientResponse, Sending, SendingCode, SignatureImage, Template,
    TemplateRef, WebhookEvent, WebhookSubscription,
};
use firmadoc_client::{Client, Reply, Written};
use serde_json::json;

use crate::cli::{AttachArgs, DeviceArgs, RespondCommand, SendArgs, TemplateSetArgs, UserCommand};
use crate::errors::{from_client, from_code, from_model, read_file};
use crate::parse;
use crate::settings::vars;

fn policy(truncate: bool) -> LengthPolicy {
    if truncate {
        LengthPolicy::Truncate
    } else {
        LengthPolicy::Reject
    }
}

/// A sending or recipient code.
pub fn code(value: &str) -> Result<SendingCode, CliError> {
    SendingCode::parse(value).map_err(|e| from_code(&e))
}

/// The device information of the flags.
pub fn device(d: DeviceArgs) -> DeviceInfo {
    DeviceInfo {
        os_name: d.os_name.unwrap_or_default(),
        os_version: d.os_version.unwrap_or_default(),
        model: d.device_model.unwrap_or_default(),
        username: d.device_user.unwrap_or_default(),
        device_id: d.device_id.unwrap_or_default(),
    }
}

/// Builds the template from a file or flags, before any call.
pub fn template(args: TemplateSetArgs) -> Result<Template, CliError> {
    if let Some(path) = &args.file {
        return template_file(path);
    }
    let name = args.name.unwrap_or_default();
    let mut builder = Template::builder(name)
        .signature_size(args.signature_height, args.signature_width)
        .default_template(args.default)
        .length_policy(policy(args.truncate));
    if let Some(o) = &args.orientation {
        builder = builder.orientation(o.parse().map_err(|e| from_model(&e))?);
    }
    if let Some(f) = &args.format {
        builder = builder.page_format(f.parse().map_err(|e| from_model(&e))?);
    }
    if let Some(seal) = &args.seal {
        builder = builder.seal(
            read_file(seal, "seal image")?,
            args.seal_height,
            args.seal_width,
        );
    }
    if let Some(n) = args.multi_signature {
        builder = builder.multi_signature(n);
    }
    for spec in &args.placements {
        builder = builder.placement(parse::placement(spec)?);
    }
    if let Some(user) = args.user {
        builder = builder.user(user);
    }
    builder
        .build()
        .map_err(|e| from_model(&e))
        .inspect(|t| warn(t.warnings()))
}

/// Prints a body's warnings (what the guide does not forbid, but the user
/// should know) on standard error, one line each.
fn warn(warnings: &[firmadoc_client::model::ModelWarning]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

fn template_file(path: &Path) -> Result<Template, CliError> {
    let bytes = read_file(path, "template file")?;
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::invalid_input(
            format!("the template file {} is not UTF-8 text", path.display()),
            "save it as UTF-8 JSON or TOML",
        )
    })?;
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let hint = "use the guide's property names (NomPlantilla, Orientacion, CodFormato, AltoFirma, AnchoFirma, UbicacionFirmas...); see docs/cli.md";
    if is_toml {
        toml::from_str(&text).map_err(|e| {
            CliError::invalid_input(
                format!(
                    "the template file {} is not a valid template: {}",
                    path.display(),
                    e.message()
                ),
                hint,
            )
        })
    } else {
        serde_json::from_str(&text).map_err(|e| {
            CliError::invalid_input(
                format!(
                    "the template file {} is not a valid template: {e}",
                    path.display()
                ),
                hint,
            )
        })
    }
}

/// `template set`.
pub async fn template_set(client: &Client, template: &Template) -> Result<Report, CliError> {
    client
        .set_template(template)
        .await
        .map_err(|e| from_client(&e))?;
    Ok(Report::new(
        format!("template `{}` set", template.name()),
        json!({"template": template.name(), "set": true}),
    ))
}

/// Builds the sending, before any call.
pub fn sending(args: SendArgs) -> Result<Sending, CliError> {
    let pdf = read_file(&args.pdf, "PDF")?;
    let recipients: Vec<String> = args
        .recipients
        .iter()
        .flat_map(|r| r.split(','))
        .map(str::trim)
        .map(str::to_owned)
        .collect();
    if let Some(i) = recipients.iter().position(String::is_empty) {
        return Err(CliError::usage(
            format!("recipient {} of --to is empty", i + 1),
            "give one email or phone number per --to, or a comma-separated list without empty items",
        ));
    }
    let template = if args.multi_signature {
        TemplateRef::multi_signature(args.template)
    } else {
        TemplateRef::named(args.template)
    };
    let mut b = Sending::builder()
        .subject(args.subject)
        .sender(args.sender)
        .recipients(recipients)
        .sending_kind(parse::sending_kind(&args.kind)?)
        .expiry_days(args.expiry_days)
        .multi_signature(args.multi_signature)
        .priority(args.priority)
        .country(parse::country(&args.country)?)
        .template(template)
        .document_pdf(pdf)
        .length_policy(policy(args.truncate));
    if let Some(id) = args.customer_id {
        b = b.customer_id(id);
    }
    if let Some(s) = &args.signature {
        b = b.signature_kind(parse::signature_kind(s)?);
    }
    for a in args.attachments {
        b = b.attachment(a);
    }
    if let Some(u) = args.user {
        b = b.user(u);
    }
    b.build()
        .map_err(|e| from_model(&e))
        .inspect(|s| warn(s.warnings()))
}

/// `send`.
pub async fn send(client: &Client, sending: &Sending) -> Result<Report, CliError> {
    let reply = client
        .create_sending(sending)
        .await
        .map_err(|e| from_client(&e))?;
    let reply = match typed_or_raw("send", reply) {
        Ok(t) => t,
        Err(report) => return Ok(report),
    };
    let mut human = String::new();
    for r in &reply {
        let url = r.url.as_deref().unwrap_or_default();
        human.push_str(&format!(
            "sent: {}{}{}\n",
            r.code,
            if url.is_empty() { "" } else { " " },
            url
        ));
    }
    let sendings: Vec<serde_json::Value> = reply
        .iter()
        .map(|r| json!({"code": r.code.to_string(), "url": r.url}))
        .collect();
    Ok(Report::new(
        human.trim_end(),
        json!({"sendings": sendings, "raw": reply}),
    ))
}

/// `status CODE`.
pub async fn status(
    client: &Client,
    code: &SendingCode,
    device: &DeviceInfo,
) -> Result<Report, CliError> {
    let detail = client
        .sending_detail(code, device)
        .await
        .map_err(|e| from_client(&e))?;
    let detail = match typed_or_raw("status", detail) {
        Ok(t) => t,
        Err(report) => return Ok(report),
    };
    let state = detail
        .state
        .as_ref()
        .map_or_else(|| "unknown".to_owned(), ToString::to_string);
    let mut human = format!(
        "{}: state {state}, subject `{}`",
        detail.code,
        detail.subject.as_deref().unwrap_or_default()
    );
    for r in &detail.recipient_states {
        let state = r
            .state
            .as_ref()
            .map_or_else(|| "unknown".to_owned(), ToString::to_string);
        human.push_str(&format!(
            "\n  recipient {}: {} state {state}",
            r.recipient,
            r.address.as_deref().unwrap_or_default(),
        ));
    }
    let recipients: Vec<serde_json::Value> = detail
        .recipient_states
        .iter()
        .map(|r| {
            json!({
                "recipient": r.recipient,
                "address": r.address,
                "state": r.state.as_ref().map(ToString::to_string),
            })
        })
        .collect();
    let json = json!({
        "code": detail.code,
        "state": detail.state.as_ref().map(ToString::to_string),
        "subject": detail.subject,
        "recipients": recipients,
        "raw": serde_json::to_value(&detail).unwrap_or(serde_json::Value::Null),
    });
    Ok(Report::new(human, json))
}

/// `document CODE -o FILE`.
pub async fn document(
    client: &Client,
    code: &SendingCode,
    device: &DeviceInfo,
    output: &OutputTarget,
    verify_hash: bool,
) -> Result<Report, CliError> {
    let staging = output.staging()?;
    let bytes = if verify_hash {
        // CodHash comes from the detail: one more call, traced like `status`.
        let detail = client
            .sending_detail(code, device)
            .await
            .map_err(|e| from_client(&e))?;
        // A detail of unknown shape gives no CodHash: the check then fails clearly.
        let hash = detail.typed().and_then(|d| d.hash.as_deref());
        client
            .document_checked_to_file(code, device, hash, staging.path())
            .await
    } else {
        client.document_to_file(code, device, staging.path()).await
    }
    .map_err(|e| from_client(&e))?;
    staging.finish()?;
    Ok(written(output, bytes))
}

/// An envelope code (5 characters).
pub fn envelope(value: &str) -> Result<EnvelopeCode, CliError> {
    EnvelopeCode::parse(value).map_err(|e| from_code(&e))
}

/// `trace CODE -o FILE`.
pub async fn trace(
    client: &Client,
    code: &EnvelopeCode,
    output: &OutputTarget,
) -> Result<Report, CliError> {
    let staging = output.staging()?;
    let bytes = client
        .trace_to_file(code, staging.path())
        .await
        .map_err(|e| from_client(&e))?;
    staging.finish()?;
    Ok(written(output, bytes))
}

/// The report of a download. A body that was not base64 (the guide says it
/// is) was written unchanged: the report says so (`"base64": false`), and a
/// warning goes to stderr, but it is not a failure: the service has acted.
fn written(target: &OutputTarget, w: Written) -> Report {
    let Written { bytes, base64 } = w;
    let mut human = format!("wrote {bytes} bytes to {}", target.display());
    if !base64 {
        human.push_str(
            " (the reply was not base64 as the guide says: the raw body was written unchanged)",
        );
    }
    Report::new(
        human,
        json!({"path": target.json_path(), "bytes": bytes, "base64": base64}),
    )
    .on_stderr(target.is_stdout())
}

/// The typed reply, or the report of a 2xx reply of unknown shape: the call
/// succeeded (the service has acted), and the reply is printed raw, under the
/// `raw` JSON key, with `"untyped": true` and the reason it did not type.
fn typed_or_raw<T>(command: &str, reply: Reply<T>) -> Result<T, Report> {
    let reason = match reply {
        Reply::Typed(t) => return Ok(t),
        Reply::Raw { ref reason, .. } => reason.clone(),
        _ => String::new(),
    };
    let raw = reply.raw_text().unwrap_or_default();
    Err(Report::new(
        format!(
            "{command}: the service accepted the call, but its reply has a shape the client does not know ({reason}); raw reply:\n{raw}"
        ),
        json!({"untyped": true, "reason": reason, "raw": raw}),
    ))
}

/// Builds the upload of `attach`, before any call.
pub fn attachment(args: AttachArgs) -> Result<(SendingCode, AttachmentUpload), CliError> {
    let code = code(&args.code)?;
    if args.order > args.photos {
        return Err(CliError::invalid_input(
            format!(
                "--order {} is past --photos {}: an attachment of {} image(s) has images 1 to {}",
                args.order, args.photos, args.photos, args.photos
            ),
            "give --photos the number of images of the attachment, and --order this image's place (from 1)",
        ));
    }
    let image = read_file(&args.image, "image")?;
    if image_kind(&image).is_none() {
        return Err(CliError::invalid_input(
            format!(
                "{} is not an image (not PNG, JPEG, GIF, BMP, TIFF, WebP or HEIC)",
                args.image.display()
            ),
            "attach a photo or scan of the document (the service joins the images into the attachment); nothing was sent",
        ));
    }
    let file_name = args.file_name.unwrap_or_else(|| {
        args.image
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let upload = AttachmentUpload::new(
        args.attachment_id,
        args.order,
        args.photos,
        image,
        file_name,
    );
    Ok((code, upload))
}

/// The image format of `bytes`, by its signature: PNG, JPEG, GIF, BMP, TIFF,
/// WebP or HEIC/HEIF. The guide names no format for `Imagen`; these are the
/// formats phones and scanners produce (a choice of the tool, documented in docs/cli.md).
pub fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if starts(b"\xff\xd8\xff") {
        Some("jpeg")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("gif")
    } else if starts(b"BM") && bytes.len() > 14 {
        Some("bmp")
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Some("tiff")
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("webp")
    } else if bytes.get(4..8) == Some(b"ftyp")
        && matches!(
            bytes.get(8..12),
            Some(b"heic" | b"heix" | b"mif1" | b"msf1" | b"heif")
        )
    {
        Some("heic")
    } else {
        None
    }
}

/// `attach`.
pub async fn attach(
    client: &Client,
    code: &SendingCode,
    upload: &AttachmentUpload,
) -> Result<Report, CliError> {
    client
        .upload_attachment(code, upload)
        .await
        .map_err(|e| from_client(&e))?;
    Ok(Report::new(
        format!(
            "uploaded image {} of {} for attachment {}",
            upload.order, upload.photo_count, upload.attachment_id
        ),
        json!({"code": code.to_string(), "attachment_id": upload.attachment_id, "order": upload.order, "photos": upload.photo_count, "uploaded": true}),
    ))
}

/// Builds the response, before any call.
///
/// The certificate's password of `respond certificate` is read through `env`
/// (`FIRMADOC_CERTIFICATE_PASSWORD`) or from `--password-file`.
pub fn response(
    cmd: RespondCommand,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(SendingCode, RecipientResponse, &'static str), CliError> {
    let (value, action, d, verb) = match cmd {
        RespondCommand::Sign {
            code,
            image,
            device,
        } => {
            let png = read_file(&image, "signature image")?;
            let image = SignatureImage::new(png).map_err(|e| from_model(&e))?;
            (code, RecipientAction::Sign(image), device, "signed")
        }
        RespondCommand::Reject {
            code,
            reason,
            device,
        } => (code, RecipientAction::Reject { reason }, device, "rejected"),
        RespondCommand::Certificate {
            code,
            pkcs12,
            password_file,
            device,
        } => {
            let bytes = read_file(&pkcs12, "PKCS#12 certificate")?;
            let password = certificate_password(password_file.as_deref(), env)?;
            let certificate = Certificate::new(bytes, password.expose());
            (
                code,
                RecipientAction::SignWithCertificate(certificate),
                device,
                "signed with a certificate",
            )
        }
        RespondCommand::Simple { code, name, device } => (
            code,
            RecipientAction::SimpleSign {
                name: name.unwrap_or_default(),
            },
            device,
            "signed (simple signature)",
        ),
    };
    let code = code(&value)?;
    let response = RecipientResponse::new(action, device(d)).map_err(|e| from_model(&e))?;
    Ok((code, response, verb))
}

fn certificate_password(
    file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<SecretText, CliError> {
    if let Some(path) = file {
        return read_secret_file(path, "certificate password");
    }
    env(vars::CERTIFICATE_PASSWORD)
        .map(SecretText::new)
        .ok_or_else(|| {
            CliError::usage(
                "no password is given for the certificate",
                "export FIRMADOC_CERTIFICATE_PASSWORD, or name a file holding it (mode 0600) with --password-file",
            )
        })
}

/// `respond`.
pub async fn respond(
    client: &Client,
    code: &SendingCode,
    response: &RecipientResponse,
    verb: &str,
) -> Result<Report, CliError> {
    client
        .respond(code, response)
        .await
        .map_err(|e| from_client(&e))?;
    Ok(Report::new(
        format!("{code}: {verb}"),
        json!({"code": code.to_string(), "operation": response.action().operation().code()}),
    ))
}

/// The dates of `summary`, checked before any call.
pub fn dates(from: &str, to: &str) -> Result<(time::Date, time::Date), CliError> {
    let (from, to) = (parse::date(from)?, parse::date(to)?);
    if to < from {
        return Err(CliError::invalid_input(
            format!("the end date {to} is before the start date {from}"),
            "give --from the earlier day and --to the later one",
        ));
    }
    Ok((from, to))
}

/// `summary`.
pub async fn summary(
    client: &Client,
    from: time::Date,
    to: time::Date,
) -> Result<Report, CliError> {
    let s = client
        .summary(from, to)
        .await
        .map_err(|e| from_client(&e))?;
    let s = match typed_or_raw("summary", s) {
        Ok(t) => t,
        Err(report) => return Ok(report),
    };
    Ok(Report::new(
        format!(
            "sent {}, pending {}, signed {}, rejected {}, expired {}",
            s.sent, s.pending, s.signed, s.rejected, s.expired
        ),
        json!({"from": from.to_string(), "to": to.to_string(), "sent": s.sent, "pending": s.pending,
               "signed": s.signed, "rejected": s.rejected, "expired": s.expired}),
    ))
}

/// `budget`.
pub async fn budget(client: &Client) -> Result<Report, CliError> {
    let b = client.budget().await.map_err(|e| from_client(&e))?;
    let b = match typed_or_raw("budget", b) {
        Ok(t) => t,
        Err(report) => return Ok(report),
    };
    Ok(Report::new(
        format!("{} sendings left", b.0),
        json!({"sendings_left": b.0}),
    ))
}

/// Builds the user, before any call.
pub fn new_user(cmd: &UserCommand) -> Result<NewUser, CliError> {
    let UserCommand::Add {
        name,
        email,
        truncate,
    } = cmd;
    NewUser::new(name.clone(), email.clone(), policy(*truncate))
        .map_err(|e| from_model(&e))
        .inspect(|u| warn(u.warnings()))
}

/// `user add`. The generated password is the point of the call, so it is printed
/// (to stdout only, never in an error).
pub async fn user_add(client: &Client, user: &NewUser) -> Result<Report, CliError> {
    let created = client
        .create_user(user)
        .await
        .map_err(|e| from_client(&e))?;
    let email = created
        .email
        .clone()
        .unwrap_or_else(|| user.email().to_owned());
    // The reply's shape is vague in the guide: a password not found as such is shown raw.
    let password = created
        .password
        .as_ref()
        .or(created.raw.as_ref())
        .map(|p| p.expose().to_owned())
        .unwrap_or_default();
    Ok(Report::new(
        format!("created {email}; password: {password}"),
        json!({"name": created.name, "email": email, "password": password}),
    ))
}

/// The event of `webhook test`.
pub fn event(value: &str) -> Result<WebhookEvent, CliError> {
    parse::event(value)
}

/// Builds the subscription, before any call.
pub fn subscription(url: &str, events: &str) -> Result<WebhookSubscription, CliError> {
    let events: EventSet = events.parse().map_err(|e| from_model(&e))?;
    WebhookSubscription::new(url, events).map_err(|e| from_model(&e))
}

/// `webhook subscribe`.
pub async fn subscribe(client: &Client, s: &WebhookSubscription) -> Result<Report, CliError> {
    client.subscribe(s).await.map_err(|e| from_client(&e))?;
    Ok(Report::new(
        format!("subscribed {} to {}", s.url(), s.events()),
        json!({"url": s.url(), "events": s.events().to_string(), "subscribed": true}),
    ))
}

/// `webhook unsubscribe`.
pub async fn unsubscribe(client: &Client) -> Result<Report, CliError> {
    client.unsubscribe().await.map_err(|e| from_client(&e))?;
    Ok(Report::new("unsubscribed", json!({"unsubscribed": true})))
}

/// `webhook test EVENT`.
pub async fn test_webhook(client: &Client, event: WebhookEvent) -> Result<Report, CliError> {
    client
        .test_webhook(event)
        .await
        .map_err(|e| from_client(&e))?;
    Ok(Report::new(
        format!("asked for a test `{}` event", event.code()),
        json!({"event": event.code(), "requested": true}),
    ))
}
