//! One test per operation against mockito, and the wait helpers.

use std::time::Duration;

use hague_client::{Error, ImportId, PollPolicy, ProcessingStatus, Publication, WeekId};
use mockito::Matcher;

use crate::support::{client, token_mock, valid_package};

#[tokio::test]
async fn ping_sends_the_bearer_token() {
    let mut server = mockito::Server::new_async().await;
    let token = token_mock(&mut server, "tok-ping", 1).await;
    let ping = server
        .mock("GET", "/pingMe")
        .match_header("authorization", "Bearer tok-ping")
        .with_status(200)
        .with_body("pong")
        .expect(2)
        .create_async()
        .await;
    let client = client(&server);
    client.ping().await.unwrap();
    client.ping().await.unwrap(); // the cached token is reused
    token.assert_async().await;
    ping.assert_async().await;
}

#[tokio::test]
async fn submit_posts_the_zip_and_returns_the_import_id() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok-s", 1).await;
    let package = valid_package();
    let post = server
        .mock("POST", "/request")
        .match_header("authorization", "Bearer tok-s")
        .match_header("content-type", "application/zip")
        .match_body(Matcher::from(package.clone()))
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(r#"{"importId":"IMP-2024-000123","importStatus":"RECEIVED"}"#)
        .expect(1)
        .create_async()
        .await;
    let client = client(&server);
    let id = client.submit(package).await.unwrap();
    assert_eq!(id.import_id.unwrap().as_str(), "IMP-2024-000123");
    post.assert_async().await;
}

#[tokio::test]
async fn submit_refuses_an_invalid_package_without_sending() {
    let mut server = mockito::Server::new_async().await;
    let token = token_mock(&mut server, "tok", 0).await;
    let post = server
        .mock("POST", "/request")
        .expect(0)
        .create_async()
        .await;
    let client = client(&server);
    // A ZIP whose XML references a file that is not there: hague-package refuses it.
    let mut package = valid_package();
    let err = client
        .submit(b"not a zip at all".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PackageInvalid { .. }), "{err:?}");
    // Flip one byte of the PDF's data: CRC mismatch.
    let at = package.windows(8).position(|w| w == b"%PDF-1.7").unwrap();
    package[at + 3] ^= 0x20;
    let err = client.submit(package).await.unwrap_err();
    match &err {
        Error::PackageInvalid { report } => assert!(!report.is_valid()),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("not sent"), "{err}");
    post.assert_async().await;
    token.assert_async().await;
}

#[tokio::test]
async fn import_status_gives_state_and_service_request_number() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let get = server
        .mock("GET", "/request/import/IMP%2F7%20x")
        .match_header("authorization", "Bearer tok")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(
            r#"{"importId":"IMP/7 x","importStatus":"PROCESSED","serviceRequestNumber":"SR-998877"}"#,
        )
        .create_async()
        .await;
    let status = client(&server)
        .import_status(&ImportId::new("IMP/7 x"))
        .await
        .unwrap();
    assert_eq!(status.status.as_deref(), Some("PROCESSED"));
    assert_eq!(status.service_request_number.as_deref(), Some("SR-998877"));
    assert!(status.raw.contains("SR-998877"));
    get.assert_async().await;
}

#[tokio::test]
async fn request_status_gives_the_typed_status() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let _get = server
        .mock("GET", "/request/SR-998877")
        .with_status(200)
        .with_header("content-type", "application/xml")
        .with_body(
            r#"<ServiceRequestStatus><RequestIdentifier>IMP-1</RequestIdentifier>
<ProcessingStatus>Registrado</ProcessingStatus>
<ServiceRequestNumber>SR-998877</ServiceRequestNumber>
<InternationalRegistrationNumber>DM/081234</InternationalRegistrationNumber></ServiceRequestStatus>"#,
        )
        .create_async()
        .await;
    let status = client(&server).request_status("SR-998877").await.unwrap();
    assert_eq!(status.processing_status, Some(ProcessingStatus::Registered));
    assert_eq!(status.registration_number.as_deref(), Some("DM/081234"));
}

#[tokio::test]
async fn bulletin_streams_to_a_file_with_progress() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let _get = server
        .mock("GET", "/publication/bulletin/202447")
        .match_header("authorization", "Bearer tok")
        .with_status(200)
        .with_header("content-type", "application/zip")
        .with_body(body.clone())
        .create_async()
        .await;
    let dir = crate::support::tempdir();
    let target = dir.path().join("bulletin-202447.zip");
    let mut last = 0;
    let mut calls = 0;
    let week: WeekId = "2024-W47".parse().unwrap();
    let download = client(&server)
        .bulletin(week, &target, |p| {
            assert!(p.received >= last);
            last = p.received;
            calls += 1;
        })
        .await
        .unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), body);
    assert_eq!(download.bytes, body.len() as u64);
    assert_eq!(download.sha256_hex(), crate::support::sha256sum(&body));
    assert_eq!(last, body.len() as u64);
    assert!(calls >= 1);
}

