//! `wire.dnode`: `Dmsg` (header and payload), `DmsgHeader` (header alone, for relays) and the
//! Rust port's `Handshake` payload.

use std::borrow::Cow;

use bytes::Bytes;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use wire_core::dnode::{
    self, CapabilityAd, CapabilityAdEntry, Dmsg, DmsgHeader, DmsgType, DnodeCodec, Handshake,
};
use wire_core::Protocol;

use crate::api::{codec, protocol_api, py_class, Proto};
use crate::conv::{json_to_py, py_to_json, Conv, EnumClass, Field, Input};
use crate::errors::{check, wrong_type};

/// A type as its `DmsgType` member, or the plain int for unnamed values (the wire allows any
/// u8).
impl Conv for DmsgType {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        static CLASS: EnumClass = EnumClass::new("DmsgType");
        CLASS.member(py, i64::from(self.as_u8()))
    }
    fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self> {
        u8::from_py(ob, field).map(DmsgType::from_u8)
    }
}

py_class! {
    /// One DNODE message: header fields and the plen-framed payload. An empty `data` encodes
    /// as the writer's one-byte placeholder (option `flavour`).
    class PyDmsg(Dnode, "wire.dnode", "Dmsg") wraps Dmsg {
        id: u64,
        r#type: DmsgType,
        payload: Bytes,
    }
    optional {
        flags: u8 = 0,
        version: u8 = dnode::VERSION_10,
        same_dc: bool = true,
        data: Bytes = Bytes::new(),
    }
}

py_class! {
    /// A DNODE header without its payload (`plen` is the declared payload length).
    class PyDmsgHeader(Dnode, "wire.dnode", "DmsgHeader") wraps DmsgHeader {
        id: u64,
        r#type: DmsgType,
        plen: u32,
    }
    optional {
        flags: u8 = 0,
        version: u8 = dnode::VERSION_10,
        same_dc: bool = true,
        data: Bytes = Bytes::new(),
    }
}

py_class! {
    /// `CapabilityAdEntry`: a capability name and its supported value blobs.
    class PyCapabilityAdEntry(Dnode, "wire.dnode", "CapabilityAdEntry") wraps CapabilityAdEntry {
        name: String,
        supported: Vec<Bytes>,
    }
}

py_class! {
    /// `CapabilityAd`: the advertised capabilities, in wire order.
    class PyCapabilityAd(Dnode, "wire.dnode", "CapabilityAd") wraps CapabilityAd {
        entries: Vec<CapabilityAdEntry>,
    }
}

py_class! {
    /// The Rust port's peer-handshake payload.
    class PyHandshake(Dnode, "wire.dnode", "Handshake") wraps Handshake {
        capabilities: CapabilityAd,
    }
}

/// The protocol.
pub struct Dnode;

impl Proto for Dnode {
    type C = DnodeCodec;

    fn to_py<'py>(py: Python<'py>, frame: Dmsg) -> PyResult<Bound<'py, PyAny>> {
        Ok(Bound::new(py, PyDmsg(frame))?.into_any())
    }

    fn from_py<'a>(ob: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, Dmsg>> {
        ob.cast::<PyDmsg>()
            .map(|m| Cow::Borrowed(&m.get().0))
            .map_err(|_| wrong_type("msg", "wire.dnode.Dmsg", ob))
    }
}

protocol_api!(Dnode, "wire.dnode", "dnode");

fn header_of<'a>(ob: &'a Bound<'_, PyAny>) -> PyResult<&'a DmsgHeader> {
    ob.cast::<PyDmsgHeader>()
        .map(|h| &h.get().0)
        .map_err(|_| wrong_type("header", "wire.dnode.DmsgHeader", ob))
}

fn handshake_of(ob: &Bound<'_, PyAny>) -> PyResult<Handshake> {
    Handshake::from_py(ob, Field(Protocol::Dnode, "handshake"))
}

/// Parse only the header at the front of `data`: the header and its length in bytes (the
/// payload starts there), or None if more bytes are needed.
#[pyfunction]
#[pyo3(signature = (data, **options))]
fn parse_header<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Option<(Bound<'py, PyAny>, usize)>> {
    let input = Input::of(data)?;
    let codec = codec::<Dnode>(py, options)?;
    match check(py, codec.parse_header(input.as_slice()))? {
        Some((header, len)) => Ok(Some((
            Bound::new(py, PyDmsgHeader(header))?.into_any(),
            len,
        ))),
        None => Ok(None),
    }
}

