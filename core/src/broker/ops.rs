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

/// The payload decoded by its schema: `None` for opaque payloads.
pub fn payload_message(frame: &Frame) -> Result<Option<Payload>> {
    frame.payload_message().transpose()
}
