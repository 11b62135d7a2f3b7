//! `wire.replication`: one class per `ProtocolMessage` variant of noxu-rep, `RepNode`, and the
//! bare-message and preamble functions.

use std::borrow::Cow;

use bytes::Bytes;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use wire_core::replication::{
    self, GroupChangeType, Layout, NodeType, ProtocolMessage, RepNode, ReplicationCodec,
};
use wire_core::Protocol;

use crate::api::{protocol_api, py_class, Proto};
use crate::conv::{closed_enum_conv, Input};
use crate::errors::{check, invalid, wrong_type};

closed_enum_conv!(NodeType, "NodeType", NodeType::code, NodeType::from_code);
closed_enum_conv!(
    GroupChangeType,
    "GroupChangeType",
    GroupChangeType::code,
    GroupChangeType::from_code
);

py_class! {
    /// The wire part of noxu-rep's `RepNode`.
    class PyRepNode(Replication, "wire.replication", "RepNode") wraps RepNode {
        name: String,
        node_type: NodeType,
        host: String,
        port: u16,
        node_id: u32,
    }
}

/// Declares the class of each variant and the two conversions between `ProtocolMessage` and
/// them; `$field` names are the crate's.
macro_rules! messages {
    ($($variant:ident($name:literal) / $fields:ident { $($field:ident : $fty:ty),* $(,)? }
       $(optional { $($ofield:ident : $ofty:ty = $odefault:expr),* })?;)*) => {
        $(py_class! {
            #[doc = concat!("`ProtocolMessage::", $name, "`.")]
            class $variant(Replication, "wire.replication", $name) fields $fields {
                $($field: $fty,)*
            }
            $(optional { $($ofield: $ofty = $odefault),* })?
        })*

        fn message_to_py<'py>(py: Python<'py>, m: ProtocolMessage) -> PyResult<Bound<'py, PyAny>> {
            Ok(match m {
                $(ProtocolMessage::$variant { $($field,)* $($($ofield,)*)? } => {
                    Bound::new(py, $variant($fields { $($field,)* $($($ofield,)*)? }))?.into_any()
                })*
            })
        }

        fn message_from_py(ob: &Bound<'_, PyAny>) -> PyResult<ProtocolMessage> {
            $(if let Ok(c) = ob.cast::<$variant>() {
                let f = &c.get().0;
                return Ok(ProtocolMessage::$variant {
                    $($field: f.$field.clone(),)* $($($ofield: f.$ofield.clone(),)*)?
                });
            })*
            Err(wrong_type("msg", "a wire.replication message", ob))
        }

        /// Add the message classes to `_wire`.
        fn register_messages(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add(concat!("replication_", stringify!($variant)), m.py().get_type::<$variant>())?;)*
            Ok(())
        }
    };
}

messages! {
    Handshake("Handshake") / HandshakeFields { node_name: String, group_name: String, node_type: NodeType };
    HandshakeResponse("HandshakeResponse") / HandshakeResponseFields { accepted: bool, reason: Option<String> };
    Heartbeat("Heartbeat") / HeartbeatFields { master_vlsn: u64, timestamp_ms: u64 };
    HeartbeatResponse("HeartbeatResponse") / HeartbeatResponseFields { replica_vlsn: u64, timestamp_ms: u64 };
    LogEntry("LogEntry") / LogEntryFields { vlsn: u64, entry_type: u8, data: Bytes };
    Ack("Ack") / AckFields { vlsn: u64 };
    GroupChange("GroupChange") / GroupChangeFields { change_type: GroupChangeType, node: RepNode };
    GroupChangeResponse("GroupChangeResponse") / GroupChangeResponseFields { accepted: bool };
    ElectionProposal("ElectionProposal") / ElectionProposalFields { node_name: String, vlsn: u64, priority: u32, term: u64 }
        optional { dtvlsn: Option<u64> = None };
    ElectionVote("ElectionVote") / ElectionVoteFields { voter: String, granted: bool, term: u64 };
    ElectionResult("ElectionResult") / ElectionResultFields { master: String, term: u64 };
    Shutdown("Shutdown") / ShutdownFields { reason: String };
}

