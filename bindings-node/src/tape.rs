//! The tape: how messages cross the boundary without building JS objects in native code.
//!
//! Decoding writes each message as a flat sequence of u32 words (scalars, counts, variant
//! indexes, and `[source, offset, length]` triples for byte and string fields) that the JS layer
//! reads into plain objects; byte fields that lie in the caller's input are described by their
//! offset there (JS makes `subarray` views), the rest are copied to a spill area. Encoding reads
//! the same layout back, written by JS, with byte contents in a separate blob. Each type's impl
//! is generated from the core's schema (`generated.rs`), as are the definitions JS reads and
//! writes the same layout with (`lib/generated.js`).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use bytes::Bytes;
use serde_json::Value;
use wire_core::{Error, Protocol};

/// Where a byte field's contents are: the caller's input, or the spill area.
pub const SRC_INPUT: u32 = 0;
pub const SRC_SPILL: u32 = 1;

/// Output of one native call, reused between calls.
#[derive(Default)]
pub struct Out {
    pub tape: Vec<u32>,
    pub spill: Vec<u8>,
}

/// Writes messages onto a tape. Byte slices inside `[lo, lo + len)` of memory are reported as
/// input offsets (`slice address - lo`); anything else is copied to the spill area.
pub struct Writer<'a> {
    pub out: &'a mut Out,
    lo: usize,
    len: usize,
}

impl<'a> Writer<'a> {
    pub fn new(out: &'a mut Out, lo: usize, len: usize) -> Self {
        Writer { out, lo, len }
    }

    pub fn word(&mut self, w: u32) {
        self.out.tape.push(w);
    }

    /// A u64 at the next even word, in native byte order: JS reads it through a
    /// `BigUint64Array` over the tape, several times faster than building a BigInt from halves.
    pub fn u64(&mut self, v: u64) {
        if self.out.tape.len() % 2 == 1 {
            self.out.tape.push(0);
        }
        let [a, b, c, d, e, f, g, h] = v.to_ne_bytes();
        self.out.tape.push(u32::from_ne_bytes([a, b, c, d]));
        self.out.tape.push(u32::from_ne_bytes([e, f, g, h]));
    }

    pub fn bytes(&mut self, b: &[u8]) {
        let at = (b.as_ptr() as usize).wrapping_sub(self.lo);
        if !b.is_empty() && at < self.len && b.len() <= self.len - at {
            self.out.tape.extend([SRC_INPUT, at as u32, b.len() as u32]);
        } else {
            let at = self.out.spill.len();
            self.out.spill.extend_from_slice(b);
            self.out.tape.extend([SRC_SPILL, at as u32, b.len() as u32]);
        }
    }
}

/// Reads a tape written by JS. Errors are `invalid_argument` reasons.
pub struct Reader<'a> {
    tape: &'a [u32],
    pos: usize,
    blob: &'a [u8],
}

pub type Take<T> = Result<T, String>;

impl<'a> Reader<'a> {
    pub fn new(tape: &'a [u32], blob: &'a [u8]) -> Self {
        Reader { tape, pos: 0, blob }
    }

    pub fn word(&mut self) -> Take<u32> {
        let w = self
            .tape
            .get(self.pos)
            .copied()
            .ok_or("message tape ends early")?;
        self.pos += 1;
        Ok(w)
    }

    /// A u64 as `Writer::u64` lays it out (JS writes it the same way).
    pub fn u64(&mut self) -> Take<u64> {
        if self.pos % 2 == 1 {
            self.word()?;
        }
        let [a, b, c, d] = self.word()?.to_ne_bytes();
        let [e, f, g, h] = self.word()?.to_ne_bytes();
        Ok(u64::from_ne_bytes([a, b, c, d, e, f, g, h]))
    }

    pub fn slice(&mut self) -> Take<&'a [u8]> {
        let at = self.word()? as usize;
        let len = self.word()? as usize;
        self.blob
            .get(at..at.saturating_add(len))
            .ok_or_else(|| "byte field outside the blob".to_owned())
    }

    pub fn is_done(&self) -> bool {
        self.pos == self.tape.len()
    }
}

/// A type that crosses the boundary on the tape.
pub trait Tape: Sized {
    fn put(&self, w: &mut Writer);
    fn take(r: &mut Reader) -> Take<Self>;
}

/// An operation's argument read from the tape (a bad tape is `invalid_argument`).
pub fn arg<T: Tape>(protocol: Protocol, r: &mut Reader) -> Result<T, Error> {
    T::take(r).map_err(|e| Error::invalid_argument(protocol, e))
}

