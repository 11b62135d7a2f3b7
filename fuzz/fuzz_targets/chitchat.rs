#![no_main]
include!("../targets/chitchat.rs");
libfuzzer_sys::fuzz_target!(|data: &[u8]| run(data));
