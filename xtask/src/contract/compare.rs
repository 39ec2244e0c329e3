//! Comparing what a client sent with what was recorded, and outcomes.

use serde_json::Value;

use crate::operations::fixture::{BodyKind, RecordedRequest, VOLATILE};

/// What the mock server saw.
#[derive(Debug, Clone)]
pub(crate) struct Captured {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

/// Every difference between the recording and the request, in words.
/// `placeholders` maps values such as `<consumer-key>` to the test values
/// they stand for (the fixtures never hold credentials).
pub(crate) fn request_differences(
    rec: &RecordedRequest,
    rec_body: Option<&[u8]>,
    got: &Captured,
    placeholders: &[(&str, &str)],
) -> Vec<String> {
    let resolve = |v: &str| {
        placeholders
            .iter()
            .find(|(p, _)| *p == v)
            .map_or(v.to_owned(), |(_, real)| (*real).to_owned())
    };
    let mut diffs = Vec::new();
    if !rec.method.eq_ignore_ascii_case(&got.method) {
        diffs.push(format!(
            "method: recorded {}, sent {}",
            rec.method, got.method
        ));
    }
    if rec.path != got.path {
        diffs.push(format!("path: recorded {}, sent {}", rec.path, got.path));
    }
    for (name, value) in &rec.query {
        let sent: Vec<&str> = got
            .query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        match sent.as_slice() {
            [] => diffs.push(format!("query parameter `{name}`: recorded, not sent")),
            [v] if value == VOLATILE || *v == resolve(value) => {}
            [v] => diffs.push(format!(
                "query parameter `{name}`: recorded {value:?}, sent {v:?}"
            )),
            _ => diffs.push(format!(
                "query parameter `{name}`: sent {} times",
                sent.len()
            )),
        }
    }
    for (name, _) in &got.query {
        if !rec.query.contains_key(name) {
            diffs.push(format!("query parameter `{name}`: sent, not recorded"));
        }
    }
    for (name, value) in &rec.headers {
        let sent = got
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        match sent {
            None => diffs.push(format!("header `{name}`: recorded {value:?}, not sent")),
            Some(v) if value == VOLATILE || v == resolve(value) => {}
            Some(v) => diffs.push(format!("header `{name}`: recorded {value:?}, sent {v:?}")),
        }
    }
    let expected = rec_body.unwrap_or_default();
    if let Some(d) = body_difference(rec.body_kind, expected, &got.body) {
        diffs.push(d);
    }
    diffs
}

fn body_difference(kind: BodyKind, expected: &[u8], got: &[u8]) -> Option<String> {
    match kind {
        BodyKind::Json => {
            if expected.is_empty() && got.is_empty() {
                return None;
            }
            let e: Result<Value, _> = serde_json::from_slice(expected);
            let g: Result<Value, _> = serde_json::from_slice(got);
            match (e, g) {
                (Ok(e), Ok(g)) => json_difference("body", &e, &g),
                (Err(err), _) => Some(format!("body: the recorded body is not JSON ({err})")),
                (_, Err(err)) => Some(format!(
                    "body: the sent body is not JSON ({err}): {}",
                    excerpt(got)
                )),
            }
        }
        BodyKind::Form => {
            let e: Vec<(String, String)> =
                url::form_urlencoded::parse(expected).into_owned().collect();
            let g: Vec<(String, String)> = url::form_urlencoded::parse(got).into_owned().collect();
            for (k, v) in &e {
                match g.iter().find(|(n, _)| n == k) {
                    None => return Some(format!("form field `{k}`: recorded, not sent")),
                    Some((_, w)) if v != VOLATILE && v != w => {
                        return Some(format!("form field `{k}`: recorded {v:?}, sent {w:?}"));
                    }
                    Some(_) => {}
                }
            }
            g.iter()
                .find(|(k, _)| !e.iter().any(|(n, _)| n == k))
                .map(|(k, _)| format!("form field `{k}`: sent, not recorded"))
        }
        BodyKind::Xml => (xml_events(expected) != xml_events(got))
            .then(|| format!("body: XML differs; sent {}", excerpt(got))),
        BodyKind::Text | BodyKind::Binary => (expected != got).then(|| {
            format!(
                "body: {} bytes recorded, {} bytes sent; sent {}",
                expected.len(),
                got.len(),
                excerpt(got)
            )
        }),
    }
}

fn excerpt(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(&b[..b.len().min(200)]).into_owned();
    format!("{s:?}")
}

/// The first difference between two JSON values, as a path, where numbers
/// compare by value (`0` equals `0.0`).
pub(crate) fn json_difference(path: &str, e: &Value, g: &Value) -> Option<String> {
    match (e, g) {
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => None,
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    None => return Some(format!("{path}.{k}: recorded, not sent")),
                    Some(w) => {
                        if let Some(d) = json_difference(&format!("{path}.{k}"), v, w) {
                            return Some(d);
                        }
                    }
                }
            }
            b.keys()
                .find(|k| !a.contains_key(*k))
                .map(|k| format!("{path}.{k}: sent, not recorded"))
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (v, w))| json_difference(&format!("{path}[{i}]"), v, w)),
        _ if e == g => None,
        _ => Some(format!("{path}: expected {e}, got {g}")),
    }
}

/// XML as a list of significant events (names, attributes, trimmed text).
fn xml_events(xml: &[u8]) -> Result<Vec<String>, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().trim_text(true);
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let mut attrs: Vec<String> = e
                    .attributes()
                    .flatten()
                    .map(|a| format!("{:?}={:?}", a.key.as_ref(), a.value.as_ref()))
                    .collect();
                attrs.sort();
                out.push(format!("<{:?}{attrs:?}", e.name()));
            }
            Ok(Event::End(e)) => out.push(format!("</{:?}", e.name())),
            Ok(Event::Text(t)) => out.push(format!("{t:?}")),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
        buf.clear();
    }
    Ok(out)
}
