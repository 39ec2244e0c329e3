//! Further check 1: a submission interrupted after its body was sent reports "may have
//! been received" with the package's SHA-256, and is not sent again.

use std::time::Duration;

use fault_injection::{FaultServer, Plan, Step};
use hague_client::Error;

use crate::support::{hague, sha256sum, valid_package, within};

async fn interrupted(after_body: Step) {
    let package = valid_package();
    let server = FaultServer::http(move |_, _| Plan::after_body(vec![after_body.clone()]))
        .await
        .unwrap();
    let h = hague(&server.http_url()).await;
    let err = within(h.client.submit(package.clone())).await.unwrap_err();
    // Give a (wrong) automatic resend the time to show up.
    tokio::time::sleep(Duration::from_millis(300)).await;
    match &err {
        Error::MayHaveBeenReceived { package_sha256, .. } => {
            assert_eq!(package_sha256, &sha256sum(&package));
        }
        other => panic!("{other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("may or may not have been received"),
        "{message}"
    );
    assert!(message.contains(&sha256sum(&package)), "{message}");
    // The whole package reached the server, once, on one connection.
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        (seen[0].method.as_str(), seen[0].route()),
        ("POST", "/request")
    );
    assert_eq!(seen[0].content_length, package.len());
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn submission_reset_after_body_may_have_been_received() {
    interrupted(Step::Reset).await;
}

#[tokio::test]
async fn submission_closed_after_body_may_have_been_received() {
    interrupted(Step::Close).await;
}

#[tokio::test]
async fn submission_no_reply_after_body_may_have_been_received() {
    interrupted(Step::Hang).await;
}
