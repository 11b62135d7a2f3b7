//! The protocol's operations besides the codec's, in the calling convention every binding's
//! generated layer uses (see [`crate::schema::Operation`]).

use bytes::Bytes;

use super::{ProtocolMessage, ReplicationCodec};
use crate::Result;

/// Decode exactly one bare message (no length prefix) in the codec's layout.
pub fn decode_message(codec: &ReplicationCodec, data: &Bytes) -> Result<ProtocolMessage> {
    super::decode_message(data, codec.layout())
}

/// Decode the bare message at the start of `data`, and the bytes it used.
pub fn decode_message_prefix(
    codec: &ReplicationCodec,
    data: &Bytes,
) -> Result<(ProtocolMessage, u64)> {
    super::decode_message_prefix(data, codec.layout()).map(|(m, used)| (m, used as u64))
}

/// Encode a bare message in the codec's layout.
pub fn encode_message(codec: &ReplicationCodec, message: &ProtocolMessage) -> Result<Bytes> {
    super::encode_message(message, codec.layout()).map(Bytes::from)
}

/// The service-name preamble a connection starts with.
pub fn encode_preamble(service: &str) -> Result<Bytes> {
    super::encode_preamble(service).map(Bytes::from)
}

/// The service-name preamble at the start of `data`, and the bytes it used.
pub fn decode_preamble(data: &Bytes) -> Result<(String, u64)> {
    super::decode_preamble(data).map(|(service, used)| (service, used as u64))
}
