//! `decode_exact_owned` and `StreamDecoder::buffered_bytes`: decoded payloads are slices of the
//! buffer the caller handed over, and errors match `decode_exact`.

use bytes::BytesMut;
use wire_core::{dataexchange, decode_exact, decode_exact_owned, ErrorKind, StreamDecoder};

fn frame(payload: &[u8]) -> Vec<u8> {
    dataexchange::encode(&dataexchange::Frame::Binary {
        payload: payload.to_vec().into(),
    })
    .unwrap()
}

#[test]
fn owned_decode_slices_the_callers_buffer() {
    let bytes = frame(b"hello");
    let buf = BytesMut::from(&bytes[..]);
    let base = buf.as_ptr() as usize;
    let mut codec = dataexchange::DataexchangeCodec::default();
    let decoded = decode_exact_owned(&mut codec, buf).unwrap();
    assert_eq!(decoded.payload().unwrap().as_ptr() as usize, base + 8);
    assert_eq!(decoded, decode_exact(&mut codec, &bytes).unwrap());
}

#[test]
fn owned_decode_errors_match_decode_exact() {
    let mut bytes = frame(b"hello");
    let mut codec = dataexchange::DataexchangeCodec::default();
    for input in [bytes[..10].to_vec(), {
        bytes.push(0);
        bytes.clone()
    }] {
        let a = decode_exact(&mut codec, &input).unwrap_err();
        let b = decode_exact_owned(&mut codec, BytesMut::from(&input[..])).unwrap_err();
        assert_eq!(a, b);
        assert!(matches!(
            a.kind(),
            ErrorKind::Incomplete | ErrorKind::TrailingBytes
        ));
    }
}

#[test]
fn buffered_bytes_are_the_undecoded_bytes_and_frames_slice_them() {
    let mut all = frame(b"one");
    all.extend(frame(b"two"));
    let mut stream = StreamDecoder::new(dataexchange::DataexchangeCodec::default());
    stream.push(&all[..14]);
    assert_eq!(stream.buffered_bytes(), &all[..14]);
    let base = stream.buffered_bytes().as_ptr() as usize;
    let first = stream.next_frame().unwrap().unwrap();
    assert_eq!(first.payload().unwrap().as_ptr() as usize, base + 8);
    assert_eq!(stream.buffered_bytes(), &all[11..14]);
}

/// A TypeFileStream CHUNK's data (and its transfer id) are slices of the caller's buffer too.
#[test]
fn chunk_data_slices_the_callers_buffer() {
    let bytes = dataexchange::encode(&dataexchange::Frame::FileStream {
        transfer_id: vec![1; 16].into(),
        control: dataexchange::Control::Chunk {
            offset: 0,
            data: vec![2; 49152].into(),
        },
    })
    .unwrap();
    let buf = BytesMut::from(&bytes[..]);
    let base = buf.as_ptr() as usize;
    let decoded = decode_exact_owned(&mut dataexchange::DataexchangeCodec::default(), buf).unwrap();
    let dataexchange::Frame::FileStream {
        transfer_id,
        control: dataexchange::Control::Chunk { data, .. },
    } = decoded
    else {
        panic!("a CHUNK: {decoded:?}")
    };
    assert_eq!(transfer_id.as_ptr() as usize, base + 9);
    assert_eq!((data.as_ptr() as usize, data.len()), (base + 33, 49152));
}
