//! The `tokio` feature: every codec is a tokio-util `Decoder`/`Encoder`, used here over a real
//! loopback TCP connection with `FramedRead`/`FramedWrite`.
#![cfg(feature = "tokio")]

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::{FramedRead, FramedWrite};
use wire_core::dataexchange::{DataexchangeCodec, Frame};

#[tokio::test]
async fn dataexchange_frames_over_loopback() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let frames = vec![
        Frame::Text {
            payload: Bytes::from_static(b"hello"),
        },
        Frame::File {
            filename: Bytes::from_static(b"a.txt"),
            payload: Bytes::from_static(b"data"),
        },
        Frame::Trace {
            inner_type: 1,
            sent_at_ns: -5,
            payload: Bytes::new(),
        },
    ];
    let sent = frames.clone();
    let client = tokio::spawn(async move {
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut sink = FramedWrite::new(stream, DataexchangeCodec::default());
        for f in &sent {
            sink.send(f).await.unwrap();
        }
    });
    let (socket, _) = listener.accept().await.unwrap();
    let received: Vec<Frame> = FramedRead::new(socket, DataexchangeCodec::default())
        .map(|r| r.unwrap())
        .collect()
        .await;
    client.await.unwrap();
    assert_eq!(received, frames);
}

#[tokio::test]
async fn decode_errors_surface_as_io_errors_carrying_the_wire_error() {
    let bytes: &[u8] = &[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff];
    let mut reader = FramedRead::new(bytes, DataexchangeCodec::default());
    let e = reader.next().await.unwrap().unwrap_err();
    let inner = e
        .get_ref()
        .and_then(|e| e.downcast_ref::<wire_core::Error>())
        .unwrap();
    assert_eq!(inner.kind(), wire_core::ErrorKind::TooLarge);
}
