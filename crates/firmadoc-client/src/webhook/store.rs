//! De-duplication of deliveries by `Id`: the sender retries with the same
//! `Id` until it gets a 2xx, so the `Id` is the idempotency key.

use std::collections::HashMap;
use std::sync::Mutex;

/// What the store says about an `Id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Never seen: the caller now owns it and must call `complete` or `release`.
    New,
    /// Already handled: acknowledge without calling the handler again.
    Done,
    /// Being handled by another request right now: ask the sender to retry later.
    InProgress,
}

/// A store of delivery ids. Make it durable (a file, a database) to survive
/// restarts without handling an acknowledged event twice.
pub trait DedupStore: Send + Sync + std::fmt::Debug {
    /// Claims `id` for handling.
    fn claim(&self, id: &str) -> Claim;
    /// Records that `id` was handled (called before the 2xx is sent).
    ///
    /// # Errors
    /// A store that cannot record it; the delivery is then not acknowledged.
    fn complete(&self, id: &str) -> std::io::Result<()>;
    /// Gives `id` back after the handler failed, so that a retry is handled.
    fn release(&self, id: &str);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    InProgress,
    Done,
}

/// The default store: in memory, lost on restart.
#[derive(Debug, Default)]
pub struct MemoryStore(Mutex<HashMap<String, State>>);

impl MemoryStore {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, State>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl DedupStore for MemoryStore {
    fn claim(&self, id: &str) -> Claim {
        let mut map = self.map();
        match map.get(id) {
            Some(State::Done) => Claim::Done,
            Some(State::InProgress) => Claim::InProgress,
            None => {
                map.insert(id.to_owned(), State::InProgress);
                Claim::New
            }
        }
    }

    fn complete(&self, id: &str) -> std::io::Result<()> {
        self.map().insert(id.to_owned(), State::Done);
        Ok(())
    }

    fn release(&self, id: &str) {
        self.map().remove(id);
    }
}
