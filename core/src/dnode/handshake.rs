//! The Rust port's `Handshake` payload (dynomite-engine 0.0.1 ..= 2.0.1; nothing in C), all
//! integers little-endian:
//!
//! ```text
//! "DHS1" [u16 flags = 0] "CAP" [u8 version = 1] [u32 entry count <= 1024]
//!   per entry: [u16 name_len <= 256][ASCII name][u16 value count]
//!     per value: [u32 len <= 16384][bytes]
//! ```
//!
//! Errors: a short input is `incomplete`; a wrong magic is `malformed`; non-zero flags or a
//! CAP version other than 1 is `unsupported_version`; a count or length over the port's
//! limits is `too_large` (checked before the bytes it announces); a non-ASCII name is
//! `malformed`. Bytes after the last entry are ignored, as the port documents ("older peers
//! ignore unknown trailing bytes"); [`Handshake::decode_prefix`] says how many were used.
//! Encoding refuses what the port's decoder would refuse instead of clamping counts.

use bytes::{BufMut, Bytes, BytesMut};

use crate::{Error, ErrorKind, Protocol, Result};

const P: Protocol = Protocol::Dnode;

/// `Handshake::MAGIC`.
pub const HANDSHAKE_MAGIC: &[u8; 4] = b"DHS1";
/// `CAP_AD_MAGIC`.
pub const CAP_AD_MAGIC: &[u8; 3] = b"CAP";
/// `CAP_AD_VERSION`.
pub const CAP_AD_VERSION: u8 = 1;
/// `CAP_AD_MAX_ENTRIES`.
pub const CAP_AD_MAX_ENTRIES: usize = 1024;
/// `CAP_AD_MAX_NAME_LEN` (bytes).
pub const CAP_AD_MAX_NAME_LEN: usize = 256;
/// `CAP_AD_MAX_VALUE_LEN` (bytes).
pub const CAP_AD_MAX_VALUE_LEN: usize = 16 * 1024;

described! {
    "dnode::Handshake"
    /// Peer-handshake payload: the capability advertisement.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct Handshake {
        /// The advertised capabilities.
        pub capabilities: CapabilityAd,
    }
}

described! {
    "dnode::CapabilityAd"
    /// `CapabilityAd`: the advertised capabilities, in wire order.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct CapabilityAd {
        /// The entries.
        pub entries: Vec<CapabilityAdEntry>,
    }
}

described! {
    "dnode::CapabilityAdEntry"
    /// `CapabilityAdEntry`: a capability name and its supported value blobs.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct CapabilityAdEntry {
        /// ASCII capability name.
        pub name: String,
        /// Opaque, capability-defined values in preference order.
        pub supported: Vec<Bytes>,
    }
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        match self.input.get(self.pos..self.pos.saturating_add(n)) {
            Some(bytes) => {
                self.pos += n;
                Ok(bytes)
            }
            None => Err(Error::incomplete(
                P,
                self.input.len(),
                format!("handshake ends inside {what}"),
            )),
        }
    }

    /// A fixed literal; a mismatch in the bytes present is malformed even if input is short.
    fn literal(&mut self, expected: &[u8], what: &str) -> Result<()> {
        let present = &self.input[self.pos.min(self.input.len())..];
        let n = present.len().min(expected.len());
        if present[..n] != expected[..n] {
            return Err(Error::malformed(
                P,
                self.pos,
                format!(
                    "bad {what} magic: expected {:?}",
                    String::from_utf8_lossy(expected)
                ),
            ));
        }
        self.take(expected.len(), what).map(drop)
    }

    fn u16(&mut self, what: &str) -> Result<u16> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn over(at: usize, what: &str, value: u64, limit: usize) -> Error {
    Error::at(
        P,
        ErrorKind::TooLarge,
        at,
        format!("{what} of {value} exceeds the limit of {limit}"),
    )
}

impl Handshake {
    /// A handshake advertising `entries`.
    pub fn new(entries: Vec<CapabilityAdEntry>) -> Handshake {
        Handshake {
            capabilities: CapabilityAd { entries },
        }
    }

    /// Decode a handshake payload; bytes after the last entry are ignored, like the port.
    pub fn decode(input: &[u8]) -> Result<Handshake> {
        Handshake::decode_prefix(input).map(|(hs, _)| hs)
    }

    /// Decode a handshake from the front of `input`: the handshake and the bytes it used.
    pub fn decode_prefix(input: &[u8]) -> Result<(Handshake, usize)> {
        let mut r = Reader { input, pos: 0 };
        r.literal(HANDSHAKE_MAGIC, "handshake")?;
        let flags = r.u16("the flags")?;
        if flags != 0 {
            return Err(Error::at(
                P,
                ErrorKind::UnsupportedVersion,
                4,
                format!("handshake flags {flags:#06x}: only 0 is defined"),
            ));
        }
        r.literal(CAP_AD_MAGIC, "capability advertisement")?;
        let version = r.take(1, "the capability version")?[0];
        if version != CAP_AD_VERSION {
            return Err(Error::at(
                P,
                ErrorKind::UnsupportedVersion,
                9,
                format!("capability advertisement version {version}: only 1 is defined"),
            ));
        }
        let count_at = r.pos;
        let count = r.u32("the entry count")?;
        if count as usize > CAP_AD_MAX_ENTRIES {
            return Err(over(
                count_at,
                "entry count",
                count.into(),
                CAP_AD_MAX_ENTRIES,
            ));
        }
        // Grown as entries arrive: nothing is reserved for a declared count.
        let mut entries = Vec::new();
        for _ in 0..count {
            let at = r.pos;
            let name_len = usize::from(r.u16("a name length")?);
            if name_len > CAP_AD_MAX_NAME_LEN {
                return Err(over(
                    at,
                    "name length",
                    name_len as u64,
                    CAP_AD_MAX_NAME_LEN,
                ));
            }
            let name_at = r.pos;
            let name = r.take(name_len, "a capability name")?;
            if !name.is_ascii() {
                return Err(Error::malformed(P, name_at, "capability name is not ASCII"));
            }
            let name = String::from_utf8_lossy(name).into_owned();
            let values = r.u16("a value count")?;
            let mut supported = Vec::new();
            for _ in 0..values {
                let at = r.pos;
                let len = r.u32("a value length")?;
                if len as usize > CAP_AD_MAX_VALUE_LEN {
                    return Err(over(at, "value length", len.into(), CAP_AD_MAX_VALUE_LEN));
                }
                supported.push(Bytes::copy_from_slice(r.take(len as usize, "a value")?));
            }
            entries.push(CapabilityAdEntry { name, supported });
        }
        Ok((Handshake::new(entries), r.pos))
    }

