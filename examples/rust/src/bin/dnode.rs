//! dnode: a Dynomite request carrying a Redis command, and reading it back from a stream.

use wire_core::dnode::{self, Dmsg, DmsgType, DnodeCodec};
use wire_core::{Codec, StreamDecoder};

fn main() -> Result<(), wire_core::Error> {
    let request = Dmsg::new(
        7,
        DmsgType::from_name("DMSG_REQ").expect("named type"),
        "*1\r\n$4\r\nPING\r\n".into(),
    );
    let bytes = dnode::encode(&request)?;
    // Decoding shows the placeholder data byte the writer put in the header ("d").
    let decoded = dnode::decode(&bytes)?;
    assert_eq!(
        (decoded.id, &decoded.payload),
        (request.id, &request.payload)
    );
    println!("{}", String::from_utf8_lossy(&bytes).escape_debug());

    // Two messages back to back, fed one byte at a time: the same messages come out.
    let mut stream = StreamDecoder::new(DnodeCodec::default());
    let mut frames = Vec::new();
    for byte in [bytes.clone(), bytes].concat() {
        frames.extend(stream.feed(&[byte])?);
    }
    stream.finish()?;
    assert_eq!(frames, [decoded.clone(), decoded]);
    println!("{}", DnodeCodec::default().to_json(&frames[0]));
    Ok(())
}
