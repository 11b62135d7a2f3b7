//! running-process broker v1 frames, byte-compatible with `running-process` /
//! `running-process-protocol` 4.10.21 (prost 0.14).
//!
//! ```text
//! [u8 framing version = 1][u32 LE body_length][body: prost running_process.broker.v1.Frame]
//! ```
//!
//! The body is a protobuf `Frame` whose `payload` carries another message chosen by
//! `payload_protocol` and `kind` (see [`PayloadSchema`]). Every message of the v1 package (the
//! envelope, admin, manifest and service definition files) is compiled from wire's own `.proto`
//! files (`core/proto/broker_v1/`) into the prost types of [`v1`]; [`AnyMessage`] encodes and
//! decodes any of them bare (no framing) by type name.
//!
//! Decoding follows the reference's `try_decode_framed`: a first byte other than 1 is
//! `unsupported_version` as soon as it arrives; a body length over the limit is `too_large`
//! from the 5-byte header alone (a length equal to the limit is accepted); a body that is not a
//! valid protobuf `Frame` is `malformed` with prost's reason. Protobuf decoding is prost's:
//! unknown fields (including reserved ones) are skipped and not kept, enums are open (unknown
//! values round-trip), over-wide uint32 varints keep their low 32 bits, duplicate scalars take
//! the last value and duplicate messages merge. Encoding is prost's, except that map entries are
//! written in sorted key order (the reference's order is random).
//!
//! Limits: `max_frame_size` is the largest body length accepted (default [`MAX_FRAME_BYTES`],
//! 16 MiB). The broker reads a Hello with [`MAX_HELLO_BYTES`]: use [`BrokerCodec::hello`] or set
//! `max_frame_size` to 65536.
//!
//! [`BrokerCodec`] yields [`Framed`] (the `Frame` plus the body length its header declared);
//! one-shot [`decode`] / [`encode`] work on the `Frame` alone. A frame never fails to decode
//! because of its payload: [`Frame::payload_message`] decodes the payload on demand, and the
//! canonical JSON (`{"framing_version", "body_length", "frame", "payload_message"}`) carries
//! `payload_message` only when the payload has a schema and decodes as it. The JSON of a bare
//! message ([`AnyMessage::to_json`]) is `{"type": name, "fields"}`, for `Frame` too (its 9
//! fields, no framing).

use std::mem::MaybeUninit;

use bytes::{Buf, BufMut, BytesMut};
use prost::Message as _;

use crate::{Codec, Error, ErrorKind, Limits, Protocol, Result};

#[cfg(feature = "json")]
mod json;
mod message;
pub mod ops;
mod payload;
pub(crate) mod schema;

pub use message::{decode_message, encode_message, AnyMessage, BrokerMessage};
pub use payload::{Payload, PayloadSchema, ProbeResponse, PROBE_NONCE_LEN};
/// The prost message types (re-exported so callers need no direct prost dependency).
pub use prost;

/// The prost types of package `running_process.broker.v1`, generated at build time from
/// `core/proto/broker_v1/*.proto`. Field meanings are in the spec's tables (the reference's
/// `.proto` comments are not copied).
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod v1 {
    include!(concat!(env!("OUT_DIR"), "/running_process.broker.v1.rs"));
}

pub use v1::{
    hello_reply, AdminReply, AdminReplyKind, AdminRequest, AdminVerb, BrokerIsolation,
    CacheManifest, CacheRoot, CacheRootKind, CleanupPolicy, DaemonProcess, Endpoint, ErrorCode,
    EventKind, Frame, FrameKind, HandoffAck, HandoffOffer, Hello, HelloReply, HostIdentity,
    LifecycleEvent, ManifestRef, Negotiated, ObservabilityInfo, Operation, OperationKind,
    Ownership, PayloadEncoding, Quota, Refused, ServiceDefinition, StorageDisposition,
    TeardownHook, TeardownKind,
};

const P: Protocol = Protocol::Broker;

