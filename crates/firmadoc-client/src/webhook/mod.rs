//! The webhook receiver: verify `ms-signature`, answer the echo handshake,
//! parse deliveries, de-duplicate retries, and serve.
//!
//! A delivery whose `ms-signature` holds is never refused: a body the model
//! cannot type (`id2` as a string, say) is acknowledged and handed to the
//! handler with [`firmadoc_model::WebhookDelivery::untyped`] set (the reason
//! and the raw body), de-duplicated by `Id` like any other; without an `Id`,
//! by the SHA-256 of the body less its `Attempt`.
//!
//! A multi-signature sending whose last recipient signs yields **two**
//! events in a row (the guide): one for that recipient's signature (`id2` =
//! the recipient) and one, without a recipient, for the sending now signed by
//! all. Both arrive as notifications to handle; neither is a duplicate.

mod receiver;
mod store;
#[cfg(feature = "postgres")]
mod store_postgres;
#[cfg(feature = "sqlite")]
mod store_sqlite;
mod verify;

pub use receiver::{DEFAULT_MAX_BODY, Handler, HandlerError, HandlerFuture, Receiver, Reply};
pub use store::{
    Claim, Clock, DedupStore, MemoryStore, StoreError, StoreFuture, StoreOptions, system_clock,
};
#[cfg(feature = "postgres")]
pub use store_postgres::{DEFAULT_CONNECTIONS, PostgresStore};
#[cfg(feature = "sqlite")]
pub use store_sqlite::SqliteStore;
pub use verify::{
    ASPNET_SECRET_LENGTHS, Rejection, WebhookSecret, echo, verify_delivery, verify_headers,
    verify_signature,
};
