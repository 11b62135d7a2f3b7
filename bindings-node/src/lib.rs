//! The native half of the Node binding. It decodes and validates with the core and describes
//! each message on a tape (see `tape.rs`); `lib/wire.js` turns tapes into plain JS objects and
//! back. Every call returns a number: a result size, `NEED_SPACE` (the caller's arrays are too
//! small: the sizes needed are in `io[0]`, `io[1]`; grow them and call `fetch`) or `FAILED` (the
//! error is in `lastError()`). No JS object is built here on the hot paths.
#![deny(clippy::all)]

mod tape;
mod types;

use std::cell::RefCell;

use bytes::BytesMut;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use wire_core::{
    broker, dataexchange, decode_exact_owned, dnode, replication, AnyCodec, AnyFrame, Codec,
    Error as WireError, ErrorKind, Protocol, StreamDecoder,
};

use tape::{Out, Reader, Tape, Writer};

const NEED_SPACE: i32 = -1;
const NO_REGION: (usize, usize) = (0, 0);

/// The contents of a typed array the JS layer passed for this call to fill.
fn mutable<'a>(array: &'a mut Uint8ArraySlice) -> &'a mut [u8] {
    // SAFETY: the array is alive for the whole call (it is an argument), JS cannot run while
    // native code does, and the JS layer never passes one array twice in a call.
    unsafe { array.as_mut() }
}

fn mutable_u32<'a>(array: &'a mut Uint32ArraySlice) -> &'a mut [u32] {
    // SAFETY: as for `mutable`.
    unsafe { array.as_mut() }
}

/// The address range of `bytes` (compared with decoded slices' addresses, never read).
fn range(bytes: &[u8]) -> (usize, usize) {
    (bytes.as_ptr() as usize, bytes.len())
}
const FAILED: i32 = -2;

thread_local! {
    /// The last call's tape and spill, kept until the next call so `fetch` can copy them.
    static OUT: RefCell<Out> = RefCell::new(Out::default());
    /// The last encoding that did not fit the caller's buffer, for `takeEncoded`.
    static ENCODED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static LAST_ERROR: RefCell<Option<WireError>> = const { RefCell::new(None) };
}

/// Spill areas above this are released after use instead of kept for the next call.
const KEEP_SPILL: usize = 1 << 20;

fn fail(e: WireError) -> i32 {
    LAST_ERROR.with(|l| *l.borrow_mut() = Some(e));
    FAILED
}

fn bad_tape(protocol: Protocol, reason: String) -> WireError {
    WireError::invalid_argument(protocol, reason)
}

/// Run `write` on a fresh tape whose byte fields inside memory `[lo, lo + len)` are given as
/// offsets from `lo`, then copy the tape to the caller's arrays.
fn emit(
    (lo, len): (usize, usize),
    io: &mut Uint32ArraySlice,
    spill: &mut Uint8ArraySlice,
    write: impl FnOnce(&mut Writer) -> std::result::Result<(), WireError>,
) -> i32 {
    OUT.with(|out| {
        let mut out = out.borrow_mut();
        out.tape.clear();
        out.spill.clear();
        if out.spill.capacity() > KEEP_SPILL {
            out.spill = Vec::new();
        }
        let mut w = Writer::new(&mut out, lo, len);
        if let Err(e) = write(&mut w) {
            return fail(e);
        }
        copy_out(&out, mutable_u32(io), mutable(spill))
    })
}

fn copy_out(out: &Out, io: &mut [u32], spill: &mut [u8]) -> i32 {
    if out.tape.len() > io.len() || out.spill.len() > spill.len() || io.len() < 2 {
        if io.len() >= 2 {
            io[0] = out.tape.len() as u32;
            io[1] = out.spill.len() as u32;
        }
        return NEED_SPACE;
    }
    io[..out.tape.len()].copy_from_slice(&out.tape);
    spill[..out.spill.len()].copy_from_slice(&out.spill);
    out.tape.len() as i32
}

