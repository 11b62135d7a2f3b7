//! The shape every protocol module shares: `decode`, `encode`, `to_json`, `from_json` and a
//! `Decoder`, written once over a [`Proto`] (the protocol's codec and its frame <-> Python
//! class mapping), and the macro that writes the message classes.

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use wire_core::{decode_exact, encode_to_vec, Codec};

use crate::conv::{apply_options, json_to_py, maybe_detach, new_bytes, py_to_json, Input};
use crate::errors::check;

/// A codec's frame type.
pub type FrameOf<P> = <<P as Proto>::C as Codec>::Frame;

/// One protocol as the binding sees it.
pub trait Proto: 'static {
    /// The core codec.
    type C: Codec<Frame: Clone + Send + Sync> + Default + Send;
    /// The keyword options whose values are integers (the limits, at least).
    const INTEGER_OPTIONS: &'static [&'static str] = &["max_frame_size", "max_decompressed_size"];
    /// A decoded frame as its Python class.
    fn to_py<'py>(py: Python<'py>, frame: FrameOf<Self>) -> PyResult<Bound<'py, PyAny>>;
    /// A Python message as a frame (borrowed from the object where it holds one whole).
    fn from_py<'a>(ob: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, FrameOf<Self>>>;
}

/// The codec with keyword options applied.
pub fn codec<P: Proto>(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<P::C> {
    let mut codec = P::C::default();
    apply_options(py, &mut codec, options, P::INTEGER_OPTIONS)?;
    Ok(codec)
}

/// Decode exactly one frame.
pub fn decode<'py, P: Proto>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let input = Input::of(data)?;
    let mut codec = codec::<P>(py, options)?;
    let bytes = input.as_slice();
    let frame = maybe_detach(py, bytes.len(), || decode_exact(&mut codec, bytes));
    P::to_py(py, check(py, frame)?)
}

/// Encode one frame into a new `bytes`.
pub fn encode<'py, P: Proto>(
    py: Python<'py>,
    msg: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let frame = P::from_py(msg)?;
    let mut codec = codec::<P>(py, options)?;
    encode_with::<P>(py, &mut codec, &frame)
}

/// Encode with a given codec.
pub fn encode_with<'py, P: Proto>(
    py: Python<'py>,
    codec: &mut P::C,
    frame: &FrameOf<P>,
) -> PyResult<Bound<'py, PyBytes>> {
    // Sizing such a frame would encode it: encode once and copy the result instead.
    if codec.encoded_len_encodes() {
        let bytes = check(py, encode_to_vec(codec, frame))?;
        return Ok(PyBytes::new(py, &bytes));
    }
    let len = check(py, codec.encoded_len(frame))?;
    new_bytes(py, len, |out| codec.encode_to_slice(frame, out))
}

/// The canonical JSON form as Python objects.
pub fn to_json<'py, P: Proto>(
    py: Python<'py>,
    msg: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let frame = P::from_py(msg)?;
    json_to_py(py, &P::C::default().to_json(&frame))
}

/// A message from its canonical JSON form.
pub fn from_json<'py, P: Proto>(
    py: Python<'py>,
    doc: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = py_to_json(doc)?;
    let codec = codec::<P>(py, options)?;
    let frame = check(py, codec.from_json(&value))?;
    P::to_py(py, frame)
}

/// Frames as a Python list.
pub fn frame_list<'py, P: Proto>(
    py: Python<'py>,
    frames: Vec<FrameOf<P>>,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for frame in frames {
        list.append(P::to_py(py, frame)?)?;
    }
    Ok(list)
}

/// A conversion through a marker type (a field whose core type is shared by several Python
/// types, such as the `i32` of every protobuf enum).
pub trait Via<T> {
    /// The Python value.
    fn to_py<'py>(value: &T, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
    /// The core value.
    fn from_py(ob: &Bound<'_, PyAny>, field: crate::conv::Field<'_>) -> PyResult<T>;
}

/// `Conv::to_py`, or `Via::to_py` when a marker type is given.
macro_rules! to_py_via {
    ($py:expr, $v:expr) => {
        $crate::conv::Conv::to_py($v, $py)
    };
    ($py:expr, $v:expr, $via:ty) => {
        <$via as $crate::api::Via<_>>::to_py($v, $py)
    };
}
pub(crate) use to_py_via;

/// `Conv::from_py`, or `Via::from_py` when a marker type is given.
macro_rules! from_py_via {
    ($ob:expr, $field:expr) => {
        $crate::conv::Conv::from_py($ob, $field)
    };
    ($ob:expr, $field:expr, $via:ty) => {
        <$via as $crate::api::Via<_>>::from_py($ob, $field)
    };
}
pub(crate) use from_py_via;

