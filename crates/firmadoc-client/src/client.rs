//! The client: one typed method per endpoint of the guide.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use firmadoc_model::{
    AttachmentUpload, Budget, CreatedUser, DeviceInfo, EnvelopeCode, NewUser, RecipientResponse,
    SendingCode, SendingDetail, SendingReply, Template, UsageSummary, WebhookEvent,
    WebhookSubscription,
};
use http::Method;
use http::header::{CONTENT_TYPE, HeaderValue};
use http_transport::{Decision, Jitter, Outcome, RandomJitter, RetryPolicy, Transport};
use oauth1_sign::{Body, Configure as _, Signer};
use serde::Serialize;

use crate::config::ClientConfig;
use crate::decode::{check_md5, decode_base64_reply, service_message, write_atomically};
use crate::error::Error;
use crate::reply::{Download, Reply, Written, json_reply};

/// Whether a call may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// A read: retried under the transport's policy, signed anew each time.
    Read,
    /// Creates or changes something, or records a trace entry: never retried.
    Never,
}

/// The FirmaDocumentos 1.9 client.
///
/// Every call is signed with OAuth 1.0 HMAC-SHA1, the `oauth_*` parameters in
/// the query string as the guide's examples do. JSON bodies go out as
/// `Content-Type: text/plain`, exactly as the guide's (Postman-generated)
/// examples send them: a `text/plain` body is never part of an OAuth 1.0
/// signature, so client and server agree on what is signed, and the service
/// is known to accept it.
#[derive(Debug, Clone)]
pub struct Client {
    base: Arc<str>,
    signer: Signer,
    transport: Transport,
    policy: RetryPolicy,
    jitter: Arc<dyn Jitter>,
}

