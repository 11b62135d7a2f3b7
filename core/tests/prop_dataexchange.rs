//! Property tests: decode(encode(x)) == x, and any chunking of a stream decodes to exactly the
//! one-shot frames.

use bytes::Bytes;
use proptest::prelude::*;
use wire_core::dataexchange::{self, Control, DataexchangeCodec, Frame};
use wire_core::{decode_all, StreamDecoder};

fn bytes(max: usize) -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from)
}

/// File names the reference reader at main accepts: UTF-8 of up to 255 bytes, no separators,
/// not `.`/`..`.
fn filename() -> impl Strategy<Value = Bytes> {
    "[^/\\\\]{0,80}"
        .prop_filter("at most 255 bytes, not . or ..", |n: &String| {
            n.len() <= 255 && n != "." && n != ".."
        })
        .prop_map(Bytes::from)
}

fn fixed(len: usize) -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), len).prop_map(Bytes::from)
}

/// Every control kind; INIT names any bytes up to 255 (the stream decoders check no more).
fn control() -> impl Strategy<Value = Control> {
    prop_oneof![
        (
            any::<u64>(),
            fixed(32),
            any::<u32>(),
            bytes(256).prop_filter("255 bytes at most", |n| n.len() <= 255)
        )
            .prop_map(|(size, sha256, chunk_size, filename)| Control::Init {
                size,
                sha256,
                chunk_size,
                filename
            }),
        (any::<u64>(), bytes(64)).prop_map(|(offset, data)| Control::Chunk { offset, data }),
        any::<u64>().prop_map(|offset| Control::Ack { offset }),
        Just(Control::Done),
        any::<u64>().prop_map(|offset| Control::InitAck { offset }),
        (any::<bool>(), bytes(32)).prop_map(|(ok, message)| Control::Complete { ok, message }),
        bytes(32).prop_map(|reason| Control::Abort { reason }),
        (
            any::<u8>().prop_filter("unknown kinds only", |k| !(1..=7).contains(k)),
            bytes(32)
        )
            .prop_map(|(r#type, body)| Control::UnknownKind { r#type, body }),
    ]
}

fn frame() -> impl Strategy<Value = Frame> {
    prop_oneof![
        bytes(64).prop_map(|payload| Frame::Text { payload }),
        bytes(64).prop_map(|payload| Frame::Binary { payload }),
        bytes(64).prop_map(|payload| Frame::Json { payload }),
        (filename(), bytes(64)).prop_map(|(filename, payload)| Frame::File { filename, payload }),
        (any::<u32>(), any::<i64>(), bytes(64)).prop_map(|(inner_type, sent_at_ns, payload)| {
            Frame::Trace {
                inner_type,
                sent_at_ns,
                payload,
            }
        }),
        (
            any::<u32>().prop_filter("unknown types only", |t| !(1..=5).contains(t) && *t != 7),
            bytes(64)
        )
            .prop_map(|(r#type, payload)| Frame::Unknown { r#type, payload }),
        (fixed(16), control()).prop_map(|(transfer_id, control)| Frame::FileStream {
            transfer_id,
            control
        }),
    ]
}

proptest! {
    #[test]
    fn round_trip(frame in frame()) {
        let bytes = dataexchange::encode(&frame).unwrap();
        prop_assert_eq!(dataexchange::decode(&bytes).unwrap(), frame);
    }

    #[test]
    fn any_chunking_equals_one_shot(
        frames in proptest::collection::vec(frame(), 0..8),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..16),
        tail in proptest::collection::vec(any::<u8>(), 0..12),
    ) {
        let mut stream: Vec<u8> = frames.iter().flat_map(|f| dataexchange::encode(f).unwrap()).collect();
        stream.extend_from_slice(&tail);
        let one_shot = decode_all(DataexchangeCodec::default(), &stream);

        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        points.sort_unstable();
        let mut decoder = StreamDecoder::new(DataexchangeCodec::default());
        let mut got = Vec::new();
        let mut start = 0;
        let mut outcome = Ok(());
        for end in points.into_iter().chain([stream.len()]) {
            match decoder.feed(&stream[start..end]) {
                Ok(f) => got.extend(f),
                Err(e) => { outcome = Err(e); break; }
            }
            start = end;
        }
        let chunked = outcome.and_then(|()| decoder.finish()).map(|()| got.clone());
        prop_assert_eq!(&chunked, &one_shot);
        if tail.is_empty() {
            prop_assert_eq!(chunked.unwrap(), frames);
        }
    }

    #[test]
    fn byte_at_a_time_equals_one_shot(frames in proptest::collection::vec(frame(), 1..5)) {
        let stream: Vec<u8> = frames.iter().flat_map(|f| dataexchange::encode(f).unwrap()).collect();
        let mut decoder = StreamDecoder::new(DataexchangeCodec::default());
        let mut got = Vec::new();
        for b in &stream {
            got.extend(decoder.feed(std::slice::from_ref(b)).unwrap());
        }
        decoder.finish().unwrap();
        prop_assert_eq!(got, frames);
    }

    #[test]
    fn arbitrary_input_never_panics(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = dataexchange::decode(&data);
        let _ = decode_all(DataexchangeCodec::default(), &data);
    }
}

#[test]
fn hostile_length_allocates_nothing_for_the_declared_size() {
    // Largest length under the limit, with no payload: the decoder waits and holds 8 bytes.
    let mut decoder = StreamDecoder::new(DataexchangeCodec::default());
    assert!(decoder
        .feed(&[0, 0, 0, 1, 0x04, 0, 0, 0])
        .unwrap()
        .is_empty());
    assert_eq!(decoder.buffered(), 8);
    // Past the limit: refused from the header alone.
    let e = dataexchange::decode(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]).unwrap_err();
    assert_eq!(e.kind(), wire_core::ErrorKind::TooLarge);
    assert!(
        e.reason().contains("4294967295") && e.reason().contains("67108864"),
        "{e}"
    );
}

#[test]
fn a_failed_stream_stays_failed() {
    let mut decoder = StreamDecoder::new(DataexchangeCodec::default());
    let e = decoder
        .feed(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff])
        .unwrap_err();
    assert_eq!(e.offset(), Some(4));
    assert_eq!(decoder.feed(&[0, 0, 0, 1, 0, 0, 0, 0]).unwrap_err(), e);
    assert_eq!(decoder.finish().unwrap_err(), e);
}

#[test]
fn frames_before_an_error_are_returned_first() {
    let mut stream = dataexchange::encode(&Frame::Text {
        payload: Bytes::from_static(b"ok"),
    })
    .unwrap();
    stream.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 4, 0, 2, b'.', b'.']);
    let mut decoder = StreamDecoder::new(DataexchangeCodec::default());
    assert_eq!(decoder.feed(&stream).unwrap().len(), 1);
    let e = decoder.feed(&[]).unwrap_err();
    // Offsets count from the start of the stream: second frame at 10, its name at 10 + 10.
    assert_eq!(
        (e.kind(), e.offset()),
        (wire_core::ErrorKind::Malformed, Some(20))
    );
}
