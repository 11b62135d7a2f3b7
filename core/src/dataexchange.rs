//! Pilot Protocol data-exchange frames, byte-compatible with
//! `github.com/pilot-protocol/dataexchange` v0.2.1-beta.1.
//!
//! ```text
//! [u32 BE type][u32 BE length][payload: length bytes]
//! TypeFile  payload: [u16 BE name length][name][file data]
//! TypeTrace payload: [u32 BE inner_type][i64 BE sent_at_ns][inner payload]
//! ```
//!
//! Decoding follows the reference `ReadFrame` + `ReadTracePayload`: any type number is
//! accepted (unknown ones keep their number), a length over the limit is refused from the
//! header alone, short or inconsistent file payloads decode as an empty name plus the raw
//! payload, and file names are checked in the reference's order. A type-5 frame is parsed as a
//! trace, so a trace payload under 12 bytes is `malformed`. Encoding refuses what the reference
//! writer would silently wrap or what its reader would refuse (file names over 255 bytes or
//! with path separators, `.`/`..`, payloads over the length field or the frame limit).

use std::mem::MaybeUninit;

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::{codec, Codec, Error, Limits, Protocol, Result};

const P: Protocol = Protocol::Dataexchange;

/// Header length: type and payload length.
pub const HEADER_LEN: usize = 8;
/// The reference's `MaxFrameSize` (payload bytes, header not counted): 256 MiB.
pub const MAX_FRAME_SIZE: u64 = 1 << 28;
/// Longest file name the reference reader accepts, in bytes.
pub const MAX_FILENAME_LEN: usize = 255;
/// Fixed part of a trace payload: inner_type and sent_at_ns.
pub const TRACE_HEADER_LEN: usize = 12;

/// `TypeText`.
pub const TYPE_TEXT: u32 = 1;
/// `TypeBinary`.
pub const TYPE_BINARY: u32 = 2;
/// `TypeJSON`.
pub const TYPE_JSON: u32 = 3;
/// `TypeFile`.
pub const TYPE_FILE: u32 = 4;
/// `TypeTrace`.
pub const TYPE_TRACE: u32 = 5;

described! {
    "dataexchange::Frame"
    /// One data-exchange frame.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub enum Frame {
        /// Type 1. Not validated as UTF-8, like the reference.
        Text as "TypeText" {
            /// The text bytes.
            payload: Bytes,
        },
        /// Type 2.
        Binary as "TypeBinary" {
            /// The bytes.
            payload: Bytes,
        },
        /// Type 3. Not validated as JSON, like the reference.
        Json as "TypeJSON" {
            /// The JSON text bytes.
            payload: Bytes,
        },
        /// Type 4.
        File as "TypeFile" {
            /// The file name: raw bytes, since v0.2.1-beta.1 does not require UTF-8. Empty when the
            /// sender gave none, or when the payload was too short to hold the name.
            filename: Bytes,
            /// The file data (after the name).
            payload: Bytes,
        },
        /// Type 5, the payload parsed as the reference's `TraceFrame`.
        Trace as "TypeTrace" {
            /// Type of the traced inner frame (any number).
            inner_type: u32,
            /// Sender's wall clock in Unix nanoseconds (signed).
            sent_at_ns: i64,
            /// The inner frame's payload.
            payload: Bytes,
        },
        /// Any other type number, kept with its raw payload.
        Unknown {
            /// The type number (never 1..=5).
            r#type: u32,
            /// The raw payload.
            payload: Bytes,
        },
    }
}

