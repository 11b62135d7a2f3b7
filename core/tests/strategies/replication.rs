//! proptest strategies for replication messages, shared by core's property tests and the
//! interop tests against noxu-rep.

use bytes::Bytes;
use proptest::prelude::*;
use wire_core::replication::{GroupChangeType, Layout, NodeType, ProtocolMessage, RepNode};

pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z0-9_.-]{1,16}",
        any::<String>(),
        ".{0,300}",
    ]
}

pub fn node_type() -> impl Strategy<Value = NodeType> {
    prop::sample::select(NodeType::ALL.to_vec())
}

pub fn message(layout: Layout) -> impl Strategy<Value = ProtocolMessage> {
    let dtvlsn = match layout {
        Layout::V7 => any::<u64>().prop_map(Some).boxed(),
        Layout::V3 => Just(None).boxed(),
    };
    prop_oneof![
        (text(), text(), node_type()).prop_map(|(node_name, group_name, node_type)| {
            ProtocolMessage::Handshake {
                node_name,
                group_name,
                node_type,
            }
        }),
        (any::<bool>(), proptest::option::of(text()))
            .prop_map(|(accepted, reason)| ProtocolMessage::HandshakeResponse { accepted, reason }),
        (any::<u64>(), any::<u64>()).prop_map(|(master_vlsn, timestamp_ms)| {
            ProtocolMessage::Heartbeat {
                master_vlsn,
                timestamp_ms,
            }
        }),
        (any::<u64>(), any::<u64>()).prop_map(|(replica_vlsn, timestamp_ms)| {
            ProtocolMessage::HeartbeatResponse {
                replica_vlsn,
                timestamp_ms,
            }
        }),
        (
            any::<u64>(),
            any::<u8>(),
            prop::collection::vec(any::<u8>(), 0..600)
        )
            .prop_map(|(vlsn, entry_type, data)| ProtocolMessage::LogEntry {
                vlsn,
                entry_type,
                data: Bytes::from(data),
            }),
        any::<u64>().prop_map(|vlsn| ProtocolMessage::Ack { vlsn }),
        (
            prop::sample::select(GroupChangeType::ALL.to_vec()),
            text(),
            node_type(),
            text(),
            any::<u16>(),
            any::<u32>()
        )
            .prop_map(|(change_type, name, node_type, host, port, node_id)| {
                ProtocolMessage::GroupChange {
                    change_type,
                    node: RepNode {
                        name,
                        node_type,
                        host,
                        port,
                        node_id,
                    },
                }
            }),
        any::<bool>().prop_map(|accepted| ProtocolMessage::GroupChangeResponse { accepted }),
        (text(), any::<u64>(), any::<u32>(), any::<u64>(), dtvlsn).prop_map(
            |(node_name, vlsn, priority, term, dtvlsn)| ProtocolMessage::ElectionProposal {
                node_name,
                vlsn,
                priority,
                term,
                dtvlsn,
            }
        ),
        (text(), any::<bool>(), any::<u64>()).prop_map(|(voter, granted, term)| {
            ProtocolMessage::ElectionVote {
                voter,
                granted,
                term,
            }
        }),
        (text(), any::<u64>())
            .prop_map(|(master, term)| ProtocolMessage::ElectionResult { master, term }),
        text().prop_map(|reason| ProtocolMessage::Shutdown { reason }),
    ]
}