/// Copy the last call's tape and spill into arrays grown after `NEED_SPACE`.
#[napi(catch_unwind)]
pub fn fetch(mut io: Uint32ArraySlice, mut spill: Uint8ArraySlice) -> i32 {
    OUT.with(|out| copy_out(&out.borrow(), mutable_u32(&mut io), mutable(&mut spill)))
}

/// Move the last encoding that did not fit into `dst` (exactly its size).
#[napi(catch_unwind)]
pub fn take_encoded(mut dst: Uint8ArraySlice) -> i32 {
    ENCODED.with(|e| {
        let mut e = e.borrow_mut();
        let dst = mutable(&mut dst);
        if dst.len() != e.len() {
            return NEED_SPACE;
        }
        dst.copy_from_slice(&e);
        *e = Vec::new();
        dst.len() as i32
    })
}

/// The last error: `[code, protocol, offset or -1, reason]`.
#[napi(catch_unwind)]
pub fn last_error() -> (String, String, f64, String) {
    let e = LAST_ERROR.with(|l| l.borrow_mut().take());
    match e {
        Some(e) => (
            format!("WIRE_{}", e.code().to_ascii_uppercase()),
            e.protocol().name().to_owned(),
            e.offset().map_or(-1.0, |o| o as f64),
            e.reason().to_owned(),
        ),
        None => (
            "WIRE_INVALID_ARGUMENT".into(),
            String::new(),
            -1.0,
            "no error recorded".into(),
        ),
    }
}

/// Every type definition, per protocol (JSON), from which JS builds its readers and writers.
#[napi(catch_unwind)]
pub fn schema() -> String {
    types::schema().to_string()
}

/// The error kinds' codes, in number order (so JS and the core cannot disagree).
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<String> {
    ErrorKind::ALL
        .iter()
        .map(|k| format!("WIRE_{}", k.code().to_ascii_uppercase()))
        .collect()
}

fn protocol_arg(n: u32) -> Result<Protocol> {
    types::protocol_of(n).ok_or_else(|| Error::new(Status::InvalidArg, format!("protocol {n}")))
}

/// A codec configured from `[key, value, ...]` options.
fn configured(protocol: Protocol, options: &[String]) -> std::result::Result<AnyCodec, WireError> {
    let mut codec = AnyCodec::new(protocol);
    for pair in options.chunks(2) {
        if let [key, value] = pair {
            codec.set_option(key, value)?;
        }
    }
    Ok(codec)
}

fn put_frame(frame: &AnyFrame, w: &mut Writer) {
    match frame {
        AnyFrame::Dnode(m) => m.put(w),
        AnyFrame::Chitchat(m) => m.put(w),
        AnyFrame::Replication(m) => m.put(w),
        AnyFrame::Broker(m) => m.put(w),
        AnyFrame::Dataexchange(m) => m.put(w),
    }
}

fn take_frame(
    protocol: Protocol,
    tape: &[u32],
    blob: &[u8],
) -> std::result::Result<AnyFrame, WireError> {
    let mut r = Reader::new(tape, blob);
    let frame = match protocol {
        Protocol::Dnode => dnode::Dmsg::take(&mut r).map(AnyFrame::Dnode),
        Protocol::Chitchat => {
            wire_core::chitchat::ChitchatEnvelope::take(&mut r).map(AnyFrame::Chitchat)
        }
        Protocol::Replication => {
            replication::ProtocolMessage::take(&mut r).map(AnyFrame::Replication)
        }
        Protocol::Broker => broker::Framed::take(&mut r).map(AnyFrame::Broker),
        Protocol::Dataexchange => dataexchange::Frame::take(&mut r).map(AnyFrame::Dataexchange),
    };
    finish_take(protocol, &r, frame)
}

fn finish_take<T>(
    protocol: Protocol,
    r: &Reader,
    value: tape::Take<T>,
) -> std::result::Result<T, WireError> {
    let value = value.map_err(|e| bad_tape(protocol, e))?;
    if !r.is_done() {
        return Err(bad_tape(protocol, "message tape has extra words".into()));
    }
    Ok(value)
}

