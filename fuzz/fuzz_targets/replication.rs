#![no_main]
include!("../targets/replication.rs");
libfuzzer_sys::fuzz_target!(|data: &[u8]| run(data));
