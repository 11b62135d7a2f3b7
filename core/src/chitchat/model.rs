//! The chitchat data types, with the crate's names, and the crate's delta rules
//! (`DeltaBuilder`), which decoding applies too.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use super::P;
use crate::{Error, Result};

/// `ProtocolVersion`: only the digest encoding differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum ProtocolVersion {
    /// Digest with a u16 entry count (every release since 0.9.0).
    #[default]
    V0 = 0,
    /// Digest as a block stream (0.12.0 and later).
    V1 = 1,
}

impl ProtocolVersion {
    /// The version of a header byte.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(ProtocolVersion::V0),
            1 => Some(ProtocolVersion::V1),
            _ => None,
        }
    }

    /// The header byte.
    pub fn to_code(self) -> u8 {
        self as u8
    }

    /// `"V0"` or `"V1"`.
    pub fn name(self) -> &'static str {
        match self {
            ProtocolVersion::V0 => "V0",
            ProtocolVersion::V1 => "V1",
        }
    }

    /// Inverse of [`ProtocolVersion::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        [ProtocolVersion::V0, ProtocolVersion::V1]
            .into_iter()
            .find(|v| v.name() == name)
    }
}

described! {
    "chitchat::ChitchatEnvelope"
    /// `ChitchatEnvelope`: one message with the protocol version of its header.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct ChitchatEnvelope {
        /// Protocol version (header byte 2).
        pub version: ProtocolVersion,
        /// The message.
        pub message: ChitchatMessage,
    }
}

described! {
    "chitchat::ChitchatMessage"
    /// `ChitchatMessage`: the steps of the scuttlebutt handshake.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub enum ChitchatMessage {
        /// Type 0: node A sends its digest (on the wire: digest, then cluster_id).
        Syn {
            /// The sender's cluster.
            cluster_id: String,
            /// The sender's digest.
            digest: Digest,
        },
        /// Type 1: node B answers with its digest and a delta for A.
        SynAck {
            /// B's digest.
            digest: Digest,
            /// What A is missing.
            delta: Delta,
        },
        /// Type 2: node A answers with a delta for B.
        Ack {
            /// What B is missing.
            delta: Delta,
        },
        /// Type 3: the Syn came from another cluster.
        BadCluster,
    }
}

impl ChitchatMessage {
    /// The message type byte.
    pub fn message_type(&self) -> u8 {
        match self {
            ChitchatMessage::Syn { .. } => super::TYPE_SYN,
            ChitchatMessage::SynAck { .. } => super::TYPE_SYN_ACK,
            ChitchatMessage::Ack { .. } => super::TYPE_ACK,
            ChitchatMessage::BadCluster => super::TYPE_BAD_CLUSTER,
        }
    }

    /// The variant name (`"Syn"`, `"SynAck"`, `"Ack"`, `"BadCluster"`).
    pub fn type_name(&self) -> &'static str {
        match self {
            ChitchatMessage::Syn { .. } => "Syn",
            ChitchatMessage::SynAck { .. } => "SynAck",
            ChitchatMessage::Ack { .. } => "Ack",
            ChitchatMessage::BadCluster => "BadCluster",
        }
    }
}

described! {
    "chitchat::ChitchatId"
    /// `ChitchatId`. Its order (derived, as in the crate) is the digest's wire order: node_id
    /// bytes, generation_id, then the address (every IPv4 before every IPv6, then ip, then port).
    #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct ChitchatId {
        /// Unique across the cluster.
        pub node_id: String,
        /// Incremented each time the node rejoins.
        pub generation_id: u64,
        /// Where peers gossip with the node. IPv6 flow info and scope id are not carried.
        pub gossip_advertise_addr: SocketAddr,
    }
}

/// Every record has a default, so that a binding may let any field be omitted: here an empty
/// node id, generation 0 and the unspecified address `0.0.0.0:0`.
impl Default for ChitchatId {
    fn default() -> Self {
        ChitchatId {
            node_id: String::new(),
            generation_id: 0,
            gossip_advertise_addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        }
    }
}

described! {
    "chitchat::NodeDigest"
    /// `NodeDigest`: what a peer knows of one node.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct NodeDigest {
        /// The crate's `Heartbeat(u64)`.
        pub heartbeat: u64,
        /// Versions up to this one may have been garbage-collected.
        pub last_gc_version: u64,
        /// Highest version known.
        pub max_version: u64,
    }
}

described! {
    "chitchat::Digest"
    /// `Digest`: one entry per node, in `ChitchatId` order.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct Digest {
        /// The entries.
        pub node_digests: BTreeMap<ChitchatId, NodeDigest>,
    }
}

