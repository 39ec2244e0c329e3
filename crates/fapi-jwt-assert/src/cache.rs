//! When to reuse an access token: a pure state machine over instants.
//!
//! The caller (for example `hague-client`) owns the I/O and the locking. It
//! asks [`TokenCache::lookup`] before each API call, stores each new token
//! with [`TokenCache::store`], and calls [`TokenCache::invalidate`] when the
//! API answers 401 with the token it used.

use std::time::{Duration, SystemTime};

use crate::token::{AccessToken, TokenResponse};

/// How early to refresh and what to assume when the lifetime is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CachePolicy {
    /// Refresh this long before expiry (default 30 s). Clamped to half the
    /// token's lifetime, so a short-lived token is still reused (a fixed
    /// margin longer than the lifetime would disable caching altogether;
    /// see MaterializeInc/materialize#38471 in the reference notes).
    pub refresh_margin: Duration,
    /// The lifetime to assume when the response has no `expires_in`
    /// (default 300 s). RFC 6749 only RECOMMENDS `expires_in`; this value is
    /// a choice of this crate, not something a server said.
    pub lifetime_when_unstated: Duration,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            refresh_margin: Duration::from_secs(30),
            lifetime_when_unstated: Duration::from_secs(300),
        }
    }
}

impl CachePolicy {
    /// Sets the refresh margin.
    #[must_use]
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Sets the lifetime assumed when `expires_in` is absent.
    #[must_use]
    pub fn with_lifetime_when_unstated(mut self, lifetime: Duration) -> Self {
        self.lifetime_when_unstated = lifetime;
        self
    }
}

/// The answer of [`TokenCache::lookup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lookup<'a> {
    /// Use this token. Pass `generation` to [`TokenCache::invalidate`] if the
    /// API refuses it.
    Usable {
        /// The token.
        token: &'a AccessToken,
        /// Which stored token this is.
        generation: u64,
    },
    /// Fetch a new token first.
    Fetch(FetchReason),
}

/// Why a new token is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchReason {
    /// Nothing is cached (at start, or after an invalidation).
    Empty,
    /// The token is inside its refresh margin, or past expiry.
    Expiring,
    /// The clock reads earlier than when the token was requested, so its age
    /// is unknown; refetching is the safe answer.
    ClockWentBack,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    token: AccessToken,
    requested_at: SystemTime,
    refresh_at: SystemTime,
    generation: u64,
}

/// A cache of one access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCache {
    policy: CachePolicy,
    entry: Option<Entry>,
    next_generation: u64,
}

impl TokenCache {
    /// An empty cache.
    pub fn new(policy: CachePolicy) -> Self {
        Self {
            policy,
            entry: None,
            next_generation: 1,
        }
    }

    /// Stores a new token. `requested_at` is the instant *before* the token
    /// request was sent, so that network time counts against the lifetime.
    /// Returns the token's generation.
    pub fn store(&mut self, response: TokenResponse, requested_at: SystemTime) -> u64 {
        let lifetime = response
            .expires_in
            .map_or(self.policy.lifetime_when_unstated, Duration::from_secs);
        let margin = self.policy.refresh_margin.min(lifetime / 2);
        let refresh_at = requested_at
            .checked_add(lifetime - margin)
            .unwrap_or(requested_at);
        let generation = self.next_generation;
        self.next_generation = self.next_generation.wrapping_add(1);
        self.entry = Some(Entry {
            token: response.access_token,
            requested_at,
            refresh_at,
            generation,
        });
        generation
    }

