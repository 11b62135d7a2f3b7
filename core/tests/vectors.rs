//! Every section of every `vectors/*.json` through the Rust API. One suite per protocol.

mod broker_vectors;
mod chitchat_vectors;
mod common;
mod dnode_vectors;

use common::{hex_of, name, run, Suite};
use serde_json::Value;
use wire_core::dataexchange::HEADER_LEN;
use wire_core::{
    broker, dataexchange, decode_exact, encode_to_vec, replication, Codec, ErrorKind, StreamDecoder,
};

struct Dataexchange;

impl Suite for Dataexchange {
    type C = dataexchange::DataexchangeCodec;
    const FILE: &'static str = "dataexchange.json";

    /// The file is the tagged release's.
    fn codec() -> Self::C {
        dataexchange::DataexchangeCodec::new(dataexchange::Version::V0_2_1Beta1)
    }

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
            common::assert_rejected::<Self>(entry);
            return;
        }
        let frame = decode_exact(&mut Self::codec(), &hex_of(entry, "hex"))
            .unwrap_or_else(|e| panic!("{}: {e}", name(entry)));
        let e = dataexchange::read_trace_payload(frame.frame_type(), frame.payload().unwrap())
            .expect_err(name(entry));
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{}", name(entry));
    }

    /// "N byte(s) left unread in the stream": one-shot decode refuses them as trailing bytes
    /// (the project's rule); the stream decoder yields the frame and keeps the N bytes.
    fn check_decode_only(entry: &Value) {
        let behaviour = entry["reference_behaviour"].as_str().unwrap_or_default();
        let Some((left, _)) = behaviour.split_once(" byte(s) left unread") else {
            let frame = decode_exact(&mut Self::codec(), &hex_of(entry, "hex"))
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
        let e = decode_exact(&mut Self::codec(), &bytes).expect_err(name(entry));
        assert_eq!(e.kind(), ErrorKind::TrailingBytes, "{}", name(entry));
        let mut stream = StreamDecoder::new(Self::codec());
        assert_eq!(stream.feed(&bytes).unwrap().len(), 1, "{}", name(entry));
        assert_eq!(stream.buffered(), left, "{}", name(entry));
    }
}

#[test]
fn dataexchange_vectors() {
    run::<Dataexchange>();
}

/// `dataexchange-latest.json`: the reference at branch main, with the default version.
struct DataexchangeLatest;

impl DataexchangeLatest {
    fn encode_json(fields_key: &str, entry: &Value) -> wire_core::Result<Vec<u8>> {
        let message = serde_json::json!({"type": entry["type"], "fields": entry[fields_key]});
        let mut codec = Self::codec();
        let frame = codec.from_json(&message)?;
        encode_to_vec(&mut codec, &frame)
    }

    /// A stream frame's listed fields against a decoded frame (CHUNK data as its length and
    /// SHA-256).
    fn check_stream_frame(what: &str, listed: &Value, frame: &dataexchange::Frame) {
        let codec = Self::codec();
        let mut decoded = codec.to_json(frame)["fields"].clone();
        if listed.get("data_len").is_some() {
            let data = hex::decode(decoded["data"].as_str().unwrap()).unwrap();
            let fields = decoded.as_object_mut().unwrap();
            fields.remove("data");
            fields.insert("data_len".into(), data.len().into());
            fields.insert(
                "data_sha256".into(),
                hex::encode(sha2::Sha256::digest(&data)).into(),
            );
        }
        assert_eq!(&decoded, listed, "{what}");
    }
}

use sha2::Digest as _;

impl Suite for DataexchangeLatest {
    type C = dataexchange::DataexchangeCodec;
    const FILE: &'static str = "dataexchange-latest.json";

