//! wire's replication codec against noxu-rep itself: 7.11.2 for layout 7x, 3.2.0 for 3x.
//! Every vector, random messages both ways, random and mutated inputs (same outcome, same
//! error text), and the TCP framing and service preamble over a real socket.

mod common;
#[path = "../../../core/tests/strategies/replication.rs"]
mod strategies;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use common::{v3, v7};
use noxu_rep::net::{Channel, TcpChannel};
use proptest::prelude::*;
use serde_json::Value;
use strategies::message;
use wire_core::replication::{self, Layout, ProtocolMessage, ReplicationCodec};
use wire_core::Codec;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/replication.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn hex_of(entry: &Value, key: &str) -> Vec<u8> {
    hex::decode(entry[key].as_str().unwrap()).unwrap()
}

/// Our lenient decoder's outcome in the crate's terms: the message, or the error text.
fn ours(bytes: &[u8], layout: Layout) -> Result<ProtocolMessage, String> {
    replication::decode_message_prefix(bytes, layout)
        .map(|(m, _)| m)
        .map_err(|e| e.reason().to_owned())
}

#[test]
fn every_vector_agrees_with_the_crate() {
    let doc = vectors();
    let mut checked = 0;
    for entry in doc["vectors"].as_array().unwrap() {
        let bytes = hex_of(entry, "hex");
        let message = replication::decode_message(&bytes, Layout::V7).unwrap();
        assert_eq!(v7::decode(&bytes), Ok(message.clone()), "{}", entry["name"]);
        assert_eq!(v7::to_ref(&message).encode(), bytes, "{}", entry["name"]);
        checked += 1;
    }
    for entry in doc["legacy_3x"]["vectors"].as_array().unwrap() {
        let bytes = hex_of(entry, "hex");
        let message = replication::decode_message(&bytes, Layout::V3).unwrap();
        assert_eq!(v3::decode(&bytes), Ok(message.clone()), "{}", entry["name"]);
        assert_eq!(v3::to_ref(&message).encode(), bytes, "{}", entry["name"]);
        checked += 1;
    }
    for entry in doc["invalid"]
        .as_array()
        .unwrap()
        .iter()
        .chain(doc["accepted_noncanonical"].as_array().unwrap())
    {
        let bytes = hex_of(entry, "hex");
        assert_eq!(
            ours(&bytes, Layout::V7),
            v7::decode(&bytes),
            "{}",
            entry["name"]
        );
        checked += 1;
    }
    for entry in doc["legacy_3x"]["decode_by_3x"].as_array().unwrap() {
        let bytes = hex_of(entry, "hex");
        assert_eq!(
            ours(&bytes, Layout::V3),
            v3::decode(&bytes),
            "{}",
            entry["name"]
        );
        checked += 1;
    }
    assert_eq!(checked, 31 + 4 + 29 + 8 + 4);
}

#[test]
fn the_other_eleven_variants_are_identical_in_3_2_0() {
    for message in common::sample_messages(None) {
        let bytes = replication::encode_message(&message, Layout::V3).unwrap();
        assert_eq!(v3::to_ref(&message).encode(), bytes);
        if !matches!(message, ProtocolMessage::ElectionProposal { .. }) {
            assert_eq!(
                replication::encode_message(&message, Layout::V7).unwrap(),
                bytes
            );
        }
    }
}

