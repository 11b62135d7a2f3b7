//! `wire._wire`: the native module of the `wire` Python package (distribution `wire-codec`).
//!
//! The core (`wire-core`) knows the protocols; this crate only translates: core frames to
//! Python classes and back, core errors to `wire.WireError` subclasses, byte buffers in and
//! out. Names are flat and prefixed by protocol (`dataexchange_decode`, `dataexchange_Text`);
//! the package's `wire.<protocol>` modules re-export them under their public names.

mod api;
mod conv;
mod errors;
// Formatted by its generator (`cargo run -p xtask -- gen`), not by rustfmt.
#[rustfmt::skip]
mod generated;

use pyo3::prelude::*;

/// The protocol whose framing `data` starts with (its name), or None.
#[pyfunction]
fn detect(data: &Bound<'_, PyAny>) -> PyResult<Option<&'static str>> {
    let input = conv::Input::of(data)?;
    Ok(wire_core::detect(input.as_slice()).map(|p| p.name()))
}

#[pymodule(gil_used = false)]
fn _wire(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    generated::register(m)?;
    m.add_function(wrap_pyfunction!(detect, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
