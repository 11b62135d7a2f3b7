//! Interop tests (`tests/`) and benchmarks (`benches/`) of wire's replication codec against
//! the reference crate noxu-rep; the library itself is empty.
