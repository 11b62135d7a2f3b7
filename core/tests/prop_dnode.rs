//! Property tests for the DNODE codec: round trips, and stream decoding in any chunking equals
//! one-shot decoding, with and without garbage before the magic.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use wire_core::dnode::{self, Dmsg, DmsgType, DnodeCodec, Flavour};
use wire_core::{decode_all, encode_to_vec, Codec, Error, ErrorKind, Protocol, StreamDecoder};

fn arb_dmsg() -> impl Strategy<Value = Dmsg> {
    (
        any::<u64>(),
        any::<u8>(),
        0..16u8,
        any::<u8>(),
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 1..160),
        prop::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(id, t, flags, version, same_dc, data, payload)| Dmsg {
            id,
            r#type: DmsgType::from_u8(t),
            flags,
            version,
            same_dc,
            data: Bytes::from(data),
            payload: Bytes::from(payload),
        })
}

/// Split `bytes` at the cut points `sizes` gives (cycled), feeding a stream decoder.
fn stream(bytes: &[u8], sizes: &[usize]) -> wire_core::Result<Vec<Dmsg>> {
    let mut decoder = StreamDecoder::new(DnodeCodec::default());
    let mut frames = Vec::new();
    let mut at = 0;
    for size in sizes.iter().cycle() {
        if at >= bytes.len() {
            break;
        }
        let end = (at + size).min(bytes.len());
        frames.extend(decoder.feed(&bytes[at..end])?);
        at = end;
    }
    frames.extend(decoder.feed(&[])?);
    decoder.finish()?;
    Ok(frames)
}

/// What [`stream`] does, with a borrowed codec that keeps its state across calls (and across
/// streams): one buffer grown by the chunks `sizes` gives (cycled), decoded after each chunk (so a
/// codec left in a bad state would see a buffer at least as long as before). A
/// stream ending inside a frame is `incomplete` and `reset()` lets the codec take the next one;
/// after an error the codec is given the next stream as it is.
fn drive(codec: &mut DnodeCodec, bytes: &[u8], sizes: &[usize]) -> wire_core::Result<Vec<Dmsg>> {
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    let mut position = 0;
    let mut at = 0;
    for size in sizes.iter().cycle() {
        if at >= bytes.len() {
            break;
        }
        let end = (at + size).min(bytes.len());
        buf.extend_from_slice(&bytes[at..end]);
        at = end;
        loop {
            let before = buf.len();
            match codec.decode(&mut buf) {
                Ok(Some(frame)) => {
                    position += before - buf.len();
                    frames.push(frame);
                }
                Ok(None) => break,
                Err(e) => return Err(e.shifted(position)),
            }
        }
    }
    if buf.is_empty() {
        return Ok(frames);
    }
    codec.reset();
    Err(Error::incomplete(
        Protocol::Dnode,
        bytes.len(),
        format!("stream ends inside a frame ({} bytes buffered)", buf.len()),
    ))
}

/// A stream built from `msgs`: as encoded, after garbage, cut short, or with one byte replaced.
fn arb_stream() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(arb_dmsg(), 1..4),
        0..4u8,
        prop::collection::vec(
            any::<u8>().prop_filter("not space or $", |b| *b != b' ' && *b != b'$'),
            1..8,
        ),
        any::<prop::sample::Index>(),
        any::<u8>(),
    )
        .prop_map(|(msgs, how, garbage, at, byte)| {
            let mut bytes = concat(&msgs);
            match how {
                0 => {}
                1 => {
                    bytes.splice(0..0, garbage);
                }
                2 => bytes.truncate(at.index(bytes.len())),
                _ => {
                    let i = at.index(bytes.len());
                    bytes[i] = byte;
                }
            }
            bytes
        })
}

fn concat(msgs: &[Dmsg]) -> Vec<u8> {
    msgs.iter()
        .flat_map(|m| dnode::encode(m).unwrap())
        .collect()
}

