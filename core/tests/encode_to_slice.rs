//! `Codec::encode_to_slice` writes exactly the bytes of `Codec::encode`, for every frame of
//! every vector file, and refuses an output buffer of the wrong length.

mod common;

use std::mem::MaybeUninit;

use serde_json::Value;
use wire_core::{decode_exact, encode_to_vec, AnyCodec, Codec, ErrorKind, Protocol};

/// The frames of a vector file in the codec's own framing.
fn framed_vectors(protocol: Protocol, doc: &Value) -> Vec<Vec<u8>> {
    common::section(doc, "vectors")
        .iter()
        .filter(|e| e.get("framing").is_none() && e["type"] != "stream")
        .map(|e| {
            let bytes = common::hex_of(e, "hex");
            if protocol == Protocol::Replication {
                let mut framed = (bytes.len() as u32).to_le_bytes().to_vec();
                framed.extend(bytes);
                framed
            } else {
                bytes
            }
        })
        .collect()
}

/// `encode_to_slice` into a buffer pre-filled with `fill`, read back.
fn encode_filled(codec: &mut AnyCodec, frame: &wire_core::AnyFrame, fill: u8) -> Vec<u8> {
    let len = codec.encoded_len(frame).unwrap();
    let mut out = vec![MaybeUninit::new(fill); len];
    codec.encode_to_slice(frame, &mut out).unwrap();
    // SAFETY: every element was initialised with `fill` when the vector was built.
    out.into_iter()
        .map(|b| unsafe { b.assume_init() })
        .collect()
}

#[test]
fn encode_to_slice_matches_encode_for_every_vector() {
    // Each file with the options it is checked with.
    let files = [
        (
            Protocol::Dataexchange,
            "dataexchange.json",
            &[("version", "0.2.1-beta.1")][..],
        ),
        (Protocol::Dataexchange, "dataexchange-latest.json", &[]),
        (Protocol::Dnode, "dnode.json", &[]),
        (Protocol::Dnode, "dnode-live.json", &[]),
        (Protocol::Chitchat, "chitchat.json", &[]),
        (Protocol::Replication, "replication.json", &[]),
        (Protocol::Broker, "broker.json", &[]),
    ];
    for (protocol, file, options) in files {
        let doc = common::load(file);
        let frames = framed_vectors(protocol, &doc);
        assert!(!frames.is_empty(), "{file}");
        for bytes in frames {
            let mut codec = AnyCodec::new(protocol);
            for (key, value) in options {
                wire_core::set_option(&mut codec, key, value).unwrap();
            }
            let frame = decode_exact(&mut codec, &bytes).unwrap();
            let expected = encode_to_vec(&mut codec, &frame).unwrap();
            // Two fills: a byte left unwritten would show as a difference.
            assert_eq!(encode_filled(&mut codec, &frame, 0x00), expected, "{file}");
            assert_eq!(encode_filled(&mut codec, &frame, 0xff), expected, "{file}");
            for wrong in [expected.len() + 1, expected.len().saturating_sub(1)] {
                if wrong == expected.len() {
                    continue;
                }
                let mut out = vec![MaybeUninit::new(0u8); wrong];
                let e = codec.encode_to_slice(&frame, &mut out).unwrap_err();
                assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{file}: {e}");
            }
        }
    }
}

/// Only chitchat, which compresses, must encode to know a frame's size; `encode_to_vec` then
/// encodes once, and still gives the bytes `encode` appends.
#[test]
fn encoded_len_encodes_only_where_sizes_need_compressing() {
    for protocol in Protocol::ALL {
        let codec = AnyCodec::new(protocol);
        assert_eq!(
            codec.encoded_len_encodes(),
            protocol == Protocol::Chitchat,
            "{protocol:?}"
        );
    }
    let doc = common::load("chitchat.json");
    for bytes in framed_vectors(Protocol::Chitchat, &doc) {
        let mut codec = wire_core::chitchat::ChitchatCodec::default();
        let frame = decode_exact(&mut codec, &bytes).unwrap();
        let mut dst = bytes::BytesMut::new();
        codec.encode(&frame, &mut dst).unwrap();
        assert_eq!(encode_to_vec(&mut codec, &frame).unwrap(), dst.to_vec());
    }
}