/// Encode a header alone, as the writers do before the payload.
#[pyfunction]
#[pyo3(signature = (header, **options))]
fn encode_header<'py>(
    py: Python<'py>,
    header: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let header = header_of(header)?;
    let codec = codec::<Dnode>(py, options)?;
    let mut out = bytes::BytesMut::with_capacity(check(py, codec.header_encoded_len(header))?);
    check(py, codec.encode_header(header, &mut out))?;
    Ok(PyBytes::new(py, &out))
}

/// The canonical JSON of a header alone (no `payload`).
#[pyfunction]
fn header_to_json<'py>(py: Python<'py>, header: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    json_to_py(py, &dnode::header_to_json(header_of(header)?))
}

/// A header from its canonical JSON.
#[pyfunction]
fn header_from_json<'py>(py: Python<'py>, doc: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let header = check(py, dnode::header_from_json(&py_to_json(doc)?))?;
    Ok(Bound::new(py, PyDmsgHeader(header))?.into_any())
}

/// Decode a handshake payload (bytes after the last entry are ignored, like the port).
#[pyfunction]
fn decode_handshake<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let input = Input::of(data)?;
    check(py, Handshake::decode(input.as_slice()))?.to_py(py)
}

/// Decode a handshake from the front of `data`: the handshake and the bytes it used.
#[pyfunction]
fn decode_handshake_prefix<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyAny>, usize)> {
    let input = Input::of(data)?;
    let (handshake, used) = check(py, Handshake::decode_prefix(input.as_slice()))?;
    Ok((handshake.to_py(py)?, used))
}

/// Encode a handshake payload.
#[pyfunction]
fn encode_handshake<'py>(
    py: Python<'py>,
    handshake: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = check(py, handshake_of(handshake)?.encode())?;
    Ok(PyBytes::new(py, &bytes))
}

/// The canonical JSON of a handshake payload.
#[pyfunction]
fn handshake_to_json<'py>(
    py: Python<'py>,
    handshake: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    json_to_py(py, &dnode::handshake_to_json(&handshake_of(handshake)?))
}

/// A handshake from its canonical JSON.
#[pyfunction]
fn handshake_from_json<'py>(
    py: Python<'py>,
    doc: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    check(py, dnode::handshake_from_json(&py_to_json(doc)?))?.to_py(py)
}

/// Add the module's names to `_wire`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_api(m)?;
    let py = m.py();
    m.add("dnode_Dmsg", py.get_type::<PyDmsg>())?;
    m.add("dnode_DmsgHeader", py.get_type::<PyDmsgHeader>())?;
    m.add(
        "dnode_CapabilityAdEntry",
        py.get_type::<PyCapabilityAdEntry>(),
    )?;
    m.add("dnode_CapabilityAd", py.get_type::<PyCapabilityAd>())?;
    m.add("dnode_Handshake", py.get_type::<PyHandshake>())?;
    m.add("dnode_parse_header", wrap_pyfunction!(parse_header, m)?)?;
    m.add("dnode_encode_header", wrap_pyfunction!(encode_header, m)?)?;
    m.add("dnode_header_to_json", wrap_pyfunction!(header_to_json, m)?)?;
    m.add(
        "dnode_header_from_json",
        wrap_pyfunction!(header_from_json, m)?,
    )?;
    m.add(
        "dnode_decode_handshake",
        wrap_pyfunction!(decode_handshake, m)?,
    )?;
    m.add(
        "dnode_decode_handshake_prefix",
        wrap_pyfunction!(decode_handshake_prefix, m)?,
    )?;
    m.add(
        "dnode_encode_handshake",
        wrap_pyfunction!(encode_handshake, m)?,
    )?;
    m.add(
        "dnode_handshake_to_json",
        wrap_pyfunction!(handshake_to_json, m)?,
    )?;
    m.add(
        "dnode_handshake_from_json",
        wrap_pyfunction!(handshake_from_json, m)?,
    )?;
    m.add("dnode_MAX_FRAME_SIZE", dnode::MAX_FRAME_SIZE)?;
    Ok(())
}