    /// Whether the cached token may be used at `now`.
    pub fn lookup(&self, now: SystemTime) -> Lookup<'_> {
        match &self.entry {
            None => Lookup::Fetch(FetchReason::Empty),
            Some(e) if now < e.requested_at => Lookup::Fetch(FetchReason::ClockWentBack),
            Some(e) if now >= e.refresh_at => Lookup::Fetch(FetchReason::Expiring),
            Some(e) => Lookup::Usable {
                token: &e.token,
                generation: e.generation,
            },
        }
    }

    /// The API refused the token of `generation` with 401: drop it, unless
    /// another token has replaced it since. Returns true if it was dropped;
    /// false means a newer token is cached and the call can be retried with
    /// it without fetching.
    pub fn invalidate(&mut self, generation: u64) -> bool {
        match &self.entry {
            Some(e) if e.generation == generation => {
                self.entry = None;
                true
            }
            _ => false,
        }
    }

    /// Forgets the token.
    pub fn clear(&mut self) {
        self.entry = None;
    }
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::new(CachePolicy::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn at(s: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(s)
    }

    fn response(token: &str, expires_in: Option<u64>) -> TokenResponse {
        let json = match expires_in {
            Some(e) => {
                format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":{e}}}"#)
            }
            None => format!(r#"{{"access_token":"{token}","token_type":"Bearer"}}"#),
        };
        TokenResponse::from_http(200, json.as_bytes()).unwrap()
    }

    #[test]
    fn usable_until_margin_then_fetch() {
        let mut c = TokenCache::default();
        assert_eq!(c.lookup(at(0)), Lookup::Fetch(FetchReason::Empty));
        let g = c.store(response("t1", Some(3600)), at(1000));
        assert!(matches!(c.lookup(at(1000)), Lookup::Usable { generation, .. } if generation == g));
        assert!(matches!(c.lookup(at(1000 + 3569)), Lookup::Usable { .. }));
        assert_eq!(
            c.lookup(at(1000 + 3570)),
            Lookup::Fetch(FetchReason::Expiring)
        );
        assert_eq!(
            c.lookup(at(1000 + 9999)),
            Lookup::Fetch(FetchReason::Expiring)
        );
        assert_eq!(c.lookup(at(999)), Lookup::Fetch(FetchReason::ClockWentBack));
    }

    #[test]
    fn margin_is_clamped_to_half_the_lifetime() {
        let mut c =
            TokenCache::new(CachePolicy::default().with_refresh_margin(Duration::from_secs(600)));
        c.store(response("t", Some(60)), at(0));
        assert!(matches!(c.lookup(at(29)), Lookup::Usable { .. }));
        assert_eq!(c.lookup(at(30)), Lookup::Fetch(FetchReason::Expiring));
        // expires_in 0: never usable.
        c.store(response("t", Some(0)), at(0));
        assert_eq!(c.lookup(at(0)), Lookup::Fetch(FetchReason::Expiring));
    }

    #[test]
    fn unstated_lifetime_uses_policy() {
        let mut c = TokenCache::default();
        c.store(response("t", None), at(0));
        assert!(matches!(c.lookup(at(269)), Lookup::Usable { .. }));
        assert_eq!(c.lookup(at(270)), Lookup::Fetch(FetchReason::Expiring));
    }

    #[test]
    fn invalidate_after_401_only_drops_the_refused_token() {
        let mut c = TokenCache::default();
        let g1 = c.store(response("t1", Some(3600)), at(0));
        let g2 = c.store(response("t2", Some(3600)), at(10));
        assert_ne!(g1, g2);
        // A request that used t1 got 401, but t2 is already cached: keep it.
        assert!(!c.invalidate(g1));
        assert!(
            matches!(c.lookup(at(20)), Lookup::Usable { token, .. } if token.expose_secret() == "t2")
        );
        assert!(c.invalidate(g2));
        assert_eq!(c.lookup(at(20)), Lookup::Fetch(FetchReason::Empty));
        assert!(!c.invalidate(g2));
    }

    #[test]
    fn debug_redacts_the_token() {
        let mut c = TokenCache::default();
        c.store(response("very-secret-token", Some(3600)), at(0));
        let dbg = format!("{c:?}");
        assert!(
            !dbg.contains("very-secret-token") && dbg.contains("[redacted]"),
            "{dbg}"
        );
    }
}