/// The framing byte, `FRAMING_VERSION_V1` (also the reference's `ENVELOPE_VERSION`).
pub const FRAMING_VERSION_V1: u8 = 1;
/// `PROTOCOL_VERSION`: the value of `Frame.envelope_version` in v1 (checked by the broker, not
/// by the codec).
pub const PROTOCOL_VERSION: u32 = 1;
/// Framing byte plus the u32 LE body length.
pub const FRAME_HEADER_BYTES: usize = 5;
/// `MAX_FRAME_BYTES`: largest body (header not counted), 16 MiB.
pub const MAX_FRAME_BYTES: u64 = 16 * 1024 * 1024;
/// `MAX_HELLO_BYTES`: largest body of the first (Hello) frame the broker reads, 64 KiB.
pub const MAX_HELLO_BYTES: u64 = 64 * 1024;
/// `CAP_HANDLE_PASSING`: bit 0 of `Hello.client_capabilities` / `Negotiated.server_capabilities`.
pub const CAP_HANDLE_PASSING: u64 = 1;

/// `CONTROL_PAYLOAD_PROTOCOL`: Hello / HelloReply.
pub const CONTROL_PAYLOAD_PROTOCOL: u32 = 0x0000;
/// `ADMIN_PAYLOAD_PROTOCOL`: AdminRequest / AdminReply.
pub const ADMIN_PAYLOAD_PROTOCOL: u32 = 0xAD01;
/// `BACKEND_HANDLE_PROBE_PAYLOAD_PROTOCOL`: nonce / nonce ++ DaemonProcess.
pub const BACKEND_HANDLE_PROBE_PAYLOAD_PROTOCOL: u32 = 0xB232;
/// `HANDOFF_PAYLOAD_PROTOCOL`: HandoffOffer / HandoffAck.
pub const HANDOFF_PAYLOAD_PROTOCOL: u32 = 0xD0FF;
/// `SESSION_PAYLOAD_PROTOCOL`: a broker.v2 `SessionFrame` (outside v1: opaque here).
pub const SESSION_PAYLOAD_PROTOCOL: u32 = 0x5350;
/// First id of the registered-consumer range (opaque payloads).
pub const CONSUMER_PAYLOAD_PROTOCOL_MIN: u32 = 0x7000;
/// Last id of the registered-consumer range.
pub const CONSUMER_PAYLOAD_PROTOCOL_MAX: u32 = 0x7EFF;
/// `ZCCACHE_PAYLOAD_PROTOCOL`.
pub const ZCCACHE_PAYLOAD_PROTOCOL: u32 = 0x7A63;
/// `CLUD_PAYLOAD_PROTOCOL`.
pub const CLUD_PAYLOAD_PROTOCOL: u32 = 0x7C4C;
/// `FBUILD_PAYLOAD_PROTOCOL`.
pub const FBUILD_PAYLOAD_PROTOCOL: u32 = 0x7EB1;
/// First id of the private-use range.
pub const PRIVATE_USE_PAYLOAD_PROTOCOL_MIN: u32 = 0xF000;
/// Last id of the private-use range.
pub const PRIVATE_USE_PAYLOAD_PROTOCOL_MAX: u32 = 0xFFFF;

/// A decoded framed message: the `Frame` and the body length its header declared.
///
/// `body_length` matters only for non-canonical bodies (duplicate or unknown fields, long
/// varints), whose length differs from the re-encoding's. Encoding ignores it and writes the
/// actual length; [`Framed::from`] a `Frame` sets it to that length.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Framed {
    /// The `Frame` message.
    pub frame: Frame,
    /// The header's body length.
    pub body_length: u32,
}

impl From<Frame> for Framed {
    fn from(frame: Frame) -> Framed {
        let body_length = u32::try_from(frame.encoded_len()).unwrap_or(u32::MAX);
        Framed { frame, body_length }
    }
}

impl Frame {
    /// The payload's schema by `payload_protocol` and `kind`, if the v1 package defines one
    /// (see [`PayloadSchema::of`]).
    pub fn payload_schema(&self) -> Option<PayloadSchema> {
        PayloadSchema::of(self)
    }

    /// The payload decoded by its schema: `None` for opaque payloads, `Some(Err(malformed))`
    /// when the payload is not the message its schema announces.
    pub fn payload_message(&self) -> Option<Result<Payload>> {
        PayloadSchema::of(self).map(|schema| schema.decode(&self.payload))
    }
}

/// The broker [`Codec`]: one framed `Frame` ([`Framed`]) per call. Limit: `max_frame_size` = largest body
/// length accepted (default [`MAX_FRAME_BYTES`]; equal to the limit is accepted, like the
/// reference); `max_decompressed_size` is unused (the codec never decompresses payloads).
#[derive(Debug, Clone)]
pub struct BrokerCodec {
    limits: Limits,
}

