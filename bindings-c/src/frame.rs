//! The result handle ([`wire_frame`]), the generic functions every framing loop needs
//! (`wire_frame_length`, `wire_to_json`, `wire_from_json`, `wire_decode`) and the streaming
//! [`wire_decoder`], all over the core's `AnyCodec` and `StreamDecoder`.

use std::any::Any;
use std::ffi::c_char;

use bytes::BytesMut;
use wire_core::{AnyCodec, AnyFrame, Codec, Protocol, StreamDecoder};

use crate::generated::View;
use crate::{
    arg, bytes_arg, cstr_arg, ffi_fn, ffi_value, limits_arg, out, protocol_arg, wire_limits,
    wire_protocol, wire_slice, wire_status, write_out, write_text, Fail, Res,
};

/// Storage for the arrays and nested structs a decoded value's C view points at.
#[derive(Default)]
pub(crate) struct Arena(Vec<Box<dyn Any>>);

impl Arena {
    /// Keep `items` and return a pointer to the first and the count (NULL, 0 when empty).
    pub(crate) fn slice<T: 'static>(&mut self, items: Vec<T>) -> (*const T, usize) {
        if items.is_empty() {
            return (std::ptr::null(), 0);
        }
        let items = items.into_boxed_slice();
        let view = (items.as_ptr(), items.len());
        // Moving the box moves only its pointer: the items stay where `view` points.
        self.0.push(Box::new(items));
        view
    }

    /// Keep `item` and return a pointer to it.
    pub(crate) fn one<T: 'static>(&mut self, item: T) -> *const T {
        let item = Box::new(item);
        let ptr: *const T = &*item;
        self.0.push(item);
        ptr
    }
}

/// Where the bytes a decoder sliced came from: a copy of the caller's input, whose fields are
/// shown at the same offsets of the caller's input itself.
#[derive(Clone, Copy)]
pub(crate) struct Origin {
    copy: *const u8,
    input: *const u8,
    len: usize,
}

/// Builds a C view: arena for nested data, origin to map byte fields onto the caller's input.
pub(crate) struct Ctx<'a> {
    pub(crate) arena: &'a mut Arena,
    origin: Option<Origin>,
}

impl Ctx<'_> {
    /// The view of `bytes`: inside the caller's input when the bytes were sliced from it, else
    /// where they are (memory owned by the handle).
    pub(crate) fn view(&self, bytes: &[u8]) -> wire_slice {
        if bytes.is_empty() {
            return wire_slice::EMPTY;
        }
        let at = bytes.as_ptr();
        if let Some(o) = self.origin {
            let offset = (at as usize).wrapping_sub(o.copy as usize);
            if offset < o.len && bytes.len() <= o.len - offset {
                return wire_slice {
                    // SAFETY: offset + len is within the caller's `len`-byte input.
                    ptr: unsafe { o.input.add(offset) },
                    len: bytes.len(),
                };
            }
        }
        wire_slice {
            ptr: at,
            len: bytes.len(),
        }
    }
}

/// What a handle holds: a frame with the codec that decoded it, or a value an operation
/// returned.
// The handle is boxed once, so a frame's size beside the boxed value costs nothing per frame.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Held {
    Frame(AnyFrame, AnyCodec),
    // Boxed: a value can be much larger than a frame, and every handle has a `Held`.
    Value(Box<crate::generated::Value>),
}

/// A decoded value owned by the library: a frame of any protocol, or the value of a protocol
/// helper (dnode header or handshake, bare broker message). Its C view (`wire_frame_dnode`,
/// ...) lives as long as the handle; byte and string views in it point into the input the
/// handle was decoded from (keep that input alive and unchanged too) or into the handle.
/// Freed by `wire_frame_free`.
pub struct wire_frame {
    held: Held,
    _arena: Arena,
    view: View,
}

impl wire_frame {
    /// Build `held`'s view and box both. The view points only at heap memory (strings, byte
    /// buffers, vectors, the arena), never at `held`'s own bytes, so moving `held` is safe.
    pub(crate) fn new(held: Held, origin: Option<Origin>) -> Box<wire_frame> {
        let mut arena = Arena::default();
        let mut cx = Ctx {
            arena: &mut arena,
            origin,
        };
        let view = match &held {
            Held::Frame(f, _) => crate::generated::frame_view(f, &mut cx),
            Held::Value(v) => v.view(&mut cx),
        };
        Box::new(wire_frame {
            held,
            _arena: arena,
            view,
        })
    }

