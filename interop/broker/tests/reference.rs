//! Every message in `vectors/broker.json`, crossed with running-process-protocol 4.10.21's
//! prost types: reference bytes decode with ours to the same value, our bytes decode with the
//! reference to the same value (the reference's `PartialEq`, so maps compare by content), and
//! outside multi-entry maps (random order in the reference) both encoders write the same bytes.

use prost::Message as _;
use running_process_protocol::broker::v1 as reference;
use serde_json::Value;
use wire_core::broker::{AnyMessage, FRAME_HEADER_BYTES};

/// The reference's decode-then-encode of `bytes` as `type_name`, and whether our encoding of
/// `ours` decodes with the reference to the same value.
macro_rules! with_reference {
    ($type_name:expr, $bytes:expr, $ours:expr, [$($name:ident),* $(,)?]) => {
        match $type_name {
            $(stringify!($name) => {
                let theirs = reference::$name::decode($bytes).expect("reference decode");
                let from_ours = reference::$name::decode(&$ours[..]).expect("reference decode of ours");
                (theirs.encode_to_vec(), theirs == from_ours)
            })*
            other => panic!("no reference type for {other}"),
        }
    };
}

fn reference_crossing(type_name: &str, bytes: &[u8], ours: &[u8]) -> (Vec<u8>, bool) {
    with_reference!(
        type_name,
        bytes,
        ours,
        [
            Frame,
            Hello,
            HelloReply,
            Negotiated,
            Refused,
            HandoffOffer,
            HandoffAck,
            AdminRequest,
            AdminReply,
            CacheManifest,
            HostIdentity,
            Operation,
            CacheRoot,
            Endpoint,
            TeardownHook,
            Quota,
            Ownership,
            DaemonProcess,
            CleanupPolicy,
            ManifestRef,
            ObservabilityInfo,
            LifecycleEvent,
            ServiceDefinition,
        ]
    )
}

fn multi_entry_map(bytes_json: &Value) -> bool {
    match bytes_json {
        Value::Object(map) => map.iter().any(|(k, v)| {
            (["details", "labels", "platform_paths", "extra"].contains(&k.as_str())
                && v.as_object().is_some_and(|m| m.len() > 1))
                || multi_entry_map(v)
        }),
        Value::Array(items) => items.iter().any(multi_entry_map),
        _ => false,
    }
}

/// Cross one message both ways; returns 1.
fn cross(what: &str, type_name: &str, bytes: &[u8]) -> usize {
    let ours = AnyMessage::decode(type_name, bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    let our_bytes = ours.encode();
    let (their_bytes, same_value) = reference_crossing(type_name, bytes, &our_bytes);
    assert!(
        same_value,
        "{what}: the reference reads our bytes differently"
    );
    let from_theirs = AnyMessage::decode(type_name, &their_bytes).unwrap();
    assert_eq!(
        from_theirs, ours,
        "{what}: we read the reference's bytes differently"
    );
    if !multi_entry_map(&ours.to_json()) {
        assert_eq!(
            hex::encode(&our_bytes),
            hex::encode(&their_bytes),
            "{what}: bytes"
        );
    }
    1
}

fn hex_field(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(v[key].as_str().unwrap()).unwrap()
}

/// Frame body and, where the payload is a message, the payload.
fn cross_frame(what: &str, framed: &[u8]) -> usize {
    let body = &framed[FRAME_HEADER_BYTES..];
    let mut n = cross(what, "Frame", body);
    let frame = wire_core::broker::decode(framed).unwrap();
    if let Some(schema) = frame.payload_schema() {
        if AnyMessage::TYPE_NAMES.contains(&schema.type_name())
            && frame.payload_message().is_some_and(|p| p.is_ok())
        {
            n += cross(
                &format!("{what} payload"),
                schema.type_name(),
                &frame.payload,
            );
        }
    }
    n
}

#[test]
fn every_vector_message_matches_the_reference() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/broker.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut n = 0;
    for entry in doc["vectors"].as_array().unwrap() {
        let what = entry["name"].as_str().unwrap();
        let bytes = hex_field(entry, "hex");
        n += if entry.get("framing").is_some() {
            cross(what, entry["type"].as_str().unwrap(), &bytes)
        } else {
            cross_frame(what, &bytes)
        };
    }
    for entry in doc["broker_exchanges"].as_array().unwrap() {
        let what = entry["name"].as_str().unwrap();
        n += cross_frame(what, &hex_field(entry, "request_hex"));
        n += cross_frame(what, &hex_field(&entry["broker"], "reply_hex"));
    }
    for entry in doc["invalid"].as_array().unwrap() {
        let what = entry["name"].as_str().unwrap();
        let bytes = hex_field(entry, "hex");
        if let Ok(frame) = wire_core::broker::decode(&bytes) {
            n += cross(what, "Frame", &frame.encode_to_vec());
        }
    }
    eprintln!("{n} messages crossed with running-process-protocol 4.10.21");
    assert!(n > 130, "{n}");
}

/// Random-order maps: the reference's bytes for a multi-entry map decode to our sorted map.
#[test]
fn reference_map_order_does_not_matter() {
    let mut refused = reference::Refused::default();
    for i in 0..16 {
        refused.details.insert(format!("k{i:02}"), format!("v{i}"));
    }
    let theirs = refused.encode_to_vec();
    let ours = wire_core::broker::Refused::decode(&theirs[..]).unwrap();
    assert_eq!(ours.details.len(), 16);
    let keys: Vec<&String> = ours.details.keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(
        reference::Refused::decode(&ours.encode_to_vec()[..]).unwrap(),
        refused
    );
}
