//! `wire_dataexchange_*`: Pilot Protocol data-exchange frames.

use bytes::Bytes;
use wire_core::dataexchange::{self, Frame};
use wire_core::{AnyCodec, Codec, Protocol};

use crate::frame::{codec_for, decode_into, Ctx, View};
use crate::lend::{lend, Lender};
use crate::{
    arg, bytes_arg, encode_out, ffi_fn, ffi_value, out, wire_frame, wire_limits, wire_slice,
    wire_status, Res,
};

const P: Protocol = Protocol::Dataexchange;

/// `TypeText`.
pub const WIRE_DATAEXCHANGE_TEXT: u32 = 1;
/// `TypeBinary`.
pub const WIRE_DATAEXCHANGE_BINARY: u32 = 2;
/// `TypeJSON`.
pub const WIRE_DATAEXCHANGE_JSON: u32 = 3;
/// `TypeFile`.
pub const WIRE_DATAEXCHANGE_FILE: u32 = 4;
/// `TypeTrace`.
pub const WIRE_DATAEXCHANGE_TRACE: u32 = 5;

/// One frame. `type` picks the meaning: FILE uses `filename`, TRACE uses `inner_type` and
/// `sent_at_ns`; `payload` is the reference's `Frame.Payload` (file data for files, the inner
/// payload for traces, the raw payload otherwise). Unused fields are zero/empty.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_dataexchange_frame {
    /// The type number (any value; 1..=5 are named).
    pub r#type: u32,
    /// FILE: the file name bytes.
    pub filename: wire_slice,
    /// TRACE: the inner frame type.
    pub inner_type: u32,
    /// TRACE: send time, ns since the Unix epoch.
    pub sent_at_ns: i64,
    /// The payload.
    pub payload: wire_slice,
}

pub(crate) fn view(f: &Frame, cx: &Ctx) -> wire_dataexchange_frame {
    let mut v = wire_dataexchange_frame {
        r#type: f.frame_type(),
        filename: wire_slice::EMPTY,
        inner_type: 0,
        sent_at_ns: 0,
        payload: cx.view(f.payload()),
    };
    match f {
        Frame::File { filename, .. } => v.filename = cx.view(filename),
        Frame::Trace {
            inner_type,
            sent_at_ns,
            ..
        } => {
            v.inner_type = *inner_type;
            v.sent_at_ns = *sent_at_ns;
        }
        _ => {}
    }
    v
}

/// The core frame of a caller-filled struct (bytes lent by `l`).
unsafe fn frame_arg(frame: *const wire_dataexchange_frame, l: &Lender<'_>) -> Res<Frame> {
    let f = arg(frame, "frame")?;
    let payload = l.slice(&f.payload, "frame.payload")?;
    Ok(match f.r#type {
        WIRE_DATAEXCHANGE_TEXT => Frame::Text { payload },
        WIRE_DATAEXCHANGE_BINARY => Frame::Binary { payload },
        WIRE_DATAEXCHANGE_JSON => Frame::Json { payload },
        WIRE_DATAEXCHANGE_FILE => Frame::File {
            filename: l.slice(&f.filename, "frame.filename")?,
            payload,
        },
        WIRE_DATAEXCHANGE_TRACE => Frame::Trace {
            inner_type: f.inner_type,
            sent_at_ns: f.sent_at_ns,
            payload,
        },
        r#type => Frame::Unknown { r#type, payload },
    })
}

fn codec(limits: *const wire_limits) -> Res<dataexchange::DataexchangeCodec> {
    let AnyCodec::Dataexchange(codec) = codec_for(P, limits)? else {
        unreachable!("codec_for(Dataexchange) is the dataexchange codec")
    };
    Ok(codec)
}

/// Decode exactly one frame (`limits` NULL: defaults). `*frame` is a new handle; read it with
/// `wire_frame_dataexchange`.
#[no_mangle]
pub extern "C" fn wire_dataexchange_decode(
    buf: *const u8,
    len: usize,
    limits: *const wire_limits,
    frame: *mut *mut wire_frame,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes at `buf`.
        let input = unsafe { bytes_arg(buf, len, "buf")? };
        decode_into(codec_for(P, limits)?, input, frame)
    })
}

/// The data-exchange frame of a handle; NULL when the handle holds something else.
#[no_mangle]
pub extern "C" fn wire_frame_dataexchange(
    frame: *const wire_frame,
) -> *const wire_dataexchange_frame {
    // SAFETY: the caller gives NULL or a live handle.
    ffi_value(std::ptr::null(), || {
        match unsafe { frame.as_ref() }.map(wire_frame::view) {
            Some(View::Dataexchange(f)) => f,
            _ => std::ptr::null(),
        }
    })
}

/// Exact encoded size of `frame`.
#[no_mangle]
pub extern "C" fn wire_dataexchange_encoded_len(
    frame: *const wire_dataexchange_frame,
    limits: *const wire_limits,
    len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let codec = codec(limits)?;
        lend(|l| {
            // SAFETY: the caller gives a filled struct and a writable out-pointer.
            let f = unsafe { frame_arg(frame, l)? };
            let len = unsafe { out(len, "len")? };
            *len = codec.encoded_len(&f)?;
            Ok(())
        })
    })
}

/// Encode `frame` into `out`. `*out_len` is always set to the encoded size;
/// `WIRE_BUFFER_TOO_SMALL` when `cap` is under it (nothing written).
#[no_mangle]
pub extern "C" fn wire_dataexchange_encode(
    frame: *const wire_dataexchange_frame,
    limits: *const wire_limits,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let mut codec = codec(limits)?;
        lend(|l| {
            // SAFETY: the caller gives a filled struct, `cap` writable bytes and `out_len`.
            let f = unsafe { frame_arg(frame, l)? };
            let filename: &[u8] = match &f {
                Frame::File { filename, .. } => filename,
                _ => &[],
            };
            unsafe { encode_out(&mut codec, &f, &[filename, f.payload()], out, cap, out_len) }
        })
    })
}

/// The reference's `ReadTracePayload` on a raw frame type and payload: `inner_type`,
/// `sent_at_ns` and `*inner` (a view into `payload`). `WIRE_INVALID_ARGUMENT` unless `type` is
/// TRACE; `WIRE_MALFORMED` when the payload is under 12 bytes.
#[no_mangle]
pub extern "C" fn wire_dataexchange_read_trace_payload(
    r#type: u32,
    payload: *const u8,
    len: usize,
    inner_type: *mut u32,
    sent_at_ns: *mut i64,
    inner: *mut wire_slice,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes and writable out-pointers.
        let bytes = unsafe { bytes_arg(payload, len, "payload")? };
        let (inner_type, sent_at_ns, inner) = unsafe {
            (
                out(inner_type, "inner_type")?,
                out(sent_at_ns, "sent_at_ns")?,
                out(inner, "inner")?,
            )
        };
        let owned = Bytes::copy_from_slice(bytes);
        let (t, at, rest) = dataexchange::read_trace_payload(r#type, &owned)?;
        *inner_type = t;
        *sent_at_ns = at;
        // The inner payload is the tail of the caller's payload.
        let tail = &bytes[bytes.len() - rest.len()..];
        *inner = wire_slice {
            ptr: if tail.is_empty() {
                std::ptr::null()
            } else {
                tail.as_ptr()
            },
            len: tail.len(),
        };
        Ok(())
    })
}
