//! Conversions between wire's replication messages and noxu-rep's (7.11.2 as `v7`, 3.2.0 as
//! `v3`), shared by the interop tests and the benches.
#![allow(dead_code)]

use bytes::Bytes;
use wire_core::replication::{GroupChangeType, NodeType, ProtocolMessage, RepNode};

/// The conversions for one noxu-rep version; the module around it supplies `proposal` and
/// `dtvlsn_of`, the only part that differs between versions.
macro_rules! conversions {
    ($krate:ident) => {
        use super::*;
        use $krate::protocol::{GroupChangeType as RefChange, ProtocolMessage as Ref};
        use $krate::{NodeType as RefNodeType, RepNode as RefNode};

        pub fn node_type(t: NodeType) -> RefNodeType {
            match t {
                NodeType::Electable => RefNodeType::Electable,
                NodeType::Monitor => RefNodeType::Monitor,
                NodeType::Secondary => RefNodeType::Secondary,
                NodeType::Arbiter => RefNodeType::Arbiter,
            }
        }

        pub fn node_type_back(t: &RefNodeType) -> NodeType {
            match t {
                RefNodeType::Electable => NodeType::Electable,
                RefNodeType::Monitor => NodeType::Monitor,
                RefNodeType::Secondary => NodeType::Secondary,
                RefNodeType::Arbiter => NodeType::Arbiter,
            }
        }

        /// Ours as the crate's message.
        pub fn to_ref(m: &ProtocolMessage) -> Ref {
            match m.clone() {
                ProtocolMessage::Handshake {
                    node_name,
                    group_name,
                    node_type: t,
                } => Ref::Handshake {
                    node_name,
                    group_name,
                    node_type: node_type(t),
                },
                ProtocolMessage::HandshakeResponse { accepted, reason } => {
                    Ref::HandshakeResponse { accepted, reason }
                }
                ProtocolMessage::Heartbeat {
                    master_vlsn,
                    timestamp_ms,
                } => Ref::Heartbeat {
                    master_vlsn,
                    timestamp_ms,
                },
                ProtocolMessage::HeartbeatResponse {
                    replica_vlsn,
                    timestamp_ms,
                } => Ref::HeartbeatResponse {
                    replica_vlsn,
                    timestamp_ms,
                },
                ProtocolMessage::LogEntry {
                    vlsn,
                    entry_type,
                    data,
                } => Ref::LogEntry {
                    vlsn,
                    entry_type,
                    data: data.to_vec(),
                },
                ProtocolMessage::Ack { vlsn } => Ref::Ack { vlsn },
                ProtocolMessage::GroupChange { change_type, node } => Ref::GroupChange {
                    change_type: match change_type {
                        GroupChangeType::Add => RefChange::Add,
                        GroupChangeType::Remove => RefChange::Remove,
                        GroupChangeType::Update => RefChange::Update,
                    },
                    node: RefNode::new(
                        node.name,
                        node_type(node.node_type),
                        node.host,
                        node.port,
                        node.node_id,
                    ),
                },
                ProtocolMessage::GroupChangeResponse { accepted } => {
                    Ref::GroupChangeResponse { accepted }
                }
                ProtocolMessage::ElectionProposal {
                    node_name,
                    vlsn,
                    priority,
                    term,
                    dtvlsn,
                } => proposal(node_name, vlsn, priority, term, dtvlsn),
                ProtocolMessage::ElectionVote {
                    voter,
                    granted,
                    term,
                } => Ref::ElectionVote {
                    voter,
                    granted,
                    term,
                },
                ProtocolMessage::ElectionResult { master, term } => {
                    Ref::ElectionResult { master, term }
                }
                ProtocolMessage::Shutdown { reason } => Ref::Shutdown { reason },
            }
        }

        /// The crate's message as ours.
        pub fn from_ref(m: &Ref) -> ProtocolMessage {
            match m.clone() {
                Ref::Handshake {
                    node_name,
                    group_name,
                    node_type,
                } => ProtocolMessage::Handshake {
                    node_name,
                    group_name,
                    node_type: node_type_back(&node_type),
                },
                Ref::HandshakeResponse { accepted, reason } => {
                    ProtocolMessage::HandshakeResponse { accepted, reason }
                }
                Ref::Heartbeat {
                    master_vlsn,
                    timestamp_ms,
                } => ProtocolMessage::Heartbeat {
                    master_vlsn,
                    timestamp_ms,
                },
                Ref::HeartbeatResponse {
                    replica_vlsn,
                    timestamp_ms,
                } => ProtocolMessage::HeartbeatResponse {
                    replica_vlsn,
                    timestamp_ms,
                },
                Ref::LogEntry {
                    vlsn,
                    entry_type,
                    data,
                } => ProtocolMessage::LogEntry {
                    vlsn,
                    entry_type,
                    data: Bytes::from(data),
                },
                Ref::Ack { vlsn } => ProtocolMessage::Ack { vlsn },
                Ref::GroupChange { change_type, node } => ProtocolMessage::GroupChange {
                    change_type: match change_type {
                        RefChange::Add => GroupChangeType::Add,
                        RefChange::Remove => GroupChangeType::Remove,
                        RefChange::Update => GroupChangeType::Update,
                    },
                    node: RepNode {
                        name: node.name,
                        node_type: node_type_back(&node.node_type),
                        host: node.host,
                        port: node.port,
                        node_id: node.node_id,
                    },
                },
                Ref::GroupChangeResponse { accepted } => {
                    ProtocolMessage::GroupChangeResponse { accepted }
                }
                Ref::ElectionProposal {
                    node_name,
                    vlsn,
                    priority,
                    term,
                    ..
                } => ProtocolMessage::ElectionProposal {
                    node_name,
                    vlsn,
                    priority,
                    term,
                    dtvlsn: dtvlsn_of(m),
                },
                Ref::ElectionVote {
                    voter,
                    granted,
                    term,
                } => ProtocolMessage::ElectionVote {
                    voter,
                    granted,
                    term,
                },
                Ref::ElectionResult { master, term } => {
                    ProtocolMessage::ElectionResult { master, term }
                }
                Ref::Shutdown { reason } => ProtocolMessage::Shutdown { reason },
            }
        }

        /// The crate's decode: the message as ours, or its `ProtocolError` text.
        pub fn decode(bytes: &[u8]) -> Result<ProtocolMessage, String> {
            match Ref::decode(bytes) {
                Ok(m) => Ok(from_ref(&m)),
                Err($krate::RepError::ProtocolError(text)) => Err(text),
                Err(other) => panic!("not a ProtocolError: {other:?}"),
            }
        }
    };
}

