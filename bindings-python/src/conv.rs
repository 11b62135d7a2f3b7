//! Conversions between Python objects and the core's field types, byte buffers in and out,
//! canonical JSON (`serde_json::Value`) to and from Python, and codec options.

use std::collections::BTreeMap;
use std::mem::MaybeUninit;
use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3::IntoPyObjectExt;
use serde_json::{Map, Number, Value};
use wire_core::{Codec, Protocol};

use crate::errors::{invalid, wrong_type};

/// Which field a value is for, named in conversion errors.
#[derive(Clone, Copy)]
pub struct Field<'a>(pub Protocol, pub &'a str);

/// A core field type as a Python value.
pub trait Conv: Sized {
    /// The Python value.
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
    /// The core value; `TypeError` for a wrong type, `InvalidArgumentError` for a value the
    /// field cannot hold.
    fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self>;
}

/// An unsigned or signed integer field, range-checked into `InvalidArgumentError`.
macro_rules! int_conv {
    ($($t:ty),*) => {$(
        impl Conv for $t {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                self.into_bound_py_any(py)
            }
            fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self> {
                let int = int_of(ob, field)?;
                int.extract::<$t>().map_err(|_| {
                    invalid(
                        ob.py(),
                        field.0,
                        format!("{}: {int} does not fit {}", field.1, stringify!($t)),
                    )
                })
            }
        }
    )*};
}

int_conv!(u8, u16, u32, u64, i32, i64);

/// `ob` as a Python int (bool excluded: it is an int subclass, but never a number field).
pub fn int_of<'a, 'py>(
    ob: &'a Bound<'py, PyAny>,
    field: Field<'_>,
) -> PyResult<&'a Bound<'py, PyInt>> {
    if ob.is_instance_of::<PyBool>() {
        return Err(wrong_type(field.1, "int", ob));
    }
    ob.cast::<PyInt>()
        .map_err(|_| wrong_type(field.1, "int", ob))
}

impl Conv for bool {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.into_bound_py_any(py)
    }
    fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self> {
        ob.cast::<PyBool>()
            .map(|b| b.is_true())
            .map_err(|_| wrong_type(field.1, "bool", ob))
    }
}

impl Conv for String {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyString::new(py, self).into_any())
    }
    fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self> {
        let s = ob
            .cast::<PyString>()
            .map_err(|_| wrong_type(field.1, "str", ob))?;
        Ok(s.to_str()?.to_owned())
    }
}

impl Conv for Bytes {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyBytes::new(py, self).into_any())
    }
    /// A `bytes` object is shared, not copied (the `Bytes` keeps it alive); a `bytearray` or
    /// `memoryview` is copied, since it may change after the call.
    fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self> {
        if let Ok(bytes) = ob.cast::<PyBytes>() {
            return Ok(Bytes::from_owner(PyBackedBytes::from(bytes.clone())));
        }
        Ok(Bytes::from(copy_buffer(ob, field.1)?))
    }
}

impl<T: Conv> Conv for Option<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(v) => v.to_py(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
    fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self> {
        if ob.is_none() {
            return Ok(None);
        }
        T::from_py(ob, field).map(Some)
    }
}

impl<T: Conv> Conv for Vec<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items = self
            .iter()
            .map(|v| v.to_py(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any())
    }
    fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self> {
        if let Ok(list) = ob.cast::<PyList>() {
            return list.iter().map(|v| T::from_py(&v, field)).collect();
        }
        if let Ok(tuple) = ob.cast::<PyTuple>() {
            return tuple.iter().map(|v| T::from_py(&v, field)).collect();
        }
        Err(wrong_type(field.1, "list", ob))
    }
}

impl<K: Conv + Ord, V: Conv> Conv for BTreeMap<K, V> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let dict = PyDict::new(py);
        for (k, v) in self {
            dict.set_item(k.to_py(py)?, v.to_py(py)?)?;
        }
        Ok(dict.into_any())
    }
    fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self> {
        let dict = ob
            .cast::<PyDict>()
            .map_err(|_| wrong_type(field.1, "dict", ob))?;
        dict.iter()
            .map(|(k, v)| Ok((K::from_py(&k, field)?, V::from_py(&v, field)?)))
            .collect()
    }
}

/// A JSON value as Python dicts, lists, strings, numbers, bools and None.
impl Conv for Value {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, self)
    }
    fn from_py(ob: &Bound<'_, PyAny>, _field: Field<'_>) -> PyResult<Self> {
        py_to_json(ob)
    }
}