/// One digest entry in memory the caller owns: what an encoder needs of a `(ChitchatId,
/// NodeDigest)` pair without building a [`Digest`] (a `String` and a map node per entry), for
/// bindings that encode from their own language's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DigestEntryRef<'a> {
    /// `ChitchatId::node_id`.
    pub node_id: &'a str,
    /// `ChitchatId::generation_id`.
    pub generation_id: u64,
    /// `ChitchatId::gossip_advertise_addr`.
    pub gossip_advertise_addr: SocketAddr,
    /// The node's digest.
    pub digest: NodeDigest,
}

impl<'a> DigestEntryRef<'a> {
    pub(super) fn id(&self) -> IdRef<'a> {
        IdRef {
            node_id: self.node_id,
            generation_id: self.generation_id,
            gossip_advertise_addr: self.gossip_advertise_addr,
        }
    }
}

/// A [`ChitchatMessage`] whose digest is a slice of [`DigestEntryRef`] in any order: it is
/// written as the [`Digest`] those entries would build (in `ChitchatId` order, the later of
/// equal ids winning), see
/// [`ChitchatCodec::encode_ref_to_vec`](super::ChitchatCodec::encode_ref_to_vec).
#[derive(Debug, Clone, Copy)]
pub enum ChitchatMessageRef<'a> {
    /// Type 0.
    Syn {
        /// The sender's cluster.
        cluster_id: &'a str,
        /// The sender's digest entries.
        digest: &'a [DigestEntryRef<'a>],
    },
    /// Type 1.
    SynAck {
        /// B's digest entries.
        digest: &'a [DigestEntryRef<'a>],
        /// What A is missing.
        delta: &'a Delta,
    },
    /// Type 2.
    Ack {
        /// What B is missing.
        delta: &'a Delta,
    },
    /// Type 3.
    BadCluster,
}

/// A `ChitchatId` the encoder reads, owned or not. Field order as in `ChitchatId`, so the
/// derived order is the same.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct IdRef<'a> {
    pub(super) node_id: &'a str,
    pub(super) generation_id: u64,
    pub(super) gossip_advertise_addr: SocketAddr,
}

impl ChitchatId {
    pub(super) fn as_id_ref(&self) -> IdRef<'_> {
        IdRef {
            node_id: &self.node_id,
            generation_id: self.generation_id,
            gossip_advertise_addr: self.gossip_advertise_addr,
        }
    }
}

described! {
    "chitchat::Delta"
    /// `Delta`: node updates in send order.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct Delta {
        /// The node updates.
        pub node_deltas: Vec<NodeDelta>,
    }
}

described! {
    "chitchat::NodeDelta"
    /// `NodeDelta`: the updates of one node.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct NodeDelta {
        /// The node.
        pub chitchat_id: ChitchatId,
        /// Every record after this version is in the delta (0 = reset).
        pub from_version_excluded: u64,
        /// The sender's GC watermark for the node.
        pub last_gc_version: u64,
        /// Key-value updates, versions strictly increasing.
        pub key_values: Vec<KeyValueMutation>,
        /// The last kv's version when there are key-values; else travels as `SetMaxVersion` when
        /// over 0.
        pub max_version: u64,
    }
}

described! {
    "chitchat::KeyValueMutation"
    /// `KeyValueMutation`.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct KeyValueMutation {
        /// The key.
        pub key: String,
        /// The value.
        pub value: String,
        /// The version (at least 1).
        pub version: u64,
        /// Set or deleted.
        pub status: DeletionStatusMutation,
    }
}

/// `DeletionStatusMutation` (status byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DeletionStatusMutation {
    /// 0.
    #[default]
    Set = 0,
    /// 1.
    Delete = 1,
    /// 2.
    DeleteAfterTtl = 2,
}

impl DeletionStatusMutation {
    /// The status of a byte.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(DeletionStatusMutation::Set),
            1 => Some(DeletionStatusMutation::Delete),
            2 => Some(DeletionStatusMutation::DeleteAfterTtl),
            _ => None,
        }
    }

    /// The variant name (`"Set"`, `"Delete"`, `"DeleteAfterTtl"`).
    pub fn name(self) -> &'static str {
        match self {
            DeletionStatusMutation::Set => "Set",
            DeletionStatusMutation::Delete => "Delete",
            DeletionStatusMutation::DeleteAfterTtl => "DeleteAfterTtl",
        }
    }

    /// Inverse of [`DeletionStatusMutation::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        (0..=2)
            .filter_map(DeletionStatusMutation::from_code)
            .find(|s| s.name() == name)
    }
}

/// `DeltaOp`: one operation of a delta's op stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeltaOp {
    /// Tag 0: starts the updates of a node.
    Node {
        /// The node.
        chitchat_id: ChitchatId,
        /// Its GC watermark.
        last_gc_version: u64,
        /// See [`NodeDelta::from_version_excluded`].
        from_version_excluded: u64,
    },
    /// Tag 1: a key-value update of the current node.
    KeyValue(KeyValueMutation),
    /// Tag 2: sets the current node's max_version.
    SetMaxVersion {
        /// The new max_version.
        max_version: u64,
    },
}