/// noxu-rep 7.11.2 (layout 7x).
pub mod v7 {
    conversions!(noxu_rep);

    fn proposal(
        node_name: String,
        vlsn: u64,
        priority: u32,
        term: u64,
        dtvlsn: Option<u64>,
    ) -> Ref {
        Ref::ElectionProposal {
            node_name,
            vlsn,
            priority,
            term,
            dtvlsn: dtvlsn.expect("a 7x proposal has dtvlsn"),
        }
    }

    fn dtvlsn_of(m: &Ref) -> Option<u64> {
        match m {
            Ref::ElectionProposal { dtvlsn, .. } => Some(*dtvlsn),
            _ => None,
        }
    }
}

/// noxu-rep 3.2.0 (layout 3x).
pub mod v3 {
    conversions!(noxu_rep_3);

    fn proposal(
        node_name: String,
        vlsn: u64,
        priority: u32,
        term: u64,
        dtvlsn: Option<u64>,
    ) -> Ref {
        assert_eq!(dtvlsn, None, "a 3x proposal has no dtvlsn");
        Ref::ElectionProposal {
            node_name,
            vlsn,
            priority,
            term,
        }
    }

    fn dtvlsn_of(_: &Ref) -> Option<u64> {
        None
    }
}

/// One message of every variant (7x proposal when `dtvlsn` is `Some`), with realistic sizes.
pub fn sample_messages(dtvlsn: Option<u64>) -> Vec<ProtocolMessage> {
    let node = RepNode {
        name: "node-7".into(),
        node_type: NodeType::Secondary,
        host: "replica-7.example.internal".into(),
        port: 7000,
        node_id: 7,
    };
    vec![
        ProtocolMessage::Handshake {
            node_name: "node-7".into(),
            group_name: "orders-group".into(),
            node_type: NodeType::Electable,
        },
        ProtocolMessage::HandshakeResponse {
            accepted: false,
            reason: Some("group mismatch".into()),
        },
        ProtocolMessage::Heartbeat {
            master_vlsn: 1 << 40,
            timestamp_ms: 1_700_000_000_000,
        },
        ProtocolMessage::HeartbeatResponse {
            replica_vlsn: (1 << 40) - 5,
            timestamp_ms: 1_700_000_000_001,
        },
        ProtocolMessage::LogEntry {
            vlsn: 123_456_789,
            entry_type: 3,
            data: Bytes::from(vec![0xab; 4096]),
        },
        ProtocolMessage::Ack { vlsn: 123_456_789 },
        ProtocolMessage::GroupChange {
            change_type: GroupChangeType::Add,
            node,
        },
        ProtocolMessage::GroupChangeResponse { accepted: true },
        ProtocolMessage::ElectionProposal {
            node_name: "node-7".into(),
            vlsn: 123_456_789,
            priority: 10,
            term: 42,
            dtvlsn,
        },
        ProtocolMessage::ElectionVote {
            voter: "node-3".into(),
            granted: true,
            term: 42,
        },
        ProtocolMessage::ElectionResult {
            master: "node-7".into(),
            term: 42,
        },
        ProtocolMessage::Shutdown {
            reason: "maintenance window".into(),
        },
    ]
}
