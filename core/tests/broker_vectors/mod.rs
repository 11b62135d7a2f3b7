//! The broker-specific sections of `vectors/broker.json`: bare messages, decode-only
//! re-encoding, broker exchanges, and the layered `invalid` entries.

use bytes::BytesMut;
use serde_json::Value;
use wire_core::broker::{self, AnyMessage, BrokerCodec};
use wire_core::{decode_exact, Codec, ErrorKind};

use crate::common::{self, hex_of, message_of, name, section};

/// Whether an entry is a bare prost message (no 5-byte framing).
pub fn is_bare(entry: &Value) -> bool {
    entry.get("framing").is_some()
}

/// Whether a `fields` object holds a map with more than one entry anywhere: the reference
/// wrote those in random order, so only the decoded values can be compared.
fn has_multi_entry_map(fields: &Value, map_fields: &[&str]) -> bool {
    match fields {
        Value::Object(map) => map.iter().any(|(k, v)| {
            (map_fields.contains(&k.as_str()) && v.as_object().is_some_and(|m| m.len() > 1))
                || has_multi_entry_map(v, map_fields)
        }),
        Value::Array(items) => items.iter().any(|v| has_multi_entry_map(v, map_fields)),
        _ => false,
    }
}

/// The v1 package's map fields.
const MAP_FIELDS: [&str; 4] = ["details", "labels", "platform_paths", "extra"];

/// Decode a framed `Frame` to its canonical JSON.
pub fn frame_json(bytes: &[u8]) -> wire_core::Result<Value> {
    let mut codec = BrokerCodec::default();
    let frame = decode_exact(&mut codec, bytes)?;
    Ok(codec.to_json(&frame))
}

fn encode_frame_json(json: &Value) -> Vec<u8> {
    let mut codec = BrokerCodec::default();
    let frame = codec.from_json(json).expect("from_json");
    wire_core::encode_to_vec(&mut codec, &frame).expect("encode")
}

