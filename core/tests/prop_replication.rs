//! Property tests of the replication codec, both layouts: bare and framed round trips, and
//! stream decoding in random chunkings (1-byte chunks included) equal to one-shot decoding.

use bytes::BytesMut;
use proptest::prelude::*;
use wire_core::replication::{self, Layout, ProtocolMessage, ReplicationCodec};
#[path = "strategies/replication.rs"]
mod strategies;

use strategies::message;
use wire_core::{decode_all, decode_exact, encode_to_vec, Codec, StreamDecoder};

fn layout_and_messages() -> impl Strategy<Value = (Layout, Vec<ProtocolMessage>)> {
    prop_oneof![Just(Layout::V7), Just(Layout::V3)]
        .prop_flat_map(|layout| (Just(layout), prop::collection::vec(message(layout), 1..8)))
}

/// Stream-decode `bytes` cut at `cuts` (sorted offsets).
fn chunked(layout: Layout, bytes: &[u8], cuts: &[usize]) -> Vec<ProtocolMessage> {
    let mut decoder = StreamDecoder::new(ReplicationCodec::new(layout));
    let mut out = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain(std::iter::once(&bytes.len())) {
        let cut = cut.clamp(start, bytes.len());
        out.extend(decoder.feed(&bytes[start..cut]).unwrap());
        start = cut;
    }
    decoder.finish().unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn bare_round_trip((layout, messages) in layout_and_messages()) {
        for m in &messages {
            let bytes = replication::encode_message(m, layout).unwrap();
            prop_assert_eq!(bytes.len(), m.encoded_len(layout).unwrap());
            prop_assert_eq!(&replication::decode_message(&bytes, layout).unwrap(), m);
            // The crate's lenient reading stops at the message's end.
            let mut longer = bytes.clone();
            longer.extend_from_slice(&[0xaa, 0xbb]);
            prop_assert_eq!(
                replication::decode_message_prefix(&longer, layout).unwrap(),
                (m.clone(), bytes.len())
            );
            let codec = ReplicationCodec::new(layout);
            prop_assert_eq!(&codec.from_json(&codec.to_json(m)).unwrap(), m);
        }
    }

    #[test]
    fn framed_round_trip_and_chunking(
        (layout, messages) in layout_and_messages(),
        cuts in prop::collection::vec(0usize..4096, 0..12),
    ) {
        let mut codec = ReplicationCodec::new(layout);
        let mut stream = BytesMut::new();
        for m in &messages {
            let framed = encode_to_vec(&mut codec, m).unwrap();
            prop_assert_eq!(framed.len(), codec.encoded_len(m).unwrap());
            prop_assert_eq!(&decode_exact(&mut codec, &framed).unwrap(), m);
            stream.extend_from_slice(&framed);
        }
        let whole = decode_all(ReplicationCodec::new(layout), &stream).unwrap();
        prop_assert_eq!(&whole, &messages);
        let mut cuts = cuts;
        cuts.sort_unstable();
        prop_assert_eq!(&chunked(layout, &stream, &cuts), &messages);
        let bytewise: Vec<usize> = (1..stream.len()).collect();
        prop_assert_eq!(&chunked(layout, &stream, &bytewise), &messages);
    }

    #[test]
    fn truncated_bare_messages_are_incomplete(
        (layout, messages) in layout_and_messages(),
        at in any::<prop::sample::Index>(),
    ) {
        let bytes = replication::encode_message(&messages[0], layout).unwrap();
        let cut = at.index(bytes.len());
        let e = replication::decode_message(&bytes[..cut], layout).unwrap_err();
        prop_assert_eq!(e.kind(), wire_core::ErrorKind::Incomplete);
    }
}
