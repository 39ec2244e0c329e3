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
