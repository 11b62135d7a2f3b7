//! The replication data types, with the crate's names.

use std::fmt;
use std::str::FromStr;

use bytes::Bytes;

use super::{
    P, TAG_ACK, TAG_ELECTION_PROPOSAL, TAG_ELECTION_RESULT, TAG_ELECTION_VOTE, TAG_GROUP_CHANGE,
    TAG_GROUP_CHANGE_RESPONSE, TAG_HANDSHAKE, TAG_HANDSHAKE_RESPONSE, TAG_HEARTBEAT,
    TAG_HEARTBEAT_RESPONSE, TAG_LOG_ENTRY, TAG_SHUTDOWN,
};
use crate::{Error, Result};

/// Which noxu-rep release line's layout: they differ only in `ElectionProposal.dtvlsn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Layout {
    /// noxu-rep 4.1.0 to 7.11.2: `ElectionProposal` ends with `dtvlsn`. Option value `7x`.
    #[default]
    V7,
    /// noxu-rep 3.0.0 to 4.0.0: `ElectionProposal` has no `dtvlsn`. Option value `3x`.
    V3,
}

impl Layout {
    /// The option value: `"7x"` or `"3x"`.
    pub const fn name(self) -> &'static str {
        match self {
            Layout::V7 => "7x",
            Layout::V3 => "3x",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Layout {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "7x" => Ok(Layout::V7),
            "3x" => Ok(Layout::V3),
            other => Err(Error::invalid_argument(
                P,
                format!("option \"layout\": {other:?} is not one of \"7x\", \"3x\""),
            )),
        }
    }
}

/// A node's role in the group (noxu-rep `NodeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NodeType {
    /// Code 0.
    #[default]
    Electable,
    /// Code 1.
    Monitor,
    /// Code 2.
    Secondary,
    /// Code 3.
    Arbiter,
}

impl NodeType {
    /// Every node type, in code order.
    pub const ALL: [NodeType; 4] = [
        NodeType::Electable,
        NodeType::Monitor,
        NodeType::Secondary,
        NodeType::Arbiter,
    ];

    /// The wire code.
    pub const fn code(self) -> u8 {
        match self {
            NodeType::Electable => 0,
            NodeType::Monitor => 1,
            NodeType::Secondary => 2,
            NodeType::Arbiter => 3,
        }
    }

    /// The node type of a wire code, if it is one.
    pub fn from_code(code: u8) -> Option<NodeType> {
        NodeType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The variant name (`"Electable"`, ...), as in the JSON form.
    pub const fn name(self) -> &'static str {
        match self {
            NodeType::Electable => "Electable",
            NodeType::Monitor => "Monitor",
            NodeType::Secondary => "Secondary",
            NodeType::Arbiter => "Arbiter",
        }
    }
}

/// The kind of membership change (noxu-rep `GroupChangeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupChangeType {
    /// Code 0.
    Add,
    /// Code 1.
    Remove,
    /// Code 2.
    Update,
}

impl GroupChangeType {
    /// Every change type, in code order.
    pub const ALL: [GroupChangeType; 3] = [
        GroupChangeType::Add,
        GroupChangeType::Remove,
        GroupChangeType::Update,
    ];

    /// The wire code.
    pub const fn code(self) -> u8 {
        match self {
            GroupChangeType::Add => 0,
            GroupChangeType::Remove => 1,
            GroupChangeType::Update => 2,
        }
    }

    /// The change type of a wire code, if it is one.
    pub fn from_code(code: u8) -> Option<GroupChangeType> {
        GroupChangeType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The variant name (`"Add"`, ...), as in the JSON form.
    pub const fn name(self) -> &'static str {
        match self {
            GroupChangeType::Add => "Add",
            GroupChangeType::Remove => "Remove",
            GroupChangeType::Update => "Update",
        }
    }
}

described! {
    "replication::RepNode"
    /// The wire part of noxu-rep's `RepNode`. Its capacity fields (`read_capacity_pct`,
    /// `write_capacity_pct`, `latency_hint_ms`) never reach the wire (the crate's decode sets them
    /// to 100, 100 and 1), so they are not part of this model.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct RepNode {
        /// Node name, unique in the group.
        pub name: String,
        /// The node's role.
        pub node_type: NodeType,
        /// Host name or IP literal, free text.
        pub host: String,
        /// Replication port.
        pub port: u16,
        /// Numeric id assigned by the group.
        pub node_id: u32,
    }
}

