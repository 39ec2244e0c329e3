//! The webhook delivery both load generators (`load_gen.rs`, `replicas_gen.rs`)
//! send (`crate::delivery`: the benchmarks that include a generator include
//! this file too).

use bytes::Bytes;
use http_body_util::Full;

/// A delivery of event `id`: one notification (action `F`), in the guide's shape.
pub(crate) fn body(id: &str) -> String {
    format!(
        r#"{{"Id":"{id}","Attempt":1,"Notifications":[{{"Action":"F","id":"XJH29","id2":0,"date":"23/11/2026 10:00:00","comment":""}}]}}"#
    )
}

/// The POST of `body` with its `MS-Signature` header `signature` to the
/// receiver's path.
pub(crate) fn request(body: &str, signature: &str) -> http::Request<Full<Bytes>> {
    http::Request::post("/api/webhooks/incoming/custom")
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .header("ms-signature", signature)
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap()
}
