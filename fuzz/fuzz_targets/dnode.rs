#![no_main]
include!("../targets/dnode.rs");
libfuzzer_sys::fuzz_target!(|data: &[u8]| run(data));
