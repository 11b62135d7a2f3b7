//! Property tests of the chitchat codec: random V0 and V1 messages round-trip, have an exact
//! `encoded_len`, and decode the same through the stream decoder in any chunking.

#[path = "strategies/chitchat.rs"]
mod strategies;

use proptest::prelude::*;
use wire_core::chitchat::*;
use wire_core::{decode_all, Codec, StreamDecoder};

fn arb_envelope() -> impl Strategy<Value = ChitchatEnvelope> {
    strategies::arb_envelope(prop_oneof![
        Just(ProtocolVersion::V0),
        Just(ProtocolVersion::V1)
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn round_trip(envelope in arb_envelope()) {
        let bytes = encode(&envelope).unwrap();
        prop_assert_eq!(ChitchatCodec::default().encoded_len(&envelope), Ok(bytes.len()));
        prop_assert_eq!(decode(&bytes), Ok(envelope.clone()));
        let codec = ChitchatCodec::default();
        prop_assert_eq!(codec.from_json(&codec.to_json(&envelope)), Ok(envelope));
    }

    #[test]
    fn chunked_stream_equals_one_shot(
        envelopes in prop::collection::vec(arb_envelope(), 1..4),
        chunk in 1..64usize,
    ) {
        let mut stream_bytes = Vec::new();
        for e in &envelopes {
            stream_bytes.extend(encode(e).unwrap());
        }
        prop_assert_eq!(&decode_all(ChitchatCodec::default(), &stream_bytes).unwrap(), &envelopes);
        // 1-byte chunks re-parse the prefix on every byte: keep those streams short.
        let chunk = if stream_bytes.len() > 4_000 { chunk.max(512) } else { chunk };
        for size in [1, chunk] {
            if size == 1 && stream_bytes.len() > 4_000 {
                continue;
            }
            let mut decoder = StreamDecoder::new(ChitchatCodec::default());
            let mut frames = Vec::new();
            for piece in stream_bytes.chunks(size) {
                frames.extend(decoder.feed(piece).unwrap());
            }
            decoder.finish().unwrap();
            prop_assert_eq!(&frames, &envelopes);
        }
    }
}