    pub(crate) fn view(&self) -> &View {
        &self.view
    }

    pub(crate) fn held(&self) -> &Held {
        &self.held
    }
}

/// Decode exactly one frame of `input` with `codec` into a handle whose views map onto `input`.
pub(crate) fn decode_into(
    mut codec: AnyCodec,
    input: &[u8],
    frame: *mut *mut wire_frame,
) -> Res<()> {
    // SAFETY: the caller gives a writable out-pointer.
    let frame = unsafe { out(frame, "frame")? };
    *frame = std::ptr::null_mut();
    let buf = BytesMut::from(input);
    let origin = Origin {
        copy: buf.as_ptr(),
        input: input.as_ptr(),
        len: input.len(),
    };
    let decoded = wire_core::decode_exact_owned(&mut codec, buf)?;
    *frame = Box::into_raw(wire_frame::new(Held::Frame(decoded, codec), Some(origin)));
    Ok(())
}

/// Put a helper's value in a new handle.
pub(crate) fn hand_out(held: Held, origin: Option<(&[u8], &[u8])>, frame: &mut *mut wire_frame) {
    let origin = origin.map(|(copy, input)| Origin {
        copy: copy.as_ptr(),
        input: input.as_ptr(),
        len: input.len().min(copy.len()),
    });
    *frame = Box::into_raw(wire_frame::new(held, origin));
}

/// A codec for `protocol` with `limits` (NULL: the reference's).
pub(crate) fn codec_for(protocol: Protocol, limits: *const wire_limits) -> Res<AnyCodec> {
    // SAFETY: the caller gives NULL or a readable wire_limits.
    match unsafe { limits_arg(limits) } {
        Some(l) => Ok(AnyCodec::with_limits(protocol, l)?),
        None => Ok(AnyCodec::new(protocol)),
    }
}

/// Free a handle (NULL is allowed and does nothing). Every view it handed out dies with it.
#[no_mangle]
pub extern "C" fn wire_frame_free(frame: *mut wire_frame) {
    ffi_value((), || {
        if !frame.is_null() {
            // SAFETY: a non-NULL handle came from Box::into_raw and is freed once.
            drop(unsafe { Box::from_raw(frame) });
        }
    })
}

/// The protocol of a handle's value (0 for NULL).
#[no_mangle]
pub extern "C" fn wire_frame_protocol(frame: *const wire_frame) -> wire_protocol {
    ffi_value(0, || {
        // SAFETY: the caller gives NULL or a live handle.
        let Some(frame) = (unsafe { frame.as_ref() }) else {
            return 0;
        };
        match frame.held() {
            Held::Frame(f, _) => f.protocol().number(),
            Held::Value(v) => v.protocol().number(),
        }
    })
}

/// Decode exactly one frame of `protocol` with the default options and `limits` (NULL: the
/// reference's). Truncated input is `WIRE_INCOMPLETE`, bytes after the frame
/// `WIRE_TRAILING_BYTES`. On success `*frame` is a new handle; on failure it is NULL.
#[no_mangle]
pub extern "C" fn wire_decode(
    protocol: wire_protocol,
    buf: *const u8,
    len: usize,
    limits: *const wire_limits,
    frame: *mut *mut wire_frame,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes at `buf`.
        let input = unsafe { bytes_arg(buf, len, "buf")? };
        decode_into(codec_for(protocol_arg(protocol)?, limits)?, input, frame)
    })
}

/// Length of the complete, fully validated first frame of `buf` (default options and limits):
/// `WIRE_OK` with `*frame_len` set, `WIRE_INCOMPLETE` when more bytes are needed, or the error.
#[no_mangle]
pub extern "C" fn wire_frame_length(
    protocol: wire_protocol,
    buf: *const u8,
    len: usize,
    frame_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes and a writable out-pointer.
        let input = unsafe { bytes_arg(buf, len, "buf")? };
        let frame_len = unsafe { out(frame_len, "frame_len")? };
        let protocol = protocol_arg(protocol)?;
        match AnyCodec::new(protocol).frame_length(input)? {
            Some(n) => {
                *frame_len = n;
                Ok(())
            }
            None => Err(wire_core::Error::incomplete(
                protocol,
                input.len(),
                "input ends before the first frame does",
            )
            .into()),
        }
    })
}

