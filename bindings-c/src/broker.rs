//! `wire_broker_*`: running-process broker v1 frames (`[u8 1][u32 LE body length][Frame]`), the
//! payloads they carry, and every v1 message bare (prost bytes) by type number. The message
//! structs are generated (`broker_gen.rs`); this file holds the frame, the probe-response
//! payload and the exports.

use std::collections::BTreeMap;
use std::ffi::{c_char, c_void};

use bytes::Bytes;
use wire_core::broker::{AnyMessage, BrokerCodec, Framed, Payload, ProbeResponse, PROBE_NONCE_LEN};
use wire_core::{AnyCodec, AnyFrame, Codec, Protocol};

use crate::broker_gen::{
    arg_daemon_process, arg_frame, message_arg, view_daemon_process, view_frame,
    wire_broker_daemon_process, wire_broker_frame, TYPES,
};
use crate::dnode::array_arg;
use crate::frame::{codec_for, decode_into, hand_out, Ctx, Held, View};
use crate::lend::{lend, Lender};
use crate::{
    arg, bytes_arg, cstr_arg, encode_out, ffi_fn, ffi_value, out, str_arg, wire_frame, wire_limits,
    wire_slice, wire_status, write_out, Fail, Res,
};

const P: Protocol = Protocol::Broker;

/// A broker v1 message type number (`WIRE_BROKER_TYPE_*`).
pub type wire_broker_type = u32;
/// The probe-response payload (0xB232 RESPONSE): nonce, `DaemonProcess`, legacy field 3. Not
/// a message of the package, so numbered apart from the generated types.
pub const WIRE_BROKER_TYPE_PROBE_RESPONSE: wire_broker_type = 100;

/// One entry of a `map<string, string>`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_broker_map_entry {
    /// Key (UTF-8).
    pub key: wire_slice,
    /// Value (UTF-8).
    pub value: wire_slice,
}

/// A framed `Frame`: the message and the body length its header declared (which differs from
/// the re-encoding's only for non-canonical bodies; encoding writes the actual length).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_broker_framed {
    /// The header's body length.
    pub body_length: u32,
    /// The `Frame`.
    pub frame: wire_broker_frame,
}

/// The probe-response payload (`WIRE_BROKER_TYPE_PROBE_RESPONSE`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_broker_probe_response {
    /// The 32-byte nonce.
    pub nonce: wire_slice,
    /// The backend's process description.
    pub daemon_process: wire_broker_daemon_process,
    /// Every legacy field-3 record, raw (key, length, value), written after the
    /// `DaemonProcess` fields.
    pub legacy_tag3_sha256_field: wire_slice,
}

pub(crate) fn strings_view(items: &[String], cx: &mut Ctx) -> (*const wire_slice, usize) {
    let views = items.iter().map(|s| cx.view(s.as_bytes())).collect();
    cx.arena.slice(views)
}

pub(crate) fn map_view(
    map: &BTreeMap<String, String>,
    cx: &mut Ctx,
) -> (*const wire_broker_map_entry, usize) {
    let entries = map
        .iter()
        .map(|(k, v)| wire_broker_map_entry {
            key: cx.view(k.as_bytes()),
            value: cx.view(v.as_bytes()),
        })
        .collect();
    cx.arena.slice(entries)
}

pub(crate) unsafe fn strings_arg(
    items: *const wire_slice,
    len: usize,
    what: &str,
) -> Res<Vec<String>> {
    array_arg(items, len, what)?
        .iter()
        .map(|s| str_arg(P, s, what))
        .collect()
}

pub(crate) unsafe fn map_arg(
    entries: *const wire_broker_map_entry,
    len: usize,
    what: &str,
) -> Res<BTreeMap<String, String>> {
    array_arg(entries, len, what)?
        .iter()
        .map(|e| Ok((str_arg(P, &e.key, what)?, str_arg(P, &e.value, what)?)))
        .collect()
}

pub(crate) fn view(f: &Framed, cx: &mut Ctx) -> wire_broker_framed {
    wire_broker_framed {
        body_length: f.body_length,
        frame: view_frame(&f.frame, cx),
    }
}

pub(crate) fn probe_view(p: &ProbeResponse, cx: &mut Ctx) -> wire_broker_probe_response {
    wire_broker_probe_response {
        nonce: cx.view(&p.nonce),
        daemon_process: view_daemon_process(&p.daemon_process, cx),
        legacy_tag3_sha256_field: cx.view(&p.legacy_tag3_sha256_field),
    }
}

unsafe fn probe_arg(p: &wire_broker_probe_response, l: &Lender<'_>) -> Res<ProbeResponse> {
    let nonce = l.slice(&p.nonce, "nonce")?;
    if nonce.len() != PROBE_NONCE_LEN {
        return Err(Fail::invalid(
            P,
            format!("nonce of {} bytes: expected {PROBE_NONCE_LEN}", nonce.len()),
        ));
    }
    Ok(ProbeResponse {
        nonce,
        daemon_process: arg_daemon_process(&p.daemon_process, l)?,
        legacy_tag3_sha256_field: l
            .slice(&p.legacy_tag3_sha256_field, "legacy_tag3_sha256_field")?,
    })
}

