//! Deterministic chitchat messages shared by the interop tests and the benchmarks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use wire_core::chitchat::{
    ChitchatEnvelope, ChitchatId, ChitchatMessage, DeletionStatusMutation, Delta, Digest,
    KeyValueMutation, NodeDelta, NodeDigest, ProtocolVersion,
};

/// Node `i`: every third one on IPv6.
pub fn chitchat_id(i: u64) -> ChitchatId {
    let ip = if i % 3 == 2 {
        IpAddr::V6(Ipv6Addr::new(
            0xfd00,
            0,
            0,
            0,
            0,
            0,
            (i >> 16) as u16,
            i as u16,
        ))
    } else {
        IpAddr::V4(Ipv4Addr::new(10, (i >> 16) as u8, (i >> 8) as u8, i as u8))
    };
    ChitchatId {
        node_id: format!("node-{i:05}"),
        generation_id: 1_700_000_000 + i,
        gossip_advertise_addr: SocketAddr::new(ip, 7280),
    }
}

/// A digest of `nodes` nodes.
pub fn digest(nodes: u64) -> Digest {
    Digest {
        node_digests: (0..nodes)
            .map(|i| {
                let node = NodeDigest {
                    heartbeat: 1_000 + i * 7,
                    last_gc_version: i % 5,
                    max_version: 100 + i,
                };
                (chitchat_id(i), node)
            })
            .collect(),
    }
}

/// Text that compresses like real values (words from a small vocabulary, pseudo-random order).
pub fn text(seed: u64, len: usize) -> String {
    const WORDS: [&str; 16] = [
        "ready",
        "indexer",
        "searcher",
        "grpc",
        "10.0.0.1:7281",
        "metastore",
        "janitor",
        "control_plane",
        "v0.9.0",
        "shard",
        "source",
        "pipeline",
        "split",
        "heartbeat",
        "leader",
        "follower",
    ];
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut out = String::with_capacity(len + 16);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.push_str(WORDS[(state % 16) as usize]);
        out.push(if state % 5 == 0 { ',' } else { ' ' });
    }
    out.truncate(len);
    out
}

/// A delta of `nodes` nodes with `kvs` key-values of `value_len` bytes each; nodes without
/// key-values carry a max_version.
pub fn delta(nodes: u64, kvs: u64, value_len: usize) -> Delta {
    let statuses = [
        DeletionStatusMutation::Set,
        DeletionStatusMutation::Set,
        DeletionStatusMutation::Delete,
        DeletionStatusMutation::DeleteAfterTtl,
    ];
    Delta {
        node_deltas: (0..nodes)
            .map(|n| {
                let key_values: Vec<KeyValueMutation> = (0..kvs)
                    .map(|k| KeyValueMutation {
                        key: format!("key-{n}-{k}"),
                        value: text(n * 1_000 + k, value_len),
                        version: 1 + k * 2,
                        status: statuses[(k % 4) as usize],
                    })
                    .collect();
                NodeDelta {
                    chitchat_id: chitchat_id(n),
                    from_version_excluded: n % 2,
                    last_gc_version: n % 3,
                    max_version: key_values.last().map_or(40 + n, |kv| kv.version),
                    key_values,
                }
            })
            .collect(),
    }
}

/// Named messages covering every type, small and large, compressed and raw, one and several
/// blocks.
pub fn samples(version: ProtocolVersion) -> Vec<(&'static str, ChitchatEnvelope)> {
    let env = |message| ChitchatEnvelope { version, message };
    vec![
        ("bad_cluster", env(ChitchatMessage::BadCluster)),
        (
            "syn_empty",
            env(ChitchatMessage::Syn {
                cluster_id: "quickwit-default-cluster".into(),
                digest: Digest::default(),
            }),
        ),
        (
            "syn_100_nodes",
            env(ChitchatMessage::Syn {
                cluster_id: "quickwit-default-cluster".into(),
                digest: digest(100),
            }),
        ),
        (
            "syn_1000_nodes",
            env(ChitchatMessage::Syn {
                cluster_id: "quickwit-default-cluster".into(),
                digest: digest(1_000),
            }),
        ),
        (
            "syn_ack_small",
            env(ChitchatMessage::SynAck {
                digest: digest(3),
                delta: delta(2, 3, 20),
            }),
        ),
        (
            "ack_node_without_kvs",
            env(ChitchatMessage::Ack {
                delta: delta(4, 0, 0),
            }),
        ),
        (
            "ack_200_kvs",
            env(ChitchatMessage::Ack {
                delta: delta(10, 20, 60),
            }),
        ),
        (
            "syn_ack_multi_block",
            env(ChitchatMessage::SynAck {
                digest: digest(50),
                delta: delta(20, 40, 120),
            }),
        ),
    ]
}
