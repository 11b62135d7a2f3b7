//! `wire_dnode_*`: Dynomite DNODE messages, headers and the port's handshake payload.

use std::ffi::{c_char, CString};

use bytes::BytesMut;
use wire_core::dnode::{
    CapabilityAdEntry, Dmsg, DmsgHeader, DmsgType, DnodeCodec, Flavour, Handshake,
};
use wire_core::{AnyCodec, Codec, Protocol};

use crate::frame::{codec_for, decode_into, hand_out, Ctx, Held, View};
use crate::lend::{lend, Lender};
use crate::{
    arg, bytes_arg, encode_out, ffi_fn, ffi_value, out, str_arg, wire_frame, wire_limits,
    wire_slice, wire_status, write_out, Fail, Res,
};

const P: Protocol = Protocol::Dnode;

/// The placeholder an encoder writes for an empty `data` field (`WIRE_DNODE_FLAVOUR_*`).
pub type wire_dnode_flavour = u32;
/// `dmsg_write`: `d`.
pub const WIRE_DNODE_FLAVOUR_PLAIN: wire_dnode_flavour = 0;
/// `dmsg_write_mbuf` (unsecured gossip): `a`.
pub const WIRE_DNODE_FLAVOUR_GOSSIP: wire_dnode_flavour = 1;

/// One DNODE message (`struct dmsg` and its payload).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_dnode_msg {
    /// Message id.
    pub id: u64,
    /// `dmsg_type_t` value (`wire_dnode_type_name` gives its name).
    pub r#type: u8,
    /// Flags (low nibble; bit 0 encrypted, bit 1 compressed).
    pub flags: u8,
    /// Version (1).
    pub version: u8,
    /// Same datacenter.
    pub same_dc: bool,
    /// The data field (placeholder or wrapped AES key). Encoding: empty = the flavour's
    /// placeholder.
    pub data: wire_slice,
    /// The payload (plen bytes).
    pub payload: wire_slice,
}

/// A DNODE header without its payload (for relays that frame the payload themselves).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_dnode_header {
    /// Message id.
    pub id: u64,
    /// `dmsg_type_t` value.
    pub r#type: u8,
    /// Flags.
    pub flags: u8,
    /// Version.
    pub version: u8,
    /// Same datacenter.
    pub same_dc: bool,
    /// The data field.
    pub data: wire_slice,
    /// Payload length that follows the header.
    pub plen: u32,
}

/// `CapabilityAdEntry`: a capability name (ASCII) and its values in preference order.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_dnode_capability {
    /// The name.
    pub name: wire_slice,
    /// The values.
    pub supported: *const wire_slice,
    /// Number of values.
    pub supported_len: usize,
}

/// The port's peer-handshake payload (`DHS1` capability advertisement).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_dnode_handshake {
    /// The entries, in wire order.
    pub entries: *const wire_dnode_capability,
    /// Number of entries.
    pub entries_len: usize,
}

pub(crate) fn view(m: &Dmsg, cx: &Ctx) -> wire_dnode_msg {
    wire_dnode_msg {
        id: m.id,
        r#type: m.r#type.as_u8(),
        flags: m.flags,
        version: m.version,
        same_dc: m.same_dc,
        data: cx.view(&m.data),
        payload: cx.view(&m.payload),
    }
}

pub(crate) fn header_view(h: &DmsgHeader, cx: &Ctx) -> wire_dnode_header {
    wire_dnode_header {
        id: h.id,
        r#type: h.r#type.as_u8(),
        flags: h.flags,
        version: h.version,
        same_dc: h.same_dc,
        data: cx.view(&h.data),
        plen: h.plen,
    }
}

pub(crate) fn handshake_view(h: &Handshake, cx: &mut Ctx) -> wire_dnode_handshake {
    let entries: Vec<wire_dnode_capability> = h
        .capabilities
        .entries
        .iter()
        .map(|e| {
            let values: Vec<wire_slice> = e.supported.iter().map(|v| cx.view(v)).collect();
            let (supported, supported_len) = cx.arena.slice(values);
            wire_dnode_capability {
                name: cx.view(e.name.as_bytes()),
                supported,
                supported_len,
            }
        })
        .collect();
    let (entries, entries_len) = cx.arena.slice(entries);
    wire_dnode_handshake {
        entries,
        entries_len,
    }
}

fn flavour_arg(flavour: wire_dnode_flavour) -> Res<Flavour> {
    match flavour {
        WIRE_DNODE_FLAVOUR_PLAIN => Ok(Flavour::Plain),
        WIRE_DNODE_FLAVOUR_GOSSIP => Ok(Flavour::Gossip),
        n => Err(Fail::invalid(P, format!("{n} is not a wire_dnode_flavour"))),
    }
}