fn codec(limits: *const wire_limits) -> Res<BrokerCodec> {
    let AnyCodec::Broker(codec) = codec_for(P, limits)? else {
        unreachable!("codec_for(Broker) is the broker codec")
    };
    Ok(codec)
}

/// The bare bytes of message `type` at `msg` (a struct of that type).
unsafe fn message_bytes(r#type: wire_broker_type, msg: *const c_void) -> Res<Vec<u8>> {
    if msg.is_null() {
        return Err(Fail::null("msg"));
    }
    lend(|l| {
        if r#type == WIRE_BROKER_TYPE_PROBE_RESPONSE {
            let probe = probe_arg(&*msg.cast::<wire_broker_probe_response>(), l)?;
            return Ok(probe.encode().to_vec());
        }
        match message_arg(r#type, msg, l) {
            Some(m) => Ok(m?.encode()),
            None => Err(unknown_type(r#type)),
        }
    })
}

fn unknown_type(t: wire_broker_type) -> Fail {
    Fail::invalid(P, format!("{t} is not a wire_broker_type"))
}

/// Decode exactly one framed `Frame` (`limits` NULL: defaults, 16 MiB bodies; the broker reads
/// a Hello with 65536). `*frame` is a new handle; read it with `wire_frame_broker`, and its
/// payload with `wire_broker_payload_decode`.
#[no_mangle]
pub extern "C" fn wire_broker_decode(
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

/// The broker frame of a handle; NULL when the handle holds something else.
#[no_mangle]
pub extern "C" fn wire_frame_broker(frame: *const wire_frame) -> *const wire_broker_framed {
    // SAFETY: the caller gives NULL or a live handle.
    ffi_value(std::ptr::null(), || {
        match unsafe { frame.as_ref() }.map(wire_frame::view) {
            Some(View::Broker(f)) => f,
            _ => std::ptr::null(),
        }
    })
}

/// Exact framed size of `frame` (5-byte header plus the prost body).
#[no_mangle]
pub extern "C" fn wire_broker_encoded_len(
    frame: *const wire_broker_frame,
    limits: *const wire_limits,
    len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let codec = codec(limits)?;
        lend(|l| {
            // SAFETY: the caller gives a filled struct and a writable out-pointer.
            let f = unsafe { arg_frame(arg(frame, "frame")?, l)? };
            let len = unsafe { out(len, "len")? };
            *len = codec.encoded_len(&Framed::from(f))?;
            Ok(())
        })
    })
}

/// Encode `frame` framed into `out`. `*out_len` is always set to the encoded size;
/// `WIRE_BUFFER_TOO_SMALL` when `cap` is under it (nothing written).
#[no_mangle]
pub extern "C" fn wire_broker_encode(
    frame: *const wire_broker_frame,
    limits: *const wire_limits,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let mut codec = codec(limits)?;
        lend(|l| {
            // SAFETY: the caller gives a filled struct, `cap` writable bytes and `out_len`.
            let framed = Framed::from(unsafe { arg_frame(arg(frame, "frame")?, l)? });
            let borrowed: &[&[u8]] = &[&framed.frame.payload];
            unsafe { encode_out(&mut codec, &framed, borrowed, out, cap, out_len) }
        })
    })
}

/// Decode the payload of a broker frame handle by the schema its `payload_protocol` and `kind`
/// select: `WIRE_OK` with `*payload` a new handle (read it with `wire_frame_broker_message`),
/// `WIRE_OK` with `*payload` NULL when the payload is opaque to v1, `WIRE_MALFORMED` when it is
/// not the message its schema announces.
#[no_mangle]
pub extern "C" fn wire_broker_payload_decode(
    frame: *const wire_frame,
    payload: *mut *mut wire_frame,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a live handle and a writable out-pointer.
        let frame = unsafe { arg(frame, "frame")? };
        let payload = unsafe { out(payload, "payload")? };
        *payload = std::ptr::null_mut();
        let Held::Frame(AnyFrame::Broker(framed), _) = frame.held() else {
            return Err(Fail::invalid(P, "not a broker frame handle"));
        };
        let Some(decoded) = framed.frame.payload_message() else {
            return Ok(());
        };
        let held = match decoded? {
            Payload::Hello(m) => Held::BrokerMessage(AnyMessage::Hello(m)),
            Payload::HelloReply(m) => Held::BrokerMessage(AnyMessage::HelloReply(m)),
            Payload::AdminRequest(m) => Held::BrokerMessage(AnyMessage::AdminRequest(m)),
            Payload::AdminReply(m) => Held::BrokerMessage(AnyMessage::AdminReply(m)),
            Payload::HandoffOffer(m) => Held::BrokerMessage(AnyMessage::HandoffOffer(m)),
            Payload::HandoffAck(m) => Held::BrokerMessage(AnyMessage::HandoffAck(m)),
            Payload::ProbeResponse(p) => Held::BrokerProbe(p),
        };
        hand_out(held, None, payload);
        Ok(())
    })
}

