//! The native half of the Node binding. It decodes and validates with the core and describes
//! each message on a tape (see `tape.rs`); `lib/wire.js` turns tapes into plain JS objects and
//! back, through typed arrays JS registers once (`registerBuffers`). Every call returns a number:
//! a result size, `NEED_SPACE` (the registered tape or spill is too small: the sizes needed are
//! in `tape[0]`, `tape[1]`; register bigger ones and call `fetch`) or `FAILED` (the error is in
//! `lastError()`). No JS object is built here on the hot paths, which are raw Node-API callbacks
//! (`fast.rs`).
#![deny(clippy::all)]

mod fast;
// Written by xtask, formatted as it writes it (its check compares the text).
#[rustfmt::skip]
mod generated;
mod tape;

use std::cell::RefCell;

use bytes::BytesMut;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use wire_core::{
    broker, dataexchange, decode_exact_owned, dnode, replication, AnyCodec, AnyFrame, Codec,
    Error as WireError, ErrorKind, Protocol, StreamDecoder,
};

use fast::{with_buffers, Buffers, CODECS, DECODERS};
use tape::{Out, Reader, Tape, Writer};

const NEED_SPACE: i32 = -1;
const FAILED: i32 = -2;
const NO_REGION: (usize, usize) = (0, 0);

/// The address range of `bytes` (compared with decoded slices' addresses, never read).
fn range(bytes: &[u8]) -> (usize, usize) {
    (bytes.as_ptr() as usize, bytes.len())
}

thread_local! {
    /// The last call's tape and spill, kept until the next call so `fetch` can copy them.
    static OUT: RefCell<Out> = RefCell::new(Out::default());
    /// Inputs of `decode` are copied here for the core (see `owned`).
    static INPUT: RefCell<BytesMut> = RefCell::new(BytesMut::new());
    /// Reused for every encoding (cleared, capacity kept up to `KEEP_SPILL`).
    static ENCODING: RefCell<BytesMut> = RefCell::new(BytesMut::new());
    /// The last encoding that did not fit its destination, for `takeEncoded`.
    static ENCODED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static LAST_ERROR: RefCell<Option<WireError>> = const { RefCell::new(None) };
}

/// Spill areas and encodings above this are released after use instead of kept.
const KEEP_SPILL: usize = 1 << 20;

fn fail(e: WireError) -> i32 {
    LAST_ERROR.with(|l| *l.borrow_mut() = Some(e));
    FAILED
}

fn bad_tape(protocol: Protocol, reason: String) -> WireError {
    WireError::invalid_argument(protocol, reason)
}

/// Run `write` on a fresh tape whose byte fields inside memory `[lo, lo + len)` are given as
/// offsets from `lo`, then copy the tape to the registered arrays.
fn emit(
    (lo, len): (usize, usize),
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
        with_buffers(|b| copy_out(&out, b))
    })
}

fn copy_out(out: &Out, buffers: Option<&mut Buffers>) -> i32 {
    let Some(Buffers { tape, spill, .. }) = buffers else {
        return fail(WireError::without_protocol(
            ErrorKind::InvalidArgument,
            "registerBuffers was never called",
        ));
    };
    // SAFETY: registered arrays are only written here and in `encode`, never while another
    // slice of them is alive; JS cannot run while native code does.
    let (tape, spill) = unsafe { (tape.as_mut(), spill.as_mut()) };
    if out.tape.len() > tape.len() || out.spill.len() > spill.len() {
        if tape.len() >= 2 {
            tape[0] = out.tape.len() as u32;
            tape[1] = out.spill.len() as u32;
        }
        return NEED_SPACE;
    }
    tape[..out.tape.len()].copy_from_slice(&out.tape);
    spill[..out.spill.len()].copy_from_slice(&out.spill);
    out.tape.len() as i32
}

/// Register the arrays results and messages cross in (again whenever JS replaces one): the
/// registration's generation, which raw calls name.
#[napi(catch_unwind)]
pub fn register_buffers(
    tape: Uint32Array,
    spill: Uint8Array,
    words: Uint32Array,
    blob: Uint8Array,
    scratch: Uint8Array,
) -> u32 {
    let generation = fast::GENERATIONS.with(|g| {
        g.set(g.get().wrapping_add(1));
        g.get()
    });
    let buffers = Buffers {
        tape,
        spill,
        words,
        blob,
        scratch,
        generation,
    };
    // The arrays replaced are released after the borrow ends.
    let _old = fast::BUFFERS.with(|b| b.borrow_mut().replace(buffers));
    generation
}

