//! A request prepared for signing: everything of a signature that does not
//! change between signatures of the same request (method, URL, body kind,
//! options, credentials), computed once.
//!
//! The signature base string of such a request is always
//! `A ‖ nonce ‖ B ‖ timestamp ‖ C` (RFC 5849 sorts `oauth_nonce` before
//! `oauth_timestamp`, and the request may carry no other `oauth_*`
//! parameter), and the text that carries the parameters (URL query,
//! `Authorization` header or form body) is
//! `D ‖ timestamp ‖ E ‖ nonce ‖ F ‖ signature ‖ G`. [`Endpoint::prepare`]
//! runs the pipeline of [`crate::sign`] once (without its HMAC) with a placeholder nonce and
//! timestamp, cuts both texts around them, and keys an HMAC and feeds it `A`.
//! [`Endpoint::sign`] then costs the HMAC of the nonce and of `B ‖ timestamp
//! ‖ C` (about 100 bytes) and two string copies: no URL parsing, no
//! parameter sorting, no key set-up. Since the parts come from [`crate::sign`], the
//! result is byte for byte what [`crate::sign`] gives (a property test checks it).

use crate::b64;
use crate::credentials::Credentials;
use crate::digest::{Base64Buf, PrefixedMac};
use crate::encode::is_unreserved;
use crate::error::Error;
use crate::options::{Configure as _, SignatureShape, SigningOptions, push_base64_rfc};
use crate::request::{Body, Placement, Request};
use crate::secret::Secret;
use crate::sign::{Signed, SigningParams, sign_parts};

/// How many nonces are drawn at most for [`SignatureShape::Unescaped`].
/// Each draw succeeds with probability about 0.44, so 64 draws all failing
/// has probability below 10^-16; the RFC encoding is used then.
pub(crate) const MAX_DRAWS: usize = 64;

/// The placeholder nonce and timestamp of the preparing signature.
const NONCE: &str = "n";
const TIMESTAMP: u64 = 0;
const TIMESTAMP_TEXT: &str = "0";

/// The fixed parts of one request's signatures.
pub(crate) struct Endpoint {
    method: Box<str>,
    url: Box<str>,
    opaque_body: bool,
    options: SigningOptions,
    /// Keyed and fed `A`; `None` for PLAINTEXT.
    mac: Option<PrefixedMac>,
    /// The PLAINTEXT signature (the key), which no nonce changes.
    fixed_signature: Option<Secret>,
    /// `A`, `B`, `C` of the base string.
    base: [Box<str>; 3],
    /// `D`, `E`, `F` of the carrying text, and `G`.
    text: [Box<str>; 3],
    close: &'static str,
    /// The URL to send when the parameters are not in it.
    plain_url: Box<str>,
    /// The shape the signature is written in (RFC outside the query).
    written_as: SignatureShape,
    /// For a URL whose last path segment varies (a sending's code): what
    /// follows the segment in the base string and in the URL; `url`, `A`
    /// and `D` then stop right before it, and the MAC is fed `A` only.
    segment: Option<[Box<str>; 2]>,
    /// For an endpoint of one URL whose last segment is plain: the length of
    /// what comes before that segment.
    exact_prefix: Option<usize>,
}

/// A URL whose last path segment is plain (ASCII letters and digits, as
/// the services' codes are) and that has no query or fragment, split into
/// what comes before that segment and the segment: such URLs share one
/// prepared request, the segment fed to the HMAC per signature.
pub(crate) fn split_segment(url: &str) -> Option<(&str, &str)> {
    let slash = url.rfind('/')?;
    let scheme_end = url.find("://")?;
    let (prefix, segment) = (url.get(..=slash)?, url.get(slash + 1..)?);
    let plain = !segment.is_empty()
        && segment.len() <= 64
        && segment.bytes().all(|b| b.is_ascii_alphanumeric());
    (plain && slash > scheme_end + 3 && !url.contains(['?', '#'])).then_some((prefix, segment))
}

