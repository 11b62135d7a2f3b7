//! Caller bytes as `Bytes` without a copy, soundly: a scoped lender (like `std::thread::scope`).
//!
//! The core's frames hold `Bytes`, which has no lifetime, while an encoder's input is C memory
//! that is valid only during the export call. [`lend`] runs a closure with a [`Lender`] whose
//! [`Lender::bytes`] wraps a slice in a `Bytes` owned by a [`Lent`] (no copy); every live
//! `Lent` is counted. When the closure ends (returns or unwinds) the count must be back to
//! zero: a lent `Bytes` that outlived it (stored in a global, leaked, sent to a thread, carried
//! by a panic payload) would dangle, so the process aborts instead of returning.
//!
//! That never happens in practice: the exports build a frame from lent bytes inside the
//! closure, hand `&frame` to a core encoder, and drop the frame when the closure returns; the
//! core's encoders only read a frame (they take `&Frame` and write bytes out) and keep nothing
//! of it. `tests` below check that the count is back to zero after every encoder.

use std::cell::Cell;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;

use crate::{slice_arg, wire_slice, Res};

/// Invariant in 'a: a `&Lender<'a>` cannot be used as a `&Lender<'short>` to lend bytes that
/// die inside the closure.
type Invariant<'a> = PhantomData<fn(&'a [u8]) -> &'a [u8]>;

/// Lends slices that live for `'a` (at least the whole [`lend`] call) as `Bytes`.
pub(crate) struct Lender<'a> {
    live: AtomicUsize,
    /// The lowest start and highest end address of the bytes lent so far (`usize::MAX`, 0
    /// before any): what an encoder must not overwrite while it reads the frame.
    lo: Cell<usize>,
    hi: Cell<usize>,
    _slices: Invariant<'a>,
}

/// Where an argument conversion takes a C struct's bytes from: lent for the call
/// ([`Lender`]), or copied ([`Copied`]) for a value a handle keeps.
pub(crate) trait ByteSource {
    /// The bytes of a caller-filled [`wire_slice`] (NULL allowed when empty).
    ///
    /// SAFETY: `s` views `s.len` readable bytes that stay valid and unchanged for the call.
    unsafe fn slice(&self, s: &wire_slice, what: &str) -> Res<Bytes>;
}

/// Copies the caller's bytes.
pub(crate) struct Copied;

impl ByteSource for Copied {
    unsafe fn slice(&self, s: &wire_slice, what: &str) -> Res<Bytes> {
        Ok(Bytes::copy_from_slice(slice_arg(s, what)?))
    }
}

impl ByteSource for Lender<'_> {
    unsafe fn slice(&self, s: &wire_slice, what: &str) -> Res<Bytes> {
        Lender::slice(self, s, what)
    }
}

/// The owner of a lent `Bytes`: a view of caller memory plus the lender's count.
struct Lent {
    ptr: *const u8,
    len: usize,
    live: *const AtomicUsize,
}

// SAFETY: a `Lent` only reads its bytes and decrements an atomic, both fine from any thread.
// The memory it points at (the caller's bytes, the lender's count) outlives every `Lent`:
// `lend` does not return, and so neither the count nor the borrow of the bytes ends, while
// one is alive (it aborts instead).
unsafe impl Send for Lent {}

impl AsRef<[u8]> for Lent {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: `ptr`/`len` come from a `&'a [u8]` and 'a outlives every `Lent` (above).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        // SAFETY: the count outlives every `Lent` (above). Release: every read of the bytes
        // through this owner happens before `lend` sees the count drop.
        unsafe { &*self.live }.fetch_sub(1, Ordering::Release);
    }
}

impl<'a> Lender<'a> {
    /// `bytes` as a `Bytes` that views them (no copy). It must be dropped before the closure
    /// of [`lend`] ends, or the process aborts.
    pub(crate) fn bytes(&self, bytes: &'a [u8]) -> Bytes {
        if bytes.is_empty() {
            return Bytes::new();
        }
        self.live.fetch_add(1, Ordering::Relaxed);
        let at = bytes.as_ptr() as usize;
        self.lo.set(self.lo.get().min(at));
        self.hi.set(self.hi.get().max(at + bytes.len()));
        Bytes::from_owner(Lent {
            ptr: bytes.as_ptr(),
            len: bytes.len(),
            live: &self.live,
        })
    }

    /// The bytes of a caller-filled [`wire_slice`], lent (NULL allowed when empty).
    ///
    /// SAFETY: `s` views `s.len` readable bytes that stay valid and unchanged for `'a`.
    pub(crate) unsafe fn slice(&self, s: &wire_slice, what: &str) -> Res<Bytes> {
        Ok(self.bytes(slice_arg(s, what)?))
    }

    /// The address range `[lo, hi)` that covers every lent slice (empty when none).
    pub(crate) fn range(&self) -> (usize, usize) {
        (self.lo.get(), self.hi.get())
    }

    #[cfg(test)]
    fn live(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }
}

/// Checks the count when `lend`'s closure ends, by return or by unwinding.
struct Check<'l, 'a>(&'l Lender<'a>);

impl Drop for Check<'_, '_> {
    fn drop(&mut self) {
        if self.0.live.load(Ordering::Acquire) != 0 {
            // A lent `Bytes` outlives the closure: returning would leave it dangling.
            eprintln!("libwire: a lent Bytes outlived its export call (a bug); aborting");
            std::process::abort();
        }
    }
}

