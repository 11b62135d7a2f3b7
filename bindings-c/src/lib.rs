//! The C API of wire (`libwire.a`, `libwire.so`, `include/libwire.h`).
//!
//! A thin translation layer over `wire-core`: C structs in, C structs out, one status enum.
//! Conventions (see `README.md`):
//! - every export returns a [`wire_status`] (or a documented default) and never unwinds: its
//!   body runs inside [`ffi_fn!`], which turns a panic into `WIRE_PANIC`;
//! - pointer arguments are checked for NULL (`WIRE_NULL_ARGUMENT`); a `(ptr, len)` pair may have
//!   a NULL `ptr` when `len` is 0;
//! - decoded frames live in an opaque [`wire_frame`] handle, freed by `wire_frame_free`;
//! - encoders write into a caller buffer and report the size needed (`WIRE_BUFFER_TOO_SMALL`);
//! - the only mutable global state is the thread-local last error.
#![allow(non_camel_case_types)]
// Every export checks its pointers itself (NULL → WIRE_NULL_ARGUMENT) and documents what the
// caller must guarantee for the rest; `unsafe extern` on each would add nothing for C callers.
#![allow(clippy::missing_safety_doc, clippy::not_unsafe_ptr_arg_deref)]

use std::cell::RefCell;
use std::ffi::{c_char, CStr};
use std::mem::MaybeUninit;
use std::panic::{catch_unwind, AssertUnwindSafe};

use wire_core::{Codec, Error, ErrorKind, Protocol};

mod broker;
// Generated and checked by tests/broker_gen.rs; kept as generated.
#[rustfmt::skip]
mod broker_gen;
mod chitchat;
mod dataexchange;
mod dnode;
mod frame;
mod lend;
mod replication;

pub use broker::*;
pub use broker_gen::*;
pub use chitchat::*;
pub use dataexchange::*;
pub use dnode::*;
pub use frame::*;
pub use replication::*;

/// Major version of this library (from Cargo.toml).
pub const WIRE_VERSION_MAJOR: u32 = 0;
/// Minor version of this library (from Cargo.toml).
pub const WIRE_VERSION_MINOR: u32 = 1;
/// Patch version of this library (from Cargo.toml).
pub const WIRE_VERSION_PATCH: u32 = 0;

/// The result of every fallible call. Values are part of the ABI: they are never renumbered and
/// a retired value is never reused. 1..=7 are the core's error kinds (same numbers); 8..=99 are
/// reserved for future kinds.
/// cbindgen:prefix-with-name=false
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wire_status {
    /// Success.
    WireOk = 0,
    /// The input ends before the frame does; more bytes may complete it.
    WireIncomplete = 1,
    /// The bytes can never form a valid frame.
    WireMalformed = 2,
    /// A declared length or decompressed size exceeds the configured limit.
    WireTooLarge = 3,
    /// A version or framing byte the codec does not speak.
    WireUnsupportedVersion = 4,
    /// A field the protocol requires to be UTF-8 is not.
    WireInvalidUtf8 = 5,
    /// A one-shot decode found bytes after the frame.
    WireTrailingBytes = 6,
    /// A value the protocol cannot carry (encoder input, JSON, option).
    WireInvalidArgument = 7,
    /// A required pointer argument was NULL.
    WireNullArgument = 100,
    /// The output buffer is too small; the needed size was written to the size out-parameter.
    WireBufferTooSmall = 101,
    /// The library panicked (a bug); the call had no effect on its arguments.
    WirePanic = 102,
}

impl wire_status {
    fn of_kind(kind: ErrorKind) -> wire_status {
        match kind {
            ErrorKind::Incomplete => wire_status::WireIncomplete,
            ErrorKind::Malformed => wire_status::WireMalformed,
            ErrorKind::TooLarge => wire_status::WireTooLarge,
            ErrorKind::UnsupportedVersion => wire_status::WireUnsupportedVersion,
            ErrorKind::InvalidUtf8 => wire_status::WireInvalidUtf8,
            ErrorKind::TrailingBytes => wire_status::WireTrailingBytes,
            // ErrorKind is non_exhaustive: a kind added to the core before this table is
            // updated is reported as the closest existing status.
            _ => wire_status::WireInvalidArgument,
        }
    }
}

