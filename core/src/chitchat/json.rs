//! `{"type": "Syn" | "SynAck" | "Ack" | "BadCluster", "fields": {"version": "V0" | "V1",
//! ...the variant's fields}}`; digests as `{"node_digests": [{chitchat_id, heartbeat,
//! last_gc_version, max_version}]}` in ChitchatId order, deltas as `{"node_deltas":
//! [{chitchat_id, last_gc_version, from_version_excluded, key_values: [{key, value, version,
//! status}], max_version}]}`, `gossip_advertise_addr` as Rust's `SocketAddr` text.

use serde_json::{json, Value};

use super::*;
use crate::json::{message, split_message, Fields};

pub(super) fn to_json(frame: &ChitchatEnvelope) -> Value {
    let version = frame.version.name();
    let fields = match &frame.message {
        ChitchatMessage::Syn { cluster_id, digest } => {
            json!({"version": version, "cluster_id": cluster_id, "digest": digest_json(digest)})
        }
        ChitchatMessage::SynAck { digest, delta } => {
            json!({"version": version, "digest": digest_json(digest), "delta": delta_json(delta)})
        }
        ChitchatMessage::Ack { delta } => {
            json!({"version": version, "delta": delta_json(delta)})
        }
        ChitchatMessage::BadCluster => json!({"version": version}),
    };
    message(frame.message.type_name(), fields)
}

fn id_json(id: &ChitchatId) -> Value {
    json!({
        "node_id": id.node_id,
        "generation_id": id.generation_id,
        "gossip_advertise_addr": id.gossip_advertise_addr.to_string(),
    })
}

fn digest_json(digest: &Digest) -> Value {
    let entries: Vec<Value> = digest
        .node_digests
        .iter()
        .map(|(id, node)| {
            json!({
                "chitchat_id": id_json(id),
                "heartbeat": node.heartbeat,
                "last_gc_version": node.last_gc_version,
                "max_version": node.max_version,
            })
        })
        .collect();
    json!({ "node_digests": entries })
}

fn delta_json(delta: &Delta) -> Value {
    let nodes: Vec<Value> = delta
        .node_deltas
        .iter()
        .map(|node| {
            let kvs: Vec<Value> = node
                .key_values
                .iter()
                .map(|kv| {
                    json!({
                        "key": kv.key,
                        "value": kv.value,
                        "version": kv.version,
                        "status": kv.status.name(),
                    })
                })
                .collect();
            json!({
                "chitchat_id": id_json(&node.chitchat_id),
                "last_gc_version": node.last_gc_version,
                "from_version_excluded": node.from_version_excluded,
                "key_values": kvs,
                "max_version": node.max_version,
            })
        })
        .collect();
    json!({ "node_deltas": nodes })
}

pub(super) fn from_json(value: &Value, default: ProtocolVersion) -> Result<ChitchatEnvelope> {
    let (type_name, fields) = split_message(P, value)?;
    let f = Fields::new(P, type_name, fields)?;
    let version = if f.has("version") {
        let name = f.str("version")?;
        ProtocolVersion::from_name(name)
            .ok_or_else(|| f.error("version", format!("{name:?} is not V0 or V1")))?
    } else {
        default
    };
    let message = match type_name {
        "Syn" => {
            f.deny_unknown(&["version", "cluster_id", "digest"])?;
            ChitchatMessage::Syn {
                cluster_id: f.str("cluster_id")?.to_owned(),
                digest: digest(&f.object("digest", "digest")?)?,
            }
        }
        "SynAck" => {
            f.deny_unknown(&["version", "digest", "delta"])?;
            ChitchatMessage::SynAck {
                digest: digest(&f.object("digest", "digest")?)?,
                delta: delta(&f.object("delta", "delta")?)?,
            }
        }
        "Ack" => {
            f.deny_unknown(&["version", "delta"])?;
            ChitchatMessage::Ack {
                delta: delta(&f.object("delta", "delta")?)?,
            }
        }
        "BadCluster" => {
            f.deny_unknown(&["version"])?;
            ChitchatMessage::BadCluster
        }
        other => {
            return Err(Error::invalid_argument(
                P,
                format!("unknown message type {other:?} (expected Syn, SynAck, Ack or BadCluster)"),
            ))
        }
    };
    Ok(ChitchatEnvelope { version, message })
}

fn chitchat_id(f: &Fields<'_>) -> Result<ChitchatId> {
    f.deny_unknown(&["node_id", "generation_id", "gossip_advertise_addr"])?;
    let addr = f.str("gossip_advertise_addr")?;
    Ok(ChitchatId {
        node_id: f.str("node_id")?.to_owned(),
        generation_id: f.uint("generation_id")?,
        gossip_advertise_addr: addr.parse().map_err(|e| {
            f.error(
                "gossip_advertise_addr",
                format!("{addr:?} is not a socket address: {e}"),
            )
        })?,
    })
}

fn digest(f: &Fields<'_>) -> Result<Digest> {
    f.deny_unknown(&["node_digests"])?;
    let mut digest = Digest::default();
    for entry in f.array("node_digests")? {
        let e = Fields::new(P, "node_digest", entry)?;
        e.deny_unknown(&["chitchat_id", "heartbeat", "last_gc_version", "max_version"])?;
        let id = chitchat_id(&e.object("chitchat_id", "chitchat_id")?)?;
        let node = NodeDigest {
            heartbeat: e.uint("heartbeat")?,
            last_gc_version: e.uint("last_gc_version")?,
            max_version: e.uint("max_version")?,
        };
        if digest.node_digests.insert(id, node).is_some() {
            return Err(e.error("chitchat_id", "appears twice in the digest"));
        }
    }
    Ok(digest)
}

fn delta(f: &Fields<'_>) -> Result<Delta> {
    f.deny_unknown(&["node_deltas"])?;
    let mut delta = Delta::default();
    for entry in f.array("node_deltas")? {
        let n = Fields::new(P, "node_delta", entry)?;
        n.deny_unknown(&[
            "chitchat_id",
            "last_gc_version",
            "from_version_excluded",
            "key_values",
            "max_version",
        ])?;
        let mut key_values = Vec::new();
        for kv in n.array("key_values")? {
            let k = Fields::new(P, "key_value", kv)?;
            k.deny_unknown(&["key", "value", "version", "status"])?;
            let status = k.str("status")?;
            key_values.push(KeyValueMutation {
                key: k.str("key")?.to_owned(),
                value: k.str("value")?.to_owned(),
                version: k.uint("version")?,
                status: DeletionStatusMutation::from_name(status).ok_or_else(|| {
                    k.error(
                        "status",
                        format!("{status:?} is not Set, Delete or DeleteAfterTtl"),
                    )
                })?,
            });
        }
        delta.node_deltas.push(NodeDelta {
            chitchat_id: chitchat_id(&n.object("chitchat_id", "chitchat_id")?)?,
            from_version_excluded: n.uint("from_version_excluded")?,
            last_gc_version: n.uint("last_gc_version")?,
            key_values,
            max_version: n.uint("max_version")?,
        });
    }
    Ok(delta)
}
