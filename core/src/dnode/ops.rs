//! The protocol's operations besides the codec's, in the calling convention every binding's
//! generated layer uses (see [`crate::schema::Operation`]).

use bytes::Bytes;

use super::{DmsgHeader, DnodeCodec, Handshake};
use crate::Result;

/// The header at the start of `data` and its length, or `None` when `data` ends inside it.
pub fn parse_header(codec: &DnodeCodec, data: &Bytes) -> Result<Option<(DmsgHeader, u64)>> {
    Ok(codec
        .parse_header(data)?
        .map(|(header, len)| (header, len as u64)))
}

/// The bytes of a header alone.
pub fn encode_header(codec: &DnodeCodec, header: &DmsgHeader) -> Result<Bytes> {
    let mut dst = bytes::BytesMut::with_capacity(codec.header_encoded_len(header)?);
    codec.encode_header(header, &mut dst)?;
    Ok(dst.freeze())
}

/// Decode a handshake payload (exactly one).
pub fn decode_handshake(data: &Bytes) -> Result<Handshake> {
    Handshake::decode(data)
}

/// Decode the handshake at the start of `data`, and the bytes it used.
pub fn decode_handshake_prefix(data: &Bytes) -> Result<(Handshake, u64)> {
    Handshake::decode_prefix(data).map(|(hs, used)| (hs, used as u64))
}

/// Encode a handshake payload.
pub fn encode_handshake(handshake: &Handshake) -> Result<Bytes> {
    handshake.encode().map(Bytes::from)
}

/// The canonical JSON of a header.
#[cfg(feature = "json")]
pub fn header_to_json(header: &DmsgHeader) -> Result<serde_json::Value> {
    Ok(super::header_to_json(header))
}

/// A header from its canonical JSON.
#[cfg(feature = "json")]
pub fn header_from_json(json: &serde_json::Value) -> Result<DmsgHeader> {
    super::header_from_json(json)
}

/// The canonical JSON of a handshake payload.
#[cfg(feature = "json")]
pub fn handshake_to_json(handshake: &Handshake) -> Result<serde_json::Value> {
    Ok(super::handshake_to_json(handshake))
}

/// A handshake payload from its canonical JSON.
#[cfg(feature = "json")]
pub fn handshake_from_json(json: &serde_json::Value) -> Result<Handshake> {
    super::handshake_from_json(json)
}
