//! Property tests of the chitchat codec: random V0 and V1 messages round-trip, have an exact
//! `encoded_len`, and decode the same through the stream decoder in any chunking.

use std::net::SocketAddr;

use proptest::prelude::*;
use wire_core::chitchat::*;
use wire_core::{decode_all, Codec, StreamDecoder};

fn arb_id() -> impl Strategy<Value = ChitchatId> {
    let addr = prop_oneof![
        any::<([u8; 4], u16)>().prop_map(|(ip, port)| SocketAddr::from((ip, port))),
        any::<([u8; 16], u16)>().prop_map(|(ip, port)| SocketAddr::from((ip, port))),
    ];
    ("\\PC{0,12}", any::<u64>(), addr).prop_map(|(node_id, generation_id, addr)| ChitchatId {
        node_id,
        generation_id,
        gossip_advertise_addr: addr,
    })
}

fn arb_digest() -> impl Strategy<Value = Digest> {
    let node =
        any::<(u64, u64, u64)>().prop_map(|(heartbeat, last_gc_version, max_version)| NodeDigest {
            heartbeat,
            last_gc_version,
            max_version,
        });
    prop::collection::btree_map(arb_id(), node, 0..30)
        .prop_map(|node_digests| Digest { node_digests })
}

fn arb_delta() -> impl Strategy<Value = Delta> {
    // Values mix text, repeated bytes (compressible: zstd blocks) and sizes that cross the
    // 16,384-byte block boundary.
    let value = prop_oneof!["\\PC{0,40}", "[a-c]{0,200}", "x{0,20000}"];
    let kv = ("\\PC{0,10}", value, 1..1_000u64, 0..3u8);
    let node = (
        arb_id(),
        any::<(u64, u64, u64)>(),
        prop::collection::vec(kv, 0..6),
    )
        .prop_map(|(chitchat_id, (last_gc_version, from, max), kvs)| {
            let mut version = 0;
            let key_values: Vec<KeyValueMutation> = kvs
                .into_iter()
                .map(|(key, value, step, status)| {
                    version += step;
                    KeyValueMutation {
                        key,
                        value,
                        version,
                        status: DeletionStatusMutation::from_code(status).unwrap(),
                    }
                })
                .collect();
            NodeDelta {
                chitchat_id,
                from_version_excluded: from,
                last_gc_version,
                max_version: if key_values.is_empty() { max } else { version },
                key_values,
            }
        });
    prop::collection::vec(node, 0..5).prop_map(|mut nodes| {
        let mut seen = std::collections::BTreeSet::new();
        nodes.retain(|n| seen.insert(n.chitchat_id.clone()));
        Delta { node_deltas: nodes }
    })
}

fn arb_envelope() -> impl Strategy<Value = ChitchatEnvelope> {
    let message = prop_oneof![
        Just(ChitchatMessage::BadCluster),
        ("\\PC{0,20}", arb_digest())
            .prop_map(|(cluster_id, digest)| ChitchatMessage::Syn { cluster_id, digest }),
        (arb_digest(), arb_delta())
            .prop_map(|(digest, delta)| ChitchatMessage::SynAck { digest, delta }),
        arb_delta().prop_map(|delta| ChitchatMessage::Ack { delta }),
    ];
    let version = prop_oneof![Just(ProtocolVersion::V0), Just(ProtocolVersion::V1)];
    (version, message).prop_map(|(version, message)| ChitchatEnvelope { version, message })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn round_trip(envelope in arb_envelope()) {
        let bytes = encode(&envelope).unwrap();
        prop_assert_eq!(ChitchatCodec::default().encoded_len(&envelope), Ok(bytes.len()));
        prop_assert_eq!(decode(&bytes), Ok(envelope.clone()));
        let codec = ChitchatCodec::default();
        prop_assert_eq!(codec.from_json(&codec.to_json(&envelope)), Ok(envelope));
    }

    #[test]
    fn chunked_stream_equals_one_shot(
        envelopes in prop::collection::vec(arb_envelope(), 1..4),
        chunk in 1..64usize,
    ) {
        let mut stream_bytes = Vec::new();
        for e in &envelopes {
            stream_bytes.extend(encode(e).unwrap());
        }
        prop_assert_eq!(&decode_all(ChitchatCodec::default(), &stream_bytes).unwrap(), &envelopes);
        // 1-byte chunks re-parse the prefix on every byte: keep those streams short.
        let chunk = if stream_bytes.len() > 4_000 { chunk.max(512) } else { chunk };
        for size in [1, chunk] {
            if size == 1 && stream_bytes.len() > 4_000 {
                continue;
            }
            let mut decoder = StreamDecoder::new(ChitchatCodec::default());
            let mut frames = Vec::new();
            for piece in stream_bytes.chunks(size) {
                frames.extend(decoder.feed(piece).unwrap());
            }
            decoder.finish().unwrap();
            prop_assert_eq!(&frames, &envelopes);
        }
    }
}
