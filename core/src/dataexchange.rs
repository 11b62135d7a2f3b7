//! Pilot Protocol data-exchange frames, byte-compatible with `github.com/pilot-protocol/dataexchange`
//! at branch main (commit 772ffb9, option `version` = `main`, the default) or at the tagged
//! release v0.2.1-beta.1 (`version` = `0.2.1-beta.1`).
//!
//! ```text
//! [u32 BE type][u32 BE length][payload: length bytes]
//! TypeFile       payload: [u16 BE name length][name][file data]
//! TypeTrace      payload: [u32 BE inner_type][i64 BE sent_at_ns][inner payload]
//! TypeFileStream payload: [u8 kind][16-byte transfer_id][kind-specific body]   (main only)
//! ```
//!
//! Decoding follows the reference `ReadFrame` + `ReadTracePayload` and, at main, the
//! TypeFileStream decoders: any type number is accepted (unknown ones keep their number), a
//! length over the limit is refused from the header alone, short or inconsistent file payloads
//! decode as an empty name plus the raw payload, and file names are checked in the reference's
//! order (main adds the UTF-8 check). A type-5 frame is parsed as a trace, so a trace payload
//! under 12 bytes is `malformed`; at main a type-7 payload too short for its kind is
//! `malformed` too, and what the reference's stream decoders ignore (bytes after an INIT name
//! or an ACK offset, a DONE body) is ignored. Encoding refuses what the reference writer would
//! silently wrap or truncate or what its reader would refuse (file names over 255 bytes or
//! with path separators, `.`/`..`, not UTF-8 at main; INIT names over 255 bytes; payloads over
//! the length field or the frame limit).
//!
//! TypeFileStream's session rules (transfer_id = sha256[:16], INIT before CHUNK, resume offsets,
//! windowing, the hash check) belong to the sender and receiver, not to this codec.

use std::fmt;
use std::mem::MaybeUninit;
use std::str::FromStr;

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::{codec, Codec, Error, Limits, Protocol, Result};

const P: Protocol = Protocol::Dataexchange;

/// Header length: type and payload length.
pub const HEADER_LEN: usize = 8;
/// The reference's `DefaultMaxFrameSize` at main (payload bytes, header not counted): 64 MiB.
pub const MAX_FRAME_SIZE: u64 = 1 << 26;
/// The reference's `MaxFrameSize` at v0.2.1-beta.1: 256 MiB.
pub const MAX_FRAME_SIZE_V0_2_1_BETA_1: u64 = 1 << 28;
/// Longest file name the reference reader accepts, in bytes (and the longest INIT name its
/// encoder writes whole).
pub const MAX_FILENAME_LEN: usize = 255;
/// Fixed part of a trace payload: inner_type and sent_at_ns.
pub const TRACE_HEADER_LEN: usize = 12;
/// Length of a TypeFileStream transfer id.
pub const TRANSFER_ID_LEN: usize = 16;
/// Fixed part of a TypeFileStream payload: kind and transfer_id.
pub const STREAM_HEADER_LEN: usize = 1 + TRANSFER_ID_LEN;
/// Fixed part of an INIT body: size, sha256, chunk_size and the name length.
pub const INIT_FIXED_LEN: usize = 8 + 32 + 4 + 2;
/// The reference sender's chunk size (`StreamChunkSize`): 48 KiB.
pub const STREAM_CHUNK_SIZE: u32 = 48 * 1024;

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
/// `TypeFileStream` (main only; an unknown type at v0.2.1-beta.1).
pub const TYPE_FILE_STREAM: u32 = 7;

/// Kind byte of [`Control::Init`].
pub const INIT: u8 = 1;
/// Kind byte of [`Control::Chunk`].
pub const CHUNK: u8 = 2;
/// Kind byte of [`Control::Ack`].
pub const ACK: u8 = 3;
/// Kind byte of [`Control::Done`].
pub const DONE: u8 = 4;
/// Kind byte of [`Control::InitAck`].
pub const INIT_ACK: u8 = 5;
/// Kind byte of [`Control::Complete`].
pub const COMPLETE: u8 = 6;
/// Kind byte of [`Control::Abort`].
pub const ABORT: u8 = 7;

