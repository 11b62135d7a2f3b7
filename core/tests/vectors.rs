//! Every section of every `vectors/*.json` through the Rust API. One suite per protocol.

mod common;

use common::{hex_of, name, run, Suite};
use serde_json::Value;
use wire_core::{
    chitchat, dataexchange, decode_exact, encode_to_vec, Codec, ErrorKind, StreamDecoder,
};

struct Dataexchange;

impl Suite for Dataexchange {
    type C = dataexchange::DataexchangeCodec;
    const FILE: &'static str = "dataexchange.json";

    /// The file gives the Go reader's outcome as text: map it onto our kinds.
    fn expected_error(entry: &Value) -> ErrorKind {
        let behaviour = entry["reference_behaviour"].as_str().unwrap_or_default();
        if behaviour.contains("ReadTracePayload on that frame") {
            ErrorKind::InvalidArgument
        } else if behaviour.contains("io.EOF") || behaviour.contains("io.ErrUnexpectedEOF") {
            ErrorKind::Incomplete
        } else if behaviour.contains("frame too large") {
            ErrorKind::TooLarge
        } else if behaviour.contains("filename") || behaviour.contains("trace payload too short") {
            ErrorKind::Malformed
        } else {
            panic!("{}: no expectation for {behaviour:?}", name(entry))
        }
    }

    /// `ReadTracePayload` on a frame that is not a trace: the frame decodes, the trace helper
    /// refuses it.
    fn check_invalid(entry: &Value) {
        if Self::expected_error(entry) != ErrorKind::InvalidArgument {
            let bytes = hex_of(entry, "hex");
            let e = decode_exact(&mut Self::codec(), &bytes).expect_err(name(entry));
            assert_eq!(
                e.kind(),
                Self::expected_error(entry),
                "{}: {e}",
                name(entry)
            );
            common::assert_stream_error_matches::<Self>(entry, &bytes, e.kind());
            return;
        }
        let frame = dataexchange::decode(&hex_of(entry, "hex")).expect(name(entry));
        let e = dataexchange::read_trace_payload(frame.frame_type(), frame.payload())
            .expect_err(name(entry));
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{}", name(entry));
    }

    /// "N byte(s) left unread in the stream": one-shot decode refuses them as trailing bytes
    /// (the project's rule); the stream decoder yields the frame and keeps the N bytes.
    fn check_decode_only(entry: &Value) {
        let behaviour = entry["reference_behaviour"].as_str().unwrap_or_default();
        let Some((left, _)) = behaviour.split_once(" byte(s) left unread") else {
            let frame = dataexchange::decode(&hex_of(entry, "hex"))
                .unwrap_or_else(|e| panic!("{}: {e}", name(entry)));
            let dataexchange::Frame::File { filename, payload } = frame else {
                panic!("{}: expected a file frame", name(entry))
            };
            assert_eq!(
                described_file(behaviour),
                (filename.to_vec(), payload.to_vec()),
                "{}",
                name(entry)
            );
            return;
        };
        let left: usize = left
            .rsplit(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .expect(behaviour);
        let bytes = hex_of(entry, "hex");
        let e = dataexchange::decode(&bytes).expect_err(name(entry));
        assert_eq!(e.kind(), ErrorKind::TrailingBytes, "{}", name(entry));
        let mut stream = StreamDecoder::new(dataexchange::DataexchangeCodec::default());
        assert_eq!(stream.feed(&bytes).unwrap().len(), 1, "{}", name(entry));
        assert_eq!(stream.buffered(), left, "{}", name(entry));
    }
}

#[test]
fn dataexchange_vectors() {
    run::<Dataexchange>();
}

/// The (filename, payload) of a Go `Frame{type: 4 (FILE), filename: "..." | hex .., payload:
/// hex .. | empty}` description.
fn described_file(behaviour: &str) -> (Vec<u8>, Vec<u8>) {
    let (_, rest) = behaviour.split_once("filename: ").expect(behaviour);
    let (filename, _) = rest.split_once(", payload: ").expect(behaviour);
    let filename = match filename.strip_prefix("hex ") {
        Some(h) => hex::decode(h).unwrap(),
        None => serde_json::from_str::<String>(filename)
            .expect(behaviour)
            .into_bytes(),
    };
    let payload = behaviour
        .rsplit_once("payload: ")
        .expect(behaviour)
        .1
        .trim_end_matches('}');
    let payload = match payload.strip_prefix("hex ") {
        Some(h) => hex::decode(h).unwrap(),
        None => {
            assert_eq!(payload, "empty", "{behaviour}");
            Vec::new()
        }
    };
    (filename, payload)
}

struct Chitchat;

impl Suite for Chitchat {
    type C = chitchat::ChitchatCodec;
    const FILE: &'static str = "chitchat.json";

    /// The file gives the crate's error text: map it onto our kinds.
    fn expected_error(entry: &Value) -> ErrorKind {
        let behaviour = entry["reference_behaviour"].as_str().unwrap_or_default();
        let len = hex_of(entry, "hex").len();
        match name(entry) {
            // "Buffer too short" inside a block stream that has already ended: no further byte
            // can complete it.
            "ack-dangling-op-tag" | "syn-v1-partial-entry" => ErrorKind::Malformed,
            // A 65,535-byte string cannot fit in a 65,507-byte message (max_frame_size): refused
            // from its length field, before the bytes arrive.
            "syn-cluster-id-length-ffff" | "syn-node-id-length-overrun" => ErrorKind::TooLarge,
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