impl Endpoint {
    /// Prepares `request`: the same checks and errors as [`crate::sign`].
    /// `keyed` is the MAC keyed with the credentials' key (`None` for
    /// PLAINTEXT), which the caller keeps from one endpoint to the next.
    /// With `segment` (the request URL's last segment, see
    /// [`split_segment`]) and query placement, the endpoint serves every URL
    /// that differs from this one in that segment only.
    pub(crate) fn prepare(
        request: &Request<'_>,
        credentials: &Credentials,
        options: SigningOptions,
        keyed: Option<PrefixedMac>,
        segment: Option<&str>,
    ) -> Result<Self, Error> {
        let params = SigningParams::new(TIMESTAMP, NONCE).with_options(options);
        let signed = sign_parts(request, credentials, &params, false)?;
        let (eq, close) = match options.placement {
            Placement::Header => ("=\"", "\""),
            Placement::Query | Placement::Form => ("=", ""),
        };
        let carrier = match options.placement {
            Placement::Query => Some(signed.url()),
            Placement::Header => signed.authorization(),
            Placement::Form => signed.form_body().and_then(|b| std::str::from_utf8(b).ok()),
        };
        let (Some(base), Some(text)) = (
            split_base_string(signed.base_string()),
            carrier.and_then(|c| split_carrier(c, eq)),
        ) else {
            // Not reached for texts that `sign` wrote.
            return Err(Error::InvalidUrl {
                reason: "the signed request's parts could not be located (please report this)"
                    .to_owned(),
            });
        };
        let [mut a, b, c] = base;
        let [mut d, e, f] = text;
        let mut url = request.url();
        let mut cut = None;
        if let Some(seg) = segment.filter(|_| options.placement == Placement::Query)
            && let Some((a1, a2, d1, d2)) = cut_segment(a, d, seg)
        {
            cut = Some([a2.into(), d2.into()]);
            (a, d) = (a1, d1);
            url = url.get(..url.len() - seg.len()).unwrap_or(url);
        }
        let base = [a, b, c];
        let text = [d, e, f];
        let mac = keyed.map(|mut mac| {
            mac.update(base[0].as_bytes());
            mac
        });
        let fixed_signature = mac.is_none().then(|| signed.signature().clone());
        Ok(Self {
            method: request.method().into(),
            url: url.into(),
            opaque_body: matches!(request.body_kind(), Body::Opaque),
            options,
            mac,
            fixed_signature,
            base: base.map(Into::into),
            text: text.map(Into::into),
            close,
            plain_url: signed.url().into(),
            written_as: match options.placement {
                Placement::Query => options.shape,
                Placement::Header | Placement::Form => SignatureShape::Rfc,
            },
            exact_prefix: cut
                .is_none()
                .then(|| split_segment(url).map(|(prefix, _)| prefix.len()))
                .flatten(),
            segment: cut,
        })
    }

    /// Whether this endpoint was prepared for `request` with `options`
    /// (requests with a form body or an `Authorization` header are never
    /// looked up: their content is part of what is signed or checked).
    /// `prefix` is what [`split_segment`] gave for the request's URL.
    pub(crate) fn serves(
        &self,
        request: &Request<'_>,
        prefix: Option<&str>,
        options: &SigningOptions,
    ) -> bool {
        let theirs = match (&self.segment, prefix) {
            (None, _) => request.url(),
            (Some(_), Some(prefix)) => prefix,
            (Some(_), None) => return false,
        };
        // URLs of one service share a long prefix and differ near the end
        // (a sending's code): their last bytes are compared first.
        let (ours, theirs) = (self.url.as_bytes(), theirs.as_bytes());
        self.options == *options
            && ours.len() == theirs.len()
            && ends(ours) == ends(theirs)
            && ours == theirs
            && *self.method == *request.method()
            && self.opaque_body == matches!(request.body_kind(), Body::Opaque)
    }

    /// For an endpoint prepared for one URL only: what comes before that
    /// URL's last segment, if it is plain ([`split_segment`]).
    pub(crate) fn exact_prefix(&self) -> Option<&str> {
        self.exact_prefix.and_then(|len| self.url.get(..len))
    }

    /// Whether `other` was prepared for the same method, body kind and
    /// options.
    pub(crate) fn same_kind(&self, other: &Self) -> bool {
        self.method == other.method
            && self.options == other.options
            && self.opaque_body == other.opaque_body
    }