/// A socket address as Python's `(host, port)` tuple.
impl Conv for SocketAddr {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        (self.ip().to_string(), self.port()).into_bound_py_any(py)
    }
    fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self> {
        let tuple = ob
            .cast::<PyTuple>()
            .ok()
            .filter(|t| t.len() == 2)
            .ok_or_else(|| wrong_type(field.1, "a (host, port) tuple", ob))?;
        let host = String::from_py(&tuple.get_item(0)?, field)?;
        let port = u16::from_py(&tuple.get_item(1)?, field)?;
        let ip: IpAddr = host.parse().map_err(|e| {
            invalid(
                ob.py(),
                field.0,
                format!("{}: {host:?} is not an IP address: {e}", field.1),
            )
        })?;
        Ok(SocketAddr::new(ip, port))
    }
}

/// The members of a Python enum class of `wire._enums`, by value, looked up once.
pub struct EnumClass {
    name: &'static str,
    members: PyOnceLock<Py<PyDict>>,
}

impl EnumClass {
    /// The class `wire._enums.<name>`.
    pub const fn new(name: &'static str) -> Self {
        EnumClass {
            name,
            members: PyOnceLock::new(),
        }
    }

    /// The member of value `value`, or the plain int when the class has none (open enums).
    pub fn member<'py>(&self, py: Python<'py>, value: i64) -> PyResult<Bound<'py, PyAny>> {
        let members = self
            .members
            .get_or_try_init(py, || -> PyResult<Py<PyDict>> {
                let class = py.import("wire._enums")?.getattr(self.name)?;
                let dict = PyDict::new(py);
                for member in class.try_iter()? {
                    let member = member?;
                    dict.set_item(member.getattr("value")?, member)?;
                }
                Ok(dict.unbind())
            })?;
        match members.bind(py).get_item(value)? {
            Some(member) => Ok(member),
            None => value.into_bound_py_any(py),
        }
    }
}

/// A bytes-like argument's contents, copied (for anything but `bytes`, which callers borrow).
pub fn copy_buffer(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if ob.is_instance_of::<PyString>() {
        return Err(wrong_type(what, "bytes, bytearray or memoryview", ob));
    }
    let buffer = PyBuffer::<u8>::get(ob)
        .map_err(|_| wrong_type(what, "bytes, bytearray or memoryview", ob))?;
    buffer.to_vec(ob.py())
}

/// Input bytes: borrowed from a `bytes` object (immutable, so it may be read with the GIL
/// released), copied from any other buffer.
pub enum Input<'a> {
    /// A `bytes` object's contents.
    Borrowed(&'a [u8]),
    /// A copy of a mutable buffer.
    Owned(Vec<u8>),
}

impl Input<'_> {
    /// The bytes of `ob`.
    pub fn of<'a>(ob: &'a Bound<'_, PyAny>) -> PyResult<Input<'a>> {
        match ob.cast::<PyBytes>() {
            Ok(bytes) => Ok(Input::Borrowed(bytes.as_bytes())),
            Err(_) => copy_buffer(ob, "data").map(Input::Owned),
        }
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Input::Borrowed(s) => s,
            Input::Owned(v) => v,
        }
    }
}

/// Inputs and outputs at least this large are processed with the GIL released: below it the
/// release and re-acquire cost more than they free.
pub const DETACH_THRESHOLD: usize = 64 * 1024;

/// Run `f`, with the GIL released when `len` is large.
pub fn maybe_detach<T: Send>(py: Python<'_>, len: usize, f: impl FnOnce() -> T + Send) -> T {
    if len >= DETACH_THRESHOLD {
        py.detach(f)
    } else {
        f()
    }
}

/// A new `bytes` object of `len` bytes filled by `fill`, allocated once and not zeroed
/// (`PyBytes::new_with` would zero it first: a second pass over a large frame). `fill` runs
/// with the GIL released when `len` is large; it must write every byte or fail.
pub fn new_bytes<'py>(
    py: Python<'py>,
    len: usize,
    fill: impl FnOnce(&mut [MaybeUninit<u8>]) -> wire_core::Result<()> + Send,
) -> PyResult<Bound<'py, PyBytes>> {
    let size = ffi::Py_ssize_t::try_from(len)
        .map_err(|_| PyTypeError::new_err("frame too large for a bytes object"))?;
    // SAFETY: a NULL source makes `PyBytes_FromStringAndSize` allocate `size` uninitialised
    // bytes; it returns a new reference, or NULL with an exception set, which
    // `from_owned_ptr_or_err` turns into the error.
    let bytes = unsafe {
        Bound::from_owned_ptr_or_err(py, ffi::PyBytes_FromStringAndSize(std::ptr::null(), size))?
    };
    // SAFETY: the object was created above and is not shared with any other code yet, so this
    // is the only access to its `len` bytes of storage, which live as long as `bytes` (held
    // past the call). Viewing them as `MaybeUninit<u8>` asserts nothing about their contents.
    let storage = unsafe {
        let data = ffi::PyBytes_AsString(bytes.as_ptr()).cast::<MaybeUninit<u8>>();
        std::slice::from_raw_parts_mut(data, len)
    };
    // On failure `bytes` is released unread.
    crate::errors::check(py, maybe_detach(py, len, || fill(storage)))?;
    // SAFETY: `bytes` came from `PyBytes_FromStringAndSize`, so it is a `bytes` object.
    Ok(unsafe { bytes.cast_into_unchecked() })
}