/// Write `bytes` into `out[at..]`; if they do not fit, keep them for `takeEncoded` and return
/// `-(3 + len)`.
fn deliver(bytes: Vec<u8>, out: &mut [u8], at: u32) -> i64 {
    let at = at as usize;
    match out.get_mut(at..at.saturating_add(bytes.len())) {
        Some(dst) => {
            dst.copy_from_slice(&bytes);
            bytes.len() as i64
        }
        None => {
            let n = bytes.len() as i64;
            ENCODED.with(|e| *e.borrow_mut() = bytes);
            -(3 + n)
        }
    }
}

/// One protocol's codec with its options.
#[napi]
pub struct NativeCodec {
    codec: AnyCodec,
}

#[napi]
impl NativeCodec {
    /// `options` is `[key, value, ...]` (the core's option names).
    #[napi(constructor, catch_unwind)]
    pub fn new(protocol: u32, options: Vec<String>) -> Result<Self> {
        let protocol = protocol_arg(protocol)?;
        configured(protocol, &options)
            .map(|codec| NativeCodec { codec })
            .map_err(|e| Error::new(Status::InvalidArg, e.to_string()))
    }

    /// Decode exactly one frame of `input` onto the tape.
    #[napi(catch_unwind)]
    pub fn decode(
        &mut self,
        input: &[u8],
        mut io: Uint32ArraySlice,
        mut spill: Uint8ArraySlice,
    ) -> i32 {
        let buf = BytesMut::from(input);
        // Decoded byte fields are slices of `buf`, which the frame keeps alive.
        let region = range(&buf);
        match decode_exact_owned(&mut self.codec, buf) {
            Ok(frame) => emit(region, &mut io, &mut spill, |w| {
                put_frame(&frame, w);
                Ok(())
            }),
            Err(e) => fail(e),
        }
    }

    /// Encode the frame on the tape into `out[at..]`: the length written, `FAILED`, or
    /// `-(3 + needed)` when it does not fit (the bytes wait for `takeEncoded`).
    #[napi(catch_unwind)]
    pub fn encode(&mut self, tape: &[u32], blob: &[u8], mut out: Uint8ArraySlice, at: u32) -> i64 {
        let protocol = self.codec.protocol();
        let result = take_frame(protocol, tape, blob)
            .and_then(|frame| wire_core::encode_to_vec(&mut self.codec, &frame));
        match result {
            Ok(bytes) => deliver(bytes, mutable(&mut out), at),
            Err(e) => i64::from(fail(e)),
        }
    }

    /// The canonical JSON text of the frame on the tape (`None`: see `lastError`).
    #[napi(catch_unwind)]
    pub fn to_json(&self, tape: &[u32], blob: &[u8]) -> Option<String> {
        match take_frame(self.codec.protocol(), tape, blob) {
            Ok(frame) => Some(self.codec.to_json(&frame).to_string()),
            Err(e) => {
                fail(e);
                None
            }
        }
    }

    /// Parse canonical JSON text onto the tape.
    #[napi(catch_unwind)]
    pub fn from_json(
        &self,
        json: String,
        mut io: Uint32ArraySlice,
        mut spill: Uint8ArraySlice,
    ) -> i32 {
        let protocol = self.codec.protocol();
        let frame = serde_json::from_str(&json)
            .map_err(|e| WireError::invalid_argument(protocol, format!("not JSON: {e}")))
            .and_then(|value| self.codec.from_json(&value));
        match frame {
            Ok(frame) => emit(NO_REGION, &mut io, &mut spill, |w| {
                put_frame(&frame, w);
                Ok(())
            }),
            Err(e) => fail(e),
        }
    }
}

/// A stream decoder: push chunks, get every complete frame.
#[napi]
pub struct NativeDecoder {
    inner: StreamDecoder<AnyCodec>,
}

#[napi]
impl NativeDecoder {
    #[napi(constructor, catch_unwind)]
    pub fn new(protocol: u32, options: Vec<String>) -> Result<Self> {
        let protocol = protocol_arg(protocol)?;
        configured(protocol, &options)
            .map(|codec| NativeDecoder {
                inner: StreamDecoder::new(codec),
            })
            .map_err(|e| Error::new(Status::InvalidArg, e.to_string()))
    }