    /// Signs at `timestamp` with the nonce `stem ‖ tail(draw)`; with
    /// [`SignatureShape::Unescaped`], draws again (`draw` 1, 2, …) until the
    /// signature holds no `+` or `/`, each draw resuming the HMAC right after
    /// `A ‖ stem`. `segment` is the URL's last segment (used only if this
    /// endpoint was prepared for a varying one).
    pub(crate) fn sign<T, F>(
        &self,
        segment: &str,
        timestamp: u64,
        stem: &str,
        mut tail: F,
    ) -> Result<Signed, Error>
    where
        T: AsRef<str>,
        F: FnMut(usize) -> Result<T, Error>,
    {
        let mut digits = [0u8; 20];
        let ts = decimal(timestamp, &mut digits);
        if !stem.bytes().all(is_unreserved) {
            return Err(Error::InvalidNonce);
        }
        let Some(mac) = &self.mac else {
            let only = checked(stem, tail(0)?)?;
            let sig = self
                .fixed_signature
                .clone()
                .unwrap_or_else(|| Secret::new(""));
            return Ok(self.assemble(segment, ts, stem, only.as_ref(), sig));
        };
        let mut after_stem = mac.clone();
        if let Some([a2, _]) = &self.segment {
            after_stem.update(segment.as_bytes());
            after_stem.update(a2.as_bytes());
        }
        after_stem.update(stem.as_bytes());
        let redraw = self.options.shape == SignatureShape::Unescaped;
        for draw in 0..MAX_DRAWS {
            let last = checked(stem, tail(draw)?)?;
            let mut m = after_stem.clone();
            m.update(last.as_ref().as_bytes());
            m.update(self.base[1].as_bytes());
            m.update(ts.as_bytes());
            m.update(self.base[2].as_bytes());
            let raw = m.finish();
            if !redraw || !b64::has_plus_or_slash(raw.as_slice()) || draw + 1 == MAX_DRAWS {
                let mut buf: Base64Buf = [0; 44];
                let sig = Secret::new(raw.base64(&mut buf));
                return Ok(self.assemble(segment, ts, stem, last.as_ref(), sig));
            }
        }
        // MAX_DRAWS > 0: the loop always returns.
        Err(Error::InvalidNonce)
    }

    /// Writes the base string and the carrying text.
    fn assemble(
        &self,
        segment: &str,
        ts: &str,
        stem: &str,
        tail: &str,
        signature: Secret,
    ) -> Signed {
        let (seg, [a2, d2]) = match &self.segment {
            Some([a2, d2]) => (segment, [&**a2, &**d2]),
            None => ("", ["", ""]),
        };
        let [a, b, c] = &self.base;
        let mut base = String::with_capacity(
            a.len() + seg.len() + a2.len() + b.len() + c.len() + ts.len() + stem.len() + tail.len(),
        );
        for part in [a, seg, a2, stem, tail, b, ts, c] {
            base.push_str(part);
        }
        let [d, e, f] = &self.text;
        let sig = signature.expose();
        let mut text = String::with_capacity(
            d.len()
                + seg.len()
                + d2.len()
                + e.len()
                + f.len()
                + ts.len()
                + stem.len()
                + tail.len()
                + 3 * sig.len()
                + 1,
        );
        for part in [d, seg, d2, ts, e, stem, tail, f] {
            text.push_str(part);
        }
        if self.mac.is_some() && self.written_as != SignatureShape::Guide {
            push_base64_rfc(&mut text, sig);
        } else {
            self.written_as.push_signature(&mut text, sig);
        }
        text.push_str(self.close);
        let url = match self.options.placement {
            Placement::Query => None,
            Placement::Header | Placement::Form => Some(self.plain_url.to_string()),
        };
        Signed::from_parts(self.options.placement, url, text, signature, base)
    }
}

/// `A` and `D` cut around the URL's last segment `seg`: in the base string
/// it ends the base string URI (right before the second raw `&`), in the URL
/// it comes right before the `?` of the `oauth_*` parameters. `None` if the
/// URL parser changed it (then the endpoint serves this URL only).
fn cut_segment<'t>(
    a: &'t str,
    d: &'t str,
    seg: &str,
) -> Option<(&'t str, &'t str, &'t str, &'t str)> {
    let amp = a.match_indices('&').nth(1)?.0;
    let q = d.find('?')?;
    let (a1, d1) = (
        a.get(..amp)?.strip_suffix(seg)?,
        d.get(..q)?.strip_suffix(seg)?,
    );
    Some((a1, a.get(amp..)?, d1, d.get(q..)?))
}

/// The last 8 bytes of `url` (all of a shorter one).
fn ends(url: &[u8]) -> &[u8] {
    url.get(url.len().saturating_sub(8)..).unwrap_or_default()
}

