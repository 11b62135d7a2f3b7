//! The conformance-vector runner shared by every protocol's suite.
//!
//! A protocol plugs in with one `impl Suite` (usually just its codec type and file name) and
//! one line in `tests/vectors.rs`. The defaults run the sections every vector file shares:
//! `vectors` (decode hex == {type, fields}; encode {type, fields} == hex; stream decode in
//! 1-byte chunks == one-shot), `decode_only` / `accepted_noncanonical` (must decode) and
//! `invalid` (must be rejected with the expected kind). Protocol-specific sections go in
//! `extra_sections`.
#![allow(dead_code)]

use std::path::PathBuf;

use bytes::BytesMut;
use serde_json::Value;
use wire_core::{decode_exact, encode_to_vec, Codec, ErrorKind, StreamDecoder};

/// Load `vectors/<file>` from the workspace root.
pub fn load(file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("vectors")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// wire's expectation for an entry of `section` of `file` (`vectors/expectations.json`):
/// `{"error": kind, "reason"?}` or `{"decodes": true}`; `None` when the file lists none.
pub fn expectation(file: &str, section: &str, entry: &Value) -> Option<&'static Value> {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| load("expectations.json"))["files"][file][section].get(name(entry))
}

/// The error kind `vectors/expectations.json` gives an entry, if any.
pub fn expected_kind(file: &str, section: &str, entry: &Value) -> Option<ErrorKind> {
    let code = expectation(file, section, entry)?.get("error")?.as_str()?;
    Some(ErrorKind::from_code(code).unwrap_or_else(|| panic!("{}: kind {code:?}", name(entry))))
}

/// The kind of an entry where `vectors/expectations.json` records a decision of the project
/// (an outcome that differs from the reference's, with its reason).
pub fn decided_kind(file: &str, section: &str, entry: &Value) -> Option<ErrorKind> {
    expectation(file, section, entry)?.get("reason")?;
    expected_kind(file, section, entry)
}

/// Bytes of a vector's `key` hex field.
pub fn hex_of(entry: &Value, key: &str) -> Vec<u8> {
    let s = entry[key]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no {key}", name(entry)));
    hex::decode(s).unwrap_or_else(|e| panic!("{}: {key}: {e}", name(entry)))
}

/// A vector's name.
pub fn name(entry: &Value) -> &str {
    entry["name"].as_str().unwrap_or("<unnamed>")
}

/// Entries of a section (empty when the file has no such section).
pub fn section<'a>(doc: &'a Value, key: &str) -> &'a [Value] {
    doc.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `{"type": entry.type, "fields": entry.fields}`.
pub fn message_of(entry: &Value) -> Value {
    serde_json::json!({"type": entry["type"], "fields": entry["fields"]})
}

/// Counts what a suite checked, so a suite that silently checks nothing fails.
#[derive(Default, Debug)]
pub struct Tally {
    pub roundtrip: usize,
    pub decode_only: usize,
    pub invalid: usize,
    pub extra: usize,
}

/// A protocol's vector suite.
pub trait Suite {
    type C: Codec + Default;

    /// File under `vectors/`.
    const FILE: &'static str;

    fn codec() -> Self::C {
        Self::C::default()
    }

    /// Decode one vector's bytes to its canonical JSON.
    fn decode_to_json(entry: &Value, bytes: &[u8]) -> wire_core::Result<Value> {
        let _ = entry;
        let mut codec = Self::codec();
        let frame = decode_exact(&mut codec, bytes)?;
        Ok(codec.to_json(&frame))
    }

    /// Encode one vector's canonical JSON.
    fn encode_from_json(entry: &Value, message: &Value) -> wire_core::Result<Vec<u8>> {
        let _ = entry;
        let mut codec = Self::codec();
        let frame = codec.from_json(message)?;
        encode_to_vec(&mut codec, &frame)
    }

    /// The canonical JSON a vector must decode to.
    fn expected_json(entry: &Value) -> Value {
        message_of(entry)
    }

    /// Whether a `vectors` entry is a round trip (some files flag decode-only entries there).
    fn is_roundtrip(entry: &Value) -> bool {
        entry.get("roundtrip") != Some(&Value::Bool(false))
    }

    /// Whether an entry of `vectors` is a stream of frames in the codec's own framing (checked
    /// by the stream decoder only).
    fn is_frame_entry(entry: &Value) -> bool {
        let _ = entry;
        true
    }

    /// The error kind an `invalid` entry must produce.
    fn expected_error(entry: &Value) -> ErrorKind;

    /// Check an `invalid` entry; the default is [`assert_rejected`].
    fn check_invalid(entry: &Value) {
        assert_rejected::<Self>(entry);
    }

    /// Check a decode-only entry; the default compares with `fields` when the entry has them.
    fn check_decode_only(entry: &Value) {
        let bytes = hex_of(entry, "hex");
        let decoded = Self::decode_to_json(entry, &bytes)
            .unwrap_or_else(|e| panic!("{}: decode-only input refused: {e}", name(entry)));
        if entry.get("fields").is_some() {
            assert_eq!(decoded, Self::expected_json(entry), "{}", name(entry));
        }
    }