    /// Push `chunk`; the tape holds `[count, frame...]`. Byte fields that lie in this chunk are
    /// given as offsets into it; fields spanning earlier chunks are spilled. If an error
    /// follows some frames, the frames are returned and the error comes from the next call.
    #[napi(catch_unwind)]
    pub fn push(
        &mut self,
        chunk: &[u8],
        mut io: Uint32ArraySlice,
        mut spill: Uint8ArraySlice,
    ) -> i32 {
        let before = self.inner.buffered();
        self.inner.push(chunk);
        let buffered = self.inner.buffered_bytes();
        // Where this chunk's bytes now sit (empty after a failure: nothing was buffered).
        let lo = buffered.as_ptr() as usize + before.min(buffered.len());
        let len = buffered.len().saturating_sub(before).min(chunk.len());
        let inner = &mut self.inner;
        emit((lo, len), &mut io, &mut spill, |w| {
            w.word(0);
            let mut count = 0u32;
            loop {
                match inner.next_frame() {
                    Ok(Some(frame)) => {
                        put_frame(&frame, w);
                        count += 1;
                    }
                    Ok(None) => break,
                    Err(e) if count == 0 => return Err(e),
                    Err(_) => break,
                }
            }
            w.out.tape[0] = count;
            Ok(())
        })
    }

    /// End of stream: 0, or `FAILED` when a partial frame is buffered or the stream failed.
    #[napi(catch_unwind)]
    pub fn finish(&mut self) -> i32 {
        match self.inner.finish() {
            Ok(()) => 0,
            Err(e) => fail(e),
        }
    }

    /// Bytes pushed but not yet decoded.
    #[napi(getter, catch_unwind)]
    pub fn buffered(&self) -> f64 {
        self.inner.buffered() as f64
    }

    /// Bytes consumed by decoded frames since the start.
    #[napi(getter, catch_unwind)]
    pub fn position(&self) -> f64 {
        self.inner.position() as f64
    }
}

/// Bare messages and helpers outside the framed codecs, by kind:
/// `dnode.header`, `dnode.handshake`, `replication.7x` / `replication.3x` (bare
/// `ProtocolMessage`), `replication.7x.prefix` / `replication.3x.prefix` (lenient: `[used,
/// message]`), `replication.preamble` (`[used, service]`), `dataexchange.trace`
/// (`ReadTracePayload`: options `[type]`, tape `[innerType, sentAtNs, payload]`), and
/// `broker.<MessageName>`.
fn bare_kind(kind: &str) -> std::result::Result<(Protocol, &str), WireError> {
    let (protocol, rest) = kind.split_once('.').unwrap_or((kind, ""));
    let protocol: Protocol = protocol
        .parse()
        .map_err(|e: String| WireError::invalid_argument(Protocol::Dnode, e))?;
    Ok((protocol, rest))
}

fn unknown_kind(protocol: Protocol, kind: &str) -> WireError {
    WireError::invalid_argument(protocol, format!("no bare message kind {kind:?}"))
}

fn layout_of(
    protocol: Protocol,
    rest: &str,
) -> std::result::Result<(replication::Layout, bool), WireError> {
    let (layout, prefix) = match rest.strip_suffix(".prefix") {
        Some(l) => (l, true),
        None => (rest, false),
    };
    let layout = layout.parse().map_err(|_| unknown_kind(protocol, rest))?;
    Ok((layout, prefix))
}

fn dnode_codec(options: &[String]) -> std::result::Result<dnode::DnodeCodec, WireError> {
    let mut codec = dnode::DnodeCodec::default();
    for pair in options.chunks(2) {
        if let [key, value] = pair {
            if key == "max_frame_size" {
                let mut limits = codec.limits();
                limits.max_frame_size = value.parse().map_err(|_| {
                    WireError::invalid_argument(
                        Protocol::Dnode,
                        format!("max_frame_size {value:?}"),
                    )
                })?;
                codec.set_limits(limits)?;
            } else {
                codec.set_option(key, value)?;
            }
        }
    }
    Ok(codec)
}