    /// Exact encoded size; `invalid_argument` for what the port's decoder would refuse.
    pub fn encoded_len(&self) -> Result<usize> {
        let entries = &self.capabilities.entries;
        if entries.len() > CAP_AD_MAX_ENTRIES {
            return Err(Error::invalid_argument(
                P,
                format!(
                    "{} capability entries exceed the limit of {CAP_AD_MAX_ENTRIES}",
                    entries.len()
                ),
            ));
        }
        let mut len = HANDSHAKE_MAGIC.len() + 2 + CAP_AD_MAGIC.len() + 1 + 4;
        for e in entries {
            if e.name.len() > CAP_AD_MAX_NAME_LEN || !e.name.is_ascii() {
                return Err(Error::invalid_argument(
                    P,
                    format!(
                        "capability name {:?} must be ASCII and at most {CAP_AD_MAX_NAME_LEN} bytes",
                        e.name
                    ),
                ));
            }
            if e.supported.len() > usize::from(u16::MAX) {
                return Err(Error::invalid_argument(
                    P,
                    format!(
                        "capability {:?}: {} values exceed the u16 count",
                        e.name,
                        e.supported.len()
                    ),
                ));
            }
            len += 2 + e.name.len() + 2;
            for v in &e.supported {
                if v.len() > CAP_AD_MAX_VALUE_LEN {
                    return Err(Error::invalid_argument(
                        P,
                        format!(
                            "capability {:?}: a value of {} bytes exceeds the limit of {CAP_AD_MAX_VALUE_LEN}",
                            e.name,
                            v.len()
                        ),
                    ));
                }
                len += 4 + v.len();
            }
        }
        Ok(len)
    }

    /// Append the encoding to `dst`; on error nothing is appended.
    pub fn encode_to(&self, dst: &mut BytesMut) -> Result<()> {
        dst.reserve(self.encoded_len()?);
        dst.put_slice(HANDSHAKE_MAGIC);
        dst.put_u16_le(0);
        dst.put_slice(CAP_AD_MAGIC);
        dst.put_u8(CAP_AD_VERSION);
        // encoded_len bounded every count and length below its field's width.
        dst.put_u32_le(self.capabilities.entries.len() as u32);
        for e in &self.capabilities.entries {
            dst.put_u16_le(e.name.len() as u16);
            dst.put_slice(e.name.as_bytes());
            dst.put_u16_le(e.supported.len() as u16);
            for v in &e.supported {
                dst.put_u32_le(v.len() as u32);
                dst.put_slice(v);
            }
        }
        Ok(())
    }

    /// The encoding as a new vector.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut buf = BytesMut::new();
        self.encode_to(&mut buf)?;
        Ok(buf.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_ad_round_trips() {
        let bytes = Handshake::default().encode().unwrap();
        assert_eq!(bytes, b"DHS1\0\0CAP\x01\0\0\0\0");
        assert_eq!(Handshake::decode(&bytes).unwrap(), Handshake::default());
    }

    #[test]
    fn trailing_bytes_are_ignored_but_counted() {
        let mut bytes = Handshake::default().encode().unwrap();
        bytes.extend_from_slice(b"future");
        let (hs, used) = Handshake::decode_prefix(&bytes).unwrap();
        assert_eq!((hs, used), (Handshake::default(), 14));
    }

    #[test]
    fn errors_by_kind() {
        let kind = |b: &[u8]| Handshake::decode(b).unwrap_err().kind();
        assert_eq!(kind(b"DHS"), ErrorKind::Incomplete);
        assert_eq!(kind(b"XH"), ErrorKind::Malformed);
        assert_eq!(kind(b"DHS1\x01\0CAP\x01"), ErrorKind::UnsupportedVersion);
        assert_eq!(
            kind(b"DHS1\0\0CAP\x01\x01\0\0\0\x01\0\xff\0\0"),
            ErrorKind::Malformed
        );
        assert_eq!(kind(b"DHS1\0\0CAP\x01\x01\x04\0\0"), ErrorKind::TooLarge);
    }

    #[test]
    fn encode_refuses_what_decode_refuses() {
        let too_long = CapabilityAdEntry {
            name: "x".repeat(CAP_AD_MAX_NAME_LEN + 1),
            supported: vec![],
        };
        let e = Handshake::new(vec![too_long]).encode().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let big_value = CapabilityAdEntry {
            name: "v".into(),
            supported: vec![Bytes::from(vec![0; CAP_AD_MAX_VALUE_LEN + 1])],
        };
        let e = Handshake::new(vec![big_value]).encode().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let accented = CapabilityAdEntry {
            name: "é".into(),
            supported: vec![],
        };
        assert!(Handshake::new(vec![accented]).encode().is_err());
    }
}
