//! A real socket: a thread writes dataexchange frames to 127.0.0.1 in odd-sized writes; the
//! reader decodes them with a `StreamDecoder` as they arrive.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

use wire_core::dataexchange::{self, DataexchangeCodec, Frame};
use wire_core::StreamDecoder;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let sent: Vec<Frame> = (0..100)
        .map(|i| Frame::Text {
            payload: format!("message {i}").into(),
        })
        .collect();

    let frames = sent.clone();
    let writer = thread::spawn(
        move || -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
            let mut socket = TcpStream::connect(addr)?;
            let bytes: Vec<u8> = frames
                .iter()
                .map(dataexchange::encode)
                .collect::<Result<Vec<_>, _>>()?
                .concat();
            for chunk in bytes.chunks(7) {
                socket.write_all(chunk)?;
            }
            Ok(())
        },
    );

    let (mut socket, _) = listener.accept()?;
    let mut stream = StreamDecoder::new(DataexchangeCodec::default());
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = socket.read(&mut buf)?;
        if n == 0 {
            break;
        }
        received.extend(stream.feed(&buf[..n])?);
    }
    stream.finish()?;
    writer
        .join()
        .expect("writer thread")
        .map_err(|e| e.to_string())?;
    assert_eq!(received, sent);
    println!("received {} frames over {addr}", received.len());
    Ok(())
}