/// Run `f` with a lender of slices that live for `'a`; see the module docs.
pub(crate) fn lend<'a, R>(f: impl FnOnce(&Lender<'a>) -> R) -> R {
    let lender = Lender {
        live: AtomicUsize::new(0),
        lo: Cell::new(usize::MAX),
        hi: Cell::new(0),
        _slices: PhantomData,
    };
    let check = Check(&lender);
    let result = f(check.0);
    drop(check);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;

    #[test]
    fn lent_bytes_read_the_callers_bytes_without_a_copy() {
        let data = b"hello, lender".to_vec();
        lend(|l| {
            let b = l.bytes(&data);
            assert_eq!(&b[..], &data[..]);
            assert_eq!(b.as_ptr(), data.as_ptr(), "lent, not copied");
            let tail = b.slice(7..);
            assert_eq!(&tail[..], b"lender");
            assert_eq!(l.live(), 1);
            drop(b);
            assert_eq!(l.live(), 1, "a slice of a lent Bytes keeps the owner");
            drop(tail);
            assert_eq!(l.live(), 0);
            assert!(l.bytes(&[]).is_empty());
            assert_eq!(l.live(), 0, "empty input is not lent");
        });
    }

    #[test]
    fn a_lent_bytes_dropped_on_another_thread_is_counted() {
        let data = vec![7u8; 100];
        lend(|l| {
            let b = l.bytes(&data);
            std::thread::scope(|s| {
                s.spawn(move || assert_eq!(b.len(), 100));
            });
            assert_eq!(l.live(), 0);
        });
    }

    /// Run by `an_escaped_lent_bytes_aborts` in a child process: lets a lent Bytes escape.
    #[test]
    #[ignore = "aborts the process; run as a child by an_escaped_lent_bytes_aborts"]
    fn escape_child() {
        let data = vec![1u8; 8];
        let escaped = lend(|l| l.bytes(&data));
        // Not reached: lend aborts before returning a dangling Bytes.
        println!("escaped {escaped:?}");
    }

    #[test]
    fn an_escaped_lent_bytes_aborts() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "lend::tests::escape_child",
                "--ignored",
                "--nocapture",
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "the child returned: {stdout}");
        assert!(!stdout.contains("escaped"), "{stdout}");
        assert!(stderr.contains("outlived its export call"), "{stderr}");
    }

    /// A slice of `bytes` for a C struct.
    fn s(bytes: &[u8]) -> wire_slice {
        wire_slice {
            ptr: bytes.as_ptr(),
            len: bytes.len(),
        }
    }

    #[test]
    fn the_count_is_zero_after_each_encoder() {
        let payload = vec![0xabu8; 4096];
        let data = b"d".to_vec();
        let mut out = vec![0u8; 8192];
        let mut n = 0;
        let null = std::ptr::null();
        let (o, cap) = (out.as_mut_ptr(), out.len());
        // Each encoder again inside an outer lend: its own lender must be back to zero (or the
        // call would abort), and the frames it built from lent bytes are gone.
        lend(|outer| {
            let msg = wire_dnode_dmsg {
                id: 1,
                r#type: 6,
                flags: 0,
                version: 1,
                same_dc: true,
                data: s(&data),
                payload: s(&payload),
            };
            let st = wire_dnode_encode(&msg, null, WIRE_DNODE_FLAVOUR_PLAIN, o, cap, &mut n);
            assert_eq!(st, wire_status::WireOk);
            assert_eq!(&out[n - 4096..n], &payload[..]);
            let st = wire_dnode_encoded_len(&msg, null, WIRE_DNODE_FLAVOUR_PLAIN, &mut n);
            assert_eq!(st, wire_status::WireOk);

            let frame = wire_dataexchange_frame {
                r#type: WIRE_DATAEXCHANGE_TYPE_FILE,
                payload: s(&payload),
                filename: s(b"f.txt"),
                inner_type: 0,
                sent_at_ns: 0,
                // SAFETY: the views and numbers of an unused control message may be all zero.
                ..unsafe { std::mem::zeroed() }
            };
            let st = wire_dataexchange_encode(
                &frame,
                null,
                WIRE_DATAEXCHANGE_VERSION_MAIN,
                out.as_mut_ptr(),
                cap,
                &mut n,
            );
            assert_eq!(st, wire_status::WireOk);
            assert_eq!(&out[n - 4096..n], &payload[..]);

            let msg = wire_replication_protocol_message {
                r#type: WIRE_REPLICATION_LOG_ENTRY,
                vlsn: 9,
                entry_type: 1,
                data: s(&payload),
                // SAFETY: the struct is plain data (integers, bools, views); zero is valid.
                ..unsafe { std::mem::zeroed() }
            };
            let st = wire_replication_encode(
                &msg,
                null,
                WIRE_REPLICATION_LAYOUT_7X,
                out.as_mut_ptr(),
                cap,
                &mut n,
            );
            assert_eq!(st, wire_status::WireOk);
            assert_eq!(&out[n - 4096..n], &payload[..]);

            // A frame of lent bytes built and encoded here, as the exports do.
            let m = wire_core::dnode::Dmsg {
                id: 1,
                r#type: wire_core::dnode::DmsgType::from_u8(6),
                flags: 0,
                version: 1,
                same_dc: true,
                data: outer.bytes(&data),
                payload: outer.bytes(&payload),
            };
            assert_eq!(outer.live(), 2);
            let bytes = wire_core::encode_to_vec(
                &mut wire_core::AnyCodec::new(Protocol::Dnode),
                &wire_core::AnyFrame::Dnode(m),
            )
            .unwrap();
            assert_eq!(&bytes[bytes.len() - 4096..], &payload[..]);
            assert_eq!(outer.live(), 0, "the encoder kept nothing of the frame");
        });
    }
}