/// A protocol number (`WIRE_PROTOCOL_*`), as the core numbers them. A plain integer rather
/// than a C enum so that any value a caller passes is defined behaviour.
pub type wire_protocol = u32;
/// Dynomite DNODE.
pub const WIRE_PROTOCOL_DNODE: wire_protocol = 1;
/// chitchat gossip.
pub const WIRE_PROTOCOL_CHITCHAT: wire_protocol = 2;
/// Noxu DB replication.
pub const WIRE_PROTOCOL_REPLICATION: wire_protocol = 3;
/// running-process broker v1.
pub const WIRE_PROTOCOL_BROKER: wire_protocol = 4;
/// Pilot Protocol data exchange.
pub const WIRE_PROTOCOL_DATAEXCHANGE: wire_protocol = 5;

/// A view of bytes (or UTF-8 text, not NUL-terminated). `ptr` may be NULL when `len` is 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_slice {
    /// First byte.
    pub ptr: *const u8,
    /// Number of bytes.
    pub len: usize,
}

impl wire_slice {
    const EMPTY: wire_slice = wire_slice {
        ptr: std::ptr::null(),
        len: 0,
    };
}

/// Decoder limits (see the core's `Limits`): checked from a frame's header before anything is
/// allocated for it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_limits {
    /// Largest length a frame may declare (each protocol's own length field).
    pub max_frame_size: u64,
    /// Largest total of decompressed data in one frame (chitchat only).
    pub max_decompressed_size: u64,
}

/// The failure of an export: a status plus, for codec errors, the core error.
pub(crate) struct Fail {
    status: wire_status,
    error: Option<Error>,
    text: String,
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail {
            status: wire_status::of_kind(e.kind()),
            text: e.to_string(),
            error: Some(e),
        }
    }
}

impl Fail {
    pub(crate) fn null(what: &str) -> Fail {
        Fail::status(wire_status::WireNullArgument, format!("{what} is NULL"))
    }

    pub(crate) fn status(status: wire_status, text: String) -> Fail {
        Fail {
            status,
            error: None,
            text,
        }
    }

    pub(crate) fn invalid(protocol: Protocol, text: impl Into<String>) -> Fail {
        Error::invalid_argument(protocol, text.into()).into()
    }
}

pub(crate) type Res<T> = Result<T, Fail>;

struct LastError {
    text: String,
    error: Option<Error>,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = const {
        RefCell::new(LastError { text: String::new(), error: None })
    };
}

/// Record `fail` as this thread's last error and return its status.
pub(crate) fn record(fail: Fail) -> wire_status {
    let status = fail.status;
    LAST_ERROR.with(|last| {
        *last.borrow_mut() = LastError {
            text: fail.text,
            error: fail.error,
        }
    });
    status
}

/// Run an export body: `Ok` → `WIRE_OK`, `Err` → recorded, panic → `WIRE_PANIC`.
pub(crate) fn ffi_status(body: impl FnOnce() -> Res<()>) -> wire_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => wire_status::WireOk,
        Ok(Err(fail)) => record(fail),
        Err(_) => record(Fail::status(
            wire_status::WirePanic,
            "internal panic in libwire (a bug: please report it)".into(),
        )),
    }
}

/// Run an export body that returns a value, `default` if it panics.
pub(crate) fn ffi_value<T>(default: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(default)
}

/// The panic boundary of every status-returning export (rustls-ffi's `ffi_panic_boundary!`,
/// hyper's `ffi_fn!`).
macro_rules! ffi_fn {
    ($body:block) => {
        $crate::ffi_status(|| $body)
    };
}
pub(crate) use ffi_fn;

