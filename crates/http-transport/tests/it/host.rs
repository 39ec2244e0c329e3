//! Network errors name the server: `host[:port]`, the port only when it is not
//! the scheme's default, never user information; and the cause hyper hides
//! behind "client error (Connect)".

use http_transport::{Error, Request};

use crate::support::{raw_server, transport};

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn error_for(url: &str) -> Error {
    let request = Request::get(url, "/x/{id}").unwrap();
    transport().send(&request).await.unwrap_err()
}

#[tokio::test]
async fn a_refused_connection_names_host_and_port_but_no_user_information() {
    let port = closed_port();
    let err = error_for(&format!(
        "http://user:pa55word@127.0.0.1:{port}/x/1?q=SECRET"
    ))
    .await;
    let host = format!("127.0.0.1:{port}");
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert_eq!(err.host(), Some(host.as_str()));
    let text = err.to_string();
    assert!(
        text.contains(&format!("could not connect to {host} for GET /x/{{id}}")),
        "{text}"
    );
    assert!(
        text.contains("Connection refused"),
        "the cause is shown: {text}"
    );
    for secret in ["pa55word", "user", "SECRET", "/x/1"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[tokio::test]
async fn the_default_port_is_left_out_and_ipv6_keeps_its_brackets() {
    let err = error_for("https://transport-test.invalid:443/x/1").await;
    assert_eq!(err.host(), Some("transport-test.invalid"), "{err:?}");
    assert!(err.to_string().contains("dns error"), "{err}");
    let err = error_for("https://transport-test.invalid:8443/x/1").await;
    assert_eq!(err.host(), Some("transport-test.invalid:8443"), "{err:?}");
    let port = closed_port();
    let err = error_for(&format!("http://[::1]:{port}/x/1")).await;
    assert_eq!(
        err.host(),
        Some(format!("[::1]:{port}").as_str()),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_cut_exchange_and_a_post_that_may_have_arrived_name_the_host() {
    let (addr, _) = raw_server(|s| async move { drop(s) }).await;
    let host = addr.to_string();
    let err = error_for(&format!("http://{addr}/x/1")).await;
    assert_eq!(err.host(), Some(host.as_str()), "{err:?}");
    assert!(err.to_string().contains(&host), "{err}");
    let request = Request::post(&format!("http://{addr}/x/1"), "/x/{id}", "body").unwrap();
    let err = transport().send(&request).await.unwrap_err();
    assert!(matches!(err, Error::MayHaveBeenReceived { .. }), "{err:?}");
    assert_eq!(err.host(), Some(host.as_str()), "{err:?}");
    assert!(err.to_string().contains(&host), "{err}");
}
