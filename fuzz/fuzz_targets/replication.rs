#![no_main]
#[path = "../targets/split.rs"]
mod split;
include!("../targets/replication.rs");
libfuzzer_sys::fuzz_target!(|data: &[u8]| run(data));
