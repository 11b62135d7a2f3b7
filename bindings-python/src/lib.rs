//! `wire._wire`: the native module of the `wire` Python package (distribution `wire-codec`).
//!
//! The core (`wire-core`) knows the protocols; this crate only translates: core frames to
//! Python classes and back, core errors to `wire.WireError` subclasses, byte buffers in and
//! out. Names are flat and prefixed by protocol (`dataexchange_decode`, `dataexchange_Text`);
//! the package's `wire.<protocol>` modules re-export them under their public names.

mod api;
mod broker;
mod chitchat;
mod conv;
mod dataexchange;
mod dnode;
mod errors;
mod replication;

use pyo3::prelude::*;

#[pymodule(gil_used = false)]
fn _wire(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    broker::register(m)?;
    chitchat::register(m)?;
    dataexchange::register(m)?;
    dnode::register(m)?;
    replication::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