impl Default for BrokerCodec {
    fn default() -> Self {
        BrokerCodec {
            limits: Self::DEFAULT_LIMITS,
        }
    }
}

impl BrokerCodec {
    /// The reference's limits: 16 MiB bodies.
    pub const DEFAULT_LIMITS: Limits = Limits {
        max_frame_size: MAX_FRAME_BYTES,
        max_decompressed_size: 0,
    };

    /// A codec with the broker's Hello cap ([`MAX_HELLO_BYTES`]), as its dedicated Hello reader
    /// (`read_frame_with_cap(MAX_HELLO_BYTES)`) uses.
    pub fn hello() -> Self {
        BrokerCodec {
            limits: Limits {
                max_frame_size: MAX_HELLO_BYTES,
                ..Self::DEFAULT_LIMITS
            },
        }
    }

    /// The body length of `frame`, refused when over the limit (the reference's
    /// `encode_framed` refuses it too).
    fn body_len(&self, frame: &Frame) -> Result<usize> {
        self.limits
            .check_encode(P, "frame body", frame.encoded_len())
    }
}

impl Codec for BrokerCodec {
    type Frame = Framed;

    fn set_limits(&mut self, limits: Limits) -> Result<()> {
        self.limits = limits.check_u32_lengths(P)?;
        Ok(())
    }