proptest! {
    #[test]
    fn round_trip(msg in arb_dmsg()) {
        let mut codec = DnodeCodec::default();
        let bytes = encode_to_vec(&mut codec, &msg).unwrap();
        prop_assert_eq!(codec.encoded_len(&msg).unwrap(), bytes.len());
        prop_assert_eq!(dnode::decode(&bytes).unwrap(), msg.clone());
        prop_assert_eq!(codec.from_json(&codec.to_json(&msg)).unwrap(), msg.clone());
        let (header, len) = dnode::parse_header(&bytes).unwrap().unwrap();
        prop_assert_eq!(len + msg.payload.len(), bytes.len());
        prop_assert_eq!(header, msg.header().unwrap());
    }

    #[test]
    fn empty_data_is_the_flavour_placeholder(mut msg in arb_dmsg(), gossip in any::<bool>()) {
        let flavour = if gossip { Flavour::Gossip } else { Flavour::Plain };
        msg.data = Bytes::new();
        let mut codec = DnodeCodec::default().with_flavour(flavour);
        let decoded = dnode::decode(&encode_to_vec(&mut codec, &msg).unwrap()).unwrap();
        prop_assert_eq!(&decoded.data[..], &[flavour.placeholder()][..]);
        msg.data = decoded.data.clone();
        prop_assert_eq!(decoded, msg);
    }

    #[test]
    fn stream_equals_one_shot(
        msgs in prop::collection::vec(arb_dmsg(), 1..6),
        sizes in prop::collection::vec(1usize..64, 1..20),
    ) {
        let bytes = concat(&msgs);
        prop_assert_eq!(decode_all(DnodeCodec::default(), &bytes).unwrap(), msgs.clone());
        prop_assert_eq!(stream(&bytes, &[1]).unwrap(), msgs.clone());
        prop_assert_eq!(stream(&bytes, &sizes).unwrap(), msgs);
    }

    #[test]
    fn truncation_is_incomplete_in_any_chunking(
        msgs in prop::collection::vec(arb_dmsg(), 1..4),
        cut in any::<prop::sample::Index>(),
        sizes in prop::collection::vec(1usize..32, 1..10),
    ) {
        let bytes = concat(&msgs);
        let last = dnode::encode(msgs.last().unwrap()).unwrap().len();
        let keep = bytes.len() - 1 - cut.index(last - 1);
        let e = stream(&bytes[..keep], &sizes).unwrap_err();
        prop_assert_eq!(e.kind(), ErrorKind::Incomplete);
        prop_assert_eq!(stream(&bytes[..keep], &[1]).unwrap_err(), e);
    }

    #[test]
    fn garbage_before_the_magic_is_reported(
        msgs in prop::collection::vec(arb_dmsg(), 1..4),
        garbage in prop::collection::vec(any::<u8>().prop_filter("not space or $", |b| *b != b' ' && *b != b'$'), 1..24),
        spaces in 0usize..4,
        sizes in prop::collection::vec(1usize..32, 1..10),
    ) {
        let mut bytes = vec![b' '; spaces];
        bytes.extend(&garbage);
        bytes.extend(concat(&msgs));
        let e = dnode::decode(&bytes).unwrap_err();
        prop_assert_eq!((e.kind(), e.offset()), (ErrorKind::Malformed, Some(spaces)));
        // No silent resync: the stream fails at the same byte whatever the chunking.
        prop_assert_eq!(stream(&bytes, &[1]).unwrap_err(), e.clone());
        prop_assert_eq!(stream(&bytes, &sizes).unwrap_err(), e.clone());
        prop_assert_eq!(decode_all(DnodeCodec::default(), &bytes).unwrap_err(), e);
    }

    #[test]
    fn garbage_between_frames_stops_the_stream_there(
        msgs in prop::collection::vec(arb_dmsg(), 1..4),
        garbage in prop::collection::vec(any::<u8>().prop_filter("not space or $", |b| *b != b' ' && *b != b'$'), 1..8),
        sizes in prop::collection::vec(1usize..32, 1..10),
    ) {
        let good = concat(&msgs);
        let mut bytes = good.clone();
        bytes.extend(&garbage);
        bytes.extend(concat(&msgs));
        let mut decoder = StreamDecoder::new(DnodeCodec::default());
        decoder.push(&bytes);
        for m in &msgs {
            prop_assert_eq!(decoder.next_frame().unwrap(), Some(m.clone()));
        }
        let e = decoder.next_frame().unwrap_err();
        prop_assert_eq!((e.kind(), e.offset()), (ErrorKind::Malformed, Some(good.len())));
        prop_assert_eq!(stream(&bytes, &sizes).unwrap_err(), e);
    }

    #[test]
    fn one_codec_reused_across_chunkings_equals_one_shot(
        streams in prop::collection::vec(arb_stream(), 1..6),
        sizes in prop::collection::vec(1usize..48, 1..12),
    ) {
        // One codec for every stream and chunking: its state after a frame, an error or
        // reset() never leaks into what comes next.
        let mut codec = DnodeCodec::default();
        for bytes in &streams {
            let whole = decode_all(DnodeCodec::default(), bytes);
            prop_assert_eq!(&drive(&mut codec, bytes, &sizes), &whole);
            prop_assert_eq!(&drive(&mut codec, bytes, &[1]), &whole);
            prop_assert_eq!(&drive(&mut codec, bytes, &[bytes.len().max(1)]), &whole);
            prop_assert_eq!(&stream(bytes, &sizes), &whole);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = dnode::decode(&data);
        let _ = dnode::parse_header(&data);
        let _ = dnode::Handshake::decode(&data);
        let whole = decode_all(DnodeCodec::default(), &data);
        prop_assert_eq!(stream(&data, &[1]), whole);
    }

    #[test]
    fn handshake_round_trip(
        entries in prop::collection::vec(
            ("[ -~]{0,40}", prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..5)),
            0..8,
        )
    ) {
        let hs = dnode::Handshake::new(
            entries
                .into_iter()
                .map(|(name, values)| dnode::CapabilityAdEntry {
                    name,
                    supported: values.into_iter().map(Bytes::from).collect(),
                })
                .collect(),
        );
        let bytes = hs.encode().unwrap();
        prop_assert_eq!(hs.encoded_len().unwrap(), bytes.len());
        prop_assert_eq!(dnode::Handshake::decode_prefix(&bytes).unwrap(), (hs.clone(), bytes.len()));
        prop_assert_eq!(dnode::handshake_from_json(&dnode::handshake_to_json(&hs)).unwrap(), hs);
    }
}
