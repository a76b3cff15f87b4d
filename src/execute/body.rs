//! Owns reading a response body within bounds, whatever the target sends: at most
//! [`BodyLimits::keep`] bytes of it are kept (for the checks, which parse JSON), the rest is
//! dropped unread and the body marked truncated; its size and SHA-256 cover the bytes read. A
//! gzip body is inflated here, into the same cap, so a small compressed answer cannot become a
//! large one in memory (a gzip bomb stops at the cap). Over the whole run, kept bodies share one
//! budget ([`BodyLimits::budget`]): once it is spent, a body is kept only to its excerpt, so the
//! run's memory stays bounded however many large answers come. A body that is not UTF-8 (JSON
//! never is) is kept as its excerpt only: no check can read more of it.
//!
//! Why inflate by hand (flate2, streaming into a capped sink) rather than reqwest's `gzip`
//! feature: the cap then applies to the inflated bytes we keep, the report can say how many bytes
//! came on the wire and how many they inflated to, and an unknown content coding is recorded as it
//! came instead of failing the request inside the client.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

use super::client::BODY_CAP;

/// Bytes of a body the report shows by default (16 KiB).
pub const EXCERPT: usize = 16 * 1024;
/// Bytes of bodies beyond their excerpts one run keeps by default (32 MiB: 32 answers at the full
/// cap; a documented answer is a few KiB, so only a hostile target ever spends it).
pub const RUN_BUDGET: usize = 32 * 1024 * 1024;
/// Bytes of one response header value recorded; a longer value is cut.
pub const HEADER_VALUE_CAP: usize = 1024;
/// Response headers recorded per answer; the rest are counted, not kept.
pub const HEADER_COUNT_CAP: usize = 64;

/// What a run reads and keeps of response bodies.
#[derive(Debug)]
pub struct BodyLimits {
    /// Bytes of one (inflated) body kept for the checks; past it the body is truncated.
    pub keep: usize,
    /// Bytes of a body shown in the report (an excerpt of what was kept).
    pub excerpt: usize,
    /// Bytes of bodies the run may still keep beyond their excerpts.
    budget: AtomicUsize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        Self::new(BODY_CAP, EXCERPT, RUN_BUDGET)
    }
}

impl BodyLimits {
    /// Limits keeping `keep` bytes per body, showing `excerpt` (at most `keep`), and `budget` bytes for the run.
    pub fn new(keep: usize, excerpt: usize, budget: usize) -> Self {
        Self { keep, excerpt: excerpt.min(keep), budget: AtomicUsize::new(budget) }
    }

    /// Takes up to `want` bytes of the run's budget; returns how many were granted.
    fn take(&self, want: usize) -> usize {
        let mut granted = 0;
        let _ = self.budget.fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
            granted = want.min(left);
            Some(left - granted)
        });
        granted
    }

    /// Gives back what a body did not use.
    fn give_back(&self, n: usize) {
        self.budget.fetch_add(n, Ordering::AcqRel);
    }
}

/// A body as read: what was kept, and what is known of the whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadBody {
    /// The kept bytes: the whole body unless `truncated`.
    pub bytes: Vec<u8>,
    /// Bytes of the (inflated) body read; the whole body's size unless `truncated`.
    pub size: u64,
    /// Bytes that came on the wire (differs from `size` when the body was inflated).
    pub wire_size: u64,
    /// SHA-256 (hex) of the `size` bytes read.
    pub sha256: String,
    /// The body went on past what was read (the keep cap or the run's budget).
    pub truncated: bool,
    /// The content coding that was undone (`gzip`), if any.
    pub decoded: Option<String>,
}

/// The sink inflated and plain bytes go through: counts and hashes everything, keeps up to `room`.
struct Sink {
    kept: Vec<u8>,
    room: usize,
    size: u64,
    hash: Sha256,
    /// Set once a byte did not fit: reading stops.
    full: bool,
}

impl Sink {
    fn new(room: usize, hint: usize) -> Self {
        Self { kept: Vec::with_capacity(hint.min(room)), room, size: 0, hash: Sha256::new(), full: false }
    }

