//! A small namespace-resolved element tree for documents that fit in memory (office-to-IB
//! documents, status replies), with the same hostile-input checks as the bulletin reader.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use crate::{Error, MAX_DEPTH};

/// An attribute with its namespace resolved (empty string: no namespace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attr {
    pub(crate) ns: String,
    pub(crate) local: String,
    pub(crate) value: String,
}

/// An element with its namespace resolved, its direct text, its children and its byte span
/// in the source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Element {
    pub(crate) ns: String,
    pub(crate) local: String,
    pub(crate) attrs: Vec<Attr>,
    pub(crate) children: Vec<Self>,
    pub(crate) text: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Element {
    /// The first child with this local name, in any namespace.
    pub(crate) fn child(&self, local: &str) -> Option<&Self> {
        self.children.iter().find(|c| c.local == local)
    }

    /// Every child with this local name.
    pub(crate) fn children_named<'a>(&'a self, local: &'a str) -> impl Iterator<Item = &'a Self> {
        self.children.iter().filter(move |c| c.local == local)
    }

    /// The trimmed text of the first child with this local name.
    pub(crate) fn child_text(&self, local: &str) -> Option<&str> {
        self.child(local).map(|c| c.text.trim())
    }

    /// The first descendant (depth first, document order) with this local name.
    pub(crate) fn descendant(&self, local: &str) -> Option<&Self> {
        for c in &self.children {
            if c.local == local {
                return Some(c);
            }
            if let Some(d) = c.descendant(local) {
                return Some(d);
            }
        }
        None
    }

    /// The value of the attribute with this local name, in any namespace.
    pub(crate) fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.local == local)
            .map(|a| a.value.as_str())
    }
}

/// Checks that `bytes` are UTF-8 (skipping a UTF-8 byte order mark) and refuses UTF-16.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, Error> {
    if bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE]) {
        return Err(Error::UnsupportedEncoding {
            offset: 0,
            encoding: "UTF-16".into(),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| Error::InvalidUtf8 {
        offset: e.valid_up_to() as u64,
    })?;
    Ok(text)
}

/// Resolves a general reference (`&amp;`, `&#233;`...). Only the five predefined entities and
/// character references exist, since DTDs are refused.
pub(crate) fn resolve_ref(name: &str, offset: u64) -> Result<char, Error> {
    let bad = |what: &str| Error::Malformed {
        offset,
        message: format!(
            "{what} `&{name};`: only &amp; &lt; &gt; &quot; &apos; and character references \
             exist without a DTD"
        ),
    };
    Ok(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let num = if let Some(hex) = name.strip_prefix("#x") {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse::<u32>().ok()
            } else {
                return Err(bad("undefined entity"));
            };
            num.and_then(char::from_u32)
                .filter(|c| !matches!(c, '\0'))
                .ok_or_else(|| bad("invalid character reference"))?
        }
    })
}

fn malformed(offset: u64, err: impl std::fmt::Display) -> Error {
    Error::Malformed {
        offset,
        message: err.to_string(),
    }
}

fn ns_of(result: &ResolveResult<'_>, offset: u64) -> Result<String, Error> {
    match result {
        ResolveResult::Bound(ns) => Ok(ns.0.to_owned()),
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Unknown(prefix) => Err(Error::Malformed {
            offset,
            message: format!("the prefix `{prefix}` is used but never declared with xmlns"),
        }),
    }
}

/// Parses a whole document into its root element.
///
/// Refuses a DOCTYPE, nesting deeper than [`MAX_DEPTH`], malformed UTF-8, a non-UTF-8
/// encoding declaration and undefined entities. Comments and processing instructions are not
/// kept in the tree (they stay in the source bytes).
pub(crate) fn parse(bytes: &[u8]) -> Result<Element, Error> {
    let text = utf8(bytes)?;
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut reader = NsReader::from_str(&text[bom..]);
    let base = bom as u64;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position();
        let at = base + before;
        let (resolved, event) = match reader.read_resolved_event() {
            Ok(ok) => ok,
            Err(e) => {
                let at = base + reader.error_position();
                return Err(malformed(at, e));
            }
        };
        let self_closing = matches!(event, Event::Empty(_));
        let resolved_ns = match &event {
            Event::Start(_) | Event::Empty(_) => Some(ns_of(&resolved, at)?),
            _ => None,
        };
        match event {
            Event::Decl(decl) => {
                if let Some(enc) = decl.encoding() {
                    let enc = enc.map_err(|e| malformed(at, e))?;
                    if !enc.eq_ignore_ascii_case("utf-8") && !enc.eq_ignore_ascii_case("utf8") {
                        return Err(Error::UnsupportedEncoding {
                            offset: at,
                            encoding: enc.into_owned(),
                        });
                    }
                }
            }
            Event::DocType(_) => return Err(Error::DoctypeRefused { offset: at }),
            Event::Start(start) | Event::Empty(start) => {
                if root.is_some() {
                    return Err(malformed(at, "a second root element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(Error::TooDeep {
                        offset: at,
                        limit: MAX_DEPTH,
                    });
                }
                let mut attrs = Vec::new();
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| malformed(at, e))?;
                    let key = attr.key;
                    if key.as_namespace_binding().is_some() {
                        continue;
                    }
                    let (ans, local) = reader.resolver().resolve_attribute(key);
                    let ns = ns_of(&ans, at)?;
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| malformed(at, e))?;
                    attrs.push(Attr {
                        ns,
                        local: local.as_ref().to_owned(),
                        value: value.into_owned(),
                    });
                }
                let el = Element {
                    ns: resolved_ns.unwrap_or_default(),
                    local: start.local_name().as_ref().to_owned(),
                    attrs,
                    start: (base + before) as usize,
                    end: (base + reader.buffer_position()) as usize,
                    ..Element::default()
                };
                if self_closing {
                    close(el, &mut stack, &mut root);
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                if let Some(mut el) = stack.pop() {
                    el.end = (base + reader.buffer_position()) as usize;
                    close(el, &mut stack, &mut root);
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(malformed(at, "text outside the root element")),
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = resolve_ref(&r.into_inner(), at)?;
                match stack.last_mut() {
                    Some(el) => el.text.push(c),
                    None => return Err(malformed(at, "a reference outside the root element")),
                }
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed(
            base + reader.buffer_position(),
            "the document ends before its elements are closed",
        ));
    }
    root.ok_or_else(|| malformed(0, "the document has no root element"))
}

fn close(el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}
