//! Every section of every `vectors/*.json` through the Rust API. One suite per protocol.

mod broker_vectors;
mod common;

use common::{hex_of, name, run, Suite};
use serde_json::Value;
use wire_core::{broker, dataexchange, decode_exact, ErrorKind, StreamDecoder};

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

struct Broker;

impl Suite for Broker {
    type C = broker::BrokerCodec;
    const FILE: &'static str = "broker.json";

    /// Bare prost messages are checked in `extra_sections`.
    fn is_frame_entry(entry: &Value) -> bool {
        !broker_vectors::is_bare(entry)
    }

    /// The generator attached no `payload_message` to decode-only frames, even where the
    /// payload has a schema (`decode-only-uint32-varint-over-32-bits-truncated` decodes to the
    /// same frame as `admin-request-all-default`, which has one): compare the frame without it.
    fn decode_to_json(entry: &Value, bytes: &[u8]) -> wire_core::Result<Value> {
        let mut json = broker_vectors::frame_json(bytes)?;
        if !Self::is_roundtrip(entry) && entry["fields"].get("payload_message").is_none() {
            json["fields"]
                .as_object_mut()
                .unwrap()
                .remove("payload_message");
        }
        Ok(json)
    }

    fn expected_error(entry: &Value) -> ErrorKind {
        broker_vectors::expected_kind(entry).unwrap_or(ErrorKind::TrailingBytes)
    }

    fn check_invalid(entry: &Value) {
        broker_vectors::check_invalid(entry);
    }

    fn extra_sections(doc: &Value) -> usize {
        broker_vectors::bare_messages(doc)
            + broker_vectors::decode_only_frames(doc)
            + broker_vectors::exchanges(doc)
            + broker_vectors::stream_of_all_frames(doc)
    }
}

#[test]
fn broker_vectors() {
    let tally = run::<Broker>();
    assert_eq!(tally.roundtrip + tally.decode_only, 56);
    assert_eq!(tally.extra, 43);
    assert_eq!(tally.invalid, 30);
}