/// Inputs shaped like messages: a tag 0..=13 then random bytes, or a valid encoding with a
/// few bytes overwritten, cut short or extended.
fn inputs(layout: Layout) -> impl Strategy<Value = Vec<u8>> {
    let raw = (0u8..=13, prop::collection::vec(any::<u8>(), 0..64)).prop_map(|(tag, rest)| {
        let mut v = vec![tag];
        v.extend(rest);
        v
    });
    let mutated = (
        message(layout),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        any::<prop::sample::Index>(),
        prop::collection::vec(any::<u8>(), 0..4),
    )
        .prop_map(move |(m, edits, cut, tail)| {
            let mut v = replication::encode_message(&m, layout).unwrap();
            for (at, byte) in edits {
                let i = at.index(v.len());
                v[i] = byte;
            }
            v.truncate(cut.index(v.len() + 1));
            v.extend(tail);
            v
        });
    prop_oneof![raw, mutated]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn ours_to_7_11_2_and_back(m in message(Layout::V7)) {
        let bytes = replication::encode_message(&m, Layout::V7).unwrap();
        prop_assert_eq!(v7::decode(&bytes), Ok(m.clone()));
        prop_assert_eq!(&v7::to_ref(&m).encode(), &bytes);
        prop_assert_eq!(replication::decode_message(&v7::to_ref(&m).encode(), Layout::V7).unwrap(), m);
    }

    #[test]
    fn ours_to_3_2_0_and_back(m in message(Layout::V3)) {
        let bytes = replication::encode_message(&m, Layout::V3).unwrap();
        prop_assert_eq!(v3::decode(&bytes), Ok(m.clone()));
        prop_assert_eq!(&v3::to_ref(&m).encode(), &bytes);
        prop_assert_eq!(replication::decode_message(&v3::to_ref(&m).encode(), Layout::V3).unwrap(), m);
    }

    #[test]
    fn same_outcome_and_error_text_as_7_11_2(input in inputs(Layout::V7)) {
        prop_assert_eq!(ours(&input, Layout::V7), v7::decode(&input));
    }

    #[test]
    fn same_outcome_and_error_text_as_3_2_0(input in inputs(Layout::V3)) {
        prop_assert_eq!(ours(&input, Layout::V3), v3::decode(&input));
    }
}

/// A connected pair of sockets on 127.0.0.1.
fn socket_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (client, server)
}

#[test]
fn tcp_channel_frames_decode_with_our_codec_and_back() {
    let messages = common::sample_messages(Some(4900));
    // The crate sends; we read the raw stream.
    let (client, mut server) = socket_pair();
    let channel = TcpChannel::new(client);
    for m in &messages {
        channel.send(&v7::to_ref(m).encode()).unwrap();
    }
    drop(channel);
    let mut raw = Vec::new();
    server.read_to_end(&mut raw).unwrap();
    let decoded = wire_core::decode_all(ReplicationCodec::default(), &raw).unwrap();
    assert_eq!(decoded, messages);
    // We send; the crate receives and decodes.
    let (mut client, server) = socket_pair();
    let channel = TcpChannel::new(server);
    let mut codec = ReplicationCodec::default();
    for m in &messages {
        client
            .write_all(&wire_core::encode_to_vec(&mut codec, m).unwrap())
            .unwrap();
    }
    for m in &messages {
        let payload = channel.receive(Duration::from_secs(10)).unwrap().unwrap();
        assert_eq!(v7::decode(&payload).as_ref(), Ok(m));
    }
}

#[test]
fn connect_to_service_preamble_matches_ours() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let result = ProtocolMessage::ElectionResult {
        master: "node-7".into(),
        term: 42,
    };
    let sent = result.clone();
    let sender = std::thread::spawn(move || {
        let channel =
            noxu_rep::net::service_dispatcher::connect_to_service(addr, "ELECTION").unwrap();
        channel.send(&v7::to_ref(&sent).encode()).unwrap();
    });
    let (mut server, _) = listener.accept().unwrap();
    sender.join().unwrap();
    let mut raw = Vec::new();
    server.read_to_end(&mut raw).unwrap();
    let (service, used) = replication::decode_preamble(&raw).unwrap();
    assert_eq!(service, replication::SERVICE_ELECTION);
    assert_eq!(
        &raw[..used],
        replication::encode_preamble("ELECTION").unwrap()
    );
    assert_eq!(replication::decode(&raw[used..]).unwrap(), result);
    let codec = ReplicationCodec::default();
    assert_eq!(codec.encoded_len(&result).unwrap(), raw.len() - used);
}