/// Which reference version the codec follows (option `version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Version {
    /// Branch main at commit 772ffb9: TypeFileStream, 64 MiB limit, UTF-8 file names. Option
    /// value `main`.
    #[default]
    Main,
    /// The tagged release v0.2.1-beta.1: type 7 unknown, 256 MiB limit, file names any bytes.
    /// Option value `0.2.1-beta.1`.
    V0_2_1Beta1,
}

impl Version {
    /// The option value: `"main"` or `"0.2.1-beta.1"`.
    pub const fn name(self) -> &'static str {
        match self {
            Version::Main => "main",
            Version::V0_2_1Beta1 => "0.2.1-beta.1",
        }
    }

    /// The reference's limits at this version.
    pub const fn limits(self) -> Limits {
        Limits {
            max_frame_size: match self {
                Version::Main => MAX_FRAME_SIZE,
                Version::V0_2_1Beta1 => MAX_FRAME_SIZE_V0_2_1_BETA_1,
            },
            max_decompressed_size: 0,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Version {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "main" => Ok(Version::Main),
            "0.2.1-beta.1" => Ok(Version::V0_2_1Beta1),
            other => Err(Error::invalid_argument(
                P,
                format!("option \"version\": {other:?} is not one of \"main\", \"0.2.1-beta.1\""),
            )),
        }
    }
}

described! {
    "dataexchange::Control"
    /// The control message of a `TypeFileStream` frame: its kind and the kind's body.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub enum Control {
        /// Kind 1 (`INIT`), sender to receiver: the file about to be sent.
        Init {
            /// File size in bytes.
            size: u64,
            /// SHA-256 of the whole file (32 bytes).
            sha256: Bytes,
            /// The sender's chunk size (the reference always writes 49152; nobody checks it).
            chunk_size: u32,
            /// The file name: raw bytes (the reference checks neither UTF-8 nor length on
            /// decode; encoding refuses names over 255 bytes, which its encoder would cut).
            filename: Bytes,
        },
        /// Kind 2 (`CHUNK`), sender to receiver: file bytes at an offset.
        Chunk {
            /// Offset of `data` in the file.
            offset: u64,
            /// The bytes (a view of the input).
            data: Bytes,
        },
        /// Kind 3 (`ACK`), receiver to sender: the highest contiguous offset received.
        Ack {
            /// The receiver's cursor.
            offset: u64,
        },
        /// Kind 4 (`DONE`), sender to receiver: end of the data (a body is ignored).
        Done,
        /// Kind 5 (`INIT_ACK`), receiver to sender: the offset to resume from.
        InitAck {
            /// Resume offset.
            offset: u64,
        },
        /// Kind 6 (`COMPLETE`), receiver to sender: the outcome after DONE.
        Complete {
            /// Status byte 0; any other status decodes as failed (encoding writes 1).
            ok: bool,
            /// The message: raw bytes, no length prefix (not UTF-8 checked).
            message: Bytes,
        },
        /// Kind 7 (`ABORT`): the transfer is cancelled.
        Abort {
            /// The reason: raw bytes, no length prefix.
            reason: Bytes,
        },
        /// Any other kind byte, kept with its raw body.
        UnknownKind {
            /// The kind byte (never 1..=7).
            r#type: u8,
            /// The raw body.
            body: Bytes,
        },
    }
}