/// Bare message entries: decode == fields; encode(fields) == hex (decoded values for
/// multi-entry maps); decode-only entries re-encode to `canonical_hex`.
pub fn bare_messages(doc: &Value) -> usize {
    let mut n = 0;
    for entry in section(doc, "vectors").iter().filter(|e| is_bare(e)) {
        let type_name = entry["type"].as_str().unwrap();
        let bytes = hex_of(entry, "hex");
        let decoded = AnyMessage::decode(type_name, &bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", name(entry)));
        let expected = message_of(entry);
        assert_eq!(
            decoded.to_json(),
            expected,
            "{}: decoded fields",
            name(entry)
        );
        let parsed =
            AnyMessage::from_json(&expected).unwrap_or_else(|e| panic!("{}: {e:?}", name(entry)));
        assert_eq!(parsed, decoded, "{}: from_json", name(entry));
        let encoded = parsed.encode();
        assert_eq!(encoded.len(), parsed.encoded_len(), "{}", name(entry));
        let canonical = if entry.get("roundtrip") == Some(&Value::Bool(false)) {
            hex_of(entry, "canonical_hex")
        } else {
            bytes
        };
        if has_multi_entry_map(&entry["fields"], &MAP_FIELDS) {
            let again = AnyMessage::decode(type_name, &encoded).unwrap();
            assert_eq!(again, decoded, "{}: map round trip", name(entry));
        } else {
            assert_eq!(
                hex::encode(&encoded),
                hex::encode(&canonical),
                "{}: encoded bytes",
                name(entry)
            );
        }
        n += 1;
    }
    assert!(n >= 20, "only {n} bare messages");
    n
}

/// Framed decode-only entries: the decoded frame re-encodes to `canonical_hex`, which decodes to
/// the same frame.
pub fn decode_only_frames(doc: &Value) -> usize {
    let mut n = 0;
    for entry in section(doc, "vectors") {
        if is_bare(entry) || entry.get("roundtrip") != Some(&Value::Bool(false)) {
            continue;
        }
        let frame = broker::decode(&hex_of(entry, "hex"))
            .unwrap_or_else(|e| panic!("{}: {e:?}", name(entry)));
        let canonical = hex_of(entry, "canonical_hex");
        assert_eq!(
            hex::encode(broker::encode(&frame).unwrap()),
            hex::encode(&canonical),
            "{}: canonical re-encoding",
            name(entry)
        );
        assert_eq!(
            broker::decode(&canonical).unwrap(),
            frame,
            "{}",
            name(entry)
        );
        n += 1;
    }
    assert!(n > 0);
    n
}

/// A reply's hex decodes to the listed frame and payload, and re-encodes to the same bytes.
fn check_reply(what: &str, reply: &Value) {
    let bytes = hex_of(reply, "reply_hex");
    let json = frame_json(&bytes).unwrap_or_else(|e| panic!("{what}: reply: {e}"));
    let fields = &json["fields"];
    assert_eq!(fields["frame"], reply["reply_frame"], "{what}: reply frame");
    assert_eq!(
        fields.get("payload_message"),
        reply.get("reply_payload").filter(|p| !p.is_null()),
        "{what}: reply payload"
    );
    let reencoded = if has_multi_entry_map(&json, &MAP_FIELDS) {
        None
    } else {
        Some(encode_frame_json(&json))
    };
    if let Some(reencoded) = reencoded {
        assert_eq!(
            hex::encode(reencoded),
            hex::encode(&bytes),
            "{what}: reply bytes"
        );
    }
}

/// `broker_exchanges`: the request and the broker's reply both decode and re-encode.
pub fn exchanges(doc: &Value) -> usize {
    let mut n = 0;
    for entry in section(doc, "broker_exchanges") {
        let request = hex_of(entry, "request_hex");
        let json = frame_json(&request).unwrap_or_else(|e| panic!("{}: {e}", name(entry)));
        assert!(
            json["fields"].get("payload_message").is_some(),
            "{}: request payload",
            name(entry)
        );
        assert_eq!(
            hex::encode(encode_frame_json(&json)),
            hex::encode(&request),
            "{}: request bytes",
            name(entry)
        );
        check_reply(name(entry), &entry["broker"]);
        n += 1;
    }
    assert!(n > 0);
    n
}

/// The codec kind a reference `codec_error_kind` maps to.
pub fn expected_kind(entry: &Value) -> Option<ErrorKind> {
    let kind = entry["codec_error_kind"].as_str().unwrap_or_default();
    if kind.starts_with("NeedMoreBytes") {
        return Some(ErrorKind::Incomplete);
    }
    match kind {
        "UnsupportedFramingVersion" => Some(ErrorKind::UnsupportedVersion),
        "FrameTooLarge" => Some(ErrorKind::TooLarge),
        "Decode" => Some(ErrorKind::Malformed),
        _ => None,
    }
}

/// One `invalid` entry, by layer: framing and protobuf errors as the reference's
/// `try_decode_framed` reports them; envelope, payload and semantic entries decode fine at
/// codec level (only the broker refuses them).
pub fn check_invalid(entry: &Value) {
    let bytes = hex_of(entry, "hex");
    let codecs = &entry["codecs"];
    let reference = &codecs["try_decode_framed"];
    let rejects = entry["codec_rejects"].as_bool().unwrap();
    let mut buf = BytesMut::from(&bytes[..]);
    let outcome = BrokerCodec::default().decode(&mut buf);
    match (rejects, expected_kind(entry)) {
        (true, Some(kind)) => {
            let e = outcome.expect_err("must be refused");
            assert_eq!(e.kind(), kind, "{}: {e}", name(entry));
            if kind != ErrorKind::TooLarge {
                assert_eq!(
                    e.reason(),
                    reference["error"]["message"].as_str().unwrap(),
                    "{}: reason",
                    name(entry)
                );
            }
            common::assert_stream_error_matches::<crate::Broker>(entry, &bytes, kind);
        }
        (false, Some(ErrorKind::Incomplete)) => {
            assert_eq!(
                outcome.unwrap_or_else(|e| panic!("{}: {e:?}", name(entry))),
                None,
                "{}",
                name(entry)
            );
            assert_eq!(buf.len(), bytes.len(), "{}: buffer touched", name(entry));
            let e = broker::decode(&bytes).expect_err("must be refused");
            assert_eq!(e.kind(), ErrorKind::Incomplete, "{}", name(entry));
        }
        (false, None) => {
            let frame = outcome
                .unwrap_or_else(|e| panic!("{}: {e:?}", name(entry)))
                .unwrap_or_else(|| panic!("{}: need more", name(entry)));
            let consumed = bytes.len() - buf.len();
            assert_eq!(
                Some(consumed as u64),
                reference["consumed"].as_u64(),
                "{}: consumed",
                name(entry)
            );
            let json = BrokerCodec::default().to_json(&frame);
            assert_eq!(
                json["fields"]["frame"],
                reference["frame"],
                "{}",
                name(entry)
            );
            let frame = frame.frame;
            if entry["layer"] == "payload" {
                let e = frame
                    .payload_message()
                    .expect("a payload schema")
                    .expect_err("must be refused");
                assert_eq!(e.kind(), ErrorKind::Malformed, "{}", name(entry));
                assert!(json["fields"].get("payload_message").is_none());
            }
            if buf.is_empty() {
                assert_eq!(broker::decode(&bytes).unwrap(), frame, "{}", name(entry));
            } else {
                let e = broker::decode(&bytes).unwrap_err();
                assert_eq!(e.kind(), ErrorKind::TrailingBytes, "{}", name(entry));
            }
        }
        other => panic!("{}: unexpected expectation {other:?}", name(entry)),
    }
    // The broker's Hello reader caps bodies at 64 KiB from the header.
    if codecs["read_frame_with_cap_65536"]["error"]["error_kind"] == "FrameTooLarge" {
        let e = decode_exact(&mut BrokerCodec::hello(), &bytes).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TooLarge, "{}: hello cap", name(entry));
    }
    let control = &entry["broker_control_socket"];
    if control
        .get("reply_hex")
        .is_some_and(|h| h.as_str() != Some(""))
    {
        check_reply(name(entry), control);
    }
}

/// Every framed vector, concatenated, decodes the same in 1-byte and 7-byte chunks as at once.
pub fn stream_of_all_frames(doc: &Value) -> usize {
    let frames: Vec<Vec<u8>> = section(doc, "vectors")
        .iter()
        .filter(|e| !is_bare(e))
        .map(|e| hex_of(e, "hex"))
        .collect();
    let all = common::concat_frames(&frames);
    let whole = common::stream_decode(BrokerCodec::default(), &all, all.len()).unwrap();
    assert_eq!(whole.len(), frames.len());
    for chunk in [1, 7] {
        let chunked = common::stream_decode(BrokerCodec::default(), &all, chunk).unwrap();
        assert_eq!(chunked, whole, "chunks of {chunk}");
    }
    1
}
