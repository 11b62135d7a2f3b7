//! proptest strategies for chitchat messages, shared by core's property tests and the interop
//! tests against the chitchat crate.

use std::net::SocketAddr;

use proptest::prelude::*;
use wire_core::chitchat::*;

pub fn arb_id() -> impl Strategy<Value = ChitchatId> {
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

pub fn arb_digest() -> impl Strategy<Value = Digest> {
    let node =
        any::<(u64, u64, u64)>().prop_map(|(heartbeat, last_gc_version, max_version)| NodeDigest {
            heartbeat,
            last_gc_version,
            max_version,
        });
    prop::collection::btree_map(arb_id(), node, 0..30)
        .prop_map(|node_digests| Digest { node_digests })
}

pub fn arb_delta() -> impl Strategy<Value = Delta> {
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

/// Envelopes of every message kind, with versions drawn from `version`.
pub fn arb_envelope(
    version: impl Strategy<Value = ProtocolVersion>,
) -> impl Strategy<Value = ChitchatEnvelope> {
    let message = prop_oneof![
        Just(ChitchatMessage::BadCluster),
        ("\\PC{0,20}", arb_digest())
            .prop_map(|(cluster_id, digest)| ChitchatMessage::Syn { cluster_id, digest }),
        (arb_digest(), arb_delta())
            .prop_map(|(digest, delta)| ChitchatMessage::SynAck { digest, delta }),
        arb_delta().prop_map(|delta| ChitchatMessage::Ack { delta }),
    ];
    (version, message).prop_map(|(version, message)| ChitchatEnvelope { version, message })
}