impl Control {
    /// The kind byte on the wire.
    pub fn kind(&self) -> u8 {
        match self {
            Control::Init { .. } => INIT,
            Control::Chunk { .. } => CHUNK,
            Control::Ack { .. } => ACK,
            Control::Done => DONE,
            Control::InitAck { .. } => INIT_ACK,
            Control::Complete { .. } => COMPLETE,
            Control::Abort { .. } => ABORT,
            Control::UnknownKind { r#type, .. } => *r#type,
        }
    }

    /// Bytes after the kind and transfer id.
    fn body_len(&self) -> usize {
        match self {
            Control::Init { filename, .. } => INIT_FIXED_LEN + filename.len(),
            Control::Chunk { data, .. } => 8 + data.len(),
            Control::Ack { .. } | Control::InitAck { .. } => 8,
            Control::Done => 0,
            Control::Complete { message, .. } => 1 + message.len(),
            Control::Abort { reason } => reason.len(),
            Control::UnknownKind { body, .. } => body.len(),
        }
    }

    /// Why the encoder refuses this control message, if it does.
    fn problem(&self) -> Option<String> {
        match self {
            Control::Init {
                sha256, filename, ..
            } => {
                if sha256.len() != 32 {
                    return Some(format!(
                        "INIT sha256 of {} bytes (must be 32)",
                        sha256.len()
                    ));
                }
                // The reference's encodeInit would cut the name to 255 bytes, silently.
                (filename.len() > MAX_FILENAME_LEN).then(|| {
                    format!(
                        "INIT filename too long: {} bytes (max {MAX_FILENAME_LEN})",
                        filename.len()
                    )
                })
            }
            Control::UnknownKind { r#type, .. } if (INIT..=ABORT).contains(r#type) => {
                Some(format!(
                    "kind {type} is {}: use that control kind, not an unknown one",
                    kind_name(*r#type).unwrap_or_default()
                ))
            }
            _ => None,
        }
    }
}

/// The vectors' name of a control kind: `INIT`, ..., `ABORT`; `None` for other kinds.
pub fn kind_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        INIT => "INIT",
        CHUNK => "CHUNK",
        ACK => "ACK",
        DONE => "DONE",
        INIT_ACK => "INIT_ACK",
        COMPLETE => "COMPLETE",
        ABORT => "ABORT",
        _ => return None,
    })
}

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
            /// The file name: raw bytes (UTF-8 at main; v0.2.1-beta.1 accepts any bytes). Empty
            /// when the sender gave none, or when the payload was too short to hold the name.
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
        /// Type 7 at main: one control message of a chunked, acknowledged, resumable file
        /// transfer.
        FileStream as "TypeFileStream" {
            /// The transfer's id (16 bytes; the reference sender uses the file's sha256[:16]).
            transfer_id: Bytes,
            /// The control message.
            control: Control,
        },
        /// Any other type number, kept with its raw payload.
        Unknown {
            /// The type number (never 1..=5, nor 7 at main).
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
            Frame::FileStream { .. } => TYPE_FILE_STREAM,
            Frame::Unknown { r#type, .. } => *r#type,
        }
    }

    /// The payload as the reference's `Frame.Payload` (file data for files, inner payload for
    /// traces); `None` for a TypeFileStream frame, whose payload is its control message.
    pub fn payload(&self) -> Option<&Bytes> {
        match self {
            Frame::Text { payload }
            | Frame::Binary { payload }
            | Frame::Json { payload }
            | Frame::File { payload, .. }
            | Frame::Trace { payload, .. }
            | Frame::Unknown { payload, .. } => Some(payload),
            Frame::FileStream { .. } => None,
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
            Frame::Text { payload }
            | Frame::Binary { payload }
            | Frame::Json { payload }
            | Frame::Unknown { payload, .. } => payload.len(),
            Frame::File { filename, payload } => 2 + filename.len() + payload.len(),
            Frame::Trace { payload, .. } => TRACE_HEADER_LEN + payload.len(),
            Frame::FileStream { control, .. } => STREAM_HEADER_LEN + control.body_len(),
        }
    }
}

/// The reference's `TypeName` at main: `TEXT`, `BINARY`, `JSON`, `FILE`, `TRACE`,
/// `FILESTREAM`, else `UNKNOWN(n)` (see [`type_name_at`] for v0.2.1-beta.1).
pub fn type_name(frame_type: u32) -> String {
    type_name_at(Version::Main, frame_type)
}