impl Client {
    /// A client for `config`.
    ///
    /// # Errors
    /// [`Error::Transport`] if the TLS configuration cannot be built.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        // Retries are run here, not in the transport, so that every attempt
        // carries a fresh nonce and timestamp.
        let policy = config.transport.get_retry_policy();
        let transport = Transport::new(config.transport.retry_policy(RetryPolicy::never()))?;
        let signer = Signer::new(config.credentials).signature_shape(config.signature_shape);
        Ok(Self {
            base: config.environment.base_url().into(),
            signer,
            transport,
            policy,
            jitter: Arc::new(RandomJitter),
        })
    }

    /// `POST /send/Template`: creates or changes a template (by its name).
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn set_template(&self, template: &Template) -> Result<(), Error> {
        log_warnings("/send/Template", template.warnings());
        self.post_json("/send/Template", "/send/Template", template, Retry::Never)
            .await
            .map(drop)
    }

    /// `POST /send/Sending`: creates a sending, or one per recipient when it is
    /// not multi-signature; returns every created sending. Never retried: a
    /// retry could send the same document twice.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn create_sending(
        &self,
        sending: &firmadoc_model::Sending,
    ) -> Result<Reply<SendingReply>, Error> {
        log_warnings("/send/Sending", sending.warnings());
        let body = self
            .post_json("/send/Sending", "/send/Sending", sending, Retry::Never)
            .await?;
        Ok(json_reply("/send/Sending", body))
    }

    /// `POST /send/Sending/{cod}`: the sending's detail, for the envelope or
    /// one recipient. The device info goes into the trace while the sending is pending.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn sending_detail(
        &self,
        code: &SendingCode,
        device: &DeviceInfo,
    ) -> Result<Reply<SendingDetail>, Error> {
        let path = format!("/send/Sending/{code}");
        let body = self
            .post_json(&path, "/send/Sending/{cod}", device, Retry::Never)
            .await?;
        Ok(json_reply("/send/Sending/{cod}", body))
    }

    /// `POST /send/Document/{cod}`: the PDF, decoded from the base64 string the service returns.
    /// A body that is not base64 is returned unchanged with [`Download::base64`] `false`:
    /// after the 2xx the call is in the trace, so it is never reported as a failure.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn document(
        &self,
        code: &SendingCode,
        device: &DeviceInfo,
    ) -> Result<Download, Error> {
        let path = format!("/send/Document/{code}");
        let body = self
            .post_json(&path, "/send/Document/{cod}", device, Retry::Never)
            .await?;
        Ok(decode_base64_reply("/send/Document/{cod}", body))
    }

    /// As [`Client::document`], written to `target` through a temporary file
    /// renamed when complete. Returns the byte count and whether the body was
    /// base64; a body that was not is written **unchanged** (raw bytes) and
    /// reported with [`Written::base64`] `false`.
    ///
    /// # Errors
    /// See [`Error`]; [`Error::Io`] if the file cannot be written.
    pub async fn document_to_file(
        &self,
        code: &SendingCode,
        device: &DeviceInfo,
        target: &Path,
    ) -> Result<Written, Error> {
        let doc = self.document(code, device).await?;
        write_download(target, &doc).await
    }

    /// As [`Client::document`], checked against `cod_hash`, the sending
    /// detail's `CodHash` (the MD5 of the PDF, "para verificar la integridad
    /// del documento"; read it with [`Client::sending_detail`], whose
    /// [`firmadoc_model::SendingDetail::hash`] it is). Hex in either case and
    /// base64 are accepted, compared case-insensitively. A body that was not
    /// base64 is checked as received (its raw bytes). This is the one download
    /// that may fail after a 2xx, because the caller asked for the check.
    ///
    /// On a **pending** sending the document call is written to the legal
    /// trace and fires the opened event (A), as [`Client::document`] does.
    ///
    /// # Errors
    /// See [`Error`]; [`Error::Integrity`] when the MD5 differs from
    /// `cod_hash`, or `cod_hash` is `None`, empty or not an MD5.
    pub async fn document_checked(
        &self,
        code: &SendingCode,
        device: &DeviceInfo,
        cod_hash: Option<&str>,
    ) -> Result<Download, Error> {
        let pdf = self.document(code, device).await?;
        check_md5(&pdf.bytes, cod_hash).map_err(|reason| Error::Integrity {
            code: code.to_string(),
            reason,
        })?;
        Ok(pdf)
    }

    /// As [`Client::document_checked`], written to `target` atomically only
    /// when the check passes. Returns the byte count.
    ///
    /// # Errors
    /// See [`Client::document_checked`]; [`Error::Io`] if the file cannot be written.
    pub async fn document_checked_to_file(
        &self,
        code: &SendingCode,
        device: &DeviceInfo,
        cod_hash: Option<&str>,
        target: &Path,
    ) -> Result<Written, Error> {
        let pdf = self.document_checked(code, device, cod_hash).await?;
        write_download(target, &pdf).await
    }

    /// `POST /send/Attachment/{cod}`: uploads one image of a requested attachment.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn upload_attachment(
        &self,
        code: &SendingCode,
        upload: &AttachmentUpload,
    ) -> Result<(), Error> {
        let path = format!("/send/Attachment/{code}");
        self.post_json(&path, "/send/Attachment/{cod}", upload, Retry::Never)
            .await
            .map(drop)
    }

    /// `POST /send/AddresseeResponse/{cod}`: sign, reject, sign with a
    /// certificate, or sign simply, as the recipient.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn respond(
        &self,
        code: &SendingCode,
        response: &RecipientResponse,
    ) -> Result<(), Error> {
        let path = format!("/send/AddresseeResponse/{code}");
        self.post_json(
            &path,
            "/send/AddresseeResponse/{cod}",
            response,
            Retry::Never,
        )
        .await
        .map(drop)
    }

    /// `GET /send/Trace/{cod}`: the trace document, decoded from base64; a
    /// body that is not base64 is returned unchanged, as [`Client::document`] does.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn trace(&self, code: &EnvelopeCode) -> Result<Download, Error> {
        let path = format!("/send/Trace/{code}");
        let body = self
            .call(Method::GET, &path, "/send/Trace/{cod}", None, Retry::Read)
            .await?;
        Ok(decode_base64_reply("/send/Trace/{cod}", body))
    }

    /// As [`Client::trace`], written to `target` atomically (a body that was
    /// not base64 is written unchanged). Returns the byte count and the flag.
    ///
    /// # Errors
    /// See [`Error`]; [`Error::Io`] if the file cannot be written.
    pub async fn trace_to_file(
        &self,
        code: &EnvelopeCode,
        target: &Path,
    ) -> Result<Written, Error> {
        let doc = self.trace(code).await?;
        write_download(target, &doc).await
    }

    /// `GET /admin/Summary/{fromdate}/{todate}`: counts of sendings by state.
    ///
    /// The guide gives no date format. The dates are written `YYYY-MM-DD`
    /// (ISO 8601), which .NET's route binding parses under every culture and
    /// which needs no escaping in a path. **Inferred**, to be confirmed on the
    /// test environment.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn summary(
        &self,
        from: time::Date,
        to: time::Date,
    ) -> Result<Reply<UsageSummary>, Error> {
        if to < from {
            return Err(Error::Config(format!(
                "the summary's end date {} is before its start {}",
                iso(to),
                iso(from)
            )));
        }
        let path = format!("/admin/Summary/{}/{}", iso(from), iso(to));
        let body = self
            .call(
                Method::GET,
                &path,
                "/admin/Summary/{fromdate}/{todate}",
                None,
                Retry::Read,
            )
            .await?;
        Ok(json_reply("/admin/Summary/{fromdate}/{todate}", body))
    }

    /// `GET /admin/Budget`: the sendings left in the contracted plan. The
    /// guide says only "Content-Type: integer"; a body the model cannot read
    /// as a number is returned as [`Reply::Raw`].
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn budget(&self) -> Result<Reply<Budget>, Error> {
        let body = self
            .call(
                Method::GET,
                "/admin/Budget",
                "/admin/Budget",
                None,
                Retry::Read,
            )
            .await?;
        // The model reads the guide's "Content-Type: integer" body (bare, or quoted).
        let parsed = std::str::from_utf8(&body)
            .map_err(|e| e.to_string())
            .and_then(|t| t.parse::<Budget>().map_err(|e| e.to_string()));
        Ok(match parsed {
            Ok(b) => Reply::Typed(b),
            Err(reason) => {
                tracing::warn!(%reason, "the /admin/Budget reply is returned raw");
                Reply::Raw { reason, body }
            }
        })
    }

    /// `/admin/Users`: creates an administrator user. The guide documents
    /// this as a **GET with a JSON body**, which is sent as documented; it is
    /// never retried, since it creates something. Use
    /// [`Client::create_user_with_method`] if the service turns out to want `POST`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn create_user(&self, user: &NewUser) -> Result<CreatedUser, Error> {
        self.create_user_with_method(user, Method::GET).await
    }

    /// As [`Client::create_user`] with another HTTP method.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn create_user_with_method(
        &self,
        user: &NewUser,
        method: Method,
    ) -> Result<CreatedUser, Error> {
        log_warnings("/admin/Users", user.warnings());
        let json = serde_json::to_vec(user)
            .map_err(|e| Error::Config(format!("cannot serialise the user: {e}")))?;
        let body = self
            .call(
                method,
                "/admin/Users",
                "/admin/Users",
                Some(json),
                Retry::Never,
            )
            .await?;
        // The user exists once the service said 2xx: the vague reply is read, never refused.
        Ok(CreatedUser::from_reply(&body))
    }

    /// `POST /webhooks/Subscribe`: sets the webhook URL and events.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn subscribe(&self, subscription: &WebhookSubscription) -> Result<(), Error> {
        self.post_json(
            "/webhooks/Subscribe",
            "/webhooks/Subscribe",
            subscription,
            Retry::Never,
        )
        .await
        .map(drop)
    }

    /// `POST /webhooks/Unsubscribe`: removes the webhook configuration.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn unsubscribe(&self) -> Result<(), Error> {
        self.call(
            Method::POST,
            "/webhooks/Unsubscribe",
            "/webhooks/Unsubscribe",
            None,
            Retry::Never,
        )
        .await
        .map(drop)
    }

    /// `POST /webhooks/Test/{evento}`: makes the service send a test event.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn test_webhook(&self, event: WebhookEvent) -> Result<(), Error> {
        let path = format!("/webhooks/Test/{}", event.code());
        self.call(
            Method::POST,
            &path,
            "/webhooks/Test/{evento}",
            None,
            Retry::Never,
        )
        .await
        .map(drop)
    }

    async fn post_json<T: Serialize + ?Sized>(
        &self,
        path: &str,
        template: &'static str,
        body: &T,
        retry: Retry,
    ) -> Result<Bytes, Error> {
        let json = serde_json::to_vec(body)
            .map_err(|e| Error::Config(format!("cannot serialise the body: {e}")))?;
        self.call(Method::POST, path, template, Some(json), retry)
            .await
    }

    /// Signs and sends one call, retrying reads under the policy with a new
    /// signature each time, and maps the status to a typed error.
    async fn call(
        &self,
        method: Method,
        path: &str,
        template: &'static str,
        body: Option<Vec<u8>>,
        retry: Retry,
    ) -> Result<Bytes, Error> {
        let url = format!("{}{path}", self.base);
        let body = body.map(Bytes::from);
        let started = Instant::now();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let kind = if body.is_some() {
                Body::Opaque
            } else {
                Body::None
            };
            // `sign_now` is oauth1-sign's prepared path (the request's fixed
            // parts kept in the signer, shared by the client's clones): the
            // figure of its benchmark is what each call pays.
            let signed = self
                .signer
                .sign_now(&oauth1_sign::Request::new(method.as_str(), &url).body(kind))?;
            let mut request = http_transport::Request::new(method.clone(), signed.url(), template)?;
            if let Some(b) = &body {
                request = request
                    .header(CONTENT_TYPE, HeaderValue::from_static("text/plain"))
                    .body(b.clone());
            }
            let result = self.transport.send(&request).await;
            let outcome = match &result {
                Ok(r) => Outcome::Response {
                    status: r.status(),
                    headers: r.headers(),
                },
                Err(http_transport::Error::Connect { .. }) => Outcome::ConnectFailed,
                Err(_) => Outcome::OtherFailure,
            };
            let decision = match retry {
                Retry::Read => self.policy.decide(
                    &method,
                    outcome,
                    attempts,
                    started.elapsed(),
                    now(),
                    &*self.jitter,
                ),
                Retry::Never => Decision::Stop(http_transport::StopReason::NotIdempotent),
            };
            if let Decision::RetryAfter(wait) = decision {
                tracing::debug!(template, attempts, ?wait, "retrying a read");
                tokio::time::sleep(wait).await;
                continue;
            }
            return check_status(template, result?);
        }
    }
}

