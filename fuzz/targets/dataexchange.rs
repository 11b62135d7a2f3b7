// Fuzz body shared by `fuzz_targets/dataexchange.rs` (cargo fuzz) and core's corpus test.
use wire_core::{dataexchange, Codec};

pub fn run(data: &[u8]) {
    // One-shot decode must never panic; what it accepts must re-encode and decode the same.
    if let Ok(frame) = dataexchange::decode(data) {
        if let Ok(bytes) = dataexchange::encode(&frame) {
            assert_eq!(dataexchange::decode(&bytes).as_ref(), Ok(&frame));
        }
        let codec = dataexchange::DataexchangeCodec::default();
        assert_eq!(codec.from_json(&codec.to_json(&frame)).as_ref(), Ok(&frame));
    }
    crate::split::check(
        dataexchange::DataexchangeCodec::default(),
        data,
        data.first().map_or(0, |&b| usize::from(b)),
    );
}