/// The registration in force (0: none), for the calls that do not name one.
#[napi(catch_unwind)]
pub fn registered_generation() -> u32 {
    with_buffers(|b| b.map_or(0, |b| b.generation))
}

/// Copy the last call's tape and spill into the registered arrays (grown after `NEED_SPACE`).
#[napi(catch_unwind)]
pub fn fetch() -> i32 {
    OUT.with(|out| with_buffers(|b| copy_out(&out.borrow(), b)))
}

/// Move the last encoding that did not fit into `dst` (exactly its size).
#[napi(catch_unwind)]
pub fn take_encoded(mut dst: Uint8ArraySlice) -> i32 {
    ENCODED.with(|e| {
        let mut e = e.borrow_mut();
        // SAFETY: the array is alive for the whole call (it is an argument) and JS cannot run
        // while native code does.
        let dst = unsafe { dst.as_mut() };
        if dst.len() != e.len() {
            return NEED_SPACE;
        }
        dst.copy_from_slice(&e);
        *e = Vec::new();
        dst.len() as i32
    })
}

/// The last error: `[code, protocol or null, offset or -1, reason]`.
#[napi(catch_unwind)]
pub fn last_error() -> (String, Option<String>, f64, String) {
    let e = LAST_ERROR.with(|l| l.borrow_mut().take());
    match e {
        Some(e) => (
            format!("WIRE_{}", e.code().to_ascii_uppercase()),
            e.protocol().map(|p| p.name().to_owned()),
            e.offset().map_or(-1.0, |o| o as f64),
            e.reason().to_owned(),
        ),
        None => (
            "WIRE_INVALID_ARGUMENT".into(),
            None,
            -1.0,
            "no error recorded".into(),
        ),
    }
}

/// Install the raw hot-path exports (`decode`, `push`, `encode`, `encodeInto`; not in
/// index.d.ts, which only lists `#[napi]` items) and drop the registered arrays before the
/// environment goes away.
#[napi(module_exports)]
pub fn install(exports: Object, env: Env) -> Result<()> {
    // SAFETY: napi-rs calls this once per environment during module initialisation, with the
    // module's environment and exports object.
    unsafe { fast::install(env.raw(), exports.raw()) }
        .map_err(|e| Error::new(Status::GenericFailure, e))?;
    env.add_env_cleanup_hook((), |()| {
        fast::BUFFERS.with(|b| b.borrow_mut().take());
    })?;
    Ok(())
}

/// The library's version (the workspace's, so the addon and the JS agree by construction).
#[napi]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

fn protocol_arg(n: u32) -> std::result::Result<Protocol, WireError> {
    Protocol::ALL
        .into_iter()
        .find(|p| p.number() == n)
        .ok_or_else(|| {
            WireError::without_protocol(ErrorKind::InvalidArgument, format!("no protocol {n}"))
        })
}

/// A codec configured from `[key, value, ...]` options through the core's `set_option`.
fn configured(protocol: u32, options: &[String]) -> std::result::Result<AnyCodec, WireError> {
    let protocol = protocol_arg(protocol)?;
    let mut codec = AnyCodec::new(protocol);
    for pair in options.chunks(2) {
        match pair {
            [key, value] => codec.set_option(key, value)?,
            [key] => {
                return Err(WireError::invalid_argument(
                    protocol,
                    format!("option {key:?} has no value"),
                ))
            }
            _ => {}
        }
    }
    Ok(codec)
}

/// A codec for `decode`/`encode` (`options` as `[key, value, ...]`, the core's option names):
/// its handle, valid until `releaseCodec`, or `FAILED` (see `lastError`).
#[napi(catch_unwind)]
pub fn new_codec(protocol: u32, options: Vec<String>) -> i64 {
    match configured(protocol, &options) {
        Ok(codec) => i64::from(CODECS.with(|c| c.borrow_mut().insert(codec))),
        Err(e) => i64::from(fail(e)),
    }
}

#[napi(catch_unwind)]
pub fn release_codec(codec: u32) {
    CODECS.with(|c| c.borrow_mut().remove(codec));
}