#[tokio::test]
async fn confidential_copy_streams_to_a_writer() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let _get = server
        .mock("GET", "/publication/copy/confidential/202501")
        .with_status(200)
        .with_body("PK-confidential")
        .create_async()
        .await;
    let mut out = Vec::new();
    let download = client(&server)
        .download_to_writer(
            Publication::ConfidentialCopy,
            "01/2025".parse().unwrap(),
            &mut out,
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(out, b"PK-confidential");
    assert_eq!(download.bytes, 15);
}

#[tokio::test]
async fn confidential_copy_to_a_file() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let _get = server
        .mock("GET", "/publication/copy/confidential/202453")
        .with_status(404)
        .with_body(r#"{"error":{"code":"NOT_FOUND","message":null,"details":[{"code":-3,"message":"no copy"}]}}"#)
        .create_async()
        .await;
    // 2024 has no week 53, 2020 has one.
    assert!("2024-W53".parse::<WeekId>().is_err());
    let dir = crate::support::tempdir();
    let _ok = server
        .mock("GET", "/publication/copy/confidential/202053")
        .with_status(200)
        .with_body("copy")
        .create_async()
        .await;
    let target = dir.path().join("c.zip");
    client(&server)
        .confidential_copy("2020-W53".parse().unwrap(), &target, |_| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"copy");
}