/// Decode a bare message of `kind` from `input` onto the tape.
#[napi(catch_unwind)]
pub fn bare_decode(
    kind: String,
    options: Vec<String>,
    input: &[u8],
    mut io: Uint32ArraySlice,
    mut spill: Uint8ArraySlice,
) -> i32 {
    let result = (|| {
        let (protocol, rest) = bare_kind(&kind)?;
        Ok::<_, WireError>(match (protocol, rest) {
            (Protocol::Dnode, "header") => {
                let codec = dnode_codec(&options)?;
                match codec.parse_header(input)? {
                    Some((header, len)) => emit(range(input), &mut io, &mut spill, |w| {
                        w.word(1);
                        w.word(len as u32);
                        header.put(w);
                        Ok(())
                    }),
                    None => emit(range(input), &mut io, &mut spill, |w| {
                        w.word(0);
                        Ok(())
                    }),
                }
            }
            (Protocol::Dnode, "handshake") => {
                let hs = dnode::Handshake::decode(input)?;
                emit(range(input), &mut io, &mut spill, |w| {
                    hs.put(w);
                    Ok(())
                })
            }
            (Protocol::Replication, "preamble") => {
                let (service, used) = replication::decode_preamble(input)?;
                emit(range(input), &mut io, &mut spill, |w| {
                    w.word(used as u32);
                    service.put(w);
                    Ok(())
                })
            }
            (Protocol::Replication, rest) => {
                let (layout, prefix) = layout_of(protocol, rest)?;
                if prefix {
                    let (m, used) = replication::decode_message_prefix(input, layout)?;
                    emit(range(input), &mut io, &mut spill, |w| {
                        w.word(used as u32);
                        m.put(w);
                        Ok(())
                    })
                } else {
                    let m = replication::decode_message(input, layout)?;
                    emit(range(input), &mut io, &mut spill, |w| {
                        m.put(w);
                        Ok(())
                    })
                }
            }
            (Protocol::Dataexchange, "trace") => {
                let frame_type: u32 = options
                    .chunks(2)
                    .find(|pair| pair[0] == "type")
                    .and_then(|pair| pair.get(1)?.parse().ok())
                    .ok_or_else(|| unknown_kind(protocol, "trace without a type"))?;
                let payload = bytes::Bytes::copy_from_slice(input);
                let (inner, sent, data) = dataexchange::read_trace_payload(frame_type, &payload)?;
                // `data` is a slice of the copy: report it against the caller's input.
                let at = input.len() - data.len();
                emit(range(input), &mut io, &mut spill, |w| {
                    w.word(inner);
                    w.u64(sent as u64);
                    w.bytes(&input[at..]);
                    Ok(())
                })
            }
            (Protocol::Broker, name) => {
                let m = broker::AnyMessage::decode(name, input)?;
                emit(range(input), &mut io, &mut spill, |w| {
                    m.put(w);
                    Ok(())
                })
            }
            (p, rest) => return Err(unknown_kind(p, rest)),
        })
    })();
    result.unwrap_or_else(fail)
}

fn bare_take(kind: &str, tape: &[u32], blob: &[u8]) -> std::result::Result<BareValue, WireError> {
    let (protocol, rest) = bare_kind(kind)?;
    let mut r = Reader::new(tape, blob);
    let value = match (protocol, rest) {
        (Protocol::Dnode, "header") => dnode::DmsgHeader::take(&mut r).map(BareValue::Header),
        (Protocol::Dnode, "handshake") => dnode::Handshake::take(&mut r).map(BareValue::Handshake),
        (Protocol::Replication, "preamble") => String::take(&mut r).map(BareValue::Preamble),
        (Protocol::Replication, rest) => {
            let (layout, _) = layout_of(protocol, rest)?;
            replication::ProtocolMessage::take(&mut r).map(|m| BareValue::Replication(m, layout))
        }
        (Protocol::Broker, _) => broker::AnyMessage::take(&mut r).map(BareValue::Broker),
        (p, rest) => return Err(unknown_kind(p, rest)),
    };
    finish_take(protocol, &r, value)
}