/// The reference's `TypeName` at `version` (v0.2.1-beta.1 names type 7 `UNKNOWN(7)`).
pub fn type_name_at(version: Version, frame_type: u32) -> String {
    match frame_type {
        TYPE_TEXT => "TEXT".into(),
        TYPE_BINARY => "BINARY".into(),
        TYPE_JSON => "JSON".into(),
        TYPE_FILE => "FILE".into(),
        TYPE_TRACE => "TRACE".into(),
        TYPE_FILE_STREAM if version == Version::Main => "FILESTREAM".into(),
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

/// Why the reference reader at `version` refuses a file name, if it does (checks in its
/// order: length, UTF-8 at main, separators, dots).
fn filename_problem(version: Version, name: &[u8]) -> Option<String> {
    if name.len() > MAX_FILENAME_LEN {
        return Some(format!(
            "filename too long: {} bytes (max {MAX_FILENAME_LEN})",
            name.len()
        ));
    }
    if version == Version::Main && std::str::from_utf8(name).is_err() {
        return Some("filename contains invalid UTF-8".into());
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
fn parse_payload(version: Version, frame_type: u32, payload: Bytes) -> Result<Frame> {
    Ok(match frame_type {
        TYPE_TEXT => Frame::Text { payload },
        TYPE_BINARY => Frame::Binary { payload },
        TYPE_JSON => Frame::Json { payload },
        TYPE_FILE => parse_file(version, payload)?,
        TYPE_TRACE => {
            let (inner_type, sent_at_ns, payload) = read_trace_payload(frame_type, &payload)?;
            Frame::Trace {
                inner_type,
                sent_at_ns,
                payload,
            }
        }
        TYPE_FILE_STREAM if version == Version::Main => parse_file_stream(payload)?,
        r#type => Frame::Unknown { r#type, payload },
    })
}

fn parse_file(version: Version, raw: Bytes) -> Result<Frame> {
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
    if let Some(problem) = filename_problem(version, &filename) {
        return Err(Error::malformed(P, HEADER_LEN + 2, problem));
    }
    Ok(Frame::File {
        filename,
        payload: raw.slice(2 + name_len..),
    })
}

/// Frame offset of a TypeFileStream body.
const BODY_AT: usize = HEADER_LEN + STREAM_HEADER_LEN;

/// A TypeFileStream payload as the reference's `decodeStreamFrame` and the kind's decoder
/// read it; `malformed` where they give ok=false. Every byte field is a slice of `raw`.
fn parse_file_stream(raw: Bytes) -> Result<Frame> {
    if raw.len() < STREAM_HEADER_LEN {
        return Err(Error::malformed(
            P,
            HEADER_LEN,
            format!(
                "TypeFileStream payload of {} bytes (at least {STREAM_HEADER_LEN}: kind and transfer_id)",
                raw.len()
            ),
        ));
    }
    let kind = raw[0];
    let transfer_id = raw.slice(1..STREAM_HEADER_LEN);
    let body = raw.slice(STREAM_HEADER_LEN..);
    let short = |need: usize| {
        Error::malformed(
            P,
            BODY_AT + body.len(),
            format!(
                "{} body of {} bytes (at least {need})",
                kind_name(kind).unwrap_or_default(),
                body.len()
            ),
        )
    };
    let offset = |body: &Bytes| -> Result<u64> {
        let head = body.get(..8).ok_or_else(|| short(8))?;
        Ok(u64::from_be_bytes(head.try_into().unwrap_or_default()))
    };
    let control = match kind {
        INIT => {
            if body.len() < INIT_FIXED_LEN {
                return Err(short(INIT_FIXED_LEN));
            }
            let mut head = &body[..INIT_FIXED_LEN];
            let size = head.get_u64();
            head.advance(32);
            let chunk_size = head.get_u32();
            let name_len = usize::from(head.get_u16());
            if INIT_FIXED_LEN + name_len > body.len() {
                return Err(Error::malformed(
                    P,
                    BODY_AT + INIT_FIXED_LEN - 2,
                    format!(
                        "INIT name of {name_len} bytes, {} left in the body",
                        body.len() - INIT_FIXED_LEN
                    ),
                ));
            }
            Control::Init {
                size,
                sha256: body.slice(8..40),
                chunk_size,
                filename: body.slice(INIT_FIXED_LEN..INIT_FIXED_LEN + name_len),
            }
        }
        CHUNK => Control::Chunk {
            offset: offset(&body)?,
            data: body.slice(8..),
        },
        ACK => Control::Ack {
            offset: offset(&body)?,
        },
        DONE => Control::Done,
        INIT_ACK => Control::InitAck {
            offset: offset(&body)?,
        },
        COMPLETE => {
            let Some(&status) = body.first() else {
                return Err(short(1));
            };
            Control::Complete {
                ok: status == 0,
                message: body.slice(1..),
            }
        }
        ABORT => Control::Abort { reason: body },
        r#type => Control::UnknownKind { r#type, body },
    };
    Ok(Frame::FileStream {
        transfer_id,
        control,
    })
}

/// The data-exchange [`Codec`]. Option `version` = `main` (default) | `0.2.1-beta.1`. Limit:
/// `max_frame_size` = largest payload length accepted (default: the version's, [`MAX_FRAME_SIZE`]
/// or [`MAX_FRAME_SIZE_V0_2_1_BETA_1`]; a length equal to it is accepted, like the reference).
/// The library never reads the reference's `PILOT_DATAEXCHANGE_MAX_FRAME` variable.
#[derive(Debug, Clone)]
pub struct DataexchangeCodec {
    limits: Limits,
    version: Version,
    /// Whether the limits were set: then a later `version` keeps them.
    limits_set: bool,
}

impl Default for DataexchangeCodec {
    fn default() -> Self {
        DataexchangeCodec::new(Version::default())
    }
}

impl DataexchangeCodec {
    /// The reference's limits at the default version (main).
    pub const DEFAULT_LIMITS: Limits = Version::Main.limits();

    /// A codec for `version`, with its limits.
    pub fn new(version: Version) -> Self {
        DataexchangeCodec {
            limits: version.limits(),
            version,
            limits_set: false,
        }
    }

    /// The version in force.
    pub fn version(&self) -> Version {
        self.version
    }

    fn check_encodable(&self, frame: &Frame) -> Result<usize> {
        let problem = match frame {
            Frame::File { filename, .. } => filename_problem(self.version, filename),
            Frame::Unknown { r#type, .. }
                if (TYPE_TEXT..=TYPE_TRACE).contains(r#type)
                    || (*r#type == TYPE_FILE_STREAM && self.version == Version::Main) =>
            {
                Some(format!(
                    "type {type} is {}: use that frame kind, not an unknown frame",
                    type_name_at(self.version, *r#type)
                ))
            }
            Frame::FileStream { .. } if self.version != Version::Main => Some(format!(
                "TypeFileStream needs version main (type 7 is unknown at {})",
                self.version
            )),
            Frame::FileStream { transfer_id, .. } if transfer_id.len() != TRANSFER_ID_LEN => {
                Some(format!(
                    "transfer_id of {} bytes (must be {TRANSFER_ID_LEN})",
                    transfer_id.len()
                ))
            }
            Frame::FileStream { control, .. } => control.problem(),
            _ => None,
        };
        if let Some(problem) = problem {
            return Err(Error::invalid_argument(P, problem));
        }
        let body = self.limits.check_encode(P, "payload", frame.body_len())?;
        Ok(HEADER_LEN + body)
    }
}

impl Codec for DataexchangeCodec {
    type Frame = Frame;

    fn set_limits(&mut self, limits: Limits) -> Result<()> {
        self.limits = limits.check_u32_lengths(P)?;
        self.limits_set = true;
        Ok(())
    }

    fn protocol(&self) -> Protocol {
        P
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    fn set_option(&mut self, key: &str, value: &str) -> Result<()> {
        match key {
            "version" => {
                self.version = value.parse()?;
                if !self.limits_set {
                    self.limits = self.version.limits();
                }
                Ok(())
            }
            _ => Err(Error::invalid_argument(
                P,
                format!("unknown option {key:?} (dataexchange has \"version\")"),
            )),
        }
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
        parse_payload(self.version, frame_type, frame).map(Some)
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
        Frame::Text { payload }
        | Frame::Binary { payload }
        | Frame::Json { payload }
        | Frame::Unknown { payload, .. } => dst.put_slice(payload),
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
        Frame::FileStream {
            transfer_id,
            control,
        } => {
            dst.put_u8(control.kind());
            dst.put_slice(transfer_id);
            put_control(control, dst);
        }
    }
}

fn put_control(control: &Control, dst: &mut impl BufMut) {
    match control {
        Control::Init {
            size,
            sha256,
            chunk_size,
            filename,
        } => {
            dst.put_u64(*size);
            dst.put_slice(sha256);
            dst.put_u32(*chunk_size);
            // check_encodable keeps the name within 255 bytes.
            dst.put_u16(filename.len() as u16);
            dst.put_slice(filename);
        }
        Control::Chunk { offset, data } => {
            dst.put_u64(*offset);
            dst.put_slice(data);
        }
        Control::Ack { offset } | Control::InitAck { offset } => dst.put_u64(*offset),
        Control::Done => {}
        Control::Complete { ok, message } => {
            dst.put_u8(u8::from(!ok));
            dst.put_slice(message);
        }
        Control::Abort { reason } => dst.put_slice(reason),
        Control::UnknownKind { body, .. } => dst.put_slice(body),
    }
}

/// Decode exactly one frame with the default version and limits.
pub fn decode(input: &[u8]) -> Result<Frame> {
    codec::decode_exact(&mut DataexchangeCodec::default(), input)
}

/// Encode one frame with the default version and limits.
pub fn encode(frame: &Frame) -> Result<Vec<u8>> {
    codec::encode_to_vec(&mut DataexchangeCodec::default(), frame)
}

/// Whether `prefix` looks like the start of a data-exchange stream: a type number of at most
/// 255 (real types are 1..=10) and, once 8 bytes are there, a length within the larger of the
/// two versions' default limits.
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
        ])) <= MAX_FRAME_SIZE_V0_2_1_BETA_1
}

#[cfg(feature = "json")]
mod json {
    //! Type names are the vectors' (`TypeText`, ..., `TypeTrace`, `TypeFileStream`,
    //! `UNKNOWN(n)`). Fields: `{"type": n, "payload": hex}`, plus `filename` for type 4; a trace
    //! frame has the reference's `TraceFrame` fields `{"inner_type", "sent_at_ns", "payload"}`; a
    //! TypeFileStream frame has `kind` (its name, or the number of another kind, then `body`),
    //! `transfer_id` and the kind's fields. A text that is not UTF-8 (`filename`, `message`,
    //! `reason`) is written as `<name>_hex`.

    use bytes::Bytes;
    use serde_json::{json, Map, Value};

    use super::*;
    use crate::json::{hex_value, message, split_message, Fields};

    /// The vectors' message type name of a frame.
    fn message_type(frame: &Frame) -> String {
        match frame {
            Frame::Text { .. } => "TypeText".into(),
            Frame::Binary { .. } => "TypeBinary".into(),
            Frame::Json { .. } => "TypeJSON".into(),
            Frame::File { .. } => "TypeFile".into(),
            Frame::Trace { .. } => "TypeTrace".into(),
            Frame::FileStream { .. } => "TypeFileStream".into(),
            Frame::Unknown { r#type, .. } => format!("UNKNOWN({type})"),
        }
    }

    /// `name` as a JSON string, or `name_hex` when the bytes are not UTF-8.
    fn text(out: &mut Map<String, Value>, name: &str, bytes: &[u8]) {
        match std::str::from_utf8(bytes) {
            Ok(s) => out.insert(name.into(), s.into()),
            Err(_) => out.insert(format!("{name}_hex"), hex_value(bytes)),
        };
    }

    /// The bytes of a text field given as `name` or `name_hex`.
    fn text_of(f: &Fields<'_>, name: &str) -> Result<Bytes> {
        let hex_name = format!("{name}_hex");
        match (f.has(name), f.has(&hex_name)) {
            (true, false) => Ok(Bytes::copy_from_slice(f.str(name)?.as_bytes())),
            (false, true) => f.bytes(&hex_name),
            (false, false) => Err(f.error(name, "missing")),
            (true, true) => Err(f.error(&hex_name, format!("give {name} or {hex_name}, not both"))),
        }
    }

    fn stream_fields(transfer_id: &Bytes, control: &Control) -> Value {
        let mut out = Map::new();
        out.insert(
            "kind".into(),
            match kind_name(control.kind()) {
                Some(name) => name.into(),
                None => control.kind().into(),
            },
        );
        out.insert("transfer_id".into(), hex_value(transfer_id));
        match control {
            Control::Init {
                size,
                sha256,
                chunk_size,
                filename,
            } => {
                out.insert("size".into(), (*size).into());
                out.insert("sha256".into(), hex_value(sha256));
                out.insert("chunk_size".into(), (*chunk_size).into());
                text(&mut out, "filename", filename);
            }
            Control::Chunk { offset, data } => {
                out.insert("offset".into(), (*offset).into());
                out.insert("data".into(), hex_value(data));
            }
            Control::Ack { offset } | Control::InitAck { offset } => {
                out.insert("offset".into(), (*offset).into());
            }
            Control::Done => {}
            Control::Complete { ok, message } => {
                out.insert("ok".into(), (*ok).into());
                text(&mut out, "message", message);
            }
            Control::Abort { reason } => text(&mut out, "reason", reason),
            Control::UnknownKind { body, .. } => {
                out.insert("body".into(), hex_value(body));
            }
        }
        Value::Object(out)
    }

    pub(super) fn to_json(frame: &Frame) -> Value {
        let fields = match frame {
            Frame::File { filename, payload } => {
                let mut out = Map::new();
                out.insert("type".into(), TYPE_FILE.into());
                text(&mut out, "filename", filename);
                out.insert("payload".into(), hex_value(payload));
                Value::Object(out)
            }
            Frame::Trace {
                inner_type,
                sent_at_ns,
                payload,
            } => {
                json!({"inner_type": inner_type, "sent_at_ns": sent_at_ns, "payload": hex_value(payload)})
            }
            Frame::FileStream {
                transfer_id,
                control,
            } => stream_fields(transfer_id, control),
            Frame::Text { payload }
            | Frame::Binary { payload }
            | Frame::Json { payload }
            | Frame::Unknown { payload, .. } => {
                json!({"type": frame.frame_type(), "payload": hex_value(payload)})
            }
        };
        message(&message_type(frame), fields)
    }

    pub(super) fn from_json(value: &Value) -> Result<Frame> {
        let (type_name, fields) = split_message(P, value)?;
        let frame = frame_from_fields(&Fields::new(P, type_name, fields)?)?;
        if message_type(&frame) != type_name {
            return Err(Error::invalid_argument(
                P,
                format!(
                    "message type {type_name:?} does not match fields of {}",
                    message_type(&frame)
                ),
            ));
        }
        Ok(frame)
    }

    fn control_from_fields(f: &Fields<'_>) -> Result<Control> {
        let kind = f.get("kind")?;
        let name = match kind.as_str() {
            Some(name) => name,
            None => {
                let r#type: u8 = f.uint("kind")?;
                if kind_name(r#type).is_some() {
                    return Err(f.error("kind", "a named kind is given by its name"));
                }
                f.deny_unknown(&["kind", "transfer_id", "body"])?;
                return Ok(Control::UnknownKind {
                    r#type,
                    body: f.bytes("body")?,
                });
            }
        };
        let allow = |extra: &[&str]| {
            let mut all = vec!["kind", "transfer_id"];
            all.extend_from_slice(extra);
            f.deny_unknown(&all)
        };
        Ok(match name {
            "INIT" => {
                allow(&["size", "sha256", "chunk_size", "filename", "filename_hex"])?;
                Control::Init {
                    size: f.uint("size")?,
                    sha256: f.bytes("sha256")?,
                    chunk_size: f.uint("chunk_size")?,
                    filename: text_of(f, "filename")?,
                }
            }
            "CHUNK" => {
                allow(&["offset", "data"])?;
                Control::Chunk {
                    offset: f.uint("offset")?,
                    data: f.bytes("data")?,
                }
            }
            "ACK" => {
                allow(&["offset"])?;
                Control::Ack {
                    offset: f.uint("offset")?,
                }
            }
            "DONE" => {
                allow(&[])?;
                Control::Done
            }
            "INIT_ACK" => {
                allow(&["offset"])?;
                Control::InitAck {
                    offset: f.uint("offset")?,
                }
            }
            "COMPLETE" => {
                allow(&["ok", "message", "message_hex"])?;
                Control::Complete {
                    ok: f.bool("ok")?,
                    message: text_of(f, "message")?,
                }
            }
            "ABORT" => {
                allow(&["reason", "reason_hex"])?;
                Control::Abort {
                    reason: text_of(f, "reason")?,
                }
            }
            other => return Err(f.error("kind", format!("{other:?} is not a control kind"))),
        })
    }

    fn frame_from_fields(f: &Fields<'_>) -> Result<Frame> {
        if f.has("kind") {
            return Ok(Frame::FileStream {
                transfer_id: f.bytes("transfer_id")?,
                control: control_from_fields(f)?,
            });
        }
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
            return Ok(Frame::File {
                filename: text_of(f, "filename")?,
                payload,
            });
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
        for name in [&b".."[..], b".", b"a/b", b"a\\b", &[b'x'; 256], b"\xff"] {
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
        assert_eq!(type_name(7), "FILESTREAM");
        assert_eq!(type_name_at(Version::V0_2_1Beta1, 7), "UNKNOWN(7)");
        assert_eq!(type_name(u32::MAX), "UNKNOWN(4294967295)");
    }

    /// A limit set explicitly survives a later `version`; otherwise the version brings its own.
    #[test]
    fn version_sets_the_default_limit_only() {
        let mut codec = DataexchangeCodec::default();
        assert_eq!(codec.limits().max_frame_size, MAX_FRAME_SIZE);
        crate::set_option(&mut codec, "version", "0.2.1-beta.1").unwrap();
        assert_eq!(codec.limits().max_frame_size, MAX_FRAME_SIZE_V0_2_1_BETA_1);
        let mut codec = DataexchangeCodec::default();
        crate::set_option(&mut codec, "max_frame_size", "1000").unwrap();
        crate::set_option(&mut codec, "version", "0.2.1-beta.1").unwrap();
        assert_eq!(codec.limits().max_frame_size, 1000);
        let e = crate::set_option(&mut codec, "version", "0.3").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument);
    }

    #[test]
    fn file_stream_encoding_refuses_what_the_reference_would_cut() {
        let init = |filename: &[u8], sha256: &[u8]| Frame::FileStream {
            transfer_id: Bytes::from_static(&[0; 16]),
            control: Control::Init {
                size: 0,
                sha256: Bytes::copy_from_slice(sha256),
                chunk_size: STREAM_CHUNK_SIZE,
                filename: Bytes::copy_from_slice(filename),
            },
        };
        assert!(encode(&init(&[b'a'; 255], &[0; 32])).is_ok());
        for frame in [
            init(&[b'a'; 256], &[0; 32]),
            init(b"a", &[0; 31]),
            Frame::FileStream {
                transfer_id: Bytes::from_static(&[0; 15]),
                control: Control::Done,
            },
            Frame::FileStream {
                transfer_id: Bytes::from_static(&[0; 16]),
                control: Control::UnknownKind {
                    r#type: ACK,
                    body: Bytes::new(),
                },
            },
            Frame::Unknown {
                r#type: TYPE_FILE_STREAM,
                payload: Bytes::new(),
            },
        ] {
            assert_eq!(
                encode(&frame).unwrap_err().kind(),
                crate::ErrorKind::InvalidArgument,
                "{frame:?}"
            );
        }
        let mut old = DataexchangeCodec::new(Version::V0_2_1Beta1);
        let frame = init(b"a", &[0; 32]);
        assert!(codec::encode_to_vec(&mut old, &frame).is_err());
        let raw = encode(&frame).unwrap();
        let decoded = codec::decode_exact(&mut old, &raw).unwrap();
        assert_eq!(decoded.frame_type(), TYPE_FILE_STREAM);
        assert_eq!(codec::encode_to_vec(&mut old, &decoded).unwrap(), raw);
    }
}

/// The protocol's operations besides the codec's, in the calling convention every binding's
/// generated layer uses (see [`crate::schema::Operation`]).
pub mod ops {
    use bytes::Bytes;

    use super::{DataexchangeCodec, Frame};
    use crate::Result;

    /// The type number a frame has on the wire.
    pub fn frame_type(frame: &Frame) -> Result<u32> {
        Ok(frame.frame_type())
    }

    /// The reference's `TypeName` at the codec's version.
    pub fn type_name(codec: &DataexchangeCodec, frame_type: u32) -> Result<String> {
        Ok(super::type_name_at(codec.version(), frame_type))
    }

    /// The reference's `ReadTracePayload`: the inner type, the send time and the inner payload
    /// (a slice of `payload`).
    pub fn read_trace_payload(frame_type: u32, payload: &Bytes) -> Result<(u32, i64, Bytes)> {
        super::read_trace_payload(frame_type, payload)
    }
}