impl Delta {
    /// The canonical op stream of this delta (what the crate's writer emits).
    pub fn operations(&self) -> Vec<DeltaOp> {
        let mut ops = Vec::new();
        for node in &self.node_deltas {
            ops.push(DeltaOp::Node {
                chitchat_id: node.chitchat_id.clone(),
                last_gc_version: node.last_gc_version,
                from_version_excluded: node.from_version_excluded,
            });
            ops.extend(node.key_values.iter().cloned().map(DeltaOp::KeyValue));
            if node.key_values.is_empty() && node.max_version > 0 {
                ops.push(DeltaOp::SetMaxVersion {
                    max_version: node.max_version,
                });
            }
        }
        ops
    }

    /// Build a delta from an op stream with the crate's `DeltaBuilder` rules; a broken rule is
    /// `malformed` (the error offset is the op's index).
    pub fn from_operations(ops: impl IntoIterator<Item = DeltaOp>) -> Result<Delta> {
        let mut builder = DeltaBuilder::default();
        for (index, op) in ops.into_iter().enumerate() {
            builder
                .apply(op)
                .map_err(|reason| Error::malformed(P, index, reason))?;
        }
        Ok(builder.finish())
    }
}

/// The crate's `DeltaBuilder`.
#[derive(Default)]
pub(super) struct DeltaBuilder {
    seen: BTreeSet<ChitchatId>,
    delta: Delta,
    current: Option<NodeDelta>,
}

impl DeltaBuilder {
    pub(super) fn apply(&mut self, op: DeltaOp) -> std::result::Result<(), &'static str> {
        match op {
            DeltaOp::Node {
                chitchat_id,
                last_gc_version,
                from_version_excluded,
            } => {
                self.flush();
                if !self.seen.insert(chitchat_id.clone()) {
                    return Err("node op for a ChitchatId already in this delta");
                }
                self.current = Some(NodeDelta {
                    chitchat_id,
                    from_version_excluded,
                    last_gc_version,
                    key_values: Vec::new(),
                    max_version: 0,
                });
            }
            DeltaOp::KeyValue(kv) => {
                let node = self
                    .current
                    .as_mut()
                    .ok_or("key-value op without a node op before it")?;
                if kv.version <= node.max_version {
                    return Err("kv version should be strictly increasing (and above 0)");
                }
                node.max_version = kv.version;
                node.key_values.push(kv);
            }
            DeltaOp::SetMaxVersion { max_version } => {
                self.current
                    .as_mut()
                    .ok_or("SetMaxVersion op without a node op before it")?
                    .max_version = max_version;
            }
        }
        Ok(())
    }

    fn flush(&mut self) {
        self.delta.node_deltas.extend(self.current.take());
    }

    pub(super) fn finish(mut self) -> Delta {
        self.flush();
        self.delta
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chitchat::tests::{id, node};
    use crate::ErrorKind;

    #[test]
    fn delta_from_operations_applies_the_crate_rules() {
        let delta = Delta {
            node_deltas: vec![NodeDelta {
                max_version: 7,
                ..node(id("a", "10.0.0.1:1"), vec![])
            }],
        };
        assert_eq!(Delta::from_operations(delta.operations()).unwrap(), delta);
        let e = Delta::from_operations([DeltaOp::SetMaxVersion { max_version: 1 }]).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Malformed, Some(0)));
    }

    #[test]
    fn default_records_make_a_message_that_round_trips() {
        let message = ChitchatEnvelope {
            version: ProtocolVersion::default(),
            message: ChitchatMessage::Ack {
                delta: Delta {
                    node_deltas: vec![NodeDelta {
                        key_values: vec![KeyValueMutation {
                            version: 1,
                            ..KeyValueMutation::default()
                        }],
                        max_version: 1,
                        ..NodeDelta::default()
                    }],
                },
            },
        };
        let bytes = crate::chitchat::encode(&message).unwrap();
        assert_eq!(crate::chitchat::decode(&bytes).unwrap(), message);
    }
}

described_enum!(
    ProtocolVersion,
    "chitchat::ProtocolVersion",
    "`ProtocolVersion`: only the digest encoding differs.",
    open: false,
    repr: U8 as u8,
    code: ProtocolVersion::to_code,
    from_code: ProtocolVersion::from_code,
    values: [ProtocolVersion::V0, ProtocolVersion::V1].map(|v| (v.to_code(), v.name()))
);

described_enum!(
    DeletionStatusMutation,
    "chitchat::DeletionStatusMutation",
    "`DeletionStatusMutation` (status byte).",
    open: false,
    repr: U8 as u8,
    code: |s| s as u8,
    from_code: DeletionStatusMutation::from_code,
    values: (0..=2)
        .filter_map(DeletionStatusMutation::from_code)
        .map(|s| (s as u8, s.name()))
);