/// The protocol.
pub struct Replication;

impl Proto for Replication {
    type C = ReplicationCodec;

    fn to_py<'py>(py: Python<'py>, frame: ProtocolMessage) -> PyResult<Bound<'py, PyAny>> {
        message_to_py(py, frame)
    }

    fn from_py<'a>(ob: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, ProtocolMessage>> {
        message_from_py(ob).map(Cow::Owned)
    }
}

protocol_api!(Replication, "wire.replication", "replication");

/// A layout argument: `"7x"`, `"3x"` or a `Layout` member (a `str`).
fn layout_of(py: Python<'_>, layout: &str) -> PyResult<Layout> {
    layout
        .parse()
        .map_err(|e: wire_core::Error| invalid(py, Protocol::Replication, e.reason().to_owned()))
}

/// Encode one bare message (no length prefix) in `layout`.
#[pyfunction]
#[pyo3(signature = (msg, layout = "7x"))]
fn encode_message<'py>(
    py: Python<'py>,
    msg: &Bound<'py, PyAny>,
    layout: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let layout = layout_of(py, layout)?;
    let message = message_from_py(msg)?;
    let bytes = check(py, replication::encode_message(&message, layout))?;
    Ok(PyBytes::new(py, &bytes))
}

/// Decode exactly one bare message in `layout` (bytes after it are `TrailingBytesError`).
#[pyfunction]
#[pyo3(signature = (data, layout = "7x"))]
fn decode_message<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    layout: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let layout = layout_of(py, layout)?;
    let input = Input::of(data)?;
    let message = check(py, replication::decode_message(input.as_slice(), layout))?;
    message_to_py(py, message)
}

/// Decode the bare message at the front of `data` like the crate (bytes after it ignored):
/// the message and the number of bytes it used.
#[pyfunction]
#[pyo3(signature = (data, layout = "7x"))]
fn decode_message_prefix<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    layout: &str,
) -> PyResult<(Bound<'py, PyAny>, usize)> {
    let layout = layout_of(py, layout)?;
    let input = Input::of(data)?;
    let (message, used) = check(
        py,
        replication::decode_message_prefix(input.as_slice(), layout),
    )?;
    Ok((message_to_py(py, message)?, used))
}

/// The service-name preamble a TCP connection starts with.
#[pyfunction]
fn encode_preamble<'py>(py: Python<'py>, service: &str) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = check(py, replication::encode_preamble(service))?;
    Ok(PyBytes::new(py, &bytes))
}

/// The service-name preamble at the front of `data`: the name and the bytes it used.
#[pyfunction]
fn decode_preamble(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<(String, usize)> {
    let input = Input::of(data)?;
    check(py, replication::decode_preamble(input.as_slice()))
}

/// Add the module's names to `_wire`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_api(m)?;
    register_messages(m)?;
    m.add("replication_RepNode", m.py().get_type::<PyRepNode>())?;
    m.add(
        "replication_encode_message",
        wrap_pyfunction!(encode_message, m)?,
    )?;
    m.add(
        "replication_decode_message",
        wrap_pyfunction!(decode_message, m)?,
    )?;
    m.add(
        "replication_decode_message_prefix",
        wrap_pyfunction!(decode_message_prefix, m)?,
    )?;
    m.add(
        "replication_encode_preamble",
        wrap_pyfunction!(encode_preamble, m)?,
    )?;
    m.add(
        "replication_decode_preamble",
        wrap_pyfunction!(decode_preamble, m)?,
    )?;
    m.add(
        "replication_SERVICE_ELECTION",
        replication::SERVICE_ELECTION,
    )?;
    m.add(
        "replication_SERVICE_NAMES",
        replication::SERVICE_NAMES.to_vec(),
    )?;
    m.add(
        "replication_MAX_FRAME_PAYLOAD",
        replication::MAX_FRAME_PAYLOAD,
    )?;
    Ok(())
}