    fn push(&mut self, data: &[u8]) -> usize {
        let fits = data.len().min(self.room - self.kept.len());
        self.kept.extend_from_slice(&data[..fits]);
        self.hash.update(&data[..fits]);
        self.size += fits as u64;
        if fits < data.len() {
            self.full = true;
        }
        fits
    }
}

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.full {
            // Stops the inflater: nothing past the cap is produced.
            return Err(std::io::Error::other("body cap reached"));
        }
        let n = self.push(data);
        if n == 0 && !data.is_empty() {
            return Err(std::io::Error::other("body cap reached"));
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How a body reaches the sink.
enum Decoder {
    Plain(Sink),
    Gzip(Box<flate2::write::MultiGzDecoder<Sink>>),
}

impl Decoder {
    /// Feeds wire bytes; `Err` when the coding is broken.
    fn feed(&mut self, chunk: &[u8]) -> Result<(), String> {
        match self {
            Self::Plain(sink) => {
                sink.push(chunk);
                Ok(())
            }
            Self::Gzip(d) => match d.write_all(chunk) {
                Ok(()) => Ok(()),
                Err(_) if d.get_ref().full => Ok(()),
                Err(e) => Err(format!("the gzip body is corrupt: {e}")),
            },
        }
    }

    fn full(&self) -> bool {
        match self {
            Self::Plain(sink) => sink.full,
            Self::Gzip(d) => d.get_ref().full,
        }
    }

    fn finish(self) -> Result<Sink, String> {
        match self {
            Self::Plain(sink) => Ok(sink),
            Self::Gzip(mut d) => {
                // The end of the stream is checked only when the whole body fit: a cut body has no end.
                if !d.get_ref().full
                    && let Err(e) = d.try_finish()
                    && !d.get_ref().full
                {
                    return Err(format!("the gzip body is corrupt: {e}"));
                }
                Ok(std::mem::replace(d.get_mut(), Sink::new(0, 0)))
            }
        }
    }
}

/// Why a body could not be read.
#[derive(Debug)]
pub(super) enum BodyError {
    /// The connection failed mid-body (reset, timeout …): the transport's own words.
    Transport(reqwest::Error),
    /// A content coding we undo was broken.
    Corrupt(String),
}

/// Reads `resp`'s body within `limits`.
pub(super) async fn read_body(resp: &mut reqwest::Response, limits: &BodyLimits) -> Result<ReadBody, BodyError> {
    let coding = resp
        .headers()
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    let declared = resp.content_length().and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    // The excerpt is always affordable; the rest of the cap comes out of the run's budget.
    let extra = limits.take(limits.keep.saturating_sub(limits.excerpt));
    let room = limits.excerpt + extra;
    let sink = Sink::new(room, declared);
    let (mut decoder, decoded) = match coding.as_deref() {
        Some("gzip" | "x-gzip") => {
            (Decoder::Gzip(Box::new(flate2::write::MultiGzDecoder::new(sink))), Some("gzip".to_owned()))
        }
        _ => (Decoder::Plain(sink), None),
    };
    let mut wire = 0u64;
    let mut truncated = false;
    let outcome = async {
        while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
            wire += chunk.len() as u64;
            decoder.feed(&chunk).map_err(BodyError::Corrupt)?;
            if decoder.full() {
                truncated = true;
                break;
            }
        }
        Ok(())
    }
    .await;
    let result = outcome.and_then(|()| decoder.finish().map_err(BodyError::Corrupt));
    let sink = match result {
        Ok(sink) => sink,
        Err(e) => {
            limits.give_back(extra);
            return Err(e);
        }
    };
    limits.give_back(room.saturating_sub(sink.kept.len()).min(extra));
    Ok(ReadBody {
        size: sink.size,
        wire_size: wire,
        sha256: hex::encode(sink.hash.finalize()),
        truncated: truncated || sink.full,
        bytes: sink.kept,
        decoded,
    })
}

/// The longest prefix of `text` whose JSON-escaped form stays within `max` bytes, cut at a
/// character boundary (a control character costs six bytes escaped, a quote or backslash two).
pub fn excerpt(text: &str, max: usize) -> &str {
    let mut cost = 0usize;
    for (i, c) in text.char_indices() {
        cost += match c {
            '"' | '\\' | '\n' | '\r' | '\t' => 2,
            c if c.is_control() => 6,
            c => c.len_utf8(),
        };
        if cost > max {
            return &text[..i];
        }
    }
    text
}

/// `text` cut to at most `max` bytes at a character boundary, with `…` appended when cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn decode(wire: &[u8], coding: Option<&str>, limits: &BodyLimits) -> Result<ReadBody, String> {
        let sink = Sink::new(limits.keep, 0);
        let mut d = match coding {
            Some(_) => Decoder::Gzip(Box::new(flate2::write::MultiGzDecoder::new(sink))),
            None => Decoder::Plain(sink),
        };
        for chunk in wire.chunks(4096) {
            d.feed(chunk)?;
            if d.full() {
                break;
            }
        }
        let full = d.full();
        let sink = d.finish()?;
        Ok(ReadBody {
            size: sink.size,
            wire_size: wire.len() as u64,
            sha256: hex::encode(sink.hash.finalize()),
            truncated: full || sink.full,
            bytes: sink.kept,
            decoded: coding.map(str::to_owned),
        })
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_cap() {
        let member = gzip(&vec![0u8; 4 << 20]);
        let bomb = member.repeat(16);
        let limits = BodyLimits::new(64 * 1024, 1024, RUN_BUDGET);
        let body = decode(&bomb, Some("gzip"), &limits).unwrap();
        assert!(body.truncated);
        assert_eq!(body.bytes.len(), 64 * 1024);
        assert_eq!(body.size, 64 * 1024);
    }

    #[test]
    fn gzip_inflates_whole_and_hashes_the_inflated_bytes() {
        let text = br#"{"a":[1,2,3]}"#;
        let body = decode(&gzip(text), Some("gzip"), &BodyLimits::default()).unwrap();
        assert!(!body.truncated);
        assert_eq!(body.bytes, text);
        assert_eq!(body.sha256, hex::encode(Sha256::digest(text)));
        assert!(decode(b"not gzip at all", Some("gzip"), &BodyLimits::default()).is_err());
    }

    #[test]
    fn the_run_budget_limits_kept_bodies_to_their_excerpt() {
        let limits = BodyLimits::new(1000, 100, 1500);
        assert_eq!(limits.take(900), 900);
        assert_eq!(limits.take(900), 600);
        assert_eq!(limits.take(900), 0);
        limits.give_back(300);
        assert_eq!(limits.take(900), 300);
    }

    #[test]
    fn excerpts_count_escaped_bytes_and_keep_characters_whole() {
        assert_eq!(excerpt("abcdef", 4), "abcd");
        assert_eq!(excerpt("\u{0}\u{0}", 7), "\u{0}");
        assert_eq!(excerpt("中文", 4), "中");
        assert_eq!(cut("中文", 4), "中…");
        assert_eq!(cut("ab", 4), "ab");
    }
}