#[tokio::test]
async fn wait_for_service_request_polls_until_the_number_is_known() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let pending = server
        .mock("GET", "/request/import/IMP-1")
        .with_body(r#"{"importId":"IMP-1","importStatus":"IN_PROGRESS"}"#)
        .expect(2)
        .create_async()
        .await;
    let done = server
        .mock("GET", "/request/import/IMP-1")
        .with_body(r#"{"importId":"IMP-1","importStatus":"DONE","serviceRequestNumber":"SR-5"}"#)
        .expect(1)
        .create_async()
        .await;
    let policy = PollPolicy::with_deadline(Duration::from_secs(10))
        .intervals(Duration::from_millis(10), Duration::from_millis(20));
    let status = client(&server)
        .wait_for_service_request(&ImportId::new("IMP-1"), policy)
        .await
        .unwrap();
    assert_eq!(status.service_request_number.as_deref(), Some("SR-5"));
    pending.assert_async().await;
    done.assert_async().await;
}

#[tokio::test]
async fn wait_for_status_stops_at_the_deadline_with_the_last_reply() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let _get = server
        .mock("GET", "/request/SR-5")
        .with_body(r#"{"processingStatus":"En trámite"}"#)
        .expect_at_least(2)
        .create_async()
        .await;
    let policy = PollPolicy::with_deadline(Duration::from_millis(300))
        .intervals(Duration::from_millis(20), Duration::from_millis(50));
    let err = client(&server)
        .wait_for_status("SR-5", &[ProcessingStatus::Registered], policy)
        .await
        .unwrap_err();
    match err {
        Error::DeadlineReached {
            polls,
            last_raw,
            waited,
            ..
        } => {
            assert!(polls >= 2, "{polls}");
            assert!(waited >= Duration::from_millis(300));
            assert!(last_raw.unwrap().contains("En trámite"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn wait_for_status_returns_on_a_target() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let _a = server
        .mock("GET", "/request/SR-6")
        .with_body(r#"{"processingStatus":"In process"}"#)
        .expect(1)
        .create_async()
        .await;
    let _b = server
        .mock("GET", "/request/SR-6")
        .with_body(r#"{"processingStatus":"Abandoned"}"#)
        .create_async()
        .await;
    let policy = PollPolicy::with_deadline(Duration::from_secs(10))
        .intervals(Duration::from_millis(10), Duration::from_millis(10));
    let s = client(&server)
        .wait_for_status(
            "SR-6",
            &[ProcessingStatus::Registered, ProcessingStatus::Abandoned],
            policy,
        )
        .await
        .unwrap();
    assert_eq!(s.processing_status, Some(ProcessingStatus::Abandoned));
}

/// Every operation's future can be spawned on a multi-threaded runtime.
#[test]
fn futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = hague_client::Client::new(crate::support::config(
        "https://hws.example",
        "https://idp.example",
    ))
    .unwrap();
    let week: WeekId = "202447".parse().unwrap();
    let id = ImportId::new("x");
    let path = std::path::Path::new("x");
    let mut writer = Vec::new();
    assert_send(&client.ping());
    assert_send(&client.submit(Vec::new()));
    assert_send(&client.import_status(&id));
    assert_send(&client.request_status("x"));
    assert_send(&client.bulletin(week, path, |_| {}));
    assert_send(&client.confidential_copy(week, path, |_| {}));
    assert_send(&client.download_to_writer(Publication::Bulletin, week, &mut writer, |_| {}));
    assert_send(&client.wait_for_service_request(&id, PollPolicy::default()));
    assert_send(&client.wait_for_status("x", &[], PollPolicy::default()));
}

#[tokio::test]
async fn wait_for_import_stops_on_a_state_of_the_callers_choice() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let _a = server
        .mock("GET", "/request/import/IMP-9")
        .with_body(r#"{"importStatus":"QUEUED"}"#)
        .expect(1)
        .create_async()
        .await;
    let _b = server
        .mock("GET", "/request/import/IMP-9")
        .with_body(r#"{"importStatus":"REJECTED"}"#)
        .create_async()
        .await;
    let policy = PollPolicy::with_deadline(Duration::from_secs(10))
        .intervals(Duration::from_millis(10), Duration::from_millis(10));
    let s = client(&server)
        .wait_for_import(&ImportId::new("IMP-9"), policy, |s| {
            s.service_request_number.is_some() || s.status.as_deref() == Some("REJECTED")
        })
        .await
        .unwrap();
    assert_eq!(s.status.as_deref(), Some("REJECTED"));
    assert_eq!(s.service_request_number, None);
}

fn fast_poll() -> hague_client::PollPolicy {
    hague_client::PollPolicy::with_deadline(std::time::Duration::from_millis(300)).intervals(
        std::time::Duration::from_millis(10),
        std::time::Duration::from_millis(20),
    )
}

fn status_body(status: &str) -> String {
    format!(
        r#"{{"serviceRequestNumber":"SR-1","processingStatus":"{status}","expectedPublicationDate":"2025-03-07"}}"#
    )
}

#[tokio::test]
async fn a_final_status_other_than_the_awaited_one_ends_the_wait_at_once() {
    use hague_client::{Error, ProcessingStatus as P};
    for (label, want) in [
        ("Abandonado", P::Abandoned),
        ("Cancelled", P::Cancelled),
        ("Registered", P::Registered),
    ] {
        let mut server = mockito::Server::new_async().await;
        let _token = crate::support::token_mock(&mut server, "tok", 1).await;
        let get = server
            .mock("GET", "/request/SR-1")
            .with_body(status_body(label))
            .expect(1)
            .create_async()
            .await;
        let err = crate::support::client(&server)
            .wait_for_status("SR-1", &[P::PendingRegularization], fast_poll())
            .await
            .unwrap_err();
        match &err {
            Error::FinalStatus { status, reply, .. } => {
                assert_eq!(status, &want);
                assert!(reply.raw.contains(label));
                assert_eq!(
                    reply.expected_publication_date.as_deref(),
                    Some("2025-03-07")
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains(want.label()), "{err}");
        get.assert_async().await;
    }
    // A non-final status keeps polling to the deadline, whose message shows the last reply.
    let mut server = mockito::Server::new_async().await;
    let _token = crate::support::token_mock(&mut server, "tok", 1).await;
    let _get = server
        .mock("GET", "/request/SR-1")
        .with_body(status_body("En trámite"))
        .create_async()
        .await;
    let err = crate::support::client(&server)
        .wait_for_status("SR-1", &[P::Registered], fast_poll())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DeadlineReached { .. }), "{err:?}");
    assert!(err.to_string().contains("En trámite"), "{err}");
    // The awaited final status is a success.
    let mut server = mockito::Server::new_async().await;
    let _token = crate::support::token_mock(&mut server, "tok", 1).await;
    let _get = server
        .mock("GET", "/request/SR-1")
        .with_body(status_body("Registrado"))
        .create_async()
        .await;
    let s = crate::support::client(&server)
        .wait_for_status("SR-1", &[P::Registered], fast_poll())
        .await
        .unwrap();
    assert_eq!(s.processing_status, Some(P::Registered));
}

#[tokio::test]
async fn a_failed_import_ends_the_wait_for_a_service_request() {
    let mut server = mockito::Server::new_async().await;
    let _token = crate::support::token_mock(&mut server, "tok", 1).await;
    let get = server
        .mock("GET", "/request/import/IMP-1")
        .with_body(r#"{"importId":"IMP-1","status":"FAILED","reason":"no XML"}"#)
        .expect(1)
        .create_async()
        .await;
    let err = crate::support::client(&server)
        .wait_for_service_request(&ImportId::new("IMP-1"), fast_poll())
        .await
        .unwrap_err();
    match &err {
        hague_client::Error::ImportFailed { state, reply } => {
            assert_eq!(state, "FAILED");
            assert!(reply.raw.contains("no XML"));
        }
        other => panic!("{other:?}"),
    }
    get.assert_async().await;
}
