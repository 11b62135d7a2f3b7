// Fuzz body shared by `fuzz_targets/replication.rs` (cargo fuzz) and core's corpus test.
use wire_core::replication::{self, Layout, ReplicationCodec};
use wire_core::Codec;

pub fn run(data: &[u8]) {
    for layout in [Layout::V7, Layout::V3] {
        // Bare messages: what the lenient decoder accepts re-encodes canonically and decodes
        // the same; the strict decoder agrees exactly when nothing follows the message.
        if let Ok((message, used)) = replication::decode_message_prefix(data, layout) {
            let bytes = replication::encode_message(&message, layout).expect("re-encode");
            assert!(bytes.len() <= used, "canonical form is never longer");
            assert_eq!(
                replication::decode_message(&bytes, layout).as_ref(),
                Ok(&message)
            );
            let strict = replication::decode_message(data, layout);
            assert_eq!(strict.is_ok(), used == data.len());
            let codec = ReplicationCodec::new(layout);
            assert_eq!(
                codec.from_json(&codec.to_json(&message)).as_ref(),
                Ok(&message)
            );
        }
        // Framed: one-shot decode round-trips; any split of the stream gives the same outcome.
        let mut codec = ReplicationCodec::new(layout);
        if let Ok(message) = wire_core::decode_exact(&mut codec, data) {
            let bytes = wire_core::encode_to_vec(&mut codec, &message).expect("re-encode");
            assert_eq!(
                wire_core::decode_exact(&mut codec, &bytes).as_ref(),
                Ok(&message)
            );
        }
        crate::split::check(
            ReplicationCodec::new(layout),
            data,
            data.first().map_or(0, |&b| usize::from(b)),
        );
    }
    // The preamble decoder and the sniffer never panic; a decoded preamble re-encodes.
    if let Ok((name, used)) = replication::decode_preamble(data) {
        assert_eq!(
            replication::encode_preamble(&name).as_deref(),
            Ok(&data[..used])
        );
    }
    let _ = replication::sniff(data);
}
