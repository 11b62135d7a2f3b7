//! How the types of the protocols the core's schema does not describe yet cross on the tape:
//! one line per field, in the core's field order (`generated.rs` has the others).

use std::net::SocketAddr;

use bytes::Bytes;
use serde_json::{json, Map, Value};
use wire_core::chitchat::{
    ChitchatEnvelope, ChitchatId, ChitchatMessage, DeletionStatusMutation, Delta, Digest,
    KeyValueMutation, NodeDelta, NodeDigest, ProtocolVersion,
};
use wire_core::replication::{GroupChangeType, NodeType, ProtocolMessage, RepNode};

use crate::tape::{Defined, Kind, Reader, Take, Tape, Writer};
use crate::{named_enum, record, union};

macro_rules! defs {
    ($($t:ty),* $(,)?) => {
        [$((<$t as Defined>::NAME, <$t as Defined>::definition())),*]
    };
}

// --- chitchat ------------------------------------------------------------------------------

named_enum!(ProtocolVersion, "ProtocolVersion", open: false,
    values: vec![(0, "V0"), (1, "V1")],
    code: ProtocolVersion::to_code,
    from: ProtocolVersion::from_code);
named_enum!(DeletionStatusMutation, "DeletionStatusMutation", open: false,
    values: (0..=2u8)
        .filter_map(|n| DeletionStatusMutation::from_code(n).map(|s| (u32::from(n), s.name())))
        .collect(),
    code: |s: DeletionStatusMutation| s as u8,
    from: DeletionStatusMutation::from_code);

record!(ChitchatId, "ChitchatId" {
    node_id: String, generation_id: u64, gossip_advertise_addr: SocketAddr,
});
record!(NodeDigest, "NodeDigest" { heartbeat: u64, last_gc_version: u64, max_version: u64 });
record!(Delta, "Delta" { node_deltas: Vec<NodeDelta> });
record!(NodeDelta, "NodeDelta" {
    chitchat_id: ChitchatId, from_version_excluded: u64, last_gc_version: u64,
    key_values: Vec<KeyValueMutation>, max_version: u64,
});
record!(KeyValueMutation, "KeyValueMutation" {
    key: String, value: String, version: u64, status: DeletionStatusMutation,
});

/// A digest is a map from node to its digest; JS sees the canonical JSON's list of entries
/// (`{chitchatId, heartbeat, lastGcVersion, maxVersion}`), in key order.
impl Tape for Digest {
    fn put(&self, w: &mut Writer) {
        w.word(self.node_digests.len() as u32);
        for (id, digest) in &self.node_digests {
            id.put(w);
            digest.put(w);
        }
    }
    fn take(r: &mut Reader) -> Take<Self> {
        let n = r.word()?;
        let mut digest = Digest::default();
        for _ in 0..n {
            let id = ChitchatId::take(r)?;
            digest.node_digests.insert(id, NodeDigest::take(r)?);
        }
        Ok(digest)
    }
}

impl Kind for Digest {
    fn kind() -> Value {
        json!({"ref": "Digest"})
    }
}

impl Defined for Digest {
    const NAME: &'static str = "Digest";
    fn definition() -> Value {
        json!({"record": [["nodeDigests", {"list": {"ref": "NodeDigestEntry"}}]]})
    }
}

/// One entry of a digest as JS sees it: the key's fields, then the value's.
struct NodeDigestEntry;

impl Defined for NodeDigestEntry {
    const NAME: &'static str = "NodeDigestEntry";
    fn definition() -> Value {
        let mut fields = vec![json!(["chitchatId", ChitchatId::kind()])];
        fields.extend(record_fields(NodeDigest::definition()));
        json!({ "record": fields })
    }
}