/// A message class: a frozen `#[pyclass]` wrapping a core value (`wraps Path`), or a struct of
/// fields it declares (`fields Name`, for one variant of a core enum). It gets a keyword-only
/// constructor (required fields, then `optional` ones with their defaults), a read-only
/// attribute per field (converted on access, so decoding builds no Python objects for fields
/// never read), `__eq__` and `__repr__`, and `Conv`, so other classes can hold it. Field types
/// are the core's, converted by `Conv`, or by a `Via` marker given in brackets.
macro_rules! py_class {
    (
        $(#[$meta:meta])*
        class $ty:ident($proto:ident, $module:literal, $name:literal $(, $opt:ident)*) fields $inner:ident {
            $($field:ident : $fty:ty $([$via:ty])?),* $(,)?
        }
        $(optional {
            $($ofield:ident : $ofty:ty $([$ovia:ty])? = $odefault:expr),* $(,)?
        })?
        $(methods { $($methods:tt)* })?
    ) => {
        #[doc = concat!("The fields of `", $module, ".", $name, "`.")]
        #[derive(Clone, Debug, PartialEq)]
        pub struct $inner {
            $(pub $field: $fty,)*
            $($(pub $ofield: $ofty,)*)?
        }
        $crate::api::py_class! {
            $(#[$meta])*
            class $ty($proto, $module, $name $(, $opt)*) wraps $inner {
                $($field : $fty $([$via])?),*
            }
            $(optional { $($ofield : $ofty $([$ovia])? = $odefault),* })?
            $(methods { $($methods)* })?
        }
    };
    (
        $(#[$meta:meta])*
        class $ty:ident($proto:ident, $module:literal, $name:literal $(, $opt:ident)*) wraps $inner:path {
            $($field:ident : $fty:ty $([$via:ty])?),* $(,)?
        }
        $(optional {
            $($ofield:ident : $ofty:ty $([$ovia:ty])? = $odefault:expr),* $(,)?
        })?
        $(methods { $($methods:tt)* })?
    ) => {
        $(#[$meta])*
        #[pyclass(frozen, eq, $($opt,)* name = $name, module = $module)]
        #[derive(Clone, PartialEq)]
        pub struct $ty(pub $inner);

        #[pymethods]
        impl $ty {
            #[new]
            #[pyo3(signature = (*, $($field,)* $($($ofield = None,)*)?))]
            // One keyword argument per field of the message.
            #[allow(clippy::too_many_arguments)]
            fn __new__(
                $($field: &Bound<'_, PyAny>,)*
                $($($ofield: Option<&Bound<'_, PyAny>>,)*)?
            ) -> PyResult<Self> {
                // Unused by a message without fields (TypeFileStream's `Done`).
                #[allow(dead_code)]
                const P: wire_core::Protocol = wire_core::Protocol::$proto;
                // A path fragment cannot name a struct literal; an alias can.
                type Inner = $inner;
                Ok($ty(Inner {
                    $($field: $crate::api::from_py_via!(
                        $field,
                        $crate::conv::Field(P, concat!($name, ".", stringify!($field)))
                        $(, $via)?
                    )?,)*
                    $($($ofield: match $ofield {
                        Some(v) => $crate::api::from_py_via!(
                            v,
                            $crate::conv::Field(P, concat!($name, ".", stringify!($ofield)))
                            $(, $ovia)?
                        )?,
                        None => $odefault,
                    },)*)?
                }))
            }

            $(
                #[getter]
                // Named after the protocol's field, even `from_version_excluded`.
                #[allow(clippy::wrong_self_convention)]
                fn $field<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    // The declared type is checked against the core's.
                    let value: &$fty = &self.0.$field;
                    $crate::api::to_py_via!(py, value $(, $via)?)
                }
            )*
            $($(
                #[getter]
                #[allow(clippy::wrong_self_convention)]
                fn $ofield<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    let value: &$ofty = &self.0.$ofield;
                    $crate::api::to_py_via!(py, value $(, $ovia)?)
                }
            )*)?

            #[allow(unused_variables)]
            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let parts: Vec<String> = vec![
                    $(format!(
                        "{}={}",
                        stringify!($field).trim_start_matches("r#"),
                        $crate::api::to_py_via!(py, &self.0.$field $(, $via)?)?.repr()?
                    ),)*
                    $($(format!(
                        "{}={}",
                        stringify!($ofield).trim_start_matches("r#"),
                        $crate::api::to_py_via!(py, &self.0.$ofield $(, $ovia)?)?.repr()?
                    ),)*)?
                ];
                Ok(format!("{}({})", $name, parts.join(", ")))
            }

            $($($methods)*)?
        }

        impl $crate::conv::Conv for $inner {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok(Bound::new(py, $ty(self.clone()))?.into_any())
            }
            fn from_py(ob: &Bound<'_, PyAny>, field: $crate::conv::Field<'_>) -> PyResult<Self> {
                ob.cast::<$ty>()
                    .map(|c| c.get().0.clone())
                    .map_err(|_| $crate::errors::wrong_type(field.1, $name, ob))
            }
        }
    };
}
pub(crate) use py_class;

/// The module-level functions every protocol has: `decode(data, **options)`,
/// `encode(msg, **options)`, `to_json(msg)`, `from_json(doc, **options)`, and its `Decoder`.
macro_rules! protocol_api {
    ($proto:ty, $module:literal, $prefix:literal) => {
        /// Decode exactly one frame (bytes, bytearray or memoryview).
        #[pyfunction]
        #[pyo3(signature = (data, **options))]
        fn decode<'py>(
            py: Python<'py>,
            data: &Bound<'py, PyAny>,
            options: Option<&Bound<'py, pyo3::types::PyDict>>,
        ) -> PyResult<Bound<'py, PyAny>> {
            $crate::api::decode::<$proto>(py, data, options)
        }

        /// Encode one message.
        #[pyfunction]
        #[pyo3(signature = (msg, **options))]
        fn encode<'py>(
            py: Python<'py>,
            msg: &Bound<'py, PyAny>,
            options: Option<&Bound<'py, pyo3::types::PyDict>>,
        ) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
            $crate::api::encode::<$proto>(py, msg, options)
        }

        /// The canonical JSON form (`{"type": ..., "fields": {...}}`).
        #[pyfunction]
        fn to_json<'py>(py: Python<'py>, msg: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
            $crate::api::to_json::<$proto>(py, msg)
        }

        /// A message from its canonical JSON form.
        #[pyfunction]
        #[pyo3(signature = (doc, **options))]
        fn from_json<'py>(
            py: Python<'py>,
            doc: &Bound<'py, PyAny>,
            options: Option<&Bound<'py, pyo3::types::PyDict>>,
        ) -> PyResult<Bound<'py, PyAny>> {
            $crate::api::from_json::<$proto>(py, doc, options)
        }

        /// A stream decoder: `feed(data)` returns every frame now complete.
        #[pyclass(name = "Decoder", module = $module)]
        pub struct Decoder {
            inner: wire_core::StreamDecoder<<$proto as $crate::api::Proto>::C>,
        }

        #[pymethods]
        impl Decoder {
            #[new]
            #[pyo3(signature = (**options))]
            fn __new__(
                py: Python<'_>,
                options: Option<&Bound<'_, pyo3::types::PyDict>>,
            ) -> PyResult<Self> {
                let codec = $crate::api::codec::<$proto>(py, options)?;
                Ok(Decoder {
                    inner: wire_core::StreamDecoder::new(codec),
                })
            }

            /// Append `data` and return every frame now complete. An error after some frames
            /// is raised by the next call, so no frame is lost; after an error every call
            /// raises it again.
            fn feed<'py>(
                &mut self,
                py: Python<'py>,
                data: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, pyo3::types::PyList>> {
                let input = $crate::conv::Input::of(data)?;
                let bytes = input.as_slice();
                let inner = &mut self.inner;
                let frames = $crate::conv::maybe_detach(py, bytes.len(), || inner.feed(bytes));
                $crate::api::frame_list::<$proto>(py, $crate::errors::check(py, frames)?)
            }

            /// Declare the end of the stream: `IncompleteError` if a partial frame is buffered.
            fn finish(&mut self, py: Python<'_>) -> PyResult<()> {
                $crate::errors::check(py, self.inner.finish())
            }

            /// Bytes fed but not yet decoded.
            #[getter]
            fn buffered(&self) -> usize {
                self.inner.buffered()
            }

            /// Bytes consumed by decoded frames since the start of the stream.
            #[getter]
            fn position(&self) -> u64 {
                self.inner.position()
            }

            fn __repr__(&self) -> String {
                format!(
                    "{}.Decoder(buffered={}, position={})",
                    $module,
                    self.inner.buffered(),
                    self.inner.position()
                )
            }
        }

        /// Add the shared functions and the decoder to `_wire`, names prefixed by protocol.
        fn register_api(m: &Bound<'_, PyModule>) -> PyResult<()> {
            m.add(concat!($prefix, "_decode"), wrap_pyfunction!(decode, m)?)?;
            m.add(concat!($prefix, "_encode"), wrap_pyfunction!(encode, m)?)?;
            m.add(concat!($prefix, "_to_json"), wrap_pyfunction!(to_json, m)?)?;
            m.add(
                concat!($prefix, "_from_json"),
                wrap_pyfunction!(from_json, m)?,
            )?;
            m.add(concat!($prefix, "_Decoder"), m.py().get_type::<Decoder>())?;
            Ok(())
        }
    };
}
pub(crate) use protocol_api;
