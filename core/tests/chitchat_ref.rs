//! `ChitchatCodec::encode_ref_to_vec` (digest entries borrowed, in any order) writes exactly
//! what `encode_to_vec` writes for the envelope the entries stand for, or fails the same way.

mod common;

use wire_core::chitchat::{
    ChitchatCodec, ChitchatEnvelope, ChitchatId, ChitchatMessage, ChitchatMessageRef, Delta,
    Digest, DigestEntryRef, NodeDigest, ProtocolVersion,
};
use wire_core::decode_exact;

fn entries(digest: &Digest) -> Vec<DigestEntryRef<'_>> {
    digest
        .node_digests
        .iter()
        .map(|(id, d)| DigestEntryRef {
            node_id: &id.node_id,
            generation_id: id.generation_id,
            gossip_advertise_addr: id.gossip_advertise_addr,
            digest: *d,
        })
        .collect()
}

/// Both encoders on one envelope, its digest entries given as `arrange` orders them.
fn both(
    codec: &ChitchatCodec,
    env: &ChitchatEnvelope,
    arrange: impl Fn(&mut Vec<DigestEntryRef<'_>>),
) -> (String, String) {
    let owned = codec.encode_to_vec(env);
    let empty = Digest::default();
    let digest = match &env.message {
        ChitchatMessage::Syn { digest, .. } | ChitchatMessage::SynAck { digest, .. } => digest,
        _ => &empty,
    };
    let mut list = entries(digest);
    arrange(&mut list);
    let message = match &env.message {
        ChitchatMessage::Syn { cluster_id, .. } => ChitchatMessageRef::Syn {
            cluster_id,
            digest: &list,
        },
        ChitchatMessage::SynAck { delta, .. } => ChitchatMessageRef::SynAck {
            digest: &list,
            delta,
        },
        ChitchatMessage::Ack { delta } => ChitchatMessageRef::Ack { delta },
        ChitchatMessage::BadCluster => ChitchatMessageRef::BadCluster,
    };
    let borrowed = codec.encode_ref_to_vec(env.version, &message);
    (format!("{owned:?}"), format!("{borrowed:?}"))
}

#[test]
fn every_vector_encodes_the_same_in_any_entry_order() {
    let doc = common::load("chitchat.json");
    let codec = ChitchatCodec::default();
    let mut count = 0;
    for e in common::section(&doc, "vectors") {
        let bytes = common::hex_of(e, "hex");
        let Ok(env) = decode_exact(&mut codec.clone(), &bytes) else {
            continue;
        };
        let (owned, sorted) = both(&codec, &env, |_| {});
        assert_eq!(owned, sorted, "{}", common::name(e));
        let (_, reversed) = both(&codec, &env, |l| l.reverse());
        assert_eq!(owned, reversed, "{}", common::name(e));
        count += 1;
    }
    assert!(count > 10, "only {count} vectors decoded");
}

fn id(node_id: &str, addr: &str) -> ChitchatId {
    ChitchatId {
        node_id: node_id.into(),
        generation_id: 3,
        gossip_advertise_addr: addr.parse().unwrap(),
    }
}

#[test]
fn repeated_ids_keep_the_later_entry_like_the_map() {
    let a = id("a", "10.0.0.1:7000");
    let b = id("b", "[::1]:7000");
    let d = |heartbeat| NodeDigest {
        heartbeat,
        last_gc_version: 0,
        max_version: heartbeat,
    };
    let list = [(b.clone(), d(1)), (a.clone(), d(2)), (b.clone(), d(3))];
    let mut map = Digest::default();
    for (k, v) in &list {
        map.node_digests.insert(k.clone(), *v);
    }
    let refs: Vec<DigestEntryRef> = list
        .iter()
        .map(|(k, v)| DigestEntryRef {
            node_id: &k.node_id,
            generation_id: k.generation_id,
            gossip_advertise_addr: k.gossip_advertise_addr,
            digest: *v,
        })
        .collect();
    let codec = ChitchatCodec::default();
    for version in [ProtocolVersion::V0, ProtocolVersion::V1] {
        let env = ChitchatEnvelope {
            version,
            message: ChitchatMessage::SynAck {
                digest: map.clone(),
                delta: Delta::default(),
            },
        };
        let message = ChitchatMessageRef::SynAck {
            digest: &refs,
            delta: &Delta::default(),
        };
        assert_eq!(
            codec.encode_ref_to_vec(version, &message).unwrap(),
            codec.encode_to_vec(&env).unwrap()
        );
    }
}

#[test]
fn refused_entries_fail_like_the_owned_encoder() {
    let codec = ChitchatCodec::default();
    // An IPv6 scope id cannot be carried.
    let scoped = id("n", "[fe80::1%2]:7000");
    let mut digest = Digest::default();
    digest.node_digests.insert(scoped, NodeDigest::default());
    let env = ChitchatEnvelope {
        version: ProtocolVersion::V0,
        message: ChitchatMessage::Syn {
            cluster_id: "c".into(),
            digest,
        },
    };
    let (owned, borrowed) = both(&codec, &env, |_| {});
    assert!(owned.starts_with("Err"), "{owned}");
    assert_eq!(owned, borrowed);
    // A V0 digest counts its entries in a u16.
    let many: Vec<String> = (0..65_536).map(|i| format!("n{i}")).collect();
    let refs: Vec<DigestEntryRef> = many
        .iter()
        .map(|n| DigestEntryRef {
            node_id: n,
            generation_id: 0,
            gossip_advertise_addr: "10.0.0.1:1".parse().unwrap(),
            digest: NodeDigest::default(),
        })
        .collect();
    let message = ChitchatMessageRef::Syn {
        cluster_id: "c",
        digest: &refs,
    };
    let err = codec
        .encode_ref_to_vec(ProtocolVersion::V0, &message)
        .unwrap_err();
    assert_eq!(err.kind(), wire_core::ErrorKind::InvalidArgument);
}