/// `&T` from a C pointer, `WIRE_NULL_ARGUMENT` when NULL.
pub(crate) unsafe fn arg<'a, T>(ptr: *const T, what: &str) -> Res<&'a T> {
    ptr.as_ref().ok_or_else(|| Fail::null(what))
}

/// `&mut T` from a C out-pointer, `WIRE_NULL_ARGUMENT` when NULL.
pub(crate) unsafe fn out<'a, T>(ptr: *mut T, what: &str) -> Res<&'a mut T> {
    ptr.as_mut().ok_or_else(|| Fail::null(what))
}

/// The bytes of a `(ptr, len)` argument; NULL is allowed for an empty input.
pub(crate) unsafe fn bytes_arg<'a>(ptr: *const u8, len: usize, what: &str) -> Res<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Fail::null(what));
    }
    Ok(std::slice::from_raw_parts(ptr, len))
}

/// The bytes a caller-filled [`wire_slice`] points at.
pub(crate) unsafe fn slice_arg<'a>(s: &wire_slice, what: &str) -> Res<&'a [u8]> {
    bytes_arg(s.ptr, s.len, what)
}

/// A caller-filled [`wire_slice`] as text: `invalid_argument` unless UTF-8.
pub(crate) unsafe fn str_arg(protocol: Protocol, s: &wire_slice, what: &str) -> Res<String> {
    str_ref(protocol, s, what).map(str::to_owned)
}

/// A caller-filled [`wire_slice`] as borrowed text: `invalid_argument` unless UTF-8.
pub(crate) unsafe fn str_ref<'a>(protocol: Protocol, s: &wire_slice, what: &str) -> Res<&'a str> {
    std::str::from_utf8(slice_arg(s, what)?)
        .map_err(|_| Fail::invalid(protocol, format!("{what} is not valid UTF-8")))
}

/// Copy `bytes` to a caller buffer: `*out_len` is always set to the size, and a buffer under
/// it is `WIRE_BUFFER_TOO_SMALL` with nothing written.
pub(crate) unsafe fn write_out(
    bytes: &[u8],
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> Res<()> {
    let out_len = self::out(out_len, "out_len")?;
    *out_len = bytes.len();
    if cap < bytes.len() {
        return Err(Fail::status(
            wire_status::WireBufferTooSmall,
            format!("output buffer of {cap} bytes, {} needed", bytes.len()),
        ));
    }
    if !bytes.is_empty() {
        if out.is_null() {
            return Err(Fail::null("out"));
        }
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), out, bytes.len());
    }
    Ok(())
}

