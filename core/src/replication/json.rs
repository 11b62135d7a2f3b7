//! `{"type": <variant name>, "fields": {...}}` with the crate's field names; enums by
//! variant name, `data` as hex, `reason: null` for `None`, `node` as the five wire fields
//! of `RepNode`. `dtvlsn` is present exactly when it is `Some` (layout 7x); an absent or
//! null `reason`/`dtvlsn` reads as `None`.

use serde_json::{json, Value};

use super::*;
use crate::json::{hex_value, message, split_message, Fields};

pub(super) fn to_json(m: &ProtocolMessage) -> Value {
    let fields = match m {
        ProtocolMessage::Handshake {
            node_name,
            group_name,
            node_type,
        } => {
            json!({"node_name": node_name, "group_name": group_name, "node_type": node_type.name()})
        }
        ProtocolMessage::HandshakeResponse { accepted, reason } => {
            json!({"accepted": accepted, "reason": reason})
        }
        ProtocolMessage::Heartbeat {
            master_vlsn,
            timestamp_ms,
        } => json!({"master_vlsn": master_vlsn, "timestamp_ms": timestamp_ms}),
        ProtocolMessage::HeartbeatResponse {
            replica_vlsn,
            timestamp_ms,
        } => json!({"replica_vlsn": replica_vlsn, "timestamp_ms": timestamp_ms}),
        ProtocolMessage::LogEntry {
            vlsn,
            entry_type,
            data,
        } => json!({"vlsn": vlsn, "entry_type": entry_type, "data": hex_value(data)}),
        ProtocolMessage::Ack { vlsn } => json!({ "vlsn": vlsn }),
        ProtocolMessage::GroupChange { change_type, node } => json!({
            "change_type": change_type.name(),
            "node": {
                "name": node.name,
                "node_type": node.node_type.name(),
                "host": node.host,
                "port": node.port,
                "node_id": node.node_id,
            },
        }),
        ProtocolMessage::GroupChangeResponse { accepted } => json!({ "accepted": accepted }),
        ProtocolMessage::ElectionProposal {
            node_name,
            vlsn,
            priority,
            term,
            dtvlsn,
        } => {
            let mut fields =
                json!({"node_name": node_name, "vlsn": vlsn, "priority": priority, "term": term});
            if let (Some(d), Value::Object(map)) = (dtvlsn, &mut fields) {
                map.insert("dtvlsn".into(), json!(d));
            }
            fields
        }
        ProtocolMessage::ElectionVote {
            voter,
            granted,
            term,
        } => json!({"voter": voter, "granted": granted, "term": term}),
        ProtocolMessage::ElectionResult { master, term } => {
            json!({"master": master, "term": term})
        }
        ProtocolMessage::Shutdown { reason } => json!({ "reason": reason }),
    };
    message(m.type_name(), fields)
}

pub(super) fn from_json(value: &Value) -> Result<ProtocolMessage> {
    let (type_name, fields) = split_message(P, value)?;
    let f = Fields::new(P, type_name, fields)?;
    let string = |name: &str| f.str(name).map(str::to_owned);
    Ok(match type_name {
        "Handshake" => {
            f.deny_unknown(&["node_name", "group_name", "node_type"])?;
            ProtocolMessage::Handshake {
                node_name: string("node_name")?,
                group_name: string("group_name")?,
                node_type: node_type(&f, "node_type")?,
            }
        }
        "HandshakeResponse" => {
            f.deny_unknown(&["accepted", "reason"])?;
            ProtocolMessage::HandshakeResponse {
                accepted: f.bool("accepted")?,
                reason: f.has("reason").then(|| string("reason")).transpose()?,
            }
        }
        "Heartbeat" => {
            f.deny_unknown(&["master_vlsn", "timestamp_ms"])?;
            ProtocolMessage::Heartbeat {
                master_vlsn: f.uint("master_vlsn")?,
                timestamp_ms: f.uint("timestamp_ms")?,
            }
        }
        "HeartbeatResponse" => {
            f.deny_unknown(&["replica_vlsn", "timestamp_ms"])?;
            ProtocolMessage::HeartbeatResponse {
                replica_vlsn: f.uint("replica_vlsn")?,
                timestamp_ms: f.uint("timestamp_ms")?,
            }
        }
        "LogEntry" => {
            f.deny_unknown(&["vlsn", "entry_type", "data"])?;
            ProtocolMessage::LogEntry {
                vlsn: f.uint("vlsn")?,
                entry_type: f.uint("entry_type")?,
                data: f.bytes("data")?,
            }
        }
        "Ack" => {
            f.deny_unknown(&["vlsn"])?;
            ProtocolMessage::Ack {
                vlsn: f.uint("vlsn")?,
            }
        }
        "GroupChange" => {
            f.deny_unknown(&["change_type", "node"])?;
            let change = f.str("change_type")?;
            let change_type = GroupChangeType::ALL
                .into_iter()
                .find(|t| t.name() == change)
                .ok_or_else(|| {
                    f.error(
                        "change_type",
                        format!("{change:?} is not one of Add, Remove, Update"),
                    )
                })?;
            let n = f.object("node", "GroupChange.node")?;
            n.deny_unknown(&["name", "node_type", "host", "port", "node_id"])?;
            ProtocolMessage::GroupChange {
                change_type,
                node: RepNode {
                    name: n.str("name")?.to_owned(),
                    node_type: node_type(&n, "node_type")?,
                    host: n.str("host")?.to_owned(),
                    port: n.uint("port")?,
                    node_id: n.uint("node_id")?,
                },
            }
        }
        "GroupChangeResponse" => {
            f.deny_unknown(&["accepted"])?;
            ProtocolMessage::GroupChangeResponse {
                accepted: f.bool("accepted")?,
            }
        }
        "ElectionProposal" => {
            f.deny_unknown(&["node_name", "vlsn", "priority", "term", "dtvlsn"])?;
            ProtocolMessage::ElectionProposal {
                node_name: string("node_name")?,
                vlsn: f.uint("vlsn")?,
                priority: f.uint("priority")?,
                term: f.uint("term")?,
                dtvlsn: f.has("dtvlsn").then(|| f.uint("dtvlsn")).transpose()?,
            }
        }
        "ElectionVote" => {
            f.deny_unknown(&["voter", "granted", "term"])?;
            ProtocolMessage::ElectionVote {
                voter: string("voter")?,
                granted: f.bool("granted")?,
                term: f.uint("term")?,
            }
        }
        "ElectionResult" => {
            f.deny_unknown(&["master", "term"])?;
            ProtocolMessage::ElectionResult {
                master: string("master")?,
                term: f.uint("term")?,
            }
        }
        "Shutdown" => {
            f.deny_unknown(&["reason"])?;
            ProtocolMessage::Shutdown {
                reason: string("reason")?,
            }
        }
        other => {
            return Err(Error::invalid_argument(
                P,
                format!("unknown message type {other:?}"),
            ))
        }
    })
}

fn node_type(f: &Fields<'_>, name: &str) -> Result<NodeType> {
    let s = f.str(name)?;
    NodeType::ALL
        .into_iter()
        .find(|t| t.name() == s)
        .ok_or_else(|| {
            f.error(
                name,
                format!("{s:?} is not one of Electable, Monitor, Secondary, Arbiter"),
            )
        })
}