fn record_fields(definition: Value) -> Vec<Value> {
    match definition {
        Value::Object(mut map) => match map.remove("record") {
            Some(Value::Array(fields)) => fields,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

union!(ChitchatMessage, "ChitchatMessage" {
    0 Syn "Syn" { cluster_id: String, digest: Digest },
    1 SynAck "SynAck" { digest: Digest, delta: Delta },
    2 Ack "Ack" { delta: Delta },
    3 BadCluster "BadCluster" {},
});

/// The envelope's version is shown beside the message's own fields (`{type, version, ...}`),
/// as in the canonical JSON.
impl Tape for ChitchatEnvelope {
    fn put(&self, w: &mut Writer) {
        self.version.put(w);
        self.message.put(w);
    }
    fn take(r: &mut Reader) -> Take<Self> {
        Ok(ChitchatEnvelope {
            version: ProtocolVersion::take(r)?,
            message: ChitchatMessage::take(r)?,
        })
    }
}

impl Kind for ChitchatEnvelope {
    fn kind() -> Value {
        json!({"ref": "ChitchatEnvelope"})
    }
}

impl Defined for ChitchatEnvelope {
    const NAME: &'static str = "ChitchatEnvelope";
    fn definition() -> Value {
        json!({"headed": [["version", ProtocolVersion::kind()]], "body": ChitchatMessage::kind()})
    }
}

// --- replication ---------------------------------------------------------------------------

named_enum!(NodeType, "NodeType", open: false,
    values: NodeType::ALL.iter().map(|t| (u32::from(t.code()), t.name())).collect(),
    code: NodeType::code,
    from: NodeType::from_code);
named_enum!(GroupChangeType, "GroupChangeType", open: false,
    values: GroupChangeType::ALL.iter().map(|t| (u32::from(t.code()), t.name())).collect(),
    code: GroupChangeType::code,
    from: GroupChangeType::from_code);

record!(RepNode, "RepNode" {
    name: String, node_type: NodeType, host: String, port: u16, node_id: u32,
});

union!(ProtocolMessage, "ProtocolMessage" {
    0 Handshake "Handshake" { node_name: String, group_name: String, node_type: NodeType },
    1 HandshakeResponse "HandshakeResponse" { accepted: bool, reason: Option<String> },
    2 Heartbeat "Heartbeat" { master_vlsn: u64, timestamp_ms: u64 },
    3 HeartbeatResponse "HeartbeatResponse" { replica_vlsn: u64, timestamp_ms: u64 },
    4 LogEntry "LogEntry" { vlsn: u64, entry_type: u8, data: Bytes },
    5 Ack "Ack" { vlsn: u64 },
    6 GroupChange "GroupChange" { change_type: GroupChangeType, node: RepNode },
    7 GroupChangeResponse "GroupChangeResponse" { accepted: bool },
    8 ElectionProposal "ElectionProposal" {
        node_name: String, vlsn: u64, priority: u32, term: u64, dtvlsn: Option<u64>,
    },
    9 ElectionVote "ElectionVote" { voter: String, granted: bool, term: u64 },
    10 ElectionResult "ElectionResult" { master: String, term: u64 },
    11 Shutdown "Shutdown" { reason: String },
});

// --- the schema ----------------------------------------------------------------------------

fn definitions(entries: &[(&str, Value)]) -> Value {
    let mut map = Map::new();
    for (name, definition) in entries {
        map.insert((*name).to_owned(), definition.clone());
    }
    Value::Object(map)
}

/// The definitions of the protocols the core's schema does not describe yet, per protocol
/// (`lib/generated.js` has the others).
pub fn schema() -> Value {
    json!({
        "chitchat": {
            "frame": "ChitchatEnvelope",
            "types": definitions(&defs!(
                ProtocolVersion, DeletionStatusMutation, ChitchatId, NodeDigest, NodeDigestEntry,
                Digest, Delta, NodeDelta, KeyValueMutation, ChitchatMessage, ChitchatEnvelope
            )),
        },
        "replication": {
            "frame": "ProtocolMessage",
            "types": definitions(&defs!(NodeType, GroupChangeType, RepNode, ProtocolMessage)),
        },
    })
}