described! {
    "replication::ProtocolMessage"
    /// One replication message (noxu-rep `ProtocolMessage`), with the crate's variant and field
    /// names.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub enum ProtocolMessage {
        /// Tag 1: a node joining the replication stream.
        Handshake {
            /// The joining node.
            node_name: String,
            /// Its group.
            group_name: String,
            /// Its role.
            node_type: NodeType,
        },
        /// Tag 2.
        HandshakeResponse {
            /// Whether the handshake was accepted.
            accepted: bool,
            /// Why not (or any note); `Some("")` differs from `None` on the wire.
            reason: Option<String>,
        },
        /// Tag 3: master to replica.
        Heartbeat {
            /// The master's latest VLSN.
            master_vlsn: u64,
            /// Sender's clock, milliseconds.
            timestamp_ms: u64,
        },
        /// Tag 4: replica to master.
        HeartbeatResponse {
            /// The replica's latest VLSN.
            replica_vlsn: u64,
            /// Sender's clock, milliseconds.
            timestamp_ms: u64,
        },
        /// Tag 5: one replicated log entry.
        LogEntry {
            /// The entry's VLSN.
            vlsn: u64,
            /// Entry type, opaque.
            entry_type: u8,
            /// The entry bytes.
            data: Bytes,
        },
        /// Tag 6.
        Ack {
            /// The acknowledged VLSN.
            vlsn: u64,
        },
        /// Tag 7: a membership change.
        GroupChange {
            /// Add, remove or update.
            change_type: GroupChangeType,
            /// The node concerned.
            node: RepNode,
        },
        /// Tag 8.
        GroupChangeResponse {
            /// Whether the change was accepted.
            accepted: bool,
        },
        /// Tag 9: a candidate asking for votes.
        ElectionProposal {
            /// The candidate.
            node_name: String,
            /// Its latest VLSN.
            vlsn: u64,
            /// Its election priority.
            priority: u32,
            /// The election term.
            term: u64,
            /// The durable-transaction VLSN, the main ranking key (0 = uninitialised): `Some`
            /// under layout `7x`, `None` under `3x`, which has no such field.
            dtvlsn: Option<u64>,
        },
        /// Tag 10.
        ElectionVote {
            /// The voter.
            voter: String,
            /// Whether the vote is granted.
            granted: bool,
            /// The election term.
            term: u64,
        },
        /// Tag 11.
        ElectionResult {
            /// The elected master.
            master: String,
            /// The election term.
            term: u64,
        },
        /// Tag 12.
        Shutdown {
            /// Why.
            reason: String,
        },
    }
}

impl ProtocolMessage {
    /// The tag byte.
    pub fn tag(&self) -> u8 {
        match self {
            ProtocolMessage::Handshake { .. } => TAG_HANDSHAKE,
            ProtocolMessage::HandshakeResponse { .. } => TAG_HANDSHAKE_RESPONSE,
            ProtocolMessage::Heartbeat { .. } => TAG_HEARTBEAT,
            ProtocolMessage::HeartbeatResponse { .. } => TAG_HEARTBEAT_RESPONSE,
            ProtocolMessage::LogEntry { .. } => TAG_LOG_ENTRY,
            ProtocolMessage::Ack { .. } => TAG_ACK,
            ProtocolMessage::GroupChange { .. } => TAG_GROUP_CHANGE,
            ProtocolMessage::GroupChangeResponse { .. } => TAG_GROUP_CHANGE_RESPONSE,
            ProtocolMessage::ElectionProposal { .. } => TAG_ELECTION_PROPOSAL,
            ProtocolMessage::ElectionVote { .. } => TAG_ELECTION_VOTE,
            ProtocolMessage::ElectionResult { .. } => TAG_ELECTION_RESULT,
            ProtocolMessage::Shutdown { .. } => TAG_SHUTDOWN,
        }
    }

    /// The variant name (`"Handshake"`, ...), the `type` of the JSON form.
    pub fn type_name(&self) -> &'static str {
        match self {
            ProtocolMessage::Handshake { .. } => "Handshake",
            ProtocolMessage::HandshakeResponse { .. } => "HandshakeResponse",
            ProtocolMessage::Heartbeat { .. } => "Heartbeat",
            ProtocolMessage::HeartbeatResponse { .. } => "HeartbeatResponse",
            ProtocolMessage::LogEntry { .. } => "LogEntry",
            ProtocolMessage::Ack { .. } => "Ack",
            ProtocolMessage::GroupChange { .. } => "GroupChange",
            ProtocolMessage::GroupChangeResponse { .. } => "GroupChangeResponse",
            ProtocolMessage::ElectionProposal { .. } => "ElectionProposal",
            ProtocolMessage::ElectionVote { .. } => "ElectionVote",
            ProtocolMessage::ElectionResult { .. } => "ElectionResult",
            ProtocolMessage::Shutdown { .. } => "Shutdown",
        }
    }
}

described_enum!(
    NodeType,
    "replication::NodeType",
    "A node's role in the group (noxu-rep `NodeType`).",
    open: false,
    repr: U8 as u8,
    code: NodeType::code,
    from_code: NodeType::from_code,
    values: NodeType::ALL.map(|t| (t.code(), t.name()))
);

described_enum!(
    GroupChangeType,
    "replication::GroupChangeType",
    "The kind of membership change (noxu-rep `GroupChangeType`).",
    open: false,
    repr: U8 as u8,
    code: GroupChangeType::code,
    from_code: GroupChangeType::from_code,
    values: GroupChangeType::ALL.map(|t| (t.code(), t.name()))
);
