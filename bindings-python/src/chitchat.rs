//! `wire.chitchat`: `Syn`, `SynAck`, `Ack` and `BadCluster`, each with the protocol `version`
//! of its envelope, and the digest and delta types.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::SocketAddr;

use pyo3::prelude::*;
use wire_core::chitchat::{
    ChitchatCodec, ChitchatEnvelope, ChitchatId, ChitchatMessage, DeletionStatusMutation, Delta,
    Digest, KeyValueMutation, NodeDelta, NodeDigest, ProtocolVersion,
};

use crate::api::{protocol_api, py_class, Proto};
use crate::conv::closed_enum_conv;
use crate::errors::wrong_type;

closed_enum_conv!(
    ProtocolVersion,
    "ProtocolVersion",
    ProtocolVersion::to_code,
    ProtocolVersion::from_code
);
closed_enum_conv!(
    DeletionStatusMutation,
    "DeletionStatusMutation",
    |s: DeletionStatusMutation| s as u8,
    DeletionStatusMutation::from_code
);

py_class! {
    /// `ChitchatId`: node id, generation and gossip address `(host, port)`. Hashable: it keys
    /// a digest.
    #[derive(Hash)]
    class PyChitchatId(Chitchat, "wire.chitchat", "ChitchatId", hash) wraps ChitchatId {
        node_id: String,
        generation_id: u64,
        gossip_advertise_addr: SocketAddr,
    }
}

py_class! {
    /// `NodeDigest`: what a peer knows of one node.
    class PyNodeDigest(Chitchat, "wire.chitchat", "NodeDigest") wraps NodeDigest {
        heartbeat: u64,
        last_gc_version: u64,
        max_version: u64,
    }
}

py_class! {
    /// `Digest`: one entry per node (encoded in `ChitchatId` order).
    class PyDigest(Chitchat, "wire.chitchat", "Digest") wraps Digest {
        node_digests: BTreeMap<ChitchatId, NodeDigest>,
    }
}

py_class! {
    /// `KeyValueMutation`.
    class PyKeyValueMutation(Chitchat, "wire.chitchat", "KeyValueMutation") wraps KeyValueMutation {
        key: String,
        value: String,
        version: u64,
        status: DeletionStatusMutation,
    }
}

py_class! {
    /// `NodeDelta`: the updates of one node.
    class PyNodeDelta(Chitchat, "wire.chitchat", "NodeDelta") wraps NodeDelta {
        chitchat_id: ChitchatId,
        from_version_excluded: u64,
        last_gc_version: u64,
        key_values: Vec<KeyValueMutation>,
        max_version: u64,
    }
}

py_class! {
    /// `Delta`: node updates in send order.
    class PyDelta(Chitchat, "wire.chitchat", "Delta") wraps Delta {
        node_deltas: Vec<NodeDelta>,
    }
}

py_class! {
    /// Type 0: node A sends its digest.
    class Syn(Chitchat, "wire.chitchat", "Syn") fields SynFields {
        cluster_id: String,
        digest: Digest,
    }
    optional { version: ProtocolVersion = ProtocolVersion::V0 }
}

py_class! {
    /// Type 1: node B answers with its digest and a delta for A.
    class SynAck(Chitchat, "wire.chitchat", "SynAck") fields SynAckFields {
        digest: Digest,
        delta: Delta,
    }
    optional { version: ProtocolVersion = ProtocolVersion::V0 }
}

py_class! {
    /// Type 2: node A answers with a delta for B.
    class Ack(Chitchat, "wire.chitchat", "Ack") fields AckFields { delta: Delta }
    optional { version: ProtocolVersion = ProtocolVersion::V0 }
}

py_class! {
    /// Type 3: the Syn came from another cluster.
    class BadCluster(Chitchat, "wire.chitchat", "BadCluster") fields BadClusterFields {}
    optional { version: ProtocolVersion = ProtocolVersion::V0 }
}

/// The protocol.
pub struct Chitchat;

impl Proto for Chitchat {
    type C = ChitchatCodec;
    const DIRECT_ENCODE: bool = false;

    fn to_py<'py>(py: Python<'py>, frame: ChitchatEnvelope) -> PyResult<Bound<'py, PyAny>> {
        let version = frame.version;
        Ok(match frame.message {
            ChitchatMessage::Syn { cluster_id, digest } => Bound::new(
                py,
                Syn(SynFields {
                    cluster_id,
                    digest,
                    version,
                }),
            )?
            .into_any(),
            ChitchatMessage::SynAck { digest, delta } => Bound::new(
                py,
                SynAck(SynAckFields {
                    digest,
                    delta,
                    version,
                }),
            )?
            .into_any(),
            ChitchatMessage::Ack { delta } => {
                Bound::new(py, Ack(AckFields { delta, version }))?.into_any()
            }
            ChitchatMessage::BadCluster => {
                Bound::new(py, BadCluster(BadClusterFields { version }))?.into_any()
            }
        })
    }

    fn from_py<'a>(ob: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, ChitchatEnvelope>> {
        let (version, message) = if let Ok(m) = ob.cast::<Syn>() {
            let f = &m.get().0;
            let message = ChitchatMessage::Syn {
                cluster_id: f.cluster_id.clone(),
                digest: f.digest.clone(),
            };
            (f.version, message)
        } else if let Ok(m) = ob.cast::<SynAck>() {
            let f = &m.get().0;
            let message = ChitchatMessage::SynAck {
                digest: f.digest.clone(),
                delta: f.delta.clone(),
            };
            (f.version, message)
        } else if let Ok(m) = ob.cast::<Ack>() {
            let f = &m.get().0;
            let message = ChitchatMessage::Ack {
                delta: f.delta.clone(),
            };
            (f.version, message)
        } else if let Ok(m) = ob.cast::<BadCluster>() {
            (m.get().0.version, ChitchatMessage::BadCluster)
        } else {
            return Err(wrong_type(
                "msg",
                "a wire.chitchat message (Syn, SynAck, Ack or BadCluster)",
                ob,
            ));
        };
        Ok(Cow::Owned(ChitchatEnvelope { version, message }))
    }
}

protocol_api!(Chitchat, "wire.chitchat", "chitchat");

/// Add the module's names to `_wire`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_api(m)?;
    let py = m.py();
    m.add("chitchat_ChitchatId", py.get_type::<PyChitchatId>())?;
    m.add("chitchat_NodeDigest", py.get_type::<PyNodeDigest>())?;
    m.add("chitchat_Digest", py.get_type::<PyDigest>())?;
    m.add(
        "chitchat_KeyValueMutation",
        py.get_type::<PyKeyValueMutation>(),
    )?;
    m.add("chitchat_NodeDelta", py.get_type::<PyNodeDelta>())?;
    m.add("chitchat_Delta", py.get_type::<PyDelta>())?;
    m.add("chitchat_Syn", py.get_type::<Syn>())?;
    m.add("chitchat_SynAck", py.get_type::<SynAck>())?;
    m.add("chitchat_Ack", py.get_type::<Ack>())?;
    m.add("chitchat_BadCluster", py.get_type::<BadCluster>())?;
    m.add(
        "chitchat_MAX_FRAME_SIZE",
        wire_core::chitchat::MAX_FRAME_SIZE,
    )?;
    Ok(())
}
