//! The one error vocabulary (`wire_core::ErrorKind`) as Python exceptions: `wire.WireError`
//! (a `ValueError`) with `code`, `protocol`, `offset` and `reason`, one subclass per kind.

use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use wire_core::{Error, ErrorKind, Protocol};

create_exception!(
    wire,
    WireError,
    PyValueError,
    "A wire codec error: `code`, `protocol`, `offset` (or None) and a one-line `reason`."
);
create_exception!(
    wire,
    IncompleteError,
    WireError,
    "The input ends before the frame does."
);
create_exception!(
    wire,
    MalformedError,
    WireError,
    "The bytes can never form a valid frame."
);
create_exception!(
    wire,
    FrameTooLargeError,
    WireError,
    "A declared length exceeds the limit."
);
create_exception!(
    wire,
    UnsupportedVersionError,
    WireError,
    "A version or framing byte this codec does not speak."
);
create_exception!(
    wire,
    InvalidUtf8Error,
    WireError,
    "A field that must be UTF-8 is not."
);
create_exception!(
    wire,
    TrailingBytesError,
    WireError,
    "A one-shot decode found bytes after its one frame."
);
create_exception!(
    wire,
    InvalidArgumentError,
    WireError,
    "A value the protocol cannot carry (encoder input, JSON, options)."
);

/// Register the exception classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("WireError", py.get_type::<WireError>())?;
    m.add("IncompleteError", py.get_type::<IncompleteError>())?;
    m.add("MalformedError", py.get_type::<MalformedError>())?;
    m.add("FrameTooLargeError", py.get_type::<FrameTooLargeError>())?;
    m.add(
        "UnsupportedVersionError",
        py.get_type::<UnsupportedVersionError>(),
    )?;
    m.add("InvalidUtf8Error", py.get_type::<InvalidUtf8Error>())?;
    m.add("TrailingBytesError", py.get_type::<TrailingBytesError>())?;
    m.add(
        "InvalidArgumentError",
        py.get_type::<InvalidArgumentError>(),
    )?;
    Ok(())
}

/// The Python exception for a core error, its attributes set.
pub fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    let message = e.to_string();
    let err = match e.kind() {
        ErrorKind::Incomplete => IncompleteError::new_err(message),
        ErrorKind::Malformed => MalformedError::new_err(message),
        ErrorKind::TooLarge => FrameTooLargeError::new_err(message),
        ErrorKind::UnsupportedVersion => UnsupportedVersionError::new_err(message),
        ErrorKind::InvalidUtf8 => InvalidUtf8Error::new_err(message),
        ErrorKind::TrailingBytes => TrailingBytesError::new_err(message),
        ErrorKind::InvalidArgument => InvalidArgumentError::new_err(message),
        // ErrorKind is non_exhaustive: a kind added later is still a WireError.
        _ => WireError::new_err(message),
    };
    let value = err.value(py);
    let attributes = (|| -> PyResult<()> {
        value.setattr("code", e.code())?;
        value.setattr("protocol", e.protocol().map(|p| p.name()))?;
        value.setattr("offset", e.offset())?;
        value.setattr("reason", e.reason())
    })();
    match attributes {
        Ok(()) => err,
        Err(setattr_failed) => setattr_failed,
    }
}

/// Map a core result to a Python one.
pub fn check<T>(py: Python<'_>, r: wire_core::Result<T>) -> PyResult<T> {
    r.map_err(|e| to_py(py, &e))
}

/// `InvalidArgumentError` for a value the protocol cannot carry.
pub fn invalid(py: Python<'_>, protocol: Protocol, reason: String) -> PyErr {
    to_py(py, &Error::invalid_argument(protocol, reason))
}

/// `TypeError` for an argument of the wrong Python type.
pub fn wrong_type(what: &str, expected: &str, got: &Bound<'_, PyAny>) -> PyErr {
    let got = got
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string());
    PyTypeError::new_err(format!("{what}: expected {expected}, got {got}"))
}