/// Run `$body` with `$c` bound to the protocol's own codec inside an `AnyCodec`, so frames
/// stay their protocol's type: the core's `AnyFrame` is as large as the largest protocol's
/// frame and would be moved several times for every frame.
macro_rules! concrete {
    ($any:expr, $c:ident => $body:expr) => {
        match $any {
            AnyCodec::Dnode($c) => $body,
            AnyCodec::Chitchat($c) => $body,
            AnyCodec::Broker($c) => $body,
            AnyCodec::Replication($c) => $body,
            AnyCodec::Dataexchange($c) => $body,
        }
    };
}

/// A stream decoder over one protocol's own codec (see `concrete!`).
pub enum Stream {
    Dnode(StreamDecoder<dnode::DnodeCodec>),
    Chitchat(StreamDecoder<wire_core::chitchat::ChitchatCodec>),
    Broker(StreamDecoder<broker::BrokerCodec>),
    Replication(StreamDecoder<replication::ReplicationCodec>),
    Dataexchange(StreamDecoder<dataexchange::DataexchangeCodec>),
}

macro_rules! stream {
    ($stream:expr, $d:ident => $body:expr) => {
        match $stream {
            Stream::Dnode($d) => $body,
            Stream::Chitchat($d) => $body,
            Stream::Broker($d) => $body,
            Stream::Replication($d) => $body,
            Stream::Dataexchange($d) => $body,
        }
    };
}

impl Stream {
    fn new(codec: AnyCodec) -> Stream {
        match codec {
            AnyCodec::Dnode(c) => Stream::Dnode(StreamDecoder::new(c)),
            AnyCodec::Chitchat(c) => Stream::Chitchat(StreamDecoder::new(c)),
            AnyCodec::Broker(c) => Stream::Broker(StreamDecoder::new(c)),
            AnyCodec::Replication(c) => Stream::Replication(StreamDecoder::new(c)),
            AnyCodec::Dataexchange(c) => Stream::Dataexchange(StreamDecoder::new(c)),
        }
    }
}

/// A stream decoder for `push`: its handle, valid until `releaseDecoder`, or `FAILED`.
#[napi(catch_unwind)]
pub fn new_decoder(protocol: u32, options: Vec<String>) -> i64 {
    match configured(protocol, &options) {
        Ok(codec) => {
            let decoder = Stream::new(codec);
            i64::from(DECODERS.with(|d| d.borrow_mut().insert(decoder)))
        }
        Err(e) => i64::from(fail(e)),
    }
}

