//! mockito answers that several crates' tests use.
//!
//! ```
//! # async fn demo() {
//! let mut server = mockito::Server::new_async().await;
//! let busy = test_support::mock::unavailable(&mut server, "GET", "/request/42", "1")
//!     .expect(1)
//!     .create_async()
//!     .await;
//! # drop(busy);
//! # }
//! ```

/// A mock of `method path` that answers 503 with `Retry-After: retry_after`,
/// not yet created (add a body, `expect` and `create_async`).
pub fn unavailable(
    server: &mut mockito::ServerGuard,
    method: &str,
    path: &str,
    retry_after: &str,
) -> mockito::Mock {
    server
        .mock(method, path)
        .with_status(503)
        .with_header("retry-after", retry_after)
}