enum BareValue {
    Header(dnode::DmsgHeader),
    Handshake(dnode::Handshake),
    Preamble(String),
    Replication(replication::ProtocolMessage, replication::Layout),
    Broker(broker::AnyMessage),
}

/// Encode a bare message of `kind` from the tape into `out[at..]` (results as `encode`).
#[napi(catch_unwind)]
pub fn bare_encode(
    kind: String,
    options: Vec<String>,
    tape: &[u32],
    blob: &[u8],
    mut out: Uint8ArraySlice,
    at: u32,
) -> i64 {
    let bytes = bare_take(&kind, tape, blob).and_then(|value| match value {
        BareValue::Header(h) => {
            let mut dst = BytesMut::new();
            dnode_codec(&options)?.encode_header(&h, &mut dst)?;
            Ok(dst.to_vec())
        }
        BareValue::Handshake(hs) => hs.encode(),
        BareValue::Preamble(service) => replication::encode_preamble(&service),
        BareValue::Replication(m, layout) => replication::encode_message(&m, layout),
        BareValue::Broker(m) => Ok(m.encode()),
    });
    match bytes {
        Ok(bytes) => deliver(bytes, mutable(&mut out), at),
        Err(e) => i64::from(fail(e)),
    }
}

/// Canonical JSON of a bare message (`dnode.header`, `dnode.handshake`, `replication.*`,
/// `broker.*`).
#[napi(catch_unwind)]
pub fn bare_to_json(kind: String, tape: &[u32], blob: &[u8]) -> Option<String> {
    let json = bare_take(&kind, tape, blob).and_then(|value| match value {
        BareValue::Header(h) => Ok(dnode::header_to_json(&h)),
        BareValue::Handshake(hs) => Ok(dnode::handshake_to_json(&hs)),
        BareValue::Replication(m, layout) => {
            Ok(replication::ReplicationCodec::new(layout).to_json(&m))
        }
        BareValue::Broker(m) => Ok(m.to_json()),
        BareValue::Preamble(_) => Err(unknown_kind(Protocol::Replication, "preamble JSON")),
    });
    match json {
        Ok(v) => Some(v.to_string()),
        Err(e) => {
            fail(e);
            None
        }
    }
}

/// Parse the canonical JSON of a bare message onto the tape.
#[napi(catch_unwind)]
pub fn bare_from_json(
    kind: String,
    json: String,
    mut io: Uint32ArraySlice,
    mut spill: Uint8ArraySlice,
) -> i32 {
    let result = (|| {
        let (protocol, rest) = bare_kind(&kind)?;
        let value: serde_json::Value = serde_json::from_str(&json)
            .map_err(|e| WireError::invalid_argument(protocol, format!("not JSON: {e}")))?;
        Ok::<_, WireError>(match (protocol, rest) {
            (Protocol::Dnode, "header") => {
                let h = dnode::header_from_json(&value)?;
                emit(NO_REGION, &mut io, &mut spill, |w| {
                    h.put(w);
                    Ok(())
                })
            }
            (Protocol::Dnode, "handshake") => {
                let hs = dnode::handshake_from_json(&value)?;
                emit(NO_REGION, &mut io, &mut spill, |w| {
                    hs.put(w);
                    Ok(())
                })
            }
            (Protocol::Replication, rest) => {
                let (layout, _) = layout_of(protocol, rest)?;
                let m = replication::ReplicationCodec::new(layout).from_json(&value)?;
                emit(NO_REGION, &mut io, &mut spill, |w| {
                    m.put(w);
                    Ok(())
                })
            }
            (Protocol::Broker, _) => {
                let m = broker::AnyMessage::from_json(&value)?;
                emit(NO_REGION, &mut io, &mut spill, |w| {
                    m.put(w);
                    Ok(())
                })
            }
            (p, rest) => return Err(unknown_kind(p, rest)),
        })
    })();
    result.unwrap_or_else(fail)
}

/// Best-effort protocol guess from a stream's first bytes (the core's `detect`): its name, or
/// `None`.
#[napi(catch_unwind)]
pub fn detect(prefix: &[u8]) -> Option<String> {
    wire_core::detect(prefix).map(|p| p.name().to_owned())
}