impl Frame {
    /// The type number on the wire.
    pub fn frame_type(&self) -> u32 {
        match self {
            Frame::Text { .. } => TYPE_TEXT,
            Frame::Binary { .. } => TYPE_BINARY,
            Frame::Json { .. } => TYPE_JSON,
            Frame::File { .. } => TYPE_FILE,
            Frame::Trace { .. } => TYPE_TRACE,
            Frame::Unknown { r#type, .. } => *r#type,
        }
    }

    /// The payload as the reference's `Frame.Payload` (file data for files, inner payload for
    /// traces).
    pub fn payload(&self) -> &Bytes {
        match self {
            Frame::Text { payload }
            | Frame::Binary { payload }
            | Frame::Json { payload }
            | Frame::File { payload, .. }
            | Frame::Trace { payload, .. }
            | Frame::Unknown { payload, .. } => payload,
        }
    }

    /// A trace frame stamped with the current wall clock, like the reference client's
    /// `SendTrace`.
    pub fn trace_now(inner_type: u32, payload: Bytes) -> Frame {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
        Frame::Trace {
            inner_type,
            sent_at_ns: now,
            payload,
        }
    }

    /// Bytes after the 8-byte header.
    fn body_len(&self) -> usize {
        match self {
            Frame::File { filename, payload } => 2 + filename.len() + payload.len(),
            Frame::Trace { payload, .. } => TRACE_HEADER_LEN + payload.len(),
            other => other.payload().len(),
        }
    }
}

/// The reference's `TypeName`: `TEXT`, `BINARY`, `JSON`, `FILE`, `TRACE`, else `UNKNOWN(n)`.
pub fn type_name(frame_type: u32) -> String {
    match frame_type {
        TYPE_TEXT => "TEXT".into(),
        TYPE_BINARY => "BINARY".into(),
        TYPE_JSON => "JSON".into(),
        TYPE_FILE => "FILE".into(),
        TYPE_TRACE => "TRACE".into(),
        n => format!("UNKNOWN({n})"),
    }
}

/// The reference's `ReadTracePayload` over a raw frame type and payload: `inner_type`,
/// `sent_at_ns` and the inner payload. For relays that keep frames raw.
pub fn read_trace_payload(frame_type: u32, payload: &Bytes) -> Result<(u32, i64, Bytes)> {
    if frame_type != TYPE_TRACE {
        return Err(Error::invalid_argument(
            P,
            format!("expected TypeTrace, got {frame_type}"),
        ));
    }
    if payload.len() < TRACE_HEADER_LEN {
        return Err(Error::malformed(
            P,
            HEADER_LEN,
            format!("trace payload too short: {} bytes", payload.len()),
        ));
    }
    let mut head = &payload[..TRACE_HEADER_LEN];
    Ok((
        head.get_u32(),
        head.get_i64(),
        payload.slice(TRACE_HEADER_LEN..),
    ))
}

/// Why the reference reader refuses a file name, if it does (checks in its order).
fn filename_problem(name: &[u8]) -> Option<String> {
    if name.len() > MAX_FILENAME_LEN {
        return Some(format!(
            "filename too long: {} bytes (max {MAX_FILENAME_LEN})",
            name.len()
        ));
    }
    if name.iter().any(|&b| b == b'/' || b == b'\\') {
        return Some("invalid filename: path traversal characters not allowed".into());
    }
    if name == b"." || name == b".." {
        let shown = String::from_utf8_lossy(name);
        return Some(format!(
            "invalid filename: path traversal name {shown:?} not allowed"
        ));
    }
    None
}

/// Parse a payload of type `frame_type`; offsets in errors are frame-relative.
fn parse_payload(frame_type: u32, payload: Bytes) -> Result<Frame> {
    Ok(match frame_type {
        TYPE_TEXT => Frame::Text { payload },
        TYPE_BINARY => Frame::Binary { payload },
        TYPE_JSON => Frame::Json { payload },
        TYPE_FILE => parse_file(payload)?,
        TYPE_TRACE => {
            let (inner_type, sent_at_ns, payload) = read_trace_payload(frame_type, &payload)?;
            Frame::Trace {
                inner_type,
                sent_at_ns,
                payload,
            }
        }
        r#type => Frame::Unknown { r#type, payload },
    })
}

fn parse_file(raw: Bytes) -> Result<Frame> {
    let unsplit = |raw| Frame::File {
        filename: Bytes::new(),
        payload: raw,
    };
    if raw.len() < 2 {
        return Ok(unsplit(raw));
    }
    let name_len = usize::from(u16::from_be_bytes([raw[0], raw[1]]));
    if 2 + name_len > raw.len() {
        return Ok(unsplit(raw));
    }
    let filename = raw.slice(2..2 + name_len);
    if let Some(problem) = filename_problem(&filename) {
        return Err(Error::malformed(P, HEADER_LEN + 2, problem));
    }
    Ok(Frame::File {
        filename,
        payload: raw.slice(2 + name_len..),
    })
}

/// The data-exchange [`Codec`]. Limit: `max_frame_size` = largest payload length accepted
/// (default [`MAX_FRAME_SIZE`]; a length equal to it is accepted, like the reference).
#[derive(Debug, Clone)]
pub struct DataexchangeCodec {
    limits: Limits,
}

impl Default for DataexchangeCodec {
    fn default() -> Self {
        DataexchangeCodec {
            limits: Self::DEFAULT_LIMITS,
        }
    }
}

impl DataexchangeCodec {
    /// The reference's limits.
    pub const DEFAULT_LIMITS: Limits = Limits {
        max_frame_size: MAX_FRAME_SIZE,
        max_decompressed_size: 0,
    };