/// A canonical JSON value as Python objects (integers exact, byte strings stay hex text).
pub fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_bound_py_any(py)?,
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => u.into_bound_py_any(py)?,
            (_, Some(i), _) => i.into_bound_py_any(py)?,
            (_, _, f) => f.unwrap_or(f64::NAN).into_bound_py_any(py)?,
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let items = items
                .iter()
                .map(|v| json_to_py(py, v))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Deepest nesting `py_to_json` follows: canonical documents nest a few levels, and a bound
/// keeps a pathological input from exhausting the native stack.
const MAX_JSON_DEPTH: usize = 64;

/// Python dicts, lists, strings, ints, floats, bools and None as a JSON value.
pub fn py_to_json(ob: &Bound<'_, PyAny>) -> PyResult<Value> {
    json_value(ob, 0)
}

fn json_value(ob: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > MAX_JSON_DEPTH {
        return Err(PyTypeError::new_err(format!(
            "JSON value nested deeper than {MAX_JSON_DEPTH} levels"
        )));
    }
    if ob.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = ob.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = ob.cast::<PyInt>() {
        if let Ok(u) = i.extract::<u64>() {
            return Ok(Value::from(u));
        }
        if let Ok(n) = i.extract::<i64>() {
            return Ok(Value::from(n));
        }
        return Err(PyTypeError::new_err(format!(
            "JSON integer {i} is outside the 64-bit range"
        )));
    }
    if let Ok(f) = ob.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyTypeError::new_err("JSON numbers must be finite"));
    }
    if let Ok(s) = ob.cast::<PyString>() {
        return Ok(Value::String(s.to_str()?.to_owned()));
    }
    if let Ok(dict) = ob.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in dict.iter() {
            let key = k
                .cast::<PyString>()
                .map_err(|_| wrong_type("JSON object key", "str", &k))?;
            map.insert(key.to_str()?.to_owned(), json_value(&v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = ob.cast::<PyList>() {
        return list
            .iter()
            .map(|v| json_value(&v, depth + 1))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    if let Ok(tuple) = ob.cast::<PyTuple>() {
        return tuple
            .iter()
            .map(|v| json_value(&v, depth + 1))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    Err(wrong_type(
        "JSON value",
        "dict, list, str, int, float, bool or None",
        ob,
    ))
}

/// Apply keyword options to a codec through the core's `set_option`: each value as its option
/// text (see [`option_text`]).
pub fn apply_options<C: Codec>(
    py: Python<'_>,
    codec: &mut C,
    options: Option<&Bound<'_, PyDict>>,
    integer_options: &[&str],
) -> PyResult<()> {
    let Some(options) = options else {
        return Ok(());
    };
    let protocol = codec.protocol();
    for (key, value) in options.iter() {
        let key: String = key.extract()?;
        let integer = integer_options.contains(&key.as_str());
        let text = option_text(&value, Field(protocol, &key), integer)?;
        crate::errors::check(py, wire_core::set_option(codec, &key, &text))?;
    }
    Ok(())
}

/// An option value as the core's option text: an int in decimal; for options that are not
/// integers, also a string (a `str` enum member is one) or an `IntEnum` member by name
/// (`ProtocolVersion.V1` is `"V1"`).
fn option_text(value: &Bound<'_, PyAny>, key: Field<'_>, integer: bool) -> PyResult<String> {
    if integer {
        return Ok(int_of(value, key)?.to_string());
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(s.to_str()?.to_owned());
    }
    let enum_type = value.py().import("enum")?.getattr("Enum")?;
    if value.is_instance(&enum_type)? {
        return value.getattr("name")?.extract();
    }
    if let Ok(i) = int_of(value, key) {
        return Ok(i.to_string());
    }
    Err(wrong_type(key.1, "str or a wire enum member", value))
}
