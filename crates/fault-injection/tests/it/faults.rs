//! The fault rows that hague-client, firmadoc-client and the bulletin download share: each
//! row names a fault plan and the transport error it must end in, and [`assert_fault`]
//! checks it against either client's error type (through [`TransportFailure`]).

use fault_injection::Plan;
use http_transport::{Error as T, TimeoutPhase};

use crate::support::{TIMEOUTS, ended_by_timeout, plan};

/// A client error that may wrap an [`http_transport::Error`].
pub(crate) trait TransportFailure: std::fmt::Debug {
    /// The client's variant holding the transport error (`"Transport"`, `"Timeout"` or
    /// `"Tls"`), and that error; `None` for any other error.
    fn transport(&self) -> Option<(&'static str, &T)>;
}

impl TransportFailure for hague_client::Error {
    fn transport(&self) -> Option<(&'static str, &T)> {
        match self {
            Self::Transport { source, .. } => Some(("Transport", source)),
            Self::Timeout { source, .. } => Some(("Timeout", source)),
            Self::Tls { source, .. } => Some(("Tls", source)),
            _ => None,
        }
    }
}

impl TransportFailure for firmadoc_client::Error {
    fn transport(&self) -> Option<(&'static str, &T)> {
        match self {
            Self::Transport(source) => Some(("Transport", source)),
            _ => None,
        }
    }
}

/// The transport's own error (the bulletin's plain download).
impl TransportFailure for T {
    fn transport(&self) -> Option<(&'static str, &T)> {
        Some(("Transport", self))
    }
}

/// Asserts that `err` wraps, in the client variant `variant` (any, if `None`), a transport
/// error that `expect` accepts.
pub(crate) fn assert_fault(
    err: &impl TransportFailure,
    variant: Option<&str>,
    expect: fn(&T) -> bool,
) {
    match err.transport() {
        Some((found, source)) => assert!(
            variant.is_none_or(|v| v == found) && expect(source),
            "{err:?}"
        ),
        None => panic!("not a transport error: {err:?}"),
    }
}

/// One fault: its plan, the hague-client variant it ends in (firmadoc-client always says
/// `Transport`), the transport error expected inside, and whether the call must end by
/// the `request` timeout (checked on the one call's duration).
pub(crate) struct Row {
    pub(crate) plan: fn() -> Plan,
    pub(crate) hague_variant: &'static str,
    pub(crate) expect: fn(&T) -> bool,
    pub(crate) ends_by_request_timeout: bool,
}

impl Row {
    /// Asserts that one client call failed as this row says, in `elapsed`; `variant` is the
    /// client variant expected (`None`: any).
    pub(crate) fn assert_call(
        &self,
        err: &impl TransportFailure,
        variant: Option<&str>,
        elapsed: std::time::Duration,
    ) {
        assert_fault(err, variant, self.expect);
        if self.ends_by_request_timeout {
            assert!(
                ended_by_timeout(elapsed, TIMEOUTS.request * 1),
                "{elapsed:?}"
            );
        }
    }
}

/// Announces 1000 bytes, sends 10, resets.
pub(crate) const RESET_MID_BODY: Row = Row {
    plan: plan::reset_mid_body,
    hague_variant: "Transport",
    expect: |t| {
        matches!(
            t,
            T::BodyInterrupted {
                received: 10,
                expected: Some(1000),
                ..
            }
        )
    },
    ends_by_request_timeout: false,
};

/// Never answers: the `request` timeout.
pub(crate) const STALL: Row = Row {
    plan: plan::stall,
    hague_variant: "Timeout",
    expect: |t| {
        matches!(
            t,
            T::Timeout {
                phase: TimeoutPhase::Response,
                ..
            }
        )
    },
    ends_by_request_timeout: true,
};

/// Drips the body: the idle-read timeout.
pub(crate) const DRIP_BODY: Row = Row {
    plan: plan::drip,
    hague_variant: "Timeout",
    expect: |t| {
        matches!(
            t,
            T::Timeout {
                phase: TimeoutPhase::IdleRead,
                ..
            }
        )
    },
    ends_by_request_timeout: false,
};

/// Drips the head: the `request` timeout (a total, until the head is complete).
pub(crate) const DRIP_HEAD: Row = Row {
    plan: plan::drip_head,
    ends_by_request_timeout: false,
    ..STALL
};

/// A chunked body cut after its first chunk.
pub(crate) const TRUNCATED_CHUNKED: Row = Row {
    plan: plan::truncated_chunked,
    hague_variant: "Transport",
    expect: |t| {
        matches!(
            t,
            T::BodyInterrupted {
                received: 5,
                expected: None,
                ..
            }
        )
    },
    ends_by_request_timeout: false,
};

/// A `Content-Length` larger than the body sent (`plan`, with the call's own reply body):
/// the stream ends before the declared length.
pub(crate) fn content_length_long(plan: fn() -> Plan) -> Row {
    Row {
        plan,
        hague_variant: "Transport",
        expect: |t| matches!(t, T::BodyInterrupted { .. }),
        ends_by_request_timeout: false,
    }
}

/// The tests that run the shared rows through one client's `row` runner, under the names
/// `docs/faults.md` lists (`*_reset_mid_response_body`, `*_stall_forever`,
/// `*_slow_drip`, `*_truncated_chunked_body`).
macro_rules! row_tests {
    ($run:ident: $reset:ident, $stall:ident, $drip:ident, $chunked:ident) => {
        #[tokio::test]
        async fn $reset() {
            $run(&$crate::faults::RESET_MID_BODY).await;
        }

        #[tokio::test]
        async fn $stall() {
            $run(&$crate::faults::STALL).await;
        }

        /// Dripping the body: the idle-read timeout. Dripping the head: the `request`
        /// timeout (a total, until the head is complete).
        #[tokio::test]
        async fn $drip() {
            for drip in [&$crate::faults::DRIP_BODY, &$crate::faults::DRIP_HEAD] {
                $run(drip).await;
            }
        }

        #[tokio::test]
        async fn $chunked() {
            $run(&$crate::faults::TRUNCATED_CHUNKED).await;
        }
    };
}
pub(crate) use row_tests;
