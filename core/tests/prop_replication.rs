//! Property tests of the replication codec, both layouts: bare and framed round trips, and
//! stream decoding in random chunkings (1-byte chunks included) equal to one-shot decoding.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use wire_core::replication::{
    self, GroupChangeType, Layout, NodeType, ProtocolMessage, RepNode, ReplicationCodec,
};
use wire_core::{decode_all, decode_exact, encode_to_vec, Codec, StreamDecoder};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z0-9_.-]{1,16}",
        any::<String>(),
        ".{0,300}",
    ]
}

fn node_type() -> impl Strategy<Value = NodeType> {
    prop::sample::select(NodeType::ALL.to_vec())
}

fn message(layout: Layout) -> impl Strategy<Value = ProtocolMessage> {
    let dtvlsn = match layout {
        Layout::V7 => any::<u64>().prop_map(Some).boxed(),
        Layout::V3 => Just(None).boxed(),
    };
    prop_oneof![
        (text(), text(), node_type()).prop_map(|(node_name, group_name, node_type)| {
            ProtocolMessage::Handshake {
                node_name,
                group_name,
                node_type,
            }
        }),
        (any::<bool>(), proptest::option::of(text()))
            .prop_map(|(accepted, reason)| ProtocolMessage::HandshakeResponse { accepted, reason }),
        (any::<u64>(), any::<u64>()).prop_map(|(master_vlsn, timestamp_ms)| {
            ProtocolMessage::Heartbeat {
                master_vlsn,
                timestamp_ms,
            }
        }),
        (any::<u64>(), any::<u64>()).prop_map(|(replica_vlsn, timestamp_ms)| {
            ProtocolMessage::HeartbeatResponse {
                replica_vlsn,
                timestamp_ms,
            }
        }),
        (
            any::<u64>(),
            any::<u8>(),
            prop::collection::vec(any::<u8>(), 0..600)
        )
            .prop_map(|(vlsn, entry_type, data)| ProtocolMessage::LogEntry {
                vlsn,
                entry_type,
                data: Bytes::from(data),
            }),
        any::<u64>().prop_map(|vlsn| ProtocolMessage::Ack { vlsn }),
        (
            prop::sample::select(GroupChangeType::ALL.to_vec()),
            text(),
            node_type(),
            text(),
            any::<u16>(),
            any::<u32>()
        )
            .prop_map(|(change_type, name, node_type, host, port, node_id)| {
                ProtocolMessage::GroupChange {
                    change_type,
                    node: RepNode {
                        name,
                        node_type,
                        host,
                        port,
                        node_id,
                    },
                }
            }),
        any::<bool>().prop_map(|accepted| ProtocolMessage::GroupChangeResponse { accepted }),
        (text(), any::<u64>(), any::<u32>(), any::<u64>(), dtvlsn).prop_map(
            |(node_name, vlsn, priority, term, dtvlsn)| ProtocolMessage::ElectionProposal {
                node_name,
                vlsn,
                priority,
                term,
                dtvlsn,
            }
        ),
        (text(), any::<bool>(), any::<u64>()).prop_map(|(voter, granted, term)| {
            ProtocolMessage::ElectionVote {
                voter,
                granted,
                term,
            }
        }),
        (text(), any::<u64>())
            .prop_map(|(master, term)| ProtocolMessage::ElectionResult { master, term }),
        text().prop_map(|reason| ProtocolMessage::Shutdown { reason }),
    ]
}

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
