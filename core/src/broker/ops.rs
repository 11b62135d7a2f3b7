//! The protocol's operations besides the codec's, in the calling convention every binding's
//! generated layer uses (see [`crate::schema::Operation`]).

use bytes::Bytes;

use super::{AnyMessage, Frame, Payload};
use crate::Result;

/// Decode a bare message of the type named `type_name`.
pub fn decode_message(type_name: &str, data: &Bytes) -> Result<AnyMessage> {
    AnyMessage::decode(type_name, data)
}

/// Encode a bare message.
pub fn encode_message(message: &AnyMessage) -> Result<Bytes> {
    Ok(message.encode().into())
}

/// The canonical JSON of a bare message.
#[cfg(feature = "json")]
pub fn message_to_json(message: &AnyMessage) -> Result<serde_json::Value> {
    Ok(message.to_json())
}

/// A bare message from its canonical JSON.
#[cfg(feature = "json")]
pub fn message_from_json(json: &serde_json::Value) -> Result<AnyMessage> {
    AnyMessage::from_json(json)
}

/// Encode a frame's payload message.
pub fn encode_payload(payload: &Payload) -> Result<Bytes> {
    Ok(payload.encode())
}

/// The payload decoded by its schema: `None` for opaque payloads.
pub fn payload_message(frame: &Frame) -> Result<Option<Payload>> {
    frame.payload_message().transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_payload_is_the_payload_message_again() {
        let frame = Frame {
            envelope_version: 1,
            kind: super::super::v1::FrameKind::Request as i32,
            payload_protocol: super::super::CONTROL_PAYLOAD_PROTOCOL,
            payload: encode_message(&AnyMessage::Hello(super::super::v1::Hello {
                service_name: "svc".into(),
                ..Default::default()
            }))
            .unwrap(),
            ..Default::default()
        };
        let payload = payload_message(&frame).unwrap().expect("a Hello payload");
        assert_eq!(encode_payload(&payload).unwrap(), frame.payload);
    }
}