/// The nonce `stem ‖ tail` (`stem` already checked) must be non-empty and
/// unreserved, as in [`crate::sign`].
fn checked<T: AsRef<str>>(stem: &str, tail: T) -> Result<T, Error> {
    let t = tail.as_ref();
    let valid = !(stem.is_empty() && t.is_empty()) && t.bytes().all(is_unreserved);
    if valid {
        Ok(tail)
    } else {
        Err(Error::InvalidNonce)
    }
}

/// `n` in decimal, written into `buf`.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

/// Where `key` followed by `value` starts a parameter at or after `from`:
/// at `from` itself or right after `sep`. Returns the value's position.
fn value_after(text: &str, from: usize, sep: &str, key: &str, value: &str) -> Option<usize> {
    let rest = text.get(from..)?;
    rest.match_indices(key).find_map(|(i, _)| {
        let at = from + i;
        let led = at == from || text.get(..at).is_some_and(|t| t.ends_with(sep));
        let start = at + key.len();
        (led && text.get(start..).is_some_and(|t| t.starts_with(value))).then_some(start)
    })
}

/// `A`, `B`, `C` around the placeholder nonce and timestamp of a base
/// string. Its third part (after the second raw `&`) holds the parameters,
/// where `%26` appears only between two of them.
fn split_base_string(base: &str) -> Option<[&str; 3]> {
    let params = base.match_indices('&').nth(1)?.0 + 1;
    let n = value_after(base, params, "%26", "oauth_nonce%3D", NONCE)?;
    let t = value_after(
        base,
        n + NONCE.len(),
        "%26",
        "oauth_timestamp%3D",
        TIMESTAMP_TEXT,
    )?;
    Some([
        base.get(..n)?,
        base.get(n + NONCE.len()..t)?,
        base.get(t + TIMESTAMP_TEXT.len()..)?,
    ])
}

/// `D`, `E`, `F` around the placeholder timestamp and nonce of the text
/// [`crate::sign`] wrote (it appends the `oauth_*` parameters after everything else,
/// so the last occurrence of each is the one it wrote), `F` ending right
/// before the signature.
fn split_carrier<'t>(text: &'t str, eq: &str) -> Option<[&'t str; 3]> {
    let value = |key: &str| {
        text.rfind(&format!("{key}{eq}"))
            .map(|at| at + key.len() + eq.len())
    };
    let t = value("oauth_timestamp")?;
    let n = value("oauth_nonce")?;
    let s = value("oauth_signature")?;
    let placeholders = text.get(t..)?.starts_with(TIMESTAMP_TEXT)
        && text.get(n..)?.starts_with(NONCE)
        && t < n
        && n < s;
    placeholders.then_some(())?;
    Some([
        text.get(..t)?,
        text.get(t + TIMESTAMP_TEXT.len()..n)?,
        text.get(n + NONCE.len()..s)?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_last_segment_varies() {
        let ok = |u| split_segment(u);
        assert_eq!(
            ok("https://h.es/send/Sending/XJH290C"),
            Some(("https://h.es/send/Sending/", "XJH290C"))
        );
        assert_eq!(ok("http://h/7"), Some(("http://h/", "7")));
        for no in [
            "https://h.es/send/Sending/",
            "https://h.es/a/b-c",
            "https://h.es/a/b?c=1",
            "https://h.es/a/b#f",
            "https://h.es/a/%41",
            "https://h.es/a/..",
            "https://h.es",
            "https://abc",
            "no-scheme/abc",
        ] {
            assert_eq!(ok(no), None, "{no}");
        }
    }

    #[test]
    fn decimal_writes_every_width() {
        let mut buf = [0; 20];
        for n in [0, 7, 10, 1_588_868_100, u64::MAX] {
            assert_eq!(decimal(n, &mut buf), n.to_string());
        }
    }

    #[test]
    fn base_string_split_ignores_lookalikes_in_the_uri_and_values() {
        // A path and a value that spell the keys: only the parameters count.
        let base = "GET&http%3A%2F%2Fh%2F%26oauth_nonce%3Dn&a%3D%2526oauth_nonce%253Dn%26oauth_nonce%3Dn%26oauth_timestamp%3D0%26z%3D1";
        let [a, b, c] = split_base_string(base).unwrap();
        assert_eq!(
            a,
            "GET&http%3A%2F%2Fh%2F%26oauth_nonce%3Dn&a%3D%2526oauth_nonce%253Dn%26oauth_nonce%3D"
        );
        assert_eq!(b, "%26oauth_timestamp%3D");
        assert_eq!(c, "%26z%3D1");
    }
}
