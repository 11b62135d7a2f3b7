// Fuzz body shared by `fuzz_targets/chitchat.rs` (cargo fuzz) and core's corpus test.
use wire_core::{chitchat, Codec, Limits};

pub fn run(data: &[u8]) {
    // One-shot decode must never panic; what it accepts must re-encode and decode the same
    // (the re-encoding may be the canonical form of non-canonical input, and may be refused
    // where the crate's own writer would refuse or assert).
    if let Ok(envelope) = chitchat::decode(data) {
        if let Ok(bytes) = chitchat::encode(&envelope) {
            assert_eq!(chitchat::decode(&bytes).as_ref(), Ok(&envelope));
        }
        let codec = chitchat::ChitchatCodec::default();
        assert_eq!(
            codec.from_json(&codec.to_json(&envelope)).as_ref(),
            Ok(&envelope)
        );
    }
    // A small decompression cap must be enforced, never overrun.
    let small = Limits {
        max_frame_size: chitchat::MAX_FRAME_SIZE,
        max_decompressed_size: 1_024,
    };
    let _ = wire_core::decode_exact(
        &mut chitchat::ChitchatCodec::with_limits(small).unwrap(),
        data,
    );
    crate::split::check(
        chitchat::ChitchatCodec::default(),
        data,
        data.first().map_or(0, |&b| usize::from(b)),
    );
}