/// Encode `frame` with `codec` straight into a caller buffer (no intermediate copy):
/// `*out_len` is always set to the size, and a buffer under it is `WIRE_BUFFER_TOO_SMALL` with
/// nothing written. For codecs whose `encoded_len` is cheap (it is computed, not encoded).
/// `borrowed` are the frame's byte fields that view caller memory: when one overlaps the output
/// (a frame re-encoded into the buffer it was decoded from), the frame is encoded aside first
/// and copied, since writing would overwrite bytes not yet read.
pub(crate) unsafe fn encode_out<C: Codec>(
    codec: &mut C,
    frame: &C::Frame,
    borrowed: &[&[u8]],
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> Res<()> {
    let len = codec.encoded_len(frame)?;
    let out_len = self::out(out_len, "out_len")?;
    *out_len = len;
    if cap < len {
        return Err(Fail::status(
            wire_status::WireBufferTooSmall,
            format!("output buffer of {cap} bytes, {len} needed"),
        ));
    }
    if len == 0 {
        return Ok(());
    }
    if out.is_null() {
        return Err(Fail::null("out"));
    }
    let (start, end) = (out as usize, out as usize + len);
    let overlaps = |b: &&[u8]| {
        let at = b.as_ptr() as usize;
        !b.is_empty() && at < end && start < at + b.len()
    };
    if borrowed.iter().any(overlaps) {
        let mut aside = vec![MaybeUninit::uninit(); len];
        codec.encode_to_slice(frame, &mut aside)?;
        // SAFETY: `aside` is a separate allocation of `len` bytes, all written by
        // `encode_to_slice`; the caller gives `cap` >= `len` writable bytes at `out`.
        std::ptr::copy_nonoverlapping(aside.as_ptr().cast::<u8>(), out, len);
        return Ok(());
    }
    // SAFETY: the caller gives `cap` >= `len` writable bytes at `out`, which no byte field of
    // `frame` views (checked above); `MaybeUninit<u8>` has the layout of `u8` and may view
    // bytes in any state. `encode_to_slice` writes exactly these `len` bytes, never reads them.
    let dst = std::slice::from_raw_parts_mut(out.cast::<MaybeUninit<u8>>(), len);
    codec.encode_to_slice(frame, dst)?;
    Ok(())
}

/// Copy text plus a terminating NUL to a caller buffer; `*needed` is the text length (without
/// the NUL); a buffer under `needed + 1` is `WIRE_BUFFER_TOO_SMALL` with nothing written.
pub(crate) unsafe fn write_text(
    text: &str,
    out: *mut c_char,
    cap: usize,
    needed: *mut usize,
) -> Res<()> {
    let needed = self::out(needed, "needed")?;
    *needed = text.len();
    if cap <= text.len() {
        return Err(Fail::status(
            wire_status::WireBufferTooSmall,
            format!(
                "output buffer of {cap} bytes, {} needed (with the NUL)",
                text.len() + 1
            ),
        ));
    }
    if out.is_null() {
        return Err(Fail::null("out"));
    }
    std::ptr::copy_nonoverlapping(text.as_ptr(), out.cast::<u8>(), text.len());
    *out.add(text.len()) = 0;
    Ok(())
}

/// A NUL-terminated C string argument as UTF-8.
pub(crate) unsafe fn cstr_arg<'a>(ptr: *const c_char, what: &str) -> Res<&'a str> {
    if ptr.is_null() {
        return Err(Fail::null(what));
    }
    CStr::from_ptr(ptr).to_str().map_err(|_| {
        Fail::status(
            wire_status::WireInvalidArgument,
            format!("{what} is not UTF-8"),
        )
    })
}

/// The limits a caller passed, or the codec's defaults when `limits` is NULL.
pub(crate) unsafe fn limits_arg(limits: *const wire_limits) -> Option<wire_core::Limits> {
    limits.as_ref().map(|l| wire_core::Limits {
        max_frame_size: l.max_frame_size,
        max_decompressed_size: l.max_decompressed_size,
    })
}

/// Static text for a status (never NULL, never freed): `"ok"`, the core's error code
/// (`"malformed"`, ...), `"null_argument"`, `"buffer_too_small"`, `"panic"`, or `"unknown"`.
/// Takes the status as an integer so that any value is defined behaviour.
#[no_mangle]
pub extern "C" fn wire_status_str(status: u32) -> *const c_char {
    ffi_value(c"unknown".as_ptr(), || {
        let text: &'static CStr = match status {
            0 => c"ok",
            1 => c"incomplete",
            2 => c"malformed",
            3 => c"too_large",
            4 => c"unsupported_version",
            5 => c"invalid_utf8",
            6 => c"trailing_bytes",
            7 => c"invalid_argument",
            100 => c"null_argument",
            101 => c"buffer_too_small",
            102 => c"panic",
            _ => c"unknown",
        };
        text.as_ptr()
    })
}