#[napi(catch_unwind)]
pub fn release_decoder(decoder: u32) {
    DECODERS.with(|d| d.borrow_mut().remove(decoder));
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

/// The message JS wrote: the first `words` words of the registered tape and `blob` bytes of
/// the registered blob, read by `take`.
fn written<T>(
    protocol: Protocol,
    words: u32,
    blob: u32,
    take: impl FnOnce(&[u32], &[u8]) -> std::result::Result<T, WireError>,
) -> std::result::Result<T, WireError> {
    with_buffers(|b| {
        let b = b.ok_or_else(|| bad_tape(protocol, "registerBuffers was never called".into()))?;
        let words = b.words.get(..words as usize);
        let blob = b.blob.get(..blob as usize);
        match (words, blob) {
            (Some(words), Some(blob)) => take(words, blob),
            _ => Err(bad_tape(
                protocol,
                "tape or blob length outside the arrays".into(),
            )),
        }
    })
}

/// Where an encoding goes: the caller's buffer, or the registered scratch (JS's output pool),
/// at an offset.
pub(crate) enum Dest<'a> {
    Caller(&'a mut [u8], u32),
    Scratch(u32),
}

/// Write `bytes` into their destination; if they do not fit, keep them for `takeEncoded` and
/// return `-(3 + len)`.
fn deliver(bytes: &[u8], dest: Dest) -> i64 {
    let fits = |out: &mut [u8], at: u32| {
        let at = at as usize;
        out.get_mut(at..at.saturating_add(bytes.len()))
            .map(|dst| dst.copy_from_slice(bytes))
            .is_some()
    };
    let done = match dest {
        Dest::Caller(out, at) => fits(out, at),
        // SAFETY: as in `copy_out`: no other slice of the scratch array is alive.
        Dest::Scratch(at) => {
            with_buffers(|b| b.is_some_and(|b| fits(unsafe { b.scratch.as_mut() }, at)))
        }
    };
    if done {
        bytes.len() as i64
    } else {
        ENCODED.with(|e| *e.borrow_mut() = bytes.to_vec());
        -(3 + bytes.len() as i64)
    }
}

/// Encode `frame` with `codec` into the reused encoding buffer and deliver it.
fn encode_frame<C: Codec>(codec: &mut C, frame: &C::Frame, out: Dest) -> i64 {
    ENCODING.with(|dst| {
        let mut dst = dst.borrow_mut();
        dst.clear();
        let result = codec
            .encoded_len(frame)
            .and_then(|n| {
                dst.reserve(n);
                codec.encode(frame, &mut dst)
            })
            .map(|()| deliver(&dst, out));
        if dst.capacity() > KEEP_SPILL {
            *dst = BytesMut::new();
        }
        result.unwrap_or_else(|e| i64::from(fail(e)))
    })
}

/// `input` copied into owned memory for the core, through a reused buffer: a small frame then
/// costs no allocation (its space is reclaimed once the decoded frame is dropped).
fn owned(input: &[u8]) -> BytesMut {
    if input.len() > KEEP_SPILL {
        return BytesMut::from(input);
    }
    INPUT.with(|pool| {
        let mut pool = pool.borrow_mut();
        pool.reserve(input.len());
        pool.extend_from_slice(input);
        pool.split()
    })
}

fn decode_one<C: Codec>(codec: &mut C, input: &[u8]) -> i32
where
    C::Frame: Tape,
{
    let buf = owned(input);
    // Decoded byte fields are slices of `buf`, which the frame keeps alive.
    let region = range(&buf);
    match decode_exact_owned(codec, buf) {
        Ok(frame) => emit(region, |w| {
            frame.put(w);
            Ok(())
        }),
        Err(e) => fail(e),
    }
}

/// Decode exactly one frame of `input` onto the tape (`None`: no such codec).
pub(crate) fn decode(codec: u32, input: &[u8]) -> Option<i32> {
    CODECS.with(|c| {
        let mut codecs = c.borrow_mut();
        Some(concrete!(codecs.get_mut(codec)?, c => decode_one(c, input)))
    })
}

fn push_into<C: Codec>(inner: &mut StreamDecoder<C>, chunk: &[u8]) -> i32
where
    C::Frame: Tape,
{
    let before = inner.buffered();
    inner.push(chunk);
    let buffered = inner.buffered_bytes();
    // Where this chunk's bytes now sit (empty after a failure: nothing was buffered).
    let lo = buffered.as_ptr() as usize + before.min(buffered.len());
    let len = buffered.len().saturating_sub(before).min(chunk.len());
    emit((lo, len), |w| {
        w.word(0);
        let mut count = 0u32;
        loop {
            match inner.next_frame() {
                Ok(Some(frame)) => {
                    frame.put(w);
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

/// Push `chunk`; the tape holds `[count, frame...]`. Byte fields that lie in this chunk are
/// given as offsets into it; fields spanning earlier chunks are spilled. If an error follows
/// some frames, the frames are returned and the error comes from the next call (`None`: no
/// such decoder).
pub(crate) fn push(decoder: u32, chunk: &[u8]) -> Option<i32> {
    DECODERS.with(|d| {
        let mut decoders = d.borrow_mut();
        Some(stream!(decoders.get_mut(decoder)?, d => push_into(d, chunk)))
    })
}

fn encode_one<C: Codec>(codec: &mut C, words: u32, blob: u32, out: Dest) -> i64
where
    C::Frame: Tape,
{
    let protocol = codec.protocol();
    let frame = written(protocol, words, blob, |t, b| {
        let mut r = Reader::new(t, b);
        let frame = C::Frame::take(&mut r);
        finish_take(protocol, &r, frame)
    });
    match frame {
        Ok(frame) => encode_frame(codec, &frame, out),
        Err(e) => i64::from(fail(e)),
    }
}

/// Encode the frame JS wrote (`words` tape words, `blob` bytes) into `out`: the length
/// written, `FAILED`, or `-(3 + needed)` when it does not fit (the bytes wait for
/// `takeEncoded`). `None` when there is no such codec.
pub(crate) fn encode(codec: u32, words: u32, blob: u32, out: Dest) -> Option<i64> {
    CODECS.with(|c| {
        let mut codecs = c.borrow_mut();
        Some(concrete!(codecs.get_mut(codec)?, c => encode_one(c, words, blob, out)))
    })
}

fn with_codec<R>(codec: u32, f: impl FnOnce(&mut AnyCodec) -> R) -> Result<R> {
    CODECS.with(|c| {
        c.borrow_mut()
            .get_mut(codec)
            .map(f)
            .ok_or_else(|| Error::new(Status::InvalidArg, format!("no codec {codec}")))
    })
}

fn with_decoder<R>(decoder: u32, f: impl FnOnce(&mut Stream) -> R) -> Result<R> {
    DECODERS.with(|d| {
        d.borrow_mut()
            .get_mut(decoder)
            .map(f)
            .ok_or_else(|| Error::new(Status::InvalidArg, format!("no decoder {decoder}")))
    })
}

/// The canonical JSON text of the frame JS wrote (`None`: see `lastError`).
#[napi(catch_unwind)]
pub fn codec_to_json(codec: u32, words: u32, blob: u32) -> Result<Option<String>> {
    with_codec(codec, |codec| {
        let protocol = codec.protocol();
        match written(protocol, words, blob, |t, b| take_frame(protocol, t, b)) {
            Ok(frame) => Some(codec.to_json(&frame).to_string()),
            Err(e) => {
                fail(e);
                None
            }
        }
    })
}

/// Parse canonical JSON text onto the tape.
#[napi(catch_unwind)]
pub fn codec_from_json(codec: u32, json: String) -> Result<i32> {
    with_codec(codec, |codec| {
        let protocol = codec.protocol();
        let frame = serde_json::from_str(&json)
            .map_err(|e| WireError::invalid_argument(protocol, format!("not JSON: {e}")))
            .and_then(|value| codec.from_json(&value));
        match frame {
            Ok(frame) => emit(NO_REGION, |w| {
                put_frame(&frame, w);
                Ok(())
            }),
            Err(e) => fail(e),
        }
    })
}

/// End of stream: 0, or `FAILED` when a partial frame is buffered or the stream failed.
#[napi(catch_unwind)]
pub fn decoder_finish(decoder: u32) -> Result<i32> {
    with_decoder(decoder, |d| match stream!(d, d => d.finish()) {
        Ok(()) => 0,
        Err(e) => fail(e),
    })
}

/// Bytes pushed but not yet decoded.
#[napi(catch_unwind)]
pub fn decoder_buffered(decoder: u32) -> Result<f64> {
    with_decoder(decoder, |d| stream!(d, d => d.buffered()) as f64)
}

/// Bytes consumed by decoded frames since the start.
#[napi(catch_unwind)]
pub fn decoder_position(decoder: u32) -> Result<f64> {
    with_decoder(decoder, |d| stream!(d, d => d.position()) as f64)
}

/// Run operation `op` of `protocol` (`lib/generated.js` numbers them) with `codec` on the
/// arguments JS wrote (`words` tape words, `blob` bytes): the results on the tape.
#[napi(catch_unwind)]
pub fn operation(protocol: u32, op: u32, codec: u32, words: u32, blob: u32) -> Result<i32> {
    let protocol = match protocol_arg(protocol) {
        Ok(p) => p,
        Err(e) => return Ok(fail(e)),
    };
    // The arguments are copied out first: writing the results uses the registered arrays.
    let args = written(protocol, words, blob, |t, b| Ok((t.to_vec(), b.to_vec())));
    with_codec(codec, |codec| match args {
        Ok((tape, blob)) => {
            let mut r = Reader::new(&tape, &blob);
            emit(NO_REGION, |w| {
                generated::operation(protocol, op, codec, &mut r, w)
            })
        }
        Err(e) => fail(e),
    })
}

/// Best-effort protocol guess from a stream's first bytes (the core's `detect`): its name, or
/// `None`.
#[napi(catch_unwind)]
pub fn detect(prefix: &[u8]) -> Option<String> {
    wire_core::detect(prefix).map(|p| p.name().to_owned())
}