    fn check_encodable(&self, frame: &Frame) -> Result<usize> {
        match frame {
            Frame::File { filename, .. } => {
                if let Some(problem) = filename_problem(filename) {
                    return Err(Error::invalid_argument(P, problem));
                }
            }
            Frame::Unknown { r#type, .. } if (TYPE_TEXT..=TYPE_TRACE).contains(r#type) => {
                return Err(Error::invalid_argument(
                    P,
                    format!(
                        "type {type} is {}: use that frame kind, not an unknown frame",
                        type_name(*r#type)
                    ),
                ));
            }
            _ => {}
        }
        let body = self.limits.check_encode(P, "payload", frame.body_len())?;
        Ok(HEADER_LEN + body)
    }
}

impl Codec for DataexchangeCodec {
    type Frame = Frame;

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

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>> {
        if src.len() < HEADER_LEN {
            return Ok(None);
        }
        let frame_type = u32::from_be_bytes([src[0], src[1], src[2], src[3]]);
        let length = u32::from_be_bytes([src[4], src[5], src[6], src[7]]);
        if u64::from(length) > self.limits.max_frame_size {
            return Err(Error::too_large(
                P,
                4,
                "frame payload",
                length.into(),
                self.limits.max_frame_size,
            ));
        }
        // In u64: on a 32-bit target a 4 GiB limit plus the header would wrap a usize.
        let total = HEADER_LEN as u64 + u64::from(length);
        if (src.len() as u64) < total {
            return Ok(None);
        }
        let total = total as usize;
        let mut frame = src.split_to(total).freeze();
        frame.advance(HEADER_LEN);
        parse_payload(frame_type, frame).map(Some)
    }

    fn encoded_len(&self, frame: &Frame) -> Result<usize> {
        self.check_encodable(frame)
    }

    fn encode(&mut self, frame: &Frame, dst: &mut BytesMut) -> Result<()> {
        let total = self.check_encodable(frame)?;
        dst.reserve(total);
        put_frame(frame, total, dst);
        Ok(())
    }

    fn encode_to_slice(&mut self, frame: &Frame, dst: &mut [MaybeUninit<u8>]) -> Result<()> {
        let total = self.check_encodable(frame)?;
        codec::fill_slice(P, dst, total, |out| put_frame(frame, total, out))
    }

    #[cfg(feature = "json")]
    fn to_json(&self, frame: &Frame) -> serde_json::Value {
        json::to_json(frame)
    }

