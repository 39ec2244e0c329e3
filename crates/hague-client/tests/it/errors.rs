//! Retries, POST never retried, interrupted downloads, body limits, typed error bodies.

use hague_client::{Client, Error, ImportId};

use crate::support::{client, config, raw_server, sha256sum, token_mock, valid_package};

#[tokio::test]
async fn a_get_is_retried_on_503_with_retry_after() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let busy = test_support::mock::unavailable(&mut server, "GET", "/request/import/IMP-1", "1")
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/request/import/IMP-1")
        .with_body(r#"{"importId":"IMP-1","importStatus":"RECEIVED"}"#)
        .expect(1)
        .create_async()
        .await;
    let started = std::time::Instant::now();
    let status = client(&server)
        .import_status(&ImportId::new("IMP-1"))
        .await
        .unwrap();
    // The policy's backoff is 10-50 ms: waiting a second shows Retry-After was honoured.
    assert!(started.elapsed() >= std::time::Duration::from_millis(950));
    assert_eq!(status.status.as_deref(), Some("RECEIVED"));
    busy.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn post_request_is_never_retried_on_503() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let post = test_support::mock::unavailable(&mut server, "POST", "/request", "0")
        .with_body("busy")
        .expect(1)
        .create_async()
        .await;
    let err = client(&server).submit(valid_package()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
    post.assert_async().await;
}

#[tokio::test]
async fn an_interrupted_submission_may_have_been_received_and_names_the_package() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    // The API reads the whole request, then closes without answering.
    let (api, connections) = raw_server(Vec::new()).await;
    let client = Client::new(config(&api, &server.url())).unwrap();
    let package = valid_package();
    let err = client.submit(package.clone()).await.unwrap_err();
    match &err {
        Error::MayHaveBeenReceived { package_sha256, .. } => {
            assert_eq!(package_sha256, &sha256sum(&package));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .contains("may or may not have been received"),
        "{err}"
    );
    assert_eq!(
        *connections.lock().unwrap(),
        1,
        "a POST /request is never sent twice"
    );
}

#[tokio::test]
async fn a_download_cut_mid_body_leaves_no_file() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let mut reply =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: 100000\r\n\r\n"
            .to_vec();
    reply.extend(std::iter::repeat_n(b'x', 40_000));
    let (api, _) = raw_server(reply).await;
    let client = Client::new(config(&api, &server.url())).unwrap();
    let dir = crate::support::tempdir();
    let target = dir.path().join("bulletin.zip");
    let mut seen = 0;
    let err = client
        .bulletin("202447".parse().unwrap(), &target, |p| seen = p.received)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                source: http_transport::Error::BodyInterrupted { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(seen > 0 && seen < 100_000, "{seen}");
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no part file is left"
    );
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let _get = server
        .mock("GET", "/request/SR-1")
        .with_body(format!(
            r#"{{"processingStatus":"Registered","pad":"{}"}}"#,
            "x".repeat(5000)
        ))
        .create_async()
        .await;
    let config =
        config(&server.url(), &server.url()).transport(crate::support::transport().max_body(4096));
    let err = Client::new(config)
        .unwrap()
        .request_status("SR-1")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                source: http_transport::Error::BodyTooLarge { .. },
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_wipo_error_body_is_parsed() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    // The body of WIPO's DAS documentation (st96.md §3, "DAS error-body convention").
    let _get = server
        .mock("GET", "/request/import/BAD")
        .with_status(400)
        .with_header("content-type", "application/json")
        .with_body(r#"{"error":{"code":"INVALID_INPUT_DATA","message":null,"details":[{"code":-7,"message":"The request is not valid"}]}}"#)
        .create_async()
        .await;
    let err = client(&server)
        .import_status(&ImportId::new("BAD"))
        .await
        .unwrap_err();
    match &err {
        Error::Status {
            status,
            wipo: Some(wipo),
            excerpt,
            ..
        } => {
            assert_eq!(status.as_u16(), 400);
            assert_eq!(wipo.code.as_deref(), Some("INVALID_INPUT_DATA"));
            assert_eq!(wipo.message, None);
            assert_eq!(wipo.details.len(), 1);
            assert_eq!(wipo.details[0].code.as_deref(), Some("-7"));
            assert_eq!(
                wipo.details[0].message.as_deref(),
                Some("The request is not valid")
            );
            assert!(excerpt.contains("INVALID_INPUT_DATA"));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("INVALID_INPUT_DATA"));
}

#[tokio::test]
async fn a_reply_not_understood_keeps_the_raw_body() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let _post = server
        .mock("POST", "/request")
        .with_status(200)
        .with_body(r#"{"accepted":true}"#)
        .create_async()
        .await;
    let _get = server
        .mock("GET", "/request/SR-9")
        .with_status(200)
        .with_body(r#"{"processingStatus": "#)
        .create_async()
        .await;
    let client = client(&server);
    // A 2xx to a submission is never an error: no id found, the raw reply is kept.
    let s = client.submit(valid_package()).await.unwrap();
    assert_eq!(s.import_id, None);
    assert_eq!(s.reply.raw, r#"{"accepted":true}"#);
    match client.request_status("SR-9").await.unwrap_err() {
        Error::UnexpectedReply { raw, template, .. } => {
            assert_eq!(raw, r#"{"processingStatus": "#);
            assert_eq!(template, "/request/{serviceRequestId}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_silent_server_is_a_timeout() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    // Accepts, never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let transport = crate::support::transport()
        .retry_policy(http_transport::RetryPolicy::never())
        .timeouts(http_transport::Timeouts {
            request: std::time::Duration::from_millis(300),
            ..http_transport::Timeouts::default()
        });
    let client = Client::new(config(&api, &server.url()).transport(transport)).unwrap();
    let err = client.ping().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(matches!(err, Error::Timeout { .. }));
}

/// Every reply shape of a 2xx to `POST /request`: the id is found where it is, and when it
/// is nowhere the submission is still a success with the reply kept.
#[tokio::test]
async fn every_2xx_to_a_submission_is_a_success() {
    type Case<'a> = (
        usize,
        &'a [(&'a str, &'a str)],
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
    );
    let cases: &[Case<'_>] = &[
        (
            200,
            &[],
            r#"{"data":{"IMPORT-ID":"A-1"}}"#,
            Some("A-1"),
            Some("body"),
        ),
        (200, &[], r#""A-2""#, Some("A-2"), Some("body")),
        (201, &[], "73", Some("73"), Some("body")),
        (
            200,
            &[("content-type", "text/plain")],
            "A-4",
            Some("A-4"),
            Some("body"),
        ),
        (
            202,
            &[],
            "<r><importId>A-5</importId></r>",
            Some("A-5"),
            Some("body"),
        ),
        (
            201,
            &[("location", "https://hws.example/request/import/A%2D6?x=1")],
            "",
            Some("A-6"),
            Some("location"),
        ),
        (200, &[], "{broken json", None, None),
        (204, &[], "", None, None),
        (200, &[("x-request-id", "r-9")], "Accepted", None, None),
    ];
    for (status, headers, body, id, source) in cases {
        let mut server = mockito::Server::new_async().await;
        let _token = token_mock(&mut server, "tok", 1).await;
        let mut m = server.mock("POST", "/request").with_status(*status);
        for (k, v) in *headers {
            m = m.with_header(*k, v);
        }
        let _post = m.with_body(*body).create_async().await;
        let package = valid_package();
        let s = client(&server).submit(package.clone()).await.unwrap();
        assert_eq!(s.import_id.as_ref().map(ImportId::as_str), *id, "{body}");
        assert_eq!(s.import_id_source, *source, "{body}");
        assert_eq!(usize::from(s.status), *status);
        assert_eq!(s.reply.raw, *body);
        assert_eq!(s.package_sha256, sha256sum(&package));
        for (k, v) in *headers {
            assert!(s.headers.iter().any(|(n, w)| n == k && w == v), "{k}");
        }
    }
}

#[tokio::test]
async fn refusals_hint_at_the_scope_and_the_registered_ip_address() {
    // From the API.
    for status in [401, 403] {
        let mut server = mockito::Server::new_async().await;
        let _token = token_mock(&mut server, "tok", 2).await;
        let _ping = server
            .mock("GET", "/pingMe")
            .with_status(status)
            .create_async()
            .await;
        let text = client(&server).ping().await.unwrap_err().to_string();
        assert!(
            text.contains("scope") && text.contains("IP address"),
            "{text}"
        );
    }
    // From the token endpoint.
    for (status, body) in [(401, r#"{"error":"invalid_client"}"#), (403, "Forbidden")] {
        let mut server = mockito::Server::new_async().await;
        let _t = server
            .mock("POST", "/token")
            .with_status(status)
            .with_body(body)
            .create_async()
            .await;
        let text = client(&server).ping().await.unwrap_err().to_string();
        assert!(
            text.contains("scope") && text.contains("IP address"),
            "{status}: {text}"
        );
    }
}

#[tokio::test]
async fn network_errors_name_the_host() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let base = format!("http://127.0.0.1:{port}");
    let err = Client::new(config(&base, &base))
        .unwrap()
        .ping()
        .await
        .unwrap_err();
    let host = format!("127.0.0.1:{port}");
    assert_eq!(err.host(), Some(host.as_str()), "{err:?}");
    assert!(err.to_string().contains(&host), "{err}");
    // The API's host when the token endpoint works.
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let err = Client::new(config(&base, &server.url()))
        .unwrap()
        .ping()
        .await
        .unwrap_err();
    assert!(err.to_string().contains(&host), "{err}");
}