/// Copy this thread's last error message ("<protocol> <kind> at offset <n>: <reason>" for codec
/// errors) into `buf` (NUL-terminated, truncated to `cap - 1` bytes). Returns the full message
/// length without the NUL, so a caller can size `buf`; 0 when no call on this thread failed
/// yet. `buf` may be NULL when `cap` is 0. The message stays until the next failing call.
#[no_mangle]
pub extern "C" fn wire_last_error_message(buf: *mut c_char, cap: usize) -> usize {
    ffi_value(0, || {
        LAST_ERROR.with(|last| {
            let last = last.borrow();
            let text = last.text.as_bytes();
            if cap > 0 && !buf.is_null() {
                let n = text.len().min(cap - 1);
                // SAFETY: the caller gives `cap` writable bytes at `buf`.
                unsafe {
                    std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
                    *buf.add(n) = 0;
                }
            }
            text.len()
        })
    })
}

/// The byte offset of this thread's last codec error: true and `*offset` set when it has one.
#[no_mangle]
pub extern "C" fn wire_last_error_offset(offset: *mut u64) -> bool {
    ffi_value(false, || {
        LAST_ERROR.with(|last| match (&last.borrow().error, offset.is_null()) {
            (Some(e), false) => match e.offset() {
                Some(o) => {
                    // SAFETY: checked non-NULL; the caller gives a writable u64.
                    unsafe { *offset = o as u64 };
                    true
                }
                None => false,
            },
            _ => false,
        })
    })
}

/// The protocol of this thread's last codec error: true and `*protocol` set when it has one.
#[no_mangle]
pub extern "C" fn wire_last_error_protocol(protocol: *mut wire_protocol) -> bool {
    ffi_value(false, || {
        LAST_ERROR.with(|last| {
            match (
                last.borrow().error.as_ref().and_then(Error::protocol),
                protocol.is_null(),
            ) {
                (Some(p), false) => {
                    // SAFETY: checked non-NULL; the caller gives a writable wire_protocol.
                    unsafe { *protocol = p.number() };
                    true
                }
                _ => false,
            }
        })
    })
}

/// The stable name of a protocol (`"dnode"`, ...); NULL for a value that is not a protocol.
#[no_mangle]
pub extern "C" fn wire_protocol_name(protocol: wire_protocol) -> *const c_char {
    ffi_value(std::ptr::null(), || {
        let text: &'static CStr = match protocol {
            1 => c"dnode",
            2 => c"chitchat",
            3 => c"replication",
            4 => c"broker",
            5 => c"dataexchange",
            _ => return std::ptr::null(),
        };
        text.as_ptr()
    })
}

/// The protocol named `name` (`"dnode"`, ...); `WIRE_INVALID_ARGUMENT` for another name.
#[no_mangle]
pub extern "C" fn wire_protocol_from_name(
    name: *const c_char,
    protocol: *mut wire_protocol,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a NUL-terminated string and a writable out-pointer.
        let name = unsafe { cstr_arg(name, "name")? };
        let protocol = unsafe { out(protocol, "protocol")? };
        let p: Protocol = name
            .parse()
            .map_err(|e: String| Fail::status(wire_status::WireInvalidArgument, e))?;
        *protocol = p.number();
        Ok(())
    })
}

/// The default limits of `protocol`'s codec (the reference implementation's).
#[no_mangle]
pub extern "C" fn wire_limits_default(
    protocol: wire_protocol,
    limits: *mut wire_limits,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a writable out-pointer.
        let limits = unsafe { out(limits, "limits")? };
        let l = wire_core::Codec::limits(&wire_core::AnyCodec::new(protocol_arg(protocol)?));
        *limits = wire_limits {
            max_frame_size: l.max_frame_size,
            max_decompressed_size: l.max_decompressed_size,
        };
        Ok(())
    })
}

/// A `wire_protocol` from C, which may hold any integer.
pub(crate) fn protocol_arg(protocol: wire_protocol) -> Res<Protocol> {
    Protocol::ALL
        .into_iter()
        .find(|p| p.number() == protocol)
        .ok_or_else(|| {
            Fail::status(
                wire_status::WireInvalidArgument,
                format!("{protocol} is not a wire_protocol"),
            )
        })
}