    #[cfg(feature = "json")]
    fn from_json(&self, value: &serde_json::Value) -> Result<Frame> {
        json::from_json(value)
    }
}

/// Write a frame of `total` bytes, as checked by `check_encodable`.
fn put_frame(frame: &Frame, total: usize, dst: &mut impl BufMut) {
    dst.put_u32(frame.frame_type());
    // check_encodable bounds the body by max_frame_size, itself at most u32::MAX.
    dst.put_u32((total - HEADER_LEN) as u32);
    match frame {
        Frame::File { filename, payload } => {
            dst.put_u16(filename.len() as u16);
            dst.put_slice(filename);
            dst.put_slice(payload);
        }
        Frame::Trace {
            inner_type,
            sent_at_ns,
            payload,
        } => {
            dst.put_u32(*inner_type);
            dst.put_i64(*sent_at_ns);
            dst.put_slice(payload);
        }
        other => dst.put_slice(other.payload()),
    }
}

/// Decode exactly one frame with the default limits.
pub fn decode(input: &[u8]) -> Result<Frame> {
    codec::decode_exact(&mut DataexchangeCodec::default(), input)
}

/// Encode one frame with the default limits.
pub fn encode(frame: &Frame) -> Result<Vec<u8>> {
    codec::encode_to_vec(&mut DataexchangeCodec::default(), frame)
}

/// Whether `prefix` looks like the start of a data-exchange stream: a type number of at most
/// 255 (real types are 1..=10) and, once 8 bytes are there, a length within the default limit.
pub fn sniff(prefix: &[u8]) -> bool {
    if prefix.len() < 4 || prefix[..3] != [0, 0, 0] {
        return false;
    }
    if !(1..=10).contains(&prefix[3]) {
        return false;
    }
    prefix.len() < HEADER_LEN
        || u64::from(u32::from_be_bytes([
            prefix[4], prefix[5], prefix[6], prefix[7],
        ])) <= MAX_FRAME_SIZE
}

#[cfg(feature = "json")]
mod json {
    //! Type names are the vectors' (`TypeText`, ..., `TypeTrace`, `UNKNOWN(n)`). Fields:
    //! `{"type": n, "payload": hex}`, plus `filename` for type 4; a trace frame has the
    //! reference's `TraceFrame` fields `{"inner_type", "sent_at_ns", "payload"}`. A file name
    //! that is not UTF-8 (v0.2.1-beta.1 accepts those) is written as `filename_hex`.

    use bytes::Bytes;
    use serde_json::{json, Value};

    use super::*;
    use crate::json::{hex_value, message, split_message, Fields};

    /// The vectors' message type name of a frame type.
    fn message_type(frame_type: u32) -> String {
        match frame_type {
            TYPE_TEXT => "TypeText".into(),
            TYPE_BINARY => "TypeBinary".into(),
            TYPE_JSON => "TypeJSON".into(),
            TYPE_FILE => "TypeFile".into(),
            TYPE_TRACE => "TypeTrace".into(),
            n => format!("UNKNOWN({n})"),
        }
    }

    pub(super) fn to_json(frame: &Frame) -> Value {
        let fields = match frame {
            Frame::File { filename, payload } => match std::str::from_utf8(filename) {
                Ok(name) => {
                    json!({"type": TYPE_FILE, "filename": name, "payload": hex_value(payload)})
                }
                Err(_) => {
                    json!({"type": TYPE_FILE, "filename_hex": hex_value(filename), "payload": hex_value(payload)})
                }
            },
            Frame::Trace {
                inner_type,
                sent_at_ns,
                payload,
            } => {
                json!({"inner_type": inner_type, "sent_at_ns": sent_at_ns, "payload": hex_value(payload)})
            }
            other => json!({"type": other.frame_type(), "payload": hex_value(other.payload())}),
        };
        message(&message_type(frame.frame_type()), fields)
    }

    pub(super) fn from_json(value: &Value) -> Result<Frame> {
        let (type_name, fields) = split_message(P, value)?;
        let frame = frame_from_fields(&Fields::new(P, type_name, fields)?)?;
        if message_type(frame.frame_type()) != type_name {
            return Err(Error::invalid_argument(
                P,
                format!(
                    "message type {type_name:?} does not match fields of {}",
                    message_type(frame.frame_type())
                ),
            ));
        }
        Ok(frame)
    }

