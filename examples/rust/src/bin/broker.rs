//! broker: the client's Hello request framed as the running-process broker sends it.

use wire_core::broker::{self, prost::Message, BrokerCodec, Frame, FrameKind, Framed, Hello};
use wire_core::Codec;

fn main() -> Result<(), wire_core::Error> {
    let hello = Hello {
        client_min_protocol: 1,
        client_max_protocol: 1,
        ..Hello::default()
    };
    let frame = Frame {
        envelope_version: 1,
        kind: FrameKind::Request as i32,
        request_id: 1,
        payload: hello.encode_to_vec().into(),
        ..Frame::default()
    };
    let bytes = broker::encode(&frame)?; // [u8 1][u32 LE length][Frame]
    let decoded = broker::decode(&bytes)?;
    assert_eq!(decoded, frame);
    // The payload decodes by its schema (payload_protocol 0 + REQUEST = Hello).
    println!("{:?}", decoded.payload_message());
    println!("{}", BrokerCodec::default().to_json(&Framed::from(decoded)));
    Ok(())
}
