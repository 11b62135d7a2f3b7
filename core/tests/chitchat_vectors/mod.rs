//! chitchat: vectors/chitchat.json (produced by the chitchat crate 0.13.0).

use serde_json::Value;
use wire_core::{chitchat, encode_to_vec, Codec, ErrorKind, StreamDecoder};

use crate::common::{self, hex_of, name, run, Suite};

struct Chitchat;

impl Suite for Chitchat {
    type C = chitchat::ChitchatCodec;
    const FILE: &'static str = "chitchat.json";

    /// The file gives the crate's error text: map it onto our kinds.
    fn expected_error(entry: &Value) -> ErrorKind {
        let behaviour = entry["reference_behaviour"].as_str().unwrap_or_default();
        let len = hex_of(entry, "hex").len();
        if let Some(kind) = common::decided_kind(Self::FILE, "invalid", entry) {
            return kind;
        }
        match name(entry) {
            _ if behaviour.contains("invalid protocol version") => ErrorKind::UnsupportedVersion,
            _ if behaviour.contains("invalid message type") && len < chitchat::HEADER_LEN => {
                ErrorKind::Incomplete
            }
            _ if behaviour.to_lowercase().contains("buffer too s") => ErrorKind::Incomplete,
            _ if behaviour.contains("invalid utf-8") => ErrorKind::InvalidUtf8,
            _ if [
                "invalid chitchat magic number",
                "invalid message type",
                "Invalid IP version byte",
                "invalid block type",
                "failed to decompress block",
                "without a node op before",
                "striclty increasing",
                "Invalid deletion status code",
            ]
            .iter()
            .any(|m| behaviour.contains(m)) =>
            {
                ErrorKind::Malformed
            }
            _ => panic!("{}: no expectation for {behaviour:?}", name(entry)),
        }
    }

    /// Decodes to `fields` (through the stream decoder, which leaves the `trailing_bytes_ignored`
    /// bytes, when there are any: one-shot decode refuses them); `canonical_fields` (or
    /// `fields`) encodes to `canonical_hex`, which decodes back to them.
    fn check_decode_only(entry: &Value) {
        let bytes = hex_of(entry, "hex");
        let trailing = entry["trailing_bytes_ignored"].as_u64().unwrap() as usize;
        let codec = Self::codec();
        let decoded = if trailing > 0 {
            let e = chitchat::decode(&bytes).expect_err(name(entry));
            assert_eq!(e.kind(), ErrorKind::TrailingBytes, "{}", name(entry));
            let mut stream = StreamDecoder::new(Self::codec());
            let mut frames = stream.feed(&bytes).unwrap();
            assert_eq!(frames.len(), 1, "{}", name(entry));
            assert_eq!(stream.buffered(), trailing, "{}", name(entry));
            frames.remove(0)
        } else {
            chitchat::decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", name(entry)))
        };
        assert_eq!(
            codec.to_json(&decoded),
            common::message_of(entry),
            "{}",
            name(entry)
        );
        let canonical = match entry.get("canonical_fields") {
            Some(fields) => serde_json::json!({"type": entry["type"], "fields": fields}),
            None => common::message_of(entry),
        };
        let frame = codec.from_json(&canonical).unwrap();
        let encoded = encode_to_vec(&mut Self::codec(), &frame)
            .unwrap_or_else(|e| panic!("{}: {e}", name(entry)));
        assert_eq!(
            hex::encode(&encoded),
            entry["canonical_hex"].as_str().unwrap(),
            "{}: canonical bytes",
            name(entry)
        );
        assert_eq!(
            chitchat::decode(&encoded).as_ref(),
            Ok(&frame),
            "{}",
            name(entry)
        );
    }

    /// Messages are self-delimiting: every vector through the stream decoder one byte at a
    /// time, and all of them back to back, give the one-shot frames; `encoded_len` is exact.
    fn extra_sections(doc: &Value) -> usize {
        let vectors = common::section(doc, "vectors");
        let mut all = Vec::new();
        let mut expected = Vec::new();
        for entry in vectors {
            let bytes = hex_of(entry, "hex");
            let frame = chitchat::decode(&bytes).unwrap();
            let bytewise = common::stream_decode(Self::codec(), &bytes, 1).unwrap();
            assert_eq!(bytewise, std::slice::from_ref(&frame), "{}", name(entry));
            assert_eq!(
                Self::codec().encoded_len(&frame),
                Ok(bytes.len()),
                "{}",
                name(entry)
            );
            all.extend_from_slice(&bytes);
            expected.push(frame);
        }
        for chunk in [1, 7, 4096, all.len()] {
            assert_eq!(
                common::stream_decode(Self::codec(), &all, chunk).unwrap(),
                expected
            );
        }
        vectors.len()
    }
}

#[test]
fn chitchat_vectors() {
    let tally = run::<Chitchat>();
    assert_eq!(
        (tally.roundtrip, tally.decode_only, tally.invalid),
        (20, 11, 34)
    );
}