/// After an operation's arguments: the tape holds nothing more.
pub fn done(protocol: Protocol, r: &Reader) -> Result<(), Error> {
    if r.is_done() {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            protocol,
            "message tape has extra words",
        ))
    }
}

/// An operation given another protocol's codec.
pub fn wrong_codec(protocol: Protocol) -> Error {
    Error::invalid_argument(protocol, "codec of another protocol")
}

impl Tape for SocketAddr {
    fn put(&self, w: &mut Writer) {
        self.to_string().put(w);
    }
    fn take(r: &mut Reader) -> Take<Self> {
        let s = String::take(r)?;
        s.parse()
            .map_err(|e| format!("{s:?} is not a socket address: {e}"))
    }
}

/// JSON crosses as its text (JS parses it keeping big integers exact).
impl Tape for Value {
    fn put(&self, w: &mut Writer) {
        self.to_string().put(w);
    }
    fn take(r: &mut Reader) -> Take<Self> {
        serde_json::from_str(&String::take(r)?).map_err(|e| format!("not JSON: {e}"))
    }
}

macro_rules! word_int {
    ($($t:ty => $k:literal, $from:expr);*) => {$(
        impl Tape for $t {
            fn put(&self, w: &mut Writer) {
                w.word(*self as u32);
            }
            fn take(r: &mut Reader) -> Take<Self> {
                let v = r.word()?;
                // JS range-checks before writing: a word out of range here is refused, not cut.
                ($from)(v).ok_or_else(|| format!("{v} out of range for {}", $k))
            }
        }

    )*};
}
word_int!(
    u8 => "u8", |v| u8::try_from(v).ok();
    u16 => "u16", |v| u16::try_from(v).ok();
    u32 => "u32", Some;
    i32 => "i32", |v: u32| Some(v as i32)
);

impl Tape for u64 {
    fn put(&self, w: &mut Writer) {
        w.u64(*self);
    }
    fn take(r: &mut Reader) -> Take<Self> {
        r.u64()
    }
}

impl Tape for i64 {
    fn put(&self, w: &mut Writer) {
        w.u64(*self as u64);
    }
    fn take(r: &mut Reader) -> Take<Self> {
        Ok(r.u64()? as i64)
    }
}

impl Tape for bool {
    fn put(&self, w: &mut Writer) {
        w.word(u32::from(*self));
    }
    fn take(r: &mut Reader) -> Take<Self> {
        Ok(r.word()? != 0)
    }
}

impl Tape for Bytes {
    fn put(&self, w: &mut Writer) {
        w.bytes(self);
    }
    fn take(r: &mut Reader) -> Take<Self> {
        Ok(Bytes::copy_from_slice(r.slice()?))
    }
}

impl Tape for String {
    fn put(&self, w: &mut Writer) {
        w.bytes(self.as_bytes());
    }
    fn take(r: &mut Reader) -> Take<Self> {
        // JS writes strings with Buffer#write('utf8'), which never produces invalid UTF-8.
        String::from_utf8(r.slice()?.to_vec()).map_err(|e| e.to_string())
    }
}

impl<T: Tape> Tape for Vec<T> {
    fn put(&self, w: &mut Writer) {
        w.word(self.len() as u32);
        for item in self {
            item.put(w);
        }
    }
    fn take(r: &mut Reader) -> Take<Self> {
        let n = r.word()? as usize;
        // Each element takes at least one word: never reserve more than the tape could hold.
        let mut items = Vec::with_capacity(n.min(r.tape.len()));
        for _ in 0..n {
            items.push(T::take(r)?);
        }
        Ok(items)
    }
}

impl<T: Tape> Tape for Option<T> {
    fn put(&self, w: &mut Writer) {
        match self {
            None => w.word(0),
            Some(v) => {
                w.word(1);
                v.put(w);
            }
        }
    }
    fn take(r: &mut Reader) -> Take<Self> {
        Ok(match r.word()? {
            0 => None,
            _ => Some(T::take(r)?),
        })
    }
}

/// A map crosses as its entries in key order: the count, then each key and value.
impl<K: Tape + Ord, V: Tape> Tape for BTreeMap<K, V> {
    fn put(&self, w: &mut Writer) {
        w.word(self.len() as u32);
        for (k, v) in self {
            k.put(w);
            v.put(w);
        }
    }
    fn take(r: &mut Reader) -> Take<Self> {
        let n = r.word()?;
        let mut map = BTreeMap::new();
        for _ in 0..n {
            let k = K::take(r)?;
            map.insert(k, V::take(r)?);
        }
        Ok(map)
    }
}
