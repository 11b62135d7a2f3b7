//! The README's Rust example: encode, one-shot decode, and streaming decode in small chunks.

use wire_core::dataexchange::{self, DataexchangeCodec, Frame};
use wire_core::StreamDecoder;

fn main() -> Result<(), wire_core::Error> {
    let bytes = dataexchange::encode(&Frame::Text {
        payload: "hello".into(),
    })?;
    assert_eq!(
        dataexchange::decode(&bytes)?,
        Frame::Text {
            payload: "hello".into()
        }
    );

    let mut stream = StreamDecoder::new(DataexchangeCodec::default());
    for chunk in bytes.chunks(3) {
        for frame in stream.feed(chunk)? {
            println!("{frame:?}");
        }
    }
    stream.finish()?; // `incomplete` if the stream ended inside a frame
    Ok(())
}
