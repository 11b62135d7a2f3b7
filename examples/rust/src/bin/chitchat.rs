//! chitchat: a gossip Syn with one node's digest, in protocol version 0 and 1.

use std::collections::BTreeMap;

use wire_core::chitchat::{
    self, ChitchatCodec, ChitchatEnvelope, ChitchatId, ChitchatMessage, Digest, NodeDigest,
    ProtocolVersion,
};
use wire_core::Codec;

fn main() -> Result<(), wire_core::Error> {
    let node = ChitchatId {
        node_id: "node-1".into(),
        generation_id: 1,
        gossip_advertise_addr: "127.0.0.1:7280".parse().expect("address"),
    };
    let digest = NodeDigest {
        heartbeat: 12,
        last_gc_version: 0,
        max_version: 3,
    };
    let syn = ChitchatMessage::Syn {
        cluster_id: "demo".into(),
        digest: Digest {
            node_digests: BTreeMap::from([(node, digest)]),
        },
    };
    for version in [ProtocolVersion::V0, ProtocolVersion::V1] {
        let envelope = ChitchatEnvelope {
            version,
            message: syn.clone(),
        };
        let bytes = chitchat::encode(&envelope)?;
        assert_eq!(chitchat::decode(&bytes)?, envelope);
        println!(
            "{} bytes: {}",
            bytes.len(),
            ChitchatCodec::default().to_json(&envelope)
        );
    }
    Ok(())
}
