//! `wire.dataexchange`: one class per frame kind of the reference's `Frame`.

use std::borrow::Cow;

use bytes::Bytes;
use pyo3::prelude::*;
use wire_core::dataexchange::{self, DataexchangeCodec, Frame};

use crate::api::{protocol_api, py_class, Proto};
use crate::errors::{check, wrong_type};

py_class! {
    /// `TypeText` (1): text bytes, not validated as UTF-8 (like the reference).
    class Text(Dataexchange, "wire.dataexchange", "Text") fields TextFields { payload: Bytes }
}
py_class! {
    /// `TypeBinary` (2).
    class Binary(Dataexchange, "wire.dataexchange", "Binary") fields BinaryFields { payload: Bytes }
}
py_class! {
    /// `TypeJSON` (3): JSON text bytes, not validated (like the reference).
    class Json(Dataexchange, "wire.dataexchange", "Json") fields JsonFields { payload: Bytes }
}
py_class! {
    /// `TypeFile` (4): a file name (raw bytes) and the file data.
    class File(Dataexchange, "wire.dataexchange", "File") fields FileFields {
        filename: Bytes,
        payload: Bytes,
    }
}
py_class! {
    /// `TypeTrace` (5): the reference's `TraceFrame`.
    class Trace(Dataexchange, "wire.dataexchange", "Trace") fields TraceFields {
        inner_type: u32,
        sent_at_ns: i64,
        payload: Bytes,
    }
}
py_class! {
    /// Any other type number, with its raw payload.
    class Unknown(Dataexchange, "wire.dataexchange", "Unknown") fields UnknownFields {
        r#type: u32,
        payload: Bytes,
    }
}

/// The protocol.
pub struct Dataexchange;

impl Proto for Dataexchange {
    type C = DataexchangeCodec;

    fn to_py<'py>(py: Python<'py>, frame: Frame) -> PyResult<Bound<'py, PyAny>> {
        Ok(match frame {
            Frame::Text { payload } => Bound::new(py, Text(TextFields { payload }))?.into_any(),
            Frame::Binary { payload } => {
                Bound::new(py, Binary(BinaryFields { payload }))?.into_any()
            }
            Frame::Json { payload } => Bound::new(py, Json(JsonFields { payload }))?.into_any(),
            Frame::File { filename, payload } => {
                Bound::new(py, File(FileFields { filename, payload }))?.into_any()
            }
            Frame::Trace {
                inner_type,
                sent_at_ns,
                payload,
            } => Bound::new(
                py,
                Trace(TraceFields {
                    inner_type,
                    sent_at_ns,
                    payload,
                }),
            )?
            .into_any(),
            Frame::Unknown { r#type, payload } => {
                Bound::new(py, Unknown(UnknownFields { r#type, payload }))?.into_any()
            }
        })
    }

    fn from_py<'a>(ob: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, Frame>> {
        let frame = if let Ok(t) = ob.cast::<Text>() {
            Frame::Text {
                payload: t.get().0.payload.clone(),
            }
        } else if let Ok(b) = ob.cast::<Binary>() {
            Frame::Binary {
                payload: b.get().0.payload.clone(),
            }
        } else if let Ok(j) = ob.cast::<Json>() {
            Frame::Json {
                payload: j.get().0.payload.clone(),
            }
        } else if let Ok(f) = ob.cast::<File>() {
            let f = &f.get().0;
            Frame::File {
                filename: f.filename.clone(),
                payload: f.payload.clone(),
            }
        } else if let Ok(t) = ob.cast::<Trace>() {
            let t = &t.get().0;
            Frame::Trace {
                inner_type: t.inner_type,
                sent_at_ns: t.sent_at_ns,
                payload: t.payload.clone(),
            }
        } else if let Ok(u) = ob.cast::<Unknown>() {
            let u = &u.get().0;
            Frame::Unknown {
                r#type: u.r#type,
                payload: u.payload.clone(),
            }
        } else {
            return Err(wrong_type(
                "msg",
                "a wire.dataexchange frame (Text, Binary, Json, File, Trace or Unknown)",
                ob,
            ));
        };
        Ok(Cow::Owned(frame))
    }
}

protocol_api!(Dataexchange, "wire.dataexchange", "dataexchange");

/// The type number a frame has on the wire.
#[pyfunction]
fn frame_type(msg: &Bound<'_, PyAny>) -> PyResult<u32> {
    Ok(Dataexchange::from_py(msg)?.frame_type())
}

/// The reference's `TypeName`: `TEXT`, `BINARY`, `JSON`, `FILE`, `TRACE`, else `UNKNOWN(n)`.
#[pyfunction]
fn type_name(frame_type: u32) -> String {
    dataexchange::type_name(frame_type)
}

/// The reference's `ReadTracePayload` over a raw type number and payload:
/// `(inner_type, sent_at_ns, inner payload)`.
#[pyfunction]
fn read_trace_payload<'py>(
    py: Python<'py>,
    frame_type: u32,
    payload: &Bound<'py, PyAny>,
) -> PyResult<(u32, i64, Bound<'py, pyo3::types::PyBytes>)> {
    let payload = crate::conv::Conv::from_py(
        payload,
        crate::conv::Field(wire_core::Protocol::Dataexchange, "payload"),
    )?;
    let (inner, sent, rest): (u32, i64, Bytes) =
        check(py, dataexchange::read_trace_payload(frame_type, &payload))?;
    Ok((inner, sent, pyo3::types::PyBytes::new(py, &rest)))
}

/// Add the module's names to `_wire`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_api(m)?;
    let py = m.py();
    m.add("dataexchange_Text", py.get_type::<Text>())?;
    m.add("dataexchange_Binary", py.get_type::<Binary>())?;
    m.add("dataexchange_Json", py.get_type::<Json>())?;
    m.add("dataexchange_File", py.get_type::<File>())?;
    m.add("dataexchange_Trace", py.get_type::<Trace>())?;
    m.add("dataexchange_Unknown", py.get_type::<Unknown>())?;
    m.add("dataexchange_frame_type", wrap_pyfunction!(frame_type, m)?)?;
    m.add("dataexchange_type_name", wrap_pyfunction!(type_name, m)?)?;
    m.add(
        "dataexchange_read_trace_payload",
        wrap_pyfunction!(read_trace_payload, m)?,
    )?;
    m.add("dataexchange_MAX_FRAME_SIZE", dataexchange::MAX_FRAME_SIZE)?;
    Ok(())
}