    /// Protocol-specific sections; returns how many entries it checked.
    fn extra_sections(doc: &Value) -> usize {
        let _ = doc;
        0
    }
}

/// One-shot decode refuses an `invalid` entry with its expected kind, and stream decoding in
/// any chunking fails the same way.
pub fn assert_rejected<S: Suite + ?Sized>(entry: &Value) {
    let bytes = hex_of(entry, "hex");
    let expected = S::expected_error(entry);
    match decode_exact(&mut S::codec(), &bytes) {
        Ok(_) => panic!("{}: decoded, expected {expected}", name(entry)),
        Err(e) => assert_eq!(e.kind(), expected, "{}: {e}", name(entry)),
    }
    assert_stream_error_matches::<S>(entry, &bytes, expected);
}

/// Stream-decode `bytes` in chunks of `chunk` bytes: every frame, or the first error.
pub fn stream_decode<C: Codec>(
    codec: C,
    bytes: &[u8],
    chunk: usize,
) -> Result<Vec<C::Frame>, wire_core::Error> {
    let mut decoder = StreamDecoder::new(codec);
    let mut frames = Vec::new();
    for piece in bytes.chunks(chunk.max(1)) {
        frames.extend(decoder.feed(piece)?);
    }
    frames.extend(decoder.feed(&[])?);
    decoder.finish()?;
    Ok(frames)
}

/// A stream decoder fed `bytes` one byte at a time fails with the same kind as one-shot decode
/// (truncated input surfaces as `incomplete` from `finish`).
pub fn assert_stream_error_matches<S: Suite + ?Sized>(
    entry: &Value,
    bytes: &[u8],
    expected: ErrorKind,
) {
    let whole = stream_decode(S::codec(), bytes, bytes.len());
    let bytewise = stream_decode(S::codec(), bytes, 1);
    match (&whole, &bytewise) {
        (Err(a), Err(b)) => assert_eq!(a, b, "{}: chunking changed the error", name(entry)),
        (Ok(a), Ok(b)) => assert_eq!(
            a.len(),
            b.len(),
            "{}: chunking changed the frames",
            name(entry)
        ),
        _ => panic!("{}: chunking changed the outcome", name(entry)),
    }
    if expected != ErrorKind::TrailingBytes {
        if let Err(e) = whole {
            assert_eq!(e.kind(), expected, "{}: stream: {e}", name(entry));
        }
    }
}

/// Run every section of `S::FILE`.
pub fn run<S: Suite>() -> Tally {
    let doc = load(S::FILE);
    let mut tally = Tally::default();
    for entry in section(&doc, "vectors") {
        let bytes = hex_of(entry, "hex");
        if !S::is_frame_entry(entry) {
            continue;
        }
        let decoded = S::decode_to_json(entry, &bytes)
            .unwrap_or_else(|e| panic!("{}: decode failed: {e}", name(entry)));
        assert_eq!(
            decoded,
            S::expected_json(entry),
            "{}: decoded fields",
            name(entry)
        );
        if S::is_roundtrip(entry) {
            let encoded = S::encode_from_json(entry, &S::expected_json(entry))
                .unwrap_or_else(|e| panic!("{}: encode failed: {e}", name(entry)));
            assert_eq!(
                hex::encode(&encoded),
                hex::encode(&bytes),
                "{}: encoded bytes",
                name(entry)
            );
            tally.roundtrip += 1;
        } else {
            tally.decode_only += 1;
        }
    }
    for key in ["decode_only", "accepted_noncanonical"] {
        for entry in section(&doc, key) {
            S::check_decode_only(entry);
            tally.decode_only += 1;
        }
    }
    for entry in section(&doc, "invalid") {
        // The expectations file the other languages' runners read agrees with the kind this
        // runner derives from the reference's own outcome.
        let listed = expectation(S::FILE, "invalid", entry)
            .unwrap_or_else(|| panic!("{}: not in vectors/expectations.json", name(entry)));
        if listed.get("decodes").is_none() {
            assert_eq!(
                expected_kind(S::FILE, "invalid", entry),
                Some(S::expected_error(entry)),
                "{}: vectors/expectations.json",
                name(entry)
            );
        }
        S::check_invalid(entry);
        tally.invalid += 1;
    }
    tally.extra = S::extra_sections(&doc);
    assert!(
        tally.roundtrip > 0 && tally.invalid > 0,
        "{}: suite checked nothing: {tally:?}",
        S::FILE
    );
    eprintln!("{}: {tally:?}", S::FILE);
    tally
}

/// Decode a whole concatenation of frames through the codec with the given chunk size.
pub fn concat_frames(entries: &[Vec<u8>]) -> BytesMut {
    let mut all = BytesMut::new();
    for e in entries {
        all.extend_from_slice(e);
    }
    all
}