    /// Measured outcomes: out of input is `incomplete`, `frame too large` is `too_large`;
    /// everything else is a payload the reference's decoders refuse (`malformed`).
    fn expected_error(entry: &Value) -> ErrorKind {
        let read = &entry["reference_result"]["read_frame"];
        if entry["codec_expectation"] == "incomplete" {
            ErrorKind::Incomplete
        } else if read["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("frame too large"))
        {
            ErrorKind::TooLarge
        } else {
            ErrorKind::Malformed
        }
    }

    /// Decodes to its fields; re-encodes to `canonical_hex` unless wire refuses the fields
    /// (an INIT name the reference encoder would cut).
    fn check_decode_only(entry: &Value) {
        let bytes = hex_of(entry, "hex");
        let decoded = Self::decode_to_json(entry, &bytes)
            .unwrap_or_else(|e| panic!("{}: decode-only input refused: {e}", name(entry)));
        assert_eq!(decoded, common::message_of(entry), "{}", name(entry));
        let encoded = Self::encode_json("fields", entry);
        match common::expected_kind(Self::FILE, "decode_only", entry) {
            Some(kind) => assert_eq!(encoded.unwrap_err().kind(), kind, "{}", name(entry)),
            None => assert_eq!(
                hex::encode(encoded.unwrap()),
                entry["canonical_hex"].as_str().unwrap(),
                "{}",
                name(entry)
            ),
        }
    }

    fn extra_sections(doc: &Value) -> usize {
        let mut checked = 0;
        for (section, key) in [
            ("encoder_truncation", "input_fields"),
            ("encode_refused", "fields"),
        ] {
            for entry in common::section(doc, section) {
                let kind = common::expected_kind(Self::FILE, section, entry)
                    .unwrap_or_else(|| panic!("{}: not in vectors/expectations.json", name(entry)));
                let e = Self::encode_json(key, entry).expect_err(name(entry));
                assert_eq!(e.kind(), kind, "{}: {e}", name(entry));
                checked += 1;
            }
        }
        for entry in common::section(doc, "large_frames") {
            let mut frame = hex_of(entry, "header_hex");
            let prefix = entry
                .get("payload_prefix_hex")
                .map_or_else(Vec::new, |_| hex_of(entry, "payload_prefix_hex"));
            frame.extend_from_slice(&prefix);
            let len = entry["payload_len"].as_u64().unwrap() as usize;
            let fill = hex_of(entry, "payload_fill_hex")[0];
            frame.resize(HEADER_LEN + len, fill);
            let behaviour = entry["reference_behaviour"].as_str().unwrap();
            match decode_exact(&mut Self::codec(), &frame) {
                Ok(f) => {
                    assert!(behaviour.contains("ReadFrame succeeds"), "{}", name(entry));
                    let body = match &f {
                        dataexchange::Frame::FileStream {
                            control: dataexchange::Control::Chunk { data, .. },
                            ..
                        } => data.len(),
                        other => other.payload().unwrap().len(),
                    };
                    assert!(behaviour.contains(&format!(" {body} ")), "{}", name(entry));
                }
                Err(e) => {
                    assert!(behaviour.contains("frame too large"), "{}", name(entry));
                    assert_eq!(e.kind(), ErrorKind::TooLarge, "{}", name(entry));
                }
            }
            checked += 1;
        }
        for (version, names) in [
            (dataexchange::Version::Main, "main_772ffb9"),
            (dataexchange::Version::V0_2_1Beta1, "v0_2_1_beta_1"),
        ] {
            for (number, expected) in doc["type_names"][names].as_object().unwrap() {
                let number: u32 = number.parse().unwrap();
                assert_eq!(
                    dataexchange::type_name_at(version, number),
                    expected.as_str().unwrap()
                );
                checked += 1;
            }
        }
        for entry in common::section(doc, "streams") {
            let bytes = hex_of(entry, "hex");
            let listed = entry["fields"]["frames"].as_array().unwrap();
            for chunk in [1, 7, 4096, bytes.len()] {
                let frames = common::stream_decode(Self::codec(), &bytes, chunk)
                    .unwrap_or_else(|e| panic!("{}: {e}", name(entry)));
                assert_eq!(frames.len(), listed.len(), "{}", name(entry));
                for (frame, want) in frames.iter().zip(listed) {
                    Self::check_stream_frame(name(entry), &want["fields"], frame);
                }
            }
            checked += 1;
        }
        // Entries with steps (the name-sanitising table has none: it is session behaviour).
        for entry in common::section(doc, "receiver_exchanges") {
            let Some(steps) = entry.get("steps").and_then(Value::as_array) else {
                continue;
            };
            for step in steps {
                for (hex_key, key) in [("send_hex", "send"), ("reply_hex", "reply")] {
                    let (Some(hex), Some(fields)) = (step[hex_key].as_str(), step.get(key)) else {
                        continue;
                    };
                    let frame = decode_exact(&mut Self::codec(), &hex::decode(hex).unwrap());
                    match frame {
                        Ok(frame) => Self::check_stream_frame(name(entry), fields, &frame),
                        // A step that sends bytes the reference's decoders refuse (a short
                        // body) lists no fields, only text.
                        Err(e) => {
                            assert!(fields.is_string(), "{}: {e}", name(entry));
                            assert_eq!(e.kind(), ErrorKind::Malformed, "{}", name(entry));
                        }
                    }
                }
            }
            checked += 1;
        }
        // Scripted-peer sessions: the real sender's frames decode as listed, and each peer frame
        // decodes (a type-7 one the reference's decoders refuse, listed without fields, is
        // `malformed`).
        for entry in common::section(doc, "sender_exchanges") {
            let sent = common::stream_decode(Self::codec(), &hex_of(entry, "sender_hex"), 1)
                .unwrap_or_else(|e| panic!("{}: {e}", name(entry)));
            let listed = entry["sender_frames"].as_array().unwrap();
            assert_eq!(sent.len(), listed.len(), "{}", name(entry));
            for (frame, want) in sent.iter().zip(listed) {
                Self::check_stream_frame(name(entry), &want["fields"], frame);
            }
            let peer = hex_of(entry, "peer_hex");
            for want in entry["peer_frames"].as_array().unwrap() {
                let at = want["stream_offset"].as_u64().unwrap() as usize;
                let end = at + HEADER_LEN + want["length"].as_u64().unwrap() as usize;
                let decoded = decode_exact(&mut Self::codec(), &peer[at..end]);
                match (&decoded, want["type"].as_u64(), want["fields"].is_null()) {
                    (Ok(frame), Some(7), false) => {
                        Self::check_stream_frame(name(entry), &want["fields"], frame)
                    }
                    (Err(e), Some(7), true) => {
                        assert_eq!(e.kind(), ErrorKind::Malformed, "{}", name(entry))
                    }
                    (Ok(frame), Some(t), true) if t != 7 => assert_eq!(
                        hex::encode(frame.payload().unwrap()),
                        want["payload"].as_str().unwrap(),
                        "{}",
                        name(entry)
                    ),
                    _ => panic!("{}: {decoded:?} for {want}", name(entry)),
                }
            }
            checked += 1;
        }
        checked
    }
}

#[test]
fn dataexchange_latest_vectors() {
    let tally = run::<DataexchangeLatest>();
    assert!(tally.extra > 0);
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

struct Replication;

impl Replication {
    /// `[u32 LE length][message]`: how every noxu-rep network channel carries a message.
    fn framed(message: &[u8]) -> Vec<u8> {
        let mut out = (message.len() as u32).to_le_bytes().to_vec();
        out.extend_from_slice(message);
        out
    }

    /// The reference's `ProtocolError` text mapped onto our kinds.
    fn kind_of(message: &str) -> ErrorKind {
        if message == "empty message" || message.starts_with("unexpected end of message") {
            ErrorKind::Incomplete
        } else if message.starts_with("invalid UTF-8") {
            ErrorKind::InvalidUtf8
        } else if [
            "unknown message tag",
            "unknown node type",
            "unknown change type",
        ]
        .iter()
        .any(|p| message.starts_with(p))
        {
            ErrorKind::Malformed
        } else {
            panic!("no expectation for {message:?}")
        }
    }

    /// A bare message the reference refuses: the same kind and the crate's exact text from
    /// the bare decoder; framed, the frame is whole so truncation becomes `malformed`.
    fn check_refused(entry: &Value, bytes: &[u8], layout: replication::Layout, message: &str) {
        let expected = Self::kind_of(message);
        let e = replication::decode_message(bytes, layout).expect_err(name(entry));
        assert_eq!(
            (e.kind(), e.reason()),
            (expected, message),
            "{}",
            name(entry)
        );
        let framed = Self::framed(bytes);
        let mut codec = replication::ReplicationCodec::new(layout);
        let e = decode_exact(&mut codec, &framed).expect_err(name(entry));
        let framed_kind = match expected {
            ErrorKind::Incomplete => ErrorKind::Malformed,
            other => other,
        };
        assert_eq!(e.kind(), framed_kind, "{}: framed: {e}", name(entry));
        assert!(e.reason().starts_with(message), "{}: {e}", name(entry));
        common::assert_stream_error_matches::<Self>(entry, &framed, framed_kind);
    }

    /// A bare message the reference accepts as `expected` (canonical JSON): the lenient prefix
    /// decoder agrees; the strict one agrees when nothing follows the message, and otherwise
    /// refuses the rest as `trailing_bytes`; re-encoding decodes to the same message.
    fn check_accepted(entry: &Value, bytes: &[u8], layout: replication::Layout, expected: &Value) {
        let codec = replication::ReplicationCodec::new(layout);
        let (message, used) = replication::decode_message_prefix(bytes, layout)
            .unwrap_or_else(|e| panic!("{}: {e}", name(entry)));
        assert_eq!(&codec.to_json(&message), expected, "{}", name(entry));
        match replication::decode_message(bytes, layout) {
            Ok(strict) if used == bytes.len() => assert_eq!(strict, message),
            Err(e) if used < bytes.len() => {
                assert_eq!(
                    (e.kind(), e.offset()),
                    (ErrorKind::TrailingBytes, Some(used))
                )
            }
            other => panic!("{}: strict decode gave {other:?}", name(entry)),
        }
        let canonical = replication::encode_message(&message, layout).unwrap();
        assert_eq!(
            replication::decode_message(&canonical, layout).unwrap(),
            message
        );
    }
}

impl Suite for Replication {
    type C = replication::ReplicationCodec;
    const FILE: &'static str = "replication.json";

    /// Vectors are bare messages: decode them with the bare decoder, and check the framed
    /// codec on the same message framed (one-shot and fed byte by byte).
    fn decode_to_json(entry: &Value, bytes: &[u8]) -> wire_core::Result<Value> {
        let message = replication::decode_message(bytes, replication::Layout::V7)?;
        let framed = Self::framed(bytes);
        let mut codec = Self::codec();
        assert_eq!(
            decode_exact(&mut codec, &framed)?,
            message,
            "{}",
            name(entry)
        );
        assert!(replication::sniff(&framed), "{}: not sniffed", name(entry));
        let bytewise = common::stream_decode(Self::codec(), &framed, 1)?;
        assert_eq!(bytewise, std::slice::from_ref(&message), "{}", name(entry));
        Ok(codec.to_json(&message))
    }

    fn encode_from_json(entry: &Value, message: &Value) -> wire_core::Result<Vec<u8>> {
        let mut codec = Self::codec();
        let message = codec.from_json(message)?;
        let bare = replication::encode_message(&message, replication::Layout::V7)?;
        let framed = wire_core::encode_to_vec(&mut codec, &message)?;
        assert_eq!(framed, Self::framed(&bare), "{}: framed", name(entry));
        assert_eq!(codec.encoded_len(&message)?, framed.len());
        Ok(bare)
    }

    fn expected_error(entry: &Value) -> ErrorKind {
        assert_eq!(entry["error_kind"], "ProtocolError", "{}", name(entry));
        Self::kind_of(
            entry["error_message"]
                .as_str()
                .unwrap_or_else(|| panic!("{}", name(entry))),
        )
    }

    fn check_invalid(entry: &Value) {
        let message = entry["error_message"]
            .as_str()
            .unwrap_or_else(|| panic!("{}", name(entry)));
        Self::check_refused(
            entry,
            &hex_of(entry, "hex"),
            replication::Layout::V7,
            message,
        );
    }

    fn check_decode_only(entry: &Value) {
        Self::check_accepted(
            entry,
            &hex_of(entry, "hex"),
            replication::Layout::V7,
            &entry["decodes_to"],
        );
    }

    /// `legacy_3x` (the 3.2.0 layout, both ways, and how 3.2.0 decodes proposals) and
    /// `transport_framing` (TCP bytes and receive outcomes).
    fn extra_sections(doc: &Value) -> usize {
        use replication::{Layout, ProtocolMessage, ReplicationCodec};
        let mut checked = 0;
        let legacy = &doc["legacy_3x"];
        for entry in common::section(legacy, "vectors") {
            let bytes = hex_of(entry, "hex");
            let codec = ReplicationCodec::new(Layout::V3);
            let message = replication::decode_message(&bytes, Layout::V3)
                .unwrap_or_else(|e| panic!("{}: {e}", name(entry)));
            assert_eq!(codec.to_json(&message), common::message_of(entry));
            let parsed = codec.from_json(&common::message_of(entry)).unwrap();
            assert_eq!(
                replication::encode_message(&parsed, Layout::V3).unwrap(),
                bytes
            );
            let framed = Self::framed(&bytes);
            assert!(replication::sniff(&framed), "{}: not sniffed", name(entry));
            assert_eq!(
                decode_exact(&mut ReplicationCodec::new(Layout::V3), &framed).unwrap(),
                message
            );
            assert!(replication::encode_message(&parsed, Layout::V7).is_err());
            checked += 1;
        }
        for entry in common::section(legacy, "decode_by_3x") {
            let bytes = hex_of(entry, "hex");
            let behaviour = entry["reference_behaviour"]
                .as_str()
                .unwrap_or_else(|| panic!("{}", name(entry)));
            if let Some(fields) = behaviour.strip_prefix("Ok: decodes to ") {
                let fields: Value = serde_json::from_str(fields).expect(behaviour);
                let expected = serde_json::json!({"type": "ElectionProposal", "fields": fields});
                Self::check_accepted(entry, &bytes, Layout::V3, &expected);
            } else {
                let (_, message) = behaviour.split_once("with message ").expect(behaviour);
                let message: String = serde_json::from_str(message).expect(behaviour);
                assert_eq!(
                    common::expected_kind(Self::FILE, "legacy_3x/decode_by_3x", entry),
                    Some(Self::kind_of(&message)),
                    "{}: vectors/expectations.json",
                    name(entry)
                );
                Self::check_refused(entry, &bytes, Layout::V3, &message);
            }
            checked += 1;
        }

        let framing = &doc["transport_framing"];
        let ack = ProtocolMessage::Ack { vlsn: 19 };
        let bytes = hex_of(framing, "tcp_channel_send_ack_vlsn_19");
        assert_eq!(replication::encode(&ack).unwrap(), bytes);
        assert_eq!(replication::decode(&bytes).unwrap(), ack);
        checked += 1;

        let bytes = hex_of(
            framing,
            "connect_to_service_ELECTION_then_ElectionResult_m_4",
        );
        let result = ProtocolMessage::ElectionResult {
            master: "m".into(),
            term: 4,
        };
        let mut expected = replication::encode_preamble(replication::SERVICE_ELECTION).unwrap();
        expected.extend(replication::encode(&result).unwrap());
        assert_eq!(expected, bytes);
        let (service, used) = replication::decode_preamble(&bytes).unwrap();
        assert_eq!(service, "ELECTION");
        assert_eq!(replication::decode(&bytes[used..]).unwrap(), result);
        assert_eq!(
            wire_core::detect(&bytes),
            Some(wire_core::Protocol::Replication)
        );
        checked += 1;

        for case in common::section(framing, "receive_cases") {
            let raw = hex_of(case, "raw");
            let mut codec = ReplicationCodec::default();
            let mut buf = bytes::BytesMut::from(&raw[..]);
            let outcome = codec.decode(&mut buf);
            let result = &case["result"];
            if let Some(error) = result["receive_error_debug"].as_str() {
                if error.starts_with("ProtocolError(\"frame payload too large") {
                    let e = outcome.expect_err(name(case));
                    assert_eq!((e.kind(), e.offset()), (ErrorKind::TooLarge, Some(0)));
                } else {
                    // EOF in the header or the payload: the codec waits for more bytes and a
                    // one-shot decode says incomplete.
                    assert_eq!(outcome.unwrap(), None, "{}", name(case));
                    assert_eq!(buf.len(), raw.len(), "{}: buffer untouched", name(case));
                    let e = replication::decode(&raw).expect_err(name(case));
                    assert_eq!(e.kind(), ErrorKind::Incomplete, "{}", name(case));
                }
            } else {
                // A whole frame that the crate's decode() then refuses.
                let message = result["decode"]["error_debug"]
                    .as_str()
                    .and_then(|d| d.strip_prefix("ProtocolError(\""))
                    .and_then(|d| d.strip_suffix("\")"))
                    .unwrap_or_else(|| panic!("{}", name(case)));
                let e = outcome.expect_err(name(case));
                assert_eq!((e.kind(), e.reason()), (ErrorKind::Malformed, message));
            }
            checked += 1;
        }
        checked
    }
}

#[test]
fn replication_vectors() {
    let tally = run::<Replication>();
    assert_eq!(
        (tally.roundtrip, tally.decode_only, tally.invalid),
        (31, 8, 29)
    );
    assert_eq!(tally.extra, 4 + 4 + 2 + 5);
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
