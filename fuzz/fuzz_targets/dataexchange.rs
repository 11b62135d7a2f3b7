#![no_main]
include!("../targets/dataexchange.rs");
libfuzzer_sys::fuzz_target!(|data: &[u8]| run(data));
