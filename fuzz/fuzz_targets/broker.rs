#![no_main]
include!("../targets/broker.rs");
libfuzzer_sys::fuzz_target!(|data: &[u8]| run(data));
