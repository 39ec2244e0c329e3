//! Test helpers.

use std::io::Read;
use std::path::PathBuf;

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// `fixtures/st96/<rel>` in the workspace.
pub(crate) fn fixture_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/st96")
        .join(rel)
}

pub(crate) fn fixture(rel: &str) -> Vec<u8> {
    let p = fixture_path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

/// A canonical, namespace-resolved event list: element names by (namespace, local name),
/// attributes sorted (namespace declarations left out), trimmed non-empty text with entities
/// resolved. Comments, the declaration and indentation do not matter.
pub(crate) fn canonical(xml: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(xml).unwrap();
    let mut r = NsReader::from_str(text);
    let mut out = Vec::new();
    let mut pending = String::new();
    let ns = |res: &ResolveResult<'_>| match res {
        ResolveResult::Bound(n) => n.0.to_owned(),
        _ => String::new(),
    };
    loop {
        let (res, ev) = r.read_resolved_event().unwrap();
        let res = ns(&res);
        let flush = |pending: &mut String, out: &mut Vec<String>| {
            let t = pending.trim();
            if !t.is_empty() {
                out.push(format!("text {t}"));
            }
            pending.clear();
        };
        match ev {
            Event::Start(s) | Event::Empty(s) => {
                flush(&mut pending, &mut out);
                let mut attrs: Vec<String> = s
                    .attributes()
                    .map(|a| a.unwrap())
                    .filter(|a| a.key.as_namespace_binding().is_none())
                    .map(|a| {
                        let (ans, local) = r.resolver().resolve_attribute(a.key);
                        format!(
                            "{}|{}={}",
                            ns(&ans),
                            local.as_ref(),
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                        )
                    })
                    .collect();
                attrs.sort();
                out.push(format!(
                    "open {{{res}}}{} {}",
                    s.local_name().as_ref(),
                    attrs.join(" ")
                ));
                if r.buffer_position() > 0 && text[..r.buffer_position() as usize].ends_with("/>") {
                    out.push("close".into());
                }
            }
            Event::End(_) => {
                flush(&mut pending, &mut out);
                out.push("close".into());
            }
            Event::Text(t) => pending.push_str(&t.xml10_content()),
            Event::CData(t) => pending.push_str(&t.xml10_content()),
            Event::GeneralRef(g) => {
                let name = g.into_inner();
                pending.push(match name.as_ref() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("unexpected reference {other}"),
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Asserts two documents are the same XML (see [`canonical`]), showing the first difference.
pub(crate) fn assert_same_xml(actual: &[u8], expected: &[u8]) {
    let a = canonical(actual);
    let e = canonical(expected);
    for (i, (x, y)) in a.iter().zip(e.iter()).enumerate() {
        assert_eq!(x, y, "first difference at event {i}");
    }
    assert_eq!(a.len(), e.len(), "event counts differ");
}

/// A reader that hands out at most `n` bytes per call, to cut records at every place.
pub(crate) struct Trickle<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) n: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.n.min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}