/// The canonical JSON (`{"type", "fields"}`, exactly the vectors' form) of the one frame in
/// `buf`, decoded with the default options. Writes the text and a NUL to `out` when `cap` is
/// over its length; `*needed` is always the length without the NUL.
#[no_mangle]
pub extern "C" fn wire_to_json(
    protocol: wire_protocol,
    buf: *const u8,
    len: usize,
    out: *mut c_char,
    cap: usize,
    needed: *mut usize,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes at `buf`.
        let input = unsafe { bytes_arg(buf, len, "buf")? };
        let mut codec = AnyCodec::new(protocol_arg(protocol)?);
        let frame = codec.decode_exact(input)?;
        let text = codec.to_json(&frame).to_string();
        // SAFETY: the caller gives `cap` writable bytes and a writable `needed`.
        unsafe { write_text(&text, out, cap, needed) }
    })
}

/// The canonical JSON of a handle's value (frames, and the values of operations that have a
/// `<value>_to_json` operation, e.g. dnode headers and handshakes, bare broker messages; others,
/// e.g. a broker frame's payload alone, have none: `WIRE_INVALID_ARGUMENT`). Output as for
/// `wire_to_json`.
#[no_mangle]
pub extern "C" fn wire_frame_to_json(
    frame: *const wire_frame,
    out: *mut c_char,
    cap: usize,
    needed: *mut usize,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a live handle.
        let frame = unsafe { arg(frame, "frame")? };
        let json = match frame.held() {
            Held::Frame(f, codec) => codec.to_json(f),
            Held::Value(v) => v.to_json().ok_or_else(|| {
                Fail::invalid(
                    v.protocol(),
                    "this value has canonical JSON only inside its frame",
                )
            })??,
        };
        // SAFETY: the caller gives `cap` writable bytes and a writable `needed`.
        unsafe { write_text(&json.to_string(), out, cap, needed) }
    })
}

/// Encode the canonical JSON `json` (`json_len` bytes of UTF-8, `{"type", "fields"}`) of a
/// `protocol` frame with the default options into `out`. `*out_len` is always set to the
/// encoded size; `WIRE_BUFFER_TOO_SMALL` when `cap` is under it (nothing written).
#[no_mangle]
pub extern "C" fn wire_from_json(
    protocol: wire_protocol,
    json: *const c_char,
    json_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let protocol = protocol_arg(protocol)?;
        // SAFETY: the caller gives `json_len` readable bytes at `json`.
        let text = unsafe { bytes_arg(json.cast(), json_len, "json")? };
        let value: serde_json::Value = serde_json::from_slice(text)
            .map_err(|e| Fail::invalid(protocol, format!("not JSON: {e}")))?;
        let mut codec = AnyCodec::new(protocol);
        let frame = codec.from_json(&value)?;
        let bytes = wire_core::encode_to_vec(&mut codec, &frame)?;
        // SAFETY: the caller gives `cap` writable bytes at `out` and a writable `out_len`.
        unsafe { write_out(&bytes, out, cap, out_len) }
    })
}

/// Encode a handle's frame again (with the options it was decoded with) into `out`: the
/// canonical bytes. Output as for `wire_from_json`. Handles of operations' values (dnode header,
/// handshake, broker bare message) have their own encoders: `WIRE_INVALID_ARGUMENT` here.
#[no_mangle]
pub extern "C" fn wire_frame_encode(
    frame: *const wire_frame,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a live handle.
        let frame = unsafe { arg(frame, "frame")? };
        let Held::Frame(f, codec) = frame.held() else {
            return Err(wire_core::Error::without_protocol(
                wire_core::ErrorKind::InvalidArgument,
                "not a frame handle: use the helper's own encoder",
            )
            .into());
        };
        let bytes = wire_core::encode_to_vec(&mut codec.clone(), f)?;
        // SAFETY: the caller gives `cap` writable bytes at `out` and a writable `out_len`.
        unsafe { write_out(&bytes, out, cap, out_len) }
    })
}

/// A streaming decoder: push bytes in any chunking, pull whole frames. Built on the core's
/// `StreamDecoder` (same frames and same error whatever the chunking). After an error every
/// later call returns the same error.
pub struct wire_decoder {
    inner: StreamDecoder<AnyCodec>,
}

