//! One named test per network fault, for hague-client, firmadoc-client and the bulletin
//! download; plus the interrupted submission and the webhook receiver restart.
//! The table in `docs/faults.md` lists them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bulletin;
mod faults;
mod firmadoc;
mod hague;
mod harness;
mod resume;
mod submission;
mod support;
mod webhook_restart;