/// The DNODE codec with `limits` (NULL: defaults) and `flavour`.
fn codec(limits: *const wire_limits, flavour: wire_dnode_flavour) -> Res<DnodeCodec> {
    let flavour = flavour_arg(flavour)?;
    let AnyCodec::Dnode(codec) = codec_for(P, limits)? else {
        unreachable!("codec_for(Dnode) is the dnode codec")
    };
    Ok(codec.with_flavour(flavour))
}

/// The core message of a caller-filled struct (bytes lent by `l`, strings copied).
unsafe fn msg_arg(msg: *const wire_dnode_msg, l: &Lender<'_>) -> Res<Dmsg> {
    let m = arg(msg, "msg")?;
    Ok(Dmsg {
        id: m.id,
        r#type: DmsgType::from_u8(m.r#type),
        flags: m.flags,
        version: m.version,
        same_dc: m.same_dc,
        data: l.slice(&m.data, "msg.data")?,
        payload: l.slice(&m.payload, "msg.payload")?,
    })
}

/// Decode exactly one DNODE message (`limits` NULL: defaults). `*frame` is a new handle (NULL
/// on failure); read it with `wire_frame_dnode`.
#[no_mangle]
pub extern "C" fn wire_dnode_decode(
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

/// The DNODE message of a handle; NULL when the handle holds something else.
#[no_mangle]
pub extern "C" fn wire_frame_dnode(frame: *const wire_frame) -> *const wire_dnode_msg {
    // SAFETY: the caller gives NULL or a live handle.
    ffi_value(std::ptr::null(), || {
        match unsafe { frame.as_ref() }.map(wire_frame::view) {
            Some(View::Dnode(m)) => m,
            _ => std::ptr::null(),
        }
    })
}

/// Exact encoded size of `msg` with `limits` (NULL: defaults) and `flavour`.
#[no_mangle]
pub extern "C" fn wire_dnode_encoded_len(
    msg: *const wire_dnode_msg,
    limits: *const wire_limits,
    flavour: wire_dnode_flavour,
    len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let codec = codec(limits, flavour)?;
        lend(|l| {
            // SAFETY: the caller gives a filled struct and a writable out-pointer.
            let m = unsafe { msg_arg(msg, l)? };
            let len = unsafe { out(len, "len")? };
            *len = codec.encoded_len(&m)?;
            Ok(())
        })
    })
}

/// Encode `msg` into `out` (`cap` bytes). `*out_len` is always set to the encoded size;
/// `WIRE_BUFFER_TOO_SMALL` when `cap` is under it (nothing written).
#[no_mangle]
pub extern "C" fn wire_dnode_encode(
    msg: *const wire_dnode_msg,
    limits: *const wire_limits,
    flavour: wire_dnode_flavour,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let mut codec = codec(limits, flavour)?;
        lend(|l| {
            // SAFETY: the caller gives a filled struct, `cap` writable bytes and `out_len`.
            let m = unsafe { msg_arg(msg, l)? };
            unsafe { encode_out(&mut codec, &m, &[&m.data, &m.payload], out, cap, out_len) }
        })
    })
}

/// Parse the header at the front of `buf` (a payload need not follow): `WIRE_OK` with a new
/// handle in `*frame` (read it with `wire_frame_dnode_header`) and the header's length in
/// `*header_len`; `WIRE_INCOMPLETE` when `buf` ends inside the header; or the error.
#[no_mangle]
pub extern "C" fn wire_dnode_parse_header(
    buf: *const u8,
    len: usize,
    limits: *const wire_limits,
    frame: *mut *mut wire_frame,
    header_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes and writable out-pointers.
        let input = unsafe { bytes_arg(buf, len, "buf")? };
        let frame = unsafe { out(frame, "frame")? };
        let header_len = unsafe { out(header_len, "header_len")? };
        *frame = std::ptr::null_mut();
        let codec = codec(limits, WIRE_DNODE_FLAVOUR_PLAIN)?;
        let Some((header, n)) = codec.parse_header(input)? else {
            return Err(wire_core::Error::incomplete(
                P,
                input.len(),
                "input ends inside the header",
            )
            .into());
        };
        *header_len = n;
        hand_out(Held::DnodeHeader(header), None, frame);
        Ok(())
    })
}