    fn protocol(&self) -> Protocol {
        P
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Framed>> {
        let Some((length, total)) = check_header(src, self.limits.max_frame_size)? else {
            return Ok(None);
        };
        if src.len() < total {
            return Ok(None);
        }
        let mut body = src.split_to(total).freeze();
        body.advance(FRAME_HEADER_BYTES);
        // Decoding from `Bytes` makes the `payload` field a zero-copy slice of the input.
        let frame = Frame::decode(body).map_err(body_error)?;
        Ok(Some(Framed {
            frame,
            body_length: length,
        }))
    }

    fn encoded_len(&self, framed: &Framed) -> Result<usize> {
        Ok(FRAME_HEADER_BYTES + self.body_len(&framed.frame)?)
    }

    fn encode(&mut self, framed: &Framed, dst: &mut BytesMut) -> Result<()> {
        let frame = &framed.frame;
        let body = self.body_len(frame)?;
        dst.reserve(FRAME_HEADER_BYTES + body);
        dst.put_u8(FRAMING_VERSION_V1);
        // body_len bounds the body by max_frame_size, itself at most u32::MAX.
        dst.put_u32_le(body as u32);
        frame.encode_raw(dst);
        Ok(())
    }

    fn encode_to_slice(&mut self, framed: &Framed, dst: &mut [MaybeUninit<u8>]) -> Result<()> {
        let frame = &framed.frame;
        let body = self.body_len(frame)?;
        crate::codec::fill_slice(P, dst, FRAME_HEADER_BYTES + body, |out| {
            out.put_u8(FRAMING_VERSION_V1);
            // body_len bounds the body by max_frame_size, itself at most u32::MAX.
            out.put_u32_le(body as u32);
            frame.encode_raw(out);
        })
    }

    #[cfg(feature = "json")]
    fn to_json(&self, framed: &Framed) -> serde_json::Value {
        json::frame_to_json(framed)
    }

    #[cfg(feature = "json")]
    fn from_json(&self, value: &serde_json::Value) -> Result<Framed> {
        json::frame_from_json(value)
    }
}

/// The body length and frame length the header of `src` declares, checked in the order of
/// the reference's `try_decode_framed`: the version byte as soon as it arrives (before
/// completeness), then the length against `max` from the 5-byte header alone. `None`: the
/// header is not complete.
fn check_header(src: &[u8], max: u64) -> Result<Option<(u32, usize)>> {
    let Some(&version) = src.first() else {
        return Ok(None);
    };
    if version != FRAMING_VERSION_V1 {
        return Err(Error::at(
            P,
            ErrorKind::UnsupportedVersion,
            0,
            format!("unsupported framing version: got {version}, expected {FRAMING_VERSION_V1}"),
        ));
    }
    let Some(header) = src.get(1..FRAME_HEADER_BYTES) else {
        return Ok(None);
    };
    let length = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    if u64::from(length) > max {
        return Err(Error::too_large(P, 1, "frame body", length.into(), max));
    }
    let total = usize::try_from(length)
        .ok()
        .and_then(|n| n.checked_add(FRAME_HEADER_BYTES))
        .ok_or_else(|| Error::too_large(P, 1, "frame body", length.into(), usize::MAX as u64))?;
    Ok(Some((length, total)))
}

fn body_error(e: prost::DecodeError) -> Error {
    Error::malformed(
        P,
        FRAME_HEADER_BYTES,
        format!("failed to decode Frame body: {e}"),
    )
}

/// Decode exactly one framed `Frame` with the default limits (the errors of
/// [`crate::decode_exact`] with [`BrokerCodec`], without copying the input into a buffer first).
pub fn decode(input: &[u8]) -> Result<Frame> {
    let Some((_, total)) = check_header(input, MAX_FRAME_BYTES)? else {
        return Err(Error::incomplete(
            P,
            input.len(),
            "input ends before the frame does",
        ));
    };
    let Some(body) = input.get(FRAME_HEADER_BYTES..total) else {
        return Err(Error::incomplete(
            P,
            input.len(),
            "input ends before the frame does",
        ));
    };
    // The body is decoded before trailing bytes are looked at, as `decode_exact` does.
    let frame = Frame::decode(body).map_err(body_error)?;
    if input.len() > total {
        return Err(Error::at(
            P,
            ErrorKind::TrailingBytes,
            total,
            format!("{} bytes after the end of the frame", input.len() - total),
        ));
    }
    Ok(frame)
}

/// Encode one framed `Frame` with the default limits.
pub fn encode(frame: &Frame) -> Result<Vec<u8>> {
    let codec = BrokerCodec::default();
    let body = codec.body_len(frame)?;
    let mut out = Vec::with_capacity(FRAME_HEADER_BYTES + body);
    out.push(FRAMING_VERSION_V1);
    // body_len bounds the body by max_frame_size, itself at most u32::MAX.
    out.extend_from_slice(&(body as u32).to_le_bytes());
    frame.encode_raw(&mut out);
    Ok(out)
}

/// Whether `prefix` looks like the start of a broker stream: the framing byte `0x01`, a LE body
/// length within [`MAX_FRAME_BYTES`] and, for a non-empty body, a first byte that is the key of
/// one of `Frame`'s fields 1..=9 with its wire type. Needs the 5-byte header (6 bytes when the
/// body is not empty).
pub fn sniff(prefix: &[u8]) -> bool {
    let Some(header) = prefix.get(..FRAME_HEADER_BYTES) else {
        return false;
    };
    if header[0] != FRAMING_VERSION_V1 {
        return false;
    }
    let length = u32::from_le_bytes([header[1], header[2], header[3], header[4]]);
    if u64::from(length) > MAX_FRAME_BYTES {
        return false;
    }
    if length == 0 {
        return true;
    }
    // Keys of fields 1..=9: varint (wire type 0) for 1, 2, 3, 5, 6, 7; bytes (2) for 4, 8, 9.
    matches!(
        prefix.get(FRAME_HEADER_BYTES),
        Some(0x08 | 0x10 | 0x18 | 0x22 | 0x28 | 0x30 | 0x38 | 0x42 | 0x4a)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_byte_is_checked_before_completeness() {
        let mut buf = BytesMut::from(&[2u8][..]);
        let e = BrokerCodec::default().decode(&mut buf).unwrap_err();
        assert_eq!(
            (e.kind(), e.offset()),
            (ErrorKind::UnsupportedVersion, Some(0))
        );
        assert_eq!(e.reason(), "unsupported framing version: got 2, expected 1");
        let mut buf = BytesMut::from(&[1u8, 0, 0][..]);
        assert_eq!(BrokerCodec::default().decode(&mut buf).unwrap(), None);
        assert_eq!(buf.len(), 3);
    }

    #[test]
    fn cap_is_inclusive_and_checked_from_the_header() {
        let mut at_cap = BytesMut::from(&[1u8, 0, 0, 0, 1][..]);
        assert_eq!(BrokerCodec::default().decode(&mut at_cap).unwrap(), None);
        assert_eq!(at_cap.len(), 5, "need-more must leave the buffer untouched");
        let mut over = BytesMut::from(&[1u8, 1, 0, 0, 1][..]);
        let e = BrokerCodec::default().decode(&mut over).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::TooLarge, Some(1)));
        let mut hello = BytesMut::from(&[1u8, 1, 0, 1, 0][..]);
        let e = BrokerCodec::hello().decode(&mut hello).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TooLarge);
        let mut hello = BytesMut::from(&[1u8, 0, 0, 1, 0][..]);
        assert_eq!(BrokerCodec::hello().decode(&mut hello).unwrap(), None);
    }

    #[test]
    fn bad_body_is_malformed_with_prosts_reason() {
        let e = decode(&[1, 1, 0, 0, 0, 0xff]).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Malformed, Some(5)));
        assert!(
            e.reason().starts_with("failed to decode Frame body: "),
            "{e}"
        );
    }

    #[test]
    fn encode_refuses_a_body_over_the_limit() {
        let codec = BrokerCodec::hello();
        let frame = Frame {
            payload: vec![0; 65536].into(),
            ..Frame::default()
        };
        let framed = Framed::from(frame);
        let e = codec.encoded_len(&framed).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(BrokerCodec::default().encoded_len(&framed).is_ok());
    }

    #[test]
    fn hello_cap_by_option_name() {
        let mut codec = crate::AnyCodec::new(Protocol::Broker);
        codec.set_option("max_frame_size", "65536").unwrap();
        let mut buf = BytesMut::from(&[1u8, 1, 0, 1, 0][..]);
        assert_eq!(
            codec.decode(&mut buf).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
        let e = codec
            .set_option("max_frame_size", "4294967296")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn a_payload_that_is_not_its_message_leaves_the_frame_valid() {
        let frame = Frame {
            envelope_version: PROTOCOL_VERSION,
            payload: bytes::Bytes::from_static(&[0x1a, 0x01, 0xff]),
            ..Frame::default()
        };
        let decoded = decode(&encode(&frame).unwrap()).unwrap();
        assert_eq!(decoded.payload_schema(), Some(PayloadSchema::Hello));
        let e = decoded.payload_message().unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed);
        assert!(e.reason().contains("Hello.service_name"), "{e}");
    }

    #[test]
    fn probe_response_splits_nonce_process_and_legacy_field() {
        let process = DaemonProcess {
            pid: 7,
            exe_hash_algorithm: "blake3".into(),
            ..DaemonProcess::default()
        };
        let mut payload = vec![9u8; PROBE_NONCE_LEN];
        payload.extend(process.encode_to_vec());
        payload.extend([0x1a, 0x02, 0xaa, 0xbb]);
        let payload = bytes::Bytes::from(payload);
        let probe = ProbeResponse::decode(&payload).unwrap();
        assert_eq!(probe.daemon_process, process);
        assert_eq!(
            &probe.legacy_tag3_sha256_field[..],
            &[0x1a, 0x02, 0xaa, 0xbb]
        );
        assert_eq!(probe.encode(), payload);
        let short = ProbeResponse::decode(&payload.slice(..31)).unwrap_err();
        assert_eq!(short.kind(), ErrorKind::Malformed);
        let cut = ProbeResponse::decode(&payload.slice(..payload.len() - 1)).unwrap_err();
        assert_eq!(
            (cut.kind(), cut.offset()),
            (ErrorKind::Malformed, Some(PROBE_NONCE_LEN + 10))
        );
    }

    #[test]
    fn one_shot_reports_a_bad_body_before_trailing_bytes() {
        // Found by the fuzzer: the slice path must fail like `decode_exact` does.
        let input = [1, 1, 0, 0, 0, 0, 0xf0];
        let exact = crate::decode_exact(&mut BrokerCodec::default(), &input).unwrap_err();
        assert_eq!(decode(&input).unwrap_err(), exact);
        assert_eq!(exact.kind(), ErrorKind::Malformed);
    }

    #[test]
    fn detect_picks_broker() {
        assert_eq!(
            crate::detect(&[1, 4, 0, 0, 0, 0x08, 0x01, 0x10, 0x01]),
            Some(Protocol::Broker)
        );
    }

    #[test]
    fn sniffs_the_header_and_first_key() {
        assert!(sniff(&[1, 0, 0, 0, 0]));
        assert!(sniff(&[1, 2, 0, 0, 0, 0x08, 0x01]));
        assert!(!sniff(&[1, 2, 0, 0, 0, 0xff]));
        assert!(!sniff(&[1, 0, 0, 0, 2, 0x08]));
        assert!(!sniff(&[2, 0, 0, 0, 0]));
        assert!(!sniff(&[1, 0, 0]));
    }
}