/// A new decoder for `protocol` with `limits` (NULL: the reference's). Free it with
/// `wire_decoder_free`.
#[no_mangle]
pub extern "C" fn wire_decoder_new(
    protocol: wire_protocol,
    limits: *const wire_limits,
    decoder: *mut *mut wire_decoder,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a writable out-pointer.
        let decoder = unsafe { out(decoder, "decoder")? };
        *decoder = std::ptr::null_mut();
        let codec = codec_for(protocol_arg(protocol)?, limits)?;
        *decoder = Box::into_raw(Box::new(wire_decoder {
            inner: StreamDecoder::new(codec),
        }));
        Ok(())
    })
}

/// Set a codec option by name, as the CLI's `-o key=value`: `flavour` (dnode: `plain` |
/// `gossip`), `version` (chitchat: `V0` | `V1`), `layout` (replication: `7x` | `3x`),
/// `max_frame_size`, `max_decompressed_size`. Unknown keys or values: `WIRE_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn wire_decoder_set_option(
    decoder: *mut wire_decoder,
    key: *const c_char,
    value: *const c_char,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a live decoder and two NUL-terminated strings.
        let decoder = unsafe { out(decoder, "decoder")? };
        let key = unsafe { cstr_arg(key, "key")? };
        let value = unsafe { cstr_arg(value, "value")? };
        decoder.inner.codec_mut().set_option(key, value)?;
        Ok(())
    })
}

/// Append `len` bytes to the decoder's buffer (copied; `buf` may be reused at once).
#[no_mangle]
pub extern "C" fn wire_decoder_push(
    decoder: *mut wire_decoder,
    buf: *const u8,
    len: usize,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a live decoder and `len` readable bytes.
        let decoder = unsafe { out(decoder, "decoder")? };
        let bytes = unsafe { bytes_arg(buf, len, "buf")? };
        decoder.inner.push(bytes);
        Ok(())
    })
}

/// The next complete frame: `WIRE_OK` with `*frame` a new handle, `WIRE_OK` with `*frame` NULL
/// when more bytes are needed, or the stream's error (offsets count from the stream's start).
/// The frame's views point into memory the handle owns: they stay valid after later pushes and
/// after `wire_decoder_free`, until `wire_frame_free`.
#[no_mangle]
pub extern "C" fn wire_decoder_next(
    decoder: *mut wire_decoder,
    frame: *mut *mut wire_frame,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a live decoder and a writable out-pointer.
        let decoder = unsafe { out(decoder, "decoder")? };
        let frame = unsafe { out(frame, "frame")? };
        *frame = std::ptr::null_mut();
        if let Some(f) = decoder.inner.next_frame()? {
            let codec = decoder.inner.codec().clone();
            *frame = Box::into_raw(wire_frame::new(Held::Frame(f, codec), None));
        }
        Ok(())
    })
}

/// Declare the end of the stream: `WIRE_INCOMPLETE` when a partial frame is buffered, the
/// stream's error if it failed, else `WIRE_OK`.
#[no_mangle]
pub extern "C" fn wire_decoder_finish(decoder: *mut wire_decoder) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a live decoder.
        let decoder = unsafe { out(decoder, "decoder")? };
        decoder.inner.finish()?;
        Ok(())
    })
}

/// Bytes pushed and not yet decoded (0 for NULL).
#[no_mangle]
pub extern "C" fn wire_decoder_buffered(decoder: *const wire_decoder) -> usize {
    // SAFETY: the caller gives NULL or a live decoder.
    ffi_value(0, || {
        unsafe { decoder.as_ref() }.map_or(0, |d| d.inner.buffered())
    })
}

/// Bytes consumed by the frames decoded so far: the stream offset of the next frame (0 for
/// NULL).
#[no_mangle]
pub extern "C" fn wire_decoder_position(decoder: *const wire_decoder) -> u64 {
    // SAFETY: the caller gives NULL or a live decoder.
    ffi_value(0, || {
        unsafe { decoder.as_ref() }.map_or(0, |d| d.inner.position())
    })
}

/// Free a decoder (NULL is allowed). Frames it handed out stay valid.
#[no_mangle]
pub extern "C" fn wire_decoder_free(decoder: *mut wire_decoder) {
    ffi_value((), || {
        if !decoder.is_null() {
            // SAFETY: a non-NULL decoder came from Box::into_raw and is freed once.
            drop(unsafe { Box::from_raw(decoder) });
        }
    })
}