/// The DNODE header of a handle; NULL when the handle holds something else.
#[no_mangle]
pub extern "C" fn wire_frame_dnode_header(frame: *const wire_frame) -> *const wire_dnode_header {
    // SAFETY: the caller gives NULL or a live handle.
    ffi_value(std::ptr::null(), || {
        match unsafe { frame.as_ref() }.map(wire_frame::view) {
            Some(View::DnodeHeader(h)) => h,
            _ => std::ptr::null(),
        }
    })
}

/// Encode a header alone into `out` (output as for `wire_dnode_encode`; `cap` 0 asks the size).
#[no_mangle]
pub extern "C" fn wire_dnode_encode_header(
    header: *const wire_dnode_header,
    limits: *const wire_limits,
    flavour: wire_dnode_flavour,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let codec = codec(limits, flavour)?;
        // SAFETY: the caller gives a filled struct, `cap` writable bytes and `out_len`.
        let h = unsafe { arg(header, "header")? };
        lend(|l| {
            let header = DmsgHeader {
                id: h.id,
                r#type: DmsgType::from_u8(h.r#type),
                flags: h.flags,
                version: h.version,
                same_dc: h.same_dc,
                data: unsafe { l.slice(&h.data, "header.data")? },
                plen: h.plen,
            };
            let mut bytes = BytesMut::with_capacity(codec.header_encoded_len(&header)?);
            codec.encode_header(&header, &mut bytes)?;
            unsafe { write_out(&bytes, out, cap, out_len) }
        })
    })
}

/// Decode a handshake payload (bytes after the last entry are ignored, like the port). `*frame`
/// is a new handle; read it with `wire_frame_dnode_handshake`.
#[no_mangle]
pub extern "C" fn wire_dnode_handshake_decode(
    buf: *const u8,
    len: usize,
    frame: *mut *mut wire_frame,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes and a writable out-pointer.
        let input = unsafe { bytes_arg(buf, len, "buf")? };
        let frame = unsafe { out(frame, "frame")? };
        *frame = std::ptr::null_mut();
        hand_out(Held::DnodeHandshake(Handshake::decode(input)?), None, frame);
        Ok(())
    })
}

/// The handshake of a handle; NULL when the handle holds something else.
#[no_mangle]
pub extern "C" fn wire_frame_dnode_handshake(
    frame: *const wire_frame,
) -> *const wire_dnode_handshake {
    // SAFETY: the caller gives NULL or a live handle.
    ffi_value(std::ptr::null(), || {
        match unsafe { frame.as_ref() }.map(wire_frame::view) {
            Some(View::DnodeHandshake(h)) => h,
            _ => std::ptr::null(),
        }
    })
}

/// Encode a handshake payload into `out` (output as for `wire_dnode_encode`).
#[no_mangle]
pub extern "C" fn wire_dnode_handshake_encode(
    handshake: *const wire_dnode_handshake,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a filled struct whose arrays have the stated lengths.
        let h = unsafe { arg(handshake, "handshake")? };
        let entries = unsafe { array_arg(h.entries, h.entries_len, "handshake.entries")? };
        lend(|l| {
            let entries = entries
                .iter()
                .map(|e| {
                    let values = unsafe { array_arg(e.supported, e.supported_len, "supported")? };
                    Ok(CapabilityAdEntry {
                        name: unsafe { str_arg(P, &e.name, "entry name")? },
                        supported: values
                            .iter()
                            .map(|v| unsafe { l.slice(v, "value") })
                            .collect::<Res<_>>()?,
                    })
                })
                .collect::<Res<Vec<_>>>()?;
            let bytes = Handshake::new(entries).encode()?;
            unsafe { write_out(&bytes, out, cap, out_len) }
        })
    })
}

/// A caller-filled `(ptr, len)` array; NULL is allowed when `len` is 0.
pub(crate) unsafe fn array_arg<'a, T>(ptr: *const T, len: usize, what: &str) -> Res<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Fail::null(what));
    }
    Ok(std::slice::from_raw_parts(ptr, len))
}

/// The reference name of a `dmsg_type_t` value (`"DMSG_REQ"`, ...), NULL for unnamed values.
/// Static, never freed.
#[no_mangle]
pub extern "C" fn wire_dnode_type_name(r#type: u8) -> *const c_char {
    ffi_value(std::ptr::null(), || {
        static NAMES: std::sync::OnceLock<Vec<Option<CString>>> = std::sync::OnceLock::new();
        let names = NAMES.get_or_init(|| {
            (0..=u8::MAX)
                .map(|n| {
                    DmsgType::from_u8(n)
                        .name()
                        .and_then(|s| CString::new(s).ok())
                })
                .collect()
        });
        names[usize::from(r#type)]
            .as_ref()
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}
