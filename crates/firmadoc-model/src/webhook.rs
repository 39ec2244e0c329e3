//! Webhooks: the subscription body and the event payload the service posts.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::date::ReceivedDate;
use crate::enums::WebhookEvent;
use crate::error::ModelError;
use crate::received::Received;

/// A set of webhook events, written comma-separated (`"F,R"`, `"A,F,R,C"`).
///
/// The guide says the order does not matter; the crate writes them in the order A, F, R, C.
/// Reading is strict (unknown codes are refused) but forgiving of spaces around codes and of
/// repeated codes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventSet(BTreeSet<WebhookEvent>);

impl EventSet {
    /// Every event: A, F, R, C.
    pub fn all() -> Self {
        Self(
            <WebhookEvent as crate::received::WireCode>::ALL
                .iter()
                .copied()
                .collect(),
        )
    }

    /// Whether the set holds `event`.
    pub fn contains(&self, event: WebhookEvent) -> bool {
        self.0.contains(&event)
    }

    /// The events, in the order A, F, R, C.
    pub fn iter(&self) -> impl Iterator<Item = WebhookEvent> + '_ {
        self.0.iter().copied()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<WebhookEvent> for EventSet {
    fn from_iter<I: IntoIterator<Item = WebhookEvent>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl fmt::Display for EventSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(e.code())?;
        }
        Ok(())
    }
}

impl FromStr for EventSet {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::parse)
            .collect()
    }
}

impl Serialize for EventSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Where and which events to deliver (body of `POST /webhooks/Subscribe`). Both properties
/// are always sent, as the guide requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SubscriptionWire")]
pub struct WebhookSubscription {
    #[serde(rename = "Url")]
    url: String,
    #[serde(rename = "Eventos")]
    events: EventSet,
}

impl WebhookSubscription {
    /// A subscription.
    ///
    /// # Errors
    /// [`ModelError::InvalidUrl`] unless `url` is an absolute `http` or `https` URL with a
    /// host; [`ModelError::NoEvents`] for an empty set.
    pub fn new(url: impl Into<String>, events: EventSet) -> Result<Self, ModelError> {
        let url = url.into();
        let invalid = |reason: String| ModelError::InvalidUrl {
            value: url.clone(),
            reason,
        };
        let parsed = url::Url::parse(&url).map_err(|e| invalid(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid(format!("the scheme is `{}`", parsed.scheme())));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(invalid("there is no host".to_owned()));
        }
        if events.is_empty() {
            return Err(ModelError::NoEvents);
        }
        Ok(Self { url, events })
    }

    /// `Url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `Eventos`.
    #[doc(alias = "Eventos")]
    pub fn events(&self) -> &EventSet {
        &self.events
    }
}

#[derive(Deserialize)]
struct SubscriptionWire {
    #[serde(rename = "Url")]
    url: String,
    #[serde(rename = "Eventos")]
    events: EventSet,
}

impl TryFrom<SubscriptionWire> for WebhookSubscription {
    type Error = ModelError;
    fn try_from(w: SubscriptionWire) -> Result<Self, Self::Error> {
        Self::new(w.url, w.events)
    }
}

/// One webhook delivery, as FirmaDocumentos posts it (ASP.NET WebHooks "Custom" payload).
///
/// The guide gives only a schema; the value formats are not public. `Attempt` is 1 on the
/// first try and grows on retries while `Id` stays the same (ASP.NET WebHooks sender; see
/// `webhooks-fixtures.md`), so `Id` is the idempotency key. Verify the `ms-signature` header
/// on the raw bytes before parsing: this type does not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// `Id`: the delivery's id, the same across retries.
    #[serde(rename = "Id")]
    pub id: String,
    /// `Attempt`: 1, 2, 3…
    #[serde(rename = "Attempt", default)]
    pub attempt: i64,
    /// `Properties`: the subscription's properties; omitted by the sender when it has none.
    #[serde(
        rename = "Properties",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub properties: Option<Map<String, Value>>,
    /// `Notifications`: the events.
    #[serde(rename = "Notifications", default)]
    pub notifications: Vec<Notification>,
    /// Set when a verified body could not be typed in full (see
    /// [`WebhookDelivery::from_verified_body`]): why, and the body as received. Written
    /// (as `untyped`) only when set; never read from JSON.
    #[serde(
        rename = "untyped",
        default,
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    pub untyped: Option<UntypedBody>,
}

/// A verified delivery body that the model could not type in full, kept as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UntypedBody {
    /// Why typing failed (the JSON reader's message).
    pub reason: String,
    /// The body, byte for byte as received and verified.
    pub raw: Vec<u8>,
}

impl Serialize for UntypedBody {
    /// `{"reason": …, "raw": "<the body as text>"}`, or `"raw_base64"` when the body is not
    /// UTF-8.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use base64::Engine as _;
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("reason", &self.reason)?;
        match std::str::from_utf8(&self.raw) {
            Ok(text) => map.serialize_entry("raw", text)?,
            Err(_) => map.serialize_entry(
                "raw_base64",
                &base64::engine::general_purpose::STANDARD.encode(&self.raw),
            )?,
        }
        map.end()
    }
}

impl WebhookDelivery {
    /// Reads a body whose `ms-signature` was verified, and never fails: once the sender has
    /// proved the body is FirmaDocumentos', refusing it would only make the sender retry the
    /// same bytes until it gives up, and the event would be lost.
    ///
    /// A body that reads as the guide's schema is returned typed, with `untyped` `None`. Any
    /// other body (a property of another type than the guide shows, say `id2` as a string;
    /// not JSON at all) is returned with [`WebhookDelivery::untyped`] set to the reason and
    /// the raw bytes, and with what could still be read: `Id` (a string, or a number as its
    /// text; empty when missing), `Attempt`, `Properties`, and every notification that reads
    /// on its own. An unknown `Action` is not a failure: it is kept as
    /// [`Received::Unknown`].
    pub fn from_verified_body(body: &[u8]) -> Self {
        let reason = match serde_json::from_slice::<Self>(body) {
            Ok(typed) => return typed,
            Err(e) => e.to_string(),
        };
        let value = serde_json::from_slice::<Value>(body).ok();
        let field = |name: &str| value.as_ref().and_then(|v| v.get(name));
        let id = match field("Id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let attempt = field("Attempt").and_then(Value::as_i64).unwrap_or_default();
        let properties = field("Properties").and_then(Value::as_object).cloned();
        let notifications = field("Notifications")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|n| serde_json::from_value(n.clone()).ok())
                    .collect()
            })
            .unwrap_or_default();
        Self {
            id,
            attempt,
            properties,
            notifications,
            untyped: Some(UntypedBody {
                reason,
                raw: body.to_vec(),
            }),
        }
    }

    /// Whether the body was typed in full.
    pub fn is_typed(&self) -> bool {
        self.untyped.is_none()
    }
}

/// One event of a [`WebhookDelivery`].
///
/// **Inferred:** the guide does not say what `id`, `id2` and `date` hold. By the guide's
/// remark that the last signature of a multi-signature sending produces two events, "one
/// naming the recipient and one without", `id` is presumably the sending code and `id2` the
/// recipient id (0 for the whole sending). `Action` is read as a [`WebhookEvent`] code when
/// it is one (A, F, R, C) and kept as received otherwise. Unknown properties land in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// `Action`: the event.
    #[serde(rename = "Action", default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Received<WebhookEvent>>,
    /// `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `id2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id2: Option<i64>,
    /// `date`, kept as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<ReceivedDate>,
    /// `comment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Properties the guide does not list, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
