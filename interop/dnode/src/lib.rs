//! Interop tests (`tests/`) and criterion benches (`benches/`) of `wire_core::dnode` against
//! the seed Rust port `dynomite-engine` 2.0.1. The library itself is empty.
