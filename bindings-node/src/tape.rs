//! The tape: how messages cross the boundary without building JS objects in native code.
//!
//! Decoding writes each message as a flat sequence of u32 words (scalars, counts, variant
//! indexes, and `[source, offset, length]` triples for byte and string fields) that the JS layer
//! reads into plain objects; byte fields that lie in the caller's input are described by their
//! offset there (JS makes `subarray` views), the rest are copied to a spill area. Encoding reads
//! the same layout back, written by JS, with byte contents in a separate blob. The field order of
//! every type is its definition's order, and `schema()` publishes those definitions to JS.

use std::collections::BTreeMap;

use std::net::SocketAddr;

use bytes::Bytes;
use serde_json::{json, Value};
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

/// The JS kind expression of a hand-described type (`types.rs`, the protocols the core's schema
/// does not describe yet).
pub trait Kind {
    fn kind() -> Value;
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

impl Kind for SocketAddr {
    fn kind() -> Value {
        json!("string")
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

/// A named record, union or enum with a definition in the schema.
pub trait Defined {
    const NAME: &'static str;
    fn definition() -> Value;
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

        impl Kind for $t {
            fn kind() -> Value {
                json!($k)
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

impl Kind for u64 {
    fn kind() -> Value {
        json!("u64")
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

impl Kind for i64 {
    fn kind() -> Value {
        json!("i64")
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

impl Kind for bool {
    fn kind() -> Value {
        json!("bool")
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

impl Kind for Bytes {
    fn kind() -> Value {
        json!("bytes")
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

impl Kind for String {
    fn kind() -> Value {
        json!("string")
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

impl<T: Kind> Kind for Vec<T> {
    fn kind() -> Value {
        json!({ "list": T::kind() })
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

impl<T: Kind> Kind for Option<T> {
    fn kind() -> Value {
        json!({ "option": T::kind() })
    }
}

impl Tape for BTreeMap<String, String> {
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
            let k = String::take(r)?;
            map.insert(k, String::take(r)?);
        }
        Ok(map)
    }
}

impl Kind for BTreeMap<String, String> {
    fn kind() -> Value {
        json!("map")
    }
}

/// snake_case (or `r#type`) to camelCase.
pub fn camel(name: &str) -> String {
    let name = name.trim_start_matches("r#");
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A struct crossing as its fields in order.
#[macro_export]
macro_rules! record {
    ($ty:ty, $name:literal { $($f:ident : $t:ty),* $(,)? }) => {
        impl $crate::tape::Tape for $ty {
            fn put(&self, w: &mut $crate::tape::Writer) {
                $(<$t as $crate::tape::Tape>::put(&self.$f, w);)*
            }
            fn take(r: &mut $crate::tape::Reader) -> $crate::tape::Take<Self> {
                Ok(Self { $($f: <$t as $crate::tape::Tape>::take(r)?,)* })
            }
        }
        impl $crate::tape::Kind for $ty {
            fn kind() -> serde_json::Value {
                serde_json::json!({ "ref": $name })
            }
        }
        impl $crate::tape::Defined for $ty {
            const NAME: &'static str = $name;
            fn definition() -> serde_json::Value {
                serde_json::json!({
                    "record": [$([$crate::tape::camel(stringify!($f)), <$t as $crate::tape::Kind>::kind()]),*]
                })
            }
        }
    };
}

/// An enum whose variants carry named fields (or none): a variant index, then the fields.
/// Each variant names its JS `type`; a field may be renamed where its name is `type`.
#[macro_export]
macro_rules! union {
    ($ty:ty, $name:literal {
        $($i:literal $v:ident $js:literal { $($f:ident $(as $rename:literal)? : $t:ty),* $(,)? }),* $(,)?
    }) => {
        impl $crate::tape::Tape for $ty {
            fn put(&self, w: &mut $crate::tape::Writer) {
                match self {
                    $(Self::$v { $($f),* } => {
                        w.word($i);
                        $(<$t as $crate::tape::Tape>::put($f, w);)*
                    })*
                }
            }
            fn take(r: &mut $crate::tape::Reader) -> $crate::tape::Take<Self> {
                Ok(match r.word()? {
                    $($i => Self::$v { $($f: <$t as $crate::tape::Tape>::take(r)?),* },)*
                    n => return Err(format!("{}: no variant {n}", $name)),
                })
            }
        }
        impl $crate::tape::Kind for $ty {
            fn kind() -> serde_json::Value {
                serde_json::json!({ "ref": $name })
            }
        }
        impl $crate::tape::Defined for $ty {
            const NAME: &'static str = $name;
            fn definition() -> serde_json::Value {
                serde_json::json!({ "union": [$([$js, [$([
                    $crate::union!(@name $f $($rename)?),
                    <$t as $crate::tape::Kind>::kind()
                ]),*]]),*] })
            }
        }
    };
    (@name $f:ident) => { $crate::tape::camel(stringify!($f)) };
    (@name $f:ident $rename:literal) => { $rename.to_string() };
}

/// A closed or open enumeration crossing as its code; JS shows the name (or the number when
/// the code has no name).
#[macro_export]
macro_rules! named_enum {
    ($ty:ty, $name:literal, open: $open:literal, values: $values:expr, code: $code:expr, from: $from:expr) => {
        impl $crate::tape::Tape for $ty {
            fn put(&self, w: &mut $crate::tape::Writer) {
                w.word(u32::from(($code)(*self)));
            }
            fn take(r: &mut $crate::tape::Reader) -> $crate::tape::Take<Self> {
                let v = r.word()?;
                u8::try_from(v)
                    .ok()
                    .and_then($from)
                    .ok_or_else(|| format!("{v} is not a {} code", $name))
            }
        }
        impl $crate::tape::Kind for $ty {
            fn kind() -> serde_json::Value {
                serde_json::json!({ "enum": $name })
            }
        }
        impl $crate::tape::Defined for $ty {
            const NAME: &'static str = $name;
            fn definition() -> serde_json::Value {
                let values: Vec<(u32, &str)> = $values;
                serde_json::json!({ "enum": values, "open": $open, "width": "u8" })
            }
        }
    };
}
