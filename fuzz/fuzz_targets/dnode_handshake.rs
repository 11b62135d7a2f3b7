#![no_main]
include!("../targets/dnode_handshake.rs");
libfuzzer_sys::fuzz_target!(|data: &[u8]| run(data));