/// Decode bare prost bytes (no framing) as message `type` (`WIRE_BROKER_TYPE_*`, or
/// `WIRE_BROKER_TYPE_PROBE_RESPONSE` for that payload layout). `*frame` is a new handle; read it
/// with `wire_frame_broker_message`.
#[no_mangle]
pub extern "C" fn wire_broker_message_decode(
    r#type: wire_broker_type,
    buf: *const u8,
    len: usize,
    frame: *mut *mut wire_frame,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes and a writable out-pointer.
        let input = unsafe { bytes_arg(buf, len, "buf")? };
        let frame = unsafe { out(frame, "frame")? };
        *frame = std::ptr::null_mut();
        let held = if r#type == WIRE_BROKER_TYPE_PROBE_RESPONSE {
            Held::BrokerProbe(ProbeResponse::decode(&Bytes::copy_from_slice(input))?)
        } else {
            let (name, _) = TYPES
                .iter()
                .find(|(_, t)| *t == r#type)
                .ok_or_else(|| unknown_type(r#type))?;
            let name = name.to_str().expect("type names are ASCII");
            Held::BrokerMessage(AnyMessage::decode(name, input)?)
        };
        hand_out(held, None, frame);
        Ok(())
    })
}

/// The bare broker message of a handle, to be cast to the struct of `*type`
/// (`wire_broker_<snake_name>`); NULL when the handle holds something else.
#[no_mangle]
pub extern "C" fn wire_frame_broker_message(
    frame: *const wire_frame,
    r#type: *mut wire_broker_type,
) -> *const c_void {
    ffi_value(std::ptr::null(), || {
        // SAFETY: the caller gives NULL or a live handle, and NULL or a writable `type`.
        match unsafe { frame.as_ref() }.map(wire_frame::view) {
            Some(View::BrokerMessage(t, p)) => {
                if let Some(out) = unsafe { r#type.as_mut() } {
                    *out = *t;
                }
                *p
            }
            _ => std::ptr::null(),
        }
    })
}

/// Exact bare size of message `type` at `msg`.
#[no_mangle]
pub extern "C" fn wire_broker_message_encoded_len(
    r#type: wire_broker_type,
    msg: *const c_void,
    len: *mut usize,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a filled struct of `type` and a writable out-pointer.
        let bytes = unsafe { message_bytes(r#type, msg)? };
        *unsafe { out(len, "len")? } = bytes.len();
        Ok(())
    })
}

/// Encode message `type` at `msg` bare (prost bytes; map entries in key order) into `out`.
/// `*out_len` is always set to the size; `WIRE_BUFFER_TOO_SMALL` when `cap` is under it.
#[no_mangle]
pub extern "C" fn wire_broker_message_encode(
    r#type: wire_broker_type,
    msg: *const c_void,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a filled struct of `type`, `cap` bytes and `out_len`.
        let bytes = unsafe { message_bytes(r#type, msg)? };
        unsafe { write_out(&bytes, out, cap, out_len) }
    })
}

/// The message name of a type number (`"Hello"`, ...; the vectors' name for the probe
/// response); NULL for an unknown number. Static, never freed.
#[no_mangle]
pub extern "C" fn wire_broker_type_name(r#type: wire_broker_type) -> *const c_char {
    ffi_value(std::ptr::null(), || {
        if r#type == WIRE_BROKER_TYPE_PROBE_RESPONSE {
            return c"probe response (nonce || DaemonProcess || legacy field 3)".as_ptr();
        }
        TYPES
            .iter()
            .find(|(_, t)| *t == r#type)
            .map_or(std::ptr::null(), |(name, _)| name.as_ptr())
    })
}

/// The type number of message `name` (NUL-terminated); `WIRE_INVALID_ARGUMENT` if unknown.
#[no_mangle]
pub extern "C" fn wire_broker_type_from_name(
    name: *const c_char,
    r#type: *mut wire_broker_type,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a NUL-terminated string and a writable out-pointer.
        let name = unsafe { cstr_arg(name, "name")? };
        let t = unsafe { out(r#type, "type")? };
        if name == ProbeResponse::TYPE_NAME {
            *t = WIRE_BROKER_TYPE_PROBE_RESPONSE;
            return Ok(());
        }
        *t = TYPES
            .iter()
            .find(|(n, _)| n.to_bytes() == name.as_bytes())
            .map(|(_, t)| *t)
            .ok_or_else(|| Fail::invalid(P, format!("unknown broker v1 message {name:?}")))?;
        Ok(())
    })
}