/// Each of a body's [`firmadoc_model::ModelWarning`]s (what the guide does not
/// forbid but the caller should know) as one `tracing::warn!` event, before
/// the body is sent.
fn log_warnings(operation: &'static str, warnings: &[firmadoc_model::ModelWarning]) {
    for warning in warnings {
        tracing::warn!(operation, %warning, "the body is sent as built");
    }
}

#[allow(clippy::disallowed_methods)] // the wall clock resolves a Retry-After date
fn now() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn check_status(
    operation: &'static str,
    response: http_transport::Response,
) -> Result<Bytes, Error> {
    let status = response.status();
    let body = response.into_body();
    match status.as_u16() {
        200..=299 => Ok(body),
        401 => Err(Error::Authentication { operation }),
        418 => Err(Error::Service {
            operation,
            message: service_message(&body),
        }),
        _ => {
            let end = body.len().min(http_transport::STATUS_EXCERPT_LEN);
            Err(Error::Status {
                operation,
                status,
                excerpt: String::from_utf8_lossy(&body[..end]).into_owned(),
            })
        }
    }
}

async fn write_download(target: &Path, doc: &Download) -> Result<Written, Error> {
    let bytes = write_atomically(target, &doc.bytes).await?;
    Ok(Written {
        bytes,
        base64: doc.base64,
    })
}