    fn frame_from_fields(f: &Fields<'_>) -> Result<Frame> {
        let payload = f.bytes("payload")?;
        if f.has("inner_type") {
            f.deny_unknown(&["type", "inner_type", "sent_at_ns", "payload"])?;
            if f.has("type") && f.uint::<u32>("type")? != TYPE_TRACE {
                return Err(f.error("type", "a frame with inner_type must be type 5 (TRACE)"));
            }
            return Ok(Frame::Trace {
                inner_type: f.uint("inner_type")?,
                sent_at_ns: f.int("sent_at_ns")?,
                payload,
            });
        }
        let frame_type: u32 = f.uint("type")?;
        if frame_type == TYPE_FILE {
            f.deny_unknown(&["type", "filename", "filename_hex", "payload"])?;
            let filename = match (f.has("filename"), f.has("filename_hex")) {
                (true, false) => Bytes::copy_from_slice(f.str("filename")?.as_bytes()),
                (false, true) => f.bytes("filename_hex")?,
                (false, false) => return Err(f.error("filename", "missing")),
                (true, true) => {
                    return Err(f.error("filename_hex", "give filename or filename_hex, not both"))
                }
            };
            return Ok(Frame::File { filename, payload });
        }
        f.deny_unknown(&["type", "payload"])?;
        Ok(match frame_type {
            TYPE_TEXT => Frame::Text { payload },
            TYPE_BINARY => Frame::Binary { payload },
            TYPE_JSON => Frame::Json { payload },
            TYPE_TRACE => return Err(f.error("inner_type", "missing (type 5 is a trace frame)")),
            r#type => Frame::Unknown { r#type, payload },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_equal_to_limit_passes_the_header_check() {
        let mut codec = DataexchangeCodec::with_limits(Limits {
            max_frame_size: 4,
            max_decompressed_size: 0,
        })
        .unwrap();
        let mut buf = BytesMut::from(&[0, 0, 0, 1, 0, 0, 0, 4][..]);
        assert_eq!(codec.decode(&mut buf).unwrap(), None);
        assert_eq!(buf.len(), 8, "need-more must leave the buffer untouched");
        let mut buf = BytesMut::from(&[0, 0, 0, 1, 0, 0, 0, 5][..]);
        let e = codec.decode(&mut buf).unwrap_err();
        assert_eq!(
            (e.kind(), e.offset()),
            (crate::ErrorKind::TooLarge, Some(4))
        );
    }

    #[test]
    fn encode_refuses_what_the_reader_would_refuse() {
        for name in [&b".."[..], b".", b"a/b", b"a\\b", &[b'x'; 256]] {
            let frame = Frame::File {
                filename: Bytes::copy_from_slice(name),
                payload: Bytes::new(),
            };
            assert_eq!(
                encode(&frame).unwrap_err().kind(),
                crate::ErrorKind::InvalidArgument
            );
        }
        let frame = Frame::Unknown {
            r#type: TYPE_FILE,
            payload: Bytes::new(),
        };
        assert_eq!(
            encode(&frame).unwrap_err().kind(),
            crate::ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn trace_helper_matches_reference_errors() {
        let e = read_trace_payload(TYPE_TEXT, &Bytes::from_static(&[0; 20])).unwrap_err();
        assert_eq!(e.reason(), "expected TypeTrace, got 1");
        let e = read_trace_payload(TYPE_TRACE, &Bytes::from_static(b"short")).unwrap_err();
        assert_eq!(e.reason(), "trace payload too short: 5 bytes");
    }

    #[test]
    fn type_names() {
        assert_eq!(type_name(4), "FILE");
        assert_eq!(type_name(u32::MAX), "UNKNOWN(4294967295)");
    }
}

/// The protocol's operations besides the codec's, in the calling convention every binding's
/// generated layer uses (see [`crate::schema::Operation`]).
pub mod ops {
    use bytes::Bytes;

    use super::Frame;
    use crate::Result;

    /// The type number a frame has on the wire.
    pub fn frame_type(frame: &Frame) -> Result<u32> {
        Ok(frame.frame_type())
    }

    /// The reference's `TypeName`.
    pub fn type_name(frame_type: u32) -> Result<String> {
        Ok(super::type_name(frame_type))
    }

    /// The reference's `ReadTracePayload`: the inner type, the send time and the inner payload
    /// (a slice of `payload`).
    pub fn read_trace_payload(frame_type: u32, payload: &Bytes) -> Result<(u32, i64, Bytes)> {
        super::read_trace_payload(frame_type, payload)
    }
}
