//! Dynomite's peer-to-peer DNODE header and payload, byte-compatible with the C writers
//! `dmsg_write` / `dmsg_write_mbuf` of Netflix/dynomite (commit 2046b05) and with the Rust
//! port `dynomite-engine` 2.0.1 where the two agree.
//!
//! ```text
//! "   $2014$ " id " " type " " flags " " version " " same_dc " *" mlen " " data " *" plen "\r\n" payload
//! ```
//!
//! Numbers are unsigned decimal ASCII: id u64, type/flags/version u8 (flags keep their low
//! nibble, like both references; encoding refuses flags over 15), same_dc `0`/`1`, mlen and
//! plen u32. `data` is `mlen` raw bytes: the placeholder `d` (plain writer), `a` (gossip
//! writer) or the RSA-wrapped AES key of a secured connection. The payload is `plen` opaque
//! bytes; this codec frames it by plen. [`parse_header`] returns just the header and its
//! length, for relays that frame the payload themselves.
//!
//! Decoding accepts the reference parser's lenient forms that have one meaning (any number of
//! leading spaces, leading zeros, optional or repeated `*` before mlen, extra spaces before
//! `*plen`, an empty plen) and rejects as `malformed` what it would silently wrap, skip or
//! never complete: garbage before the magic (no resync), ids over u64::MAX, lengths over
//! u32::MAX, type/flags/version over 255, same_dc other than `0`/`1`, mlen 0, and any other
//! byte out of place. `mlen` and `plen` over [`Limits::max_frame_size`] are `too_large`, and
//! the header text (everything but the data field) is capped at [`MAX_HEADER_TEXT_LEN`]; both
//! are checked before anything is buffered for the frame.

use std::mem::MaybeUninit;

use bytes::{BufMut, Bytes, BytesMut};

use crate::{codec, Codec, Error, Limits, Protocol, Result};

mod handshake;
#[cfg(feature = "json")]
mod json;
pub mod ops;
mod scanner;

pub use handshake::{
    CapabilityAd, CapabilityAdEntry, Handshake, CAP_AD_MAGIC, CAP_AD_MAX_ENTRIES,
    CAP_AD_MAX_NAME_LEN, CAP_AD_MAX_VALUE_LEN, CAP_AD_VERSION, HANDSHAKE_MAGIC,
};
#[cfg(feature = "json")]
pub use json::{handshake_from_json, handshake_to_json, header_from_json, header_to_json};

use scanner::{scan_header, Scanned, Scanner};

const P: Protocol = Protocol::Dnode;

/// What the C writers put before the id: 3 spaces, `$2014$`, 1 space (`MAGIC_STR`).
pub const MAGIC_STR: &[u8; 10] = b"   $2014$ ";
/// The magic token the parser looks for after any leading spaces.
pub const MAGIC: &[u8; 6] = b"$2014$";
/// `VERSION_10`, the only version the writers emit.
pub const VERSION_10: u8 = 1;
/// Placeholder data byte of `dmsg_write` (the plain writer).
pub const PLAIN_PLACEHOLDER_DATA: u8 = b'd';
/// Placeholder data byte of `dmsg_write_mbuf` (the gossip writer).
pub const GOSSIP_PLACEHOLDER_DATA: u8 = b'a';
/// Flags bit 0: the payload is AES-encrypted.
pub const DMSG_FLAG_ENCRYPTED: u8 = 0x1;
/// Flags bit 1: "compressed" (named in the reference, never implemented there).
pub const DMSG_FLAG_COMPRESSED: u8 = 0x2;
/// The bits of the flags field readers keep (the parsers mask with it).
const FLAGS_MASK: u64 = 0xF;
/// Default limit for mlen and plen: 256 MiB, the Rust port's `MAX_DATA_LEN`.
pub const MAX_FRAME_SIZE: u64 = 256 * 1024 * 1024;
/// Largest header text (header bytes other than the data field) accepted: the reference's
/// default mbuf size, which a header must fit in. A canonical header's text is under 80 bytes.
pub const MAX_HEADER_TEXT_LEN: usize = 16 * 1024;

macro_rules! dmsg_types {
    ($($variant:ident = $n:literal => $name:literal, $doc:literal;)*) => {
        /// `dmsg_type_t`: C's 0..=13 and the Rust port's 14..=23; other u8 values are kept
        /// as [`DmsgType::Other`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum DmsgType {
            $(#[doc = $doc] $variant,)*
            /// Any other type number (never one of the named values).
            Other(u8),
        }

        impl DmsgType {
            /// The type for a wire value (named when it has a name).
            pub const fn from_u8(n: u8) -> DmsgType {
                match n {
                    $($n => DmsgType::$variant,)*
                    n => DmsgType::Other(n),
                }
            }

            /// The wire value.
            pub const fn as_u8(self) -> u8 {
                match self {
                    $(DmsgType::$variant => $n,)*
                    DmsgType::Other(n) => n,
                }
            }

            /// The reference name (`DMSG_REQ`, ...), `None` for unnamed values.
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $(DmsgType::$variant => Some($name),)*
                    DmsgType::Other(_) => None,
                }
            }

            /// Inverse of [`DmsgType::name`].
            pub fn from_name(name: &str) -> Option<DmsgType> {
                match name {
                    $($name => Some(DmsgType::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

dmsg_types! {
    Unknown = 0 => "DMSG_UNKNOWN", "0 `DMSG_UNKNOWN`.";
    Debug = 1 => "DMSG_DEBUG", "1 `DMSG_DEBUG`.";
    ParseError = 2 => "DMSG_PARSE_ERROR", "2 `DMSG_PARSE_ERROR`.";
    Req = 3 => "DMSG_REQ", "3 `DMSG_REQ`: request for the local DC.";
    ReqForward = 4 => "DMSG_REQ_FORWARD", "4 `DMSG_REQ_FORWARD`: request to forward to the racks of another DC.";
    Res = 5 => "DMSG_RES", "5 `DMSG_RES`: response.";
    CryptoHandshake = 6 => "CRYPTO_HANDSHAKE", "6 `CRYPTO_HANDSHAKE`.";
    GossipSyn = 7 => "GOSSIP_SYN", "7 `GOSSIP_SYN`.";
    GossipSynReply = 8 => "GOSSIP_SYN_REPLY", "8 `GOSSIP_SYN_REPLY`.";
    GossipAck = 9 => "GOSSIP_ACK", "9 `GOSSIP_ACK`.";
    GossipDigestSyn = 10 => "GOSSIP_DIGEST_SYN", "10 `GOSSIP_DIGEST_SYN`.";
    GossipDigestAck = 11 => "GOSSIP_DIGEST_ACK", "11 `GOSSIP_DIGEST_ACK`.";
    GossipDigestAck2 = 12 => "GOSSIP_DIGEST_ACK2", "12 `GOSSIP_DIGEST_ACK2`.";
    GossipShutdown = 13 => "GOSSIP_SHUTDOWN", "13 `GOSSIP_SHUTDOWN`.";
    HandoffChunk = 14 => "HANDOFF_CHUNK", "14, the port's `HandoffChunk`.";
    FtSearchReq = 15 => "FT_SEARCH_REQ", "15, the port's `FtSearchReq`.";
    FtSearchRep = 16 => "FT_SEARCH_REP", "16, the port's `FtSearchRep`.";
    XaPrepare = 17 => "XA_PREPARE", "17, the port's `XaPrepare`.";
    XaVote = 18 => "XA_VOTE", "18, the port's `XaVote`.";
    XaCommit = 19 => "XA_COMMIT", "19, the port's `XaCommit`.";
    XaRollback = 20 => "XA_ROLLBACK", "20, the port's `XaRollback`.";
    XaAck = 21 => "XA_ACK", "21, the port's `XaAck`.";
    RiakReplica = 22 => "RIAK_REPLICA", "22, the port's `RiakReplica`.";
    RampPrepare = 23 => "RAMP_PREPARE", "23, the port's `RampPrepare`.";
}

described_enum!(
    DmsgType,
    "dnode::DmsgType",
    "`dmsg_type_t`: C's 0..=13 and the Rust port's 14..=23; other values are kept as numbers.",
    open: true,
    repr: U8 as u8,
    code: DmsgType::as_u8,
    from_code: |n| Some(DmsgType::from_u8(n)),
    values: (0..=u8::MAX).filter_map(|n| DmsgType::from_u8(n).name().map(|name| (n, name)))
);

impl DmsgType {
    /// Where `dmsg_process` sends a message of this type.
    pub const fn dispatch(self) -> DmsgDispatch {
        match self {
            // C consumes 6, 7 and 8 (dmsg_process returns true); the port adds its own types.
            DmsgType::CryptoHandshake
            | DmsgType::GossipSyn
            | DmsgType::GossipSynReply
            | DmsgType::HandoffChunk
            | DmsgType::FtSearchReq
            | DmsgType::FtSearchRep
            | DmsgType::XaPrepare
            | DmsgType::XaVote
            | DmsgType::XaCommit
            | DmsgType::XaRollback
            | DmsgType::XaAck
            | DmsgType::RiakReplica
            | DmsgType::RampPrepare => DmsgDispatch::ControlPlane,
            _ => DmsgDispatch::DataPath,
        }
    }

    /// Whether this value is encodable as itself: `Other(n)` must not shadow a named type.
    fn is_canonical(self) -> bool {
        !matches!(self, DmsgType::Other(n) if DmsgType::from_u8(n).name().is_some())
    }
}

/// The outcome of `dmsg_process`: who handles a message once its header is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DmsgDispatch {
    /// Consumed by the cluster layer (crypto handshake, gossip SYN / SYN_REPLY, and the
    /// port's control types 14..=23); the port calls this `Bypass`.
    ControlPlane,
    /// Continues through the data path (requests, responses, the other gossip types and
    /// unnamed types); the port calls this `Forward`.
    DataPath,
}

/// `dmsg_process`: whether `dmsg` is consumed by the cluster layer or continues on the data
/// path.
pub fn dmsg_process(dmsg: &Dmsg) -> DmsgDispatch {
    dmsg.r#type.dispatch()
}

/// The placeholder a writer puts in the data field when no key is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Flavour {
    /// `dmsg_write`: `d` (option value `plain`).
    #[default]
    Plain,
    /// `dmsg_write_mbuf`, used for unsecured gossip: `a` (option value `gossip`).
    Gossip,
}

impl Flavour {
    /// The placeholder byte.
    pub const fn placeholder(self) -> u8 {
        match self {
            Flavour::Plain => PLAIN_PLACEHOLDER_DATA,
            Flavour::Gossip => GOSSIP_PLACEHOLDER_DATA,
        }
    }

    /// The option value (`plain`, `gossip`).
    pub const fn name(self) -> &'static str {
        match self {
            Flavour::Plain => "plain",
            Flavour::Gossip => "gossip",
        }
    }
}

described! {
    "dnode::DmsgHeader"
    /// A DNODE header without its payload (`struct dmsg` minus the payload), for relays.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct DmsgHeader {
        /// Message id.
        pub id: u64,
        /// Message type.
        pub r#type: DmsgType,
        /// Flags, 0..=15 (bit 0 encrypted, bit 1 compressed).
        pub flags: u8,
        /// Version, passed through (writers emit [`VERSION_10`]).
        pub version: u8,
        /// Sender and receiver are in the same datacenter.
        pub same_dc: bool,
        /// The data field (mlen = its length). Empty on encode means the writer's placeholder.
        pub data: Bytes,
        /// Declared payload length.
        pub plen: u32,
    }
}

described! {
    "dnode::Dmsg"
    /// One DNODE message: header fields and the plen-framed payload.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Dmsg {
        /// Message id.
        pub id: u64,
        /// Message type.
        pub r#type: DmsgType,
        /// Flags, 0..=15 (bit 0 encrypted, bit 1 compressed).
        pub flags: u8,
        /// Version, passed through (writers emit [`VERSION_10`]).
        pub version: u8,
        /// Sender and receiver are in the same datacenter.
        pub same_dc: bool,
        /// The data field: a placeholder byte or the RSA-wrapped AES key; mlen is its length.
        /// Empty on encode means the codec's [`Flavour`] placeholder.
        pub data: Bytes,
        /// The payload; plen is its length.
        pub payload: Bytes,
    }
}

/// A message as the writers build one, with id 0, type 0 and no payload (see [`Dmsg::new`]).
impl Default for Dmsg {
    fn default() -> Self {
        Dmsg::new(0, DmsgType::Unknown, Bytes::new())
    }
}

/// The header of [`Dmsg::default`].
impl Default for DmsgHeader {
    fn default() -> Self {
        DmsgHeader {
            id: 0,
            r#type: DmsgType::Unknown,
            flags: 0,
            version: VERSION_10,
            same_dc: true,
            data: Bytes::new(),
            plen: 0,
        }
    }
}

impl Dmsg {
    /// A message as the writers build it: flags 0, version 1, same DC, placeholder data.
    pub fn new(id: u64, r#type: DmsgType, payload: Bytes) -> Dmsg {
        Dmsg {
            id,
            r#type,
            flags: 0,
            version: VERSION_10,
            same_dc: true,
            data: Bytes::new(),
            payload,
        }
    }

    /// Bit 0 of flags.
    pub fn is_encrypted(&self) -> bool {
        self.flags & DMSG_FLAG_ENCRYPTED != 0
    }

    /// Bit 1 of flags.
    pub fn is_compressed(&self) -> bool {
        self.flags & DMSG_FLAG_COMPRESSED != 0
    }

    /// The header; `invalid_argument` if the payload is longer than plen can say.
    pub fn header(&self) -> Result<DmsgHeader> {
        Ok(DmsgHeader {
            id: self.id,
            r#type: self.r#type,
            flags: self.flags,
            version: self.version,
            same_dc: self.same_dc,
            data: self.data.clone(),
            plen: u32::try_from(self.payload.len()).map_err(|_| {
                Error::invalid_argument(
                    P,
                    format!(
                        "payload of {} bytes exceeds plen's 32 bits",
                        self.payload.len()
                    ),
                )
            })?,
        })
    }

    /// A message from a header and its payload; `invalid_argument` unless the payload has
    /// exactly plen bytes.
    pub fn from_header(header: DmsgHeader, payload: Bytes) -> Result<Dmsg> {
        if payload.len() as u64 != u64::from(header.plen) {
            return Err(Error::invalid_argument(
                P,
                format!(
                    "plen {} does not match the payload of {} bytes",
                    header.plen,
                    payload.len()
                ),
            ));
        }
        Ok(Dmsg {
            id: header.id,
            r#type: header.r#type,
            flags: header.flags,
            version: header.version,
            same_dc: header.same_dc,
            data: header.data,
            payload,
        })
    }
}

impl DmsgHeader {
    /// Bit 0 of flags.
    pub fn is_encrypted(&self) -> bool {
        self.flags & DMSG_FLAG_ENCRYPTED != 0
    }

    /// Bit 1 of flags.
    pub fn is_compressed(&self) -> bool {
        self.flags & DMSG_FLAG_COMPRESSED != 0
    }
}

/// The DNODE [`Codec`]. Limit: `max_frame_size` bounds both mlen and plen (default
/// [`MAX_FRAME_SIZE`], at most u32::MAX; equal is accepted). Option `flavour` = `plain` |
/// `gossip` picks the placeholder written for an empty data field.
///
/// Decoding is resumable, like tokio-util's `LinesCodec`: when [`Codec::decode`] returns
/// `Ok(None)` the codec keeps how far it parsed the header (or the whole header, when only
/// payload bytes are missing), so each byte is examined once however the stream is chunked.
/// The next `decode` call must therefore be given the same buffer with bytes appended, as
/// [`crate::StreamDecoder`] and tokio's `FramedRead` do. To decode an unrelated buffer after
/// `Ok(None)`, call [`DnodeCodec::reset`] first (a buffer shorter than the bytes already parsed
/// is detected and starts a fresh parse, but that is a safety net, not the contract). The
/// partial parse is forgotten when a frame or an error is returned, when the limits change,
/// and by [`crate::decode_exact`] and [`crate::frame_length`], which parse their input afresh.
/// [`DnodeCodec::parse_header`] keeps no state: it scans its input from the start each time.
#[derive(Debug, Clone)]
pub struct DnodeCodec {
    limits: Limits,
    flavour: Flavour,
    /// The header parsed so far by `decode`.
    scan: Scanner,
    /// The parsed header while its payload is incomplete.
    pending: Option<Scanned>,
}

impl Default for DnodeCodec {
    fn default() -> Self {
        DnodeCodec {
            limits: Self::DEFAULT_LIMITS,
            flavour: Flavour::Plain,
            scan: Scanner::default(),
            pending: None,
        }
    }
}

impl DnodeCodec {
    /// The port's limits: 256 MiB for the data field and for the payload.
    pub const DEFAULT_LIMITS: Limits = Limits {
        max_frame_size: MAX_FRAME_SIZE,
        max_decompressed_size: 0,
    };

    /// A codec with the default limits and the plain writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builder: the writer flavour.
    pub fn with_flavour(mut self, flavour: Flavour) -> Self {
        self.flavour = flavour;
        self
    }

    /// The writer flavour.
    pub fn flavour(&self) -> Flavour {
        self.flavour
    }

    /// Forget a partial parse, so the next [`Codec::decode`] starts at byte 0 of the buffer it
    /// is given (to reuse the codec on another buffer after `Ok(None)`).
    pub fn reset(&mut self) {
        self.scan = Scanner::default();
        self.pending = None;
    }

    /// Parse only the header at the front of `input`: the header and its length in bytes
    /// (the payload starts there), `Ok(None)` if more bytes are needed. plen is checked
    /// against the limit but the payload is not required to be present.
    pub fn parse_header(&self, input: &[u8]) -> Result<Option<(DmsgHeader, usize)>> {
        Ok(scan_header(input, &self.limits)?.map(|h| {
            let (data, len) = (Bytes::copy_from_slice(&input[h.data.clone()]), h.len);
            (h.into_header(data), len)
        }))
    }

    /// Exact encoded size of a header.
    pub fn header_encoded_len(&self, header: &DmsgHeader) -> Result<usize> {
        self.check_header(header)
    }

    /// Append a header (no payload) to `dst`, as the writers do before the payload mbufs.
    pub fn encode_header(&self, header: &DmsgHeader, dst: &mut BytesMut) -> Result<()> {
        let len = self.check_header(header)?;
        dst.reserve(len);
        self.put_header(header, dst);
        Ok(())
    }

    /// Validate what the writers would wrap and return the header length.
    fn check_header(&self, h: &DmsgHeader) -> Result<usize> {
        if !h.r#type.is_canonical() {
            return Err(Error::invalid_argument(
                P,
                format!(
                    "type Other({0}) shadows the named type {0}: use the name",
                    h.r#type.as_u8()
                ),
            ));
        }
        if u64::from(h.flags) > FLAGS_MASK {
            return Err(Error::invalid_argument(
                P,
                format!(
                    "flags {} do not fit the 4 bits readers keep (they would read {})",
                    h.flags,
                    u64::from(h.flags) & FLAGS_MASK
                ),
            ));
        }
        let limit = self.limits.max_frame_size;
        for (what, len) in [
            ("data", h.data.len() as u64),
            ("payload", u64::from(h.plen)),
        ] {
            if len > limit {
                return Err(Error::invalid_argument(
                    P,
                    format!("{what} of {len} bytes exceeds the limit of {limit} bytes"),
                ));
            }
        }
        let mlen = h.data.len().max(1) as u64;
        Ok(MAGIC_STR.len()
            + digits(h.id)
            + 1
            + digits(h.r#type.as_u8().into())
            + 1
            + digits(h.flags.into())
            + 1
            + digits(h.version.into())
            + " 0 *".len()
            + digits(mlen)
            + 1
            + mlen as usize
            + " *".len()
            + digits(h.plen.into())
            + 2)
    }

    fn put_header(&self, h: &DmsgHeader, dst: &mut impl BufMut) {
        dst.put_slice(MAGIC_STR);
        put_decimal(dst, h.id);
        dst.put_u8(b' ');
        put_decimal(dst, h.r#type.as_u8().into());
        dst.put_u8(b' ');
        put_decimal(dst, h.flags.into());
        dst.put_u8(b' ');
        put_decimal(dst, h.version.into());
        dst.put_slice(if h.same_dc { b" 1 *" } else { b" 0 *" });
        if h.data.is_empty() {
            dst.put_slice(&[b'1', b' ', self.flavour.placeholder()]);
        } else {
            put_decimal(dst, h.data.len() as u64);
            dst.put_u8(b' ');
            dst.put_slice(&h.data);
        }
        dst.put_slice(b" *");
        put_decimal(dst, h.plen.into());
        dst.put_slice(b"\r\n");
    }
}

impl Codec for DnodeCodec {
    type Frame = Dmsg;

    /// Also forgets a partial parse: the next `decode` checks the header against the new
    /// limits from its first byte.
    fn set_limits(&mut self, limits: Limits) -> Result<()> {
        self.limits = limits.check_u32_lengths(P)?;
        self.reset();
        Ok(())
    }

    fn protocol(&self) -> Protocol {
        P
    }

    fn reset(&mut self) {
        DnodeCodec::reset(self);
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    fn set_option(&mut self, key: &str, value: &str) -> Result<()> {
        match (key, value) {
            ("flavour", "plain") => self.flavour = Flavour::Plain,
            ("flavour", "gossip") => self.flavour = Flavour::Gossip,
            ("flavour", other) => {
                return Err(Error::invalid_argument(
                    P,
                    format!("option \"flavour\": {other:?} is not plain or gossip"),
                ))
            }
            (other, _) => {
                return Err(Error::invalid_argument(
                    P,
                    format!("unknown option {other:?} (expected flavour)"),
                ))
            }
        }
        Ok(())
    }

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Dmsg>> {
        if src.len() < self.scan.pos {
            // Not the buffer the partial parse was made on (see the type's docs).
            self.reset();
        }
        let h = match self.pending.take() {
            Some(h) => h,
            None => match self.scan.scan(src, &self.limits) {
                Ok(Some(h)) => h,
                Ok(None) => return Ok(None),
                Err(e) => {
                    self.reset();
                    return Err(e);
                }
            },
        };
        // Only a 32-bit target can overflow here (header and data up to 4 GiB, plus plen).
        let Some(total) = h.len.checked_add(h.plen as usize) else {
            self.reset();
            return Err(Error::too_large(
                P,
                h.len,
                "frame (header, data and payload)",
                h.len as u64 + u64::from(h.plen),
                usize::MAX as u64,
            ));
        };
        if src.len() < total {
            self.pending = Some(h);
            return Ok(None);
        }
        self.reset();
        let frame = src.split_to(total).freeze();
        let data = frame.slice(h.data.clone());
        let payload = frame.slice(h.len..);
        let header = h.into_header(data);
        Ok(Some(Dmsg {
            id: header.id,
            r#type: header.r#type,
            flags: header.flags,
            version: header.version,
            same_dc: header.same_dc,
            data: header.data,
            payload,
        }))
    }

    fn encoded_len(&self, frame: &Dmsg) -> Result<usize> {
        let header = frame.header()?;
        Ok(self.check_header(&header)? + frame.payload.len())
    }

    fn encode(&mut self, frame: &Dmsg, dst: &mut BytesMut) -> Result<()> {
        let header = frame.header()?;
        let len = self.check_header(&header)?;
        dst.reserve(len + frame.payload.len());
        self.put_header(&header, dst);
        dst.put_slice(&frame.payload);
        Ok(())
    }

    fn encode_to_slice(&mut self, frame: &Dmsg, dst: &mut [MaybeUninit<u8>]) -> Result<()> {
        let header = frame.header()?;
        let len = self.check_header(&header)?;
        codec::fill_slice(P, dst, len + frame.payload.len(), |out| {
            self.put_header(&header, out);
            out.put_slice(&frame.payload);
        })
    }

    #[cfg(feature = "json")]
    fn to_json(&self, frame: &Dmsg) -> serde_json::Value {
        json::to_json(frame)
    }

    #[cfg(feature = "json")]
    fn from_json(&self, value: &serde_json::Value) -> Result<Dmsg> {
        json::from_json(value)
    }
}

/// Decode exactly one message with the default limits.
pub fn decode(input: &[u8]) -> Result<Dmsg> {
    codec::decode_exact(&mut DnodeCodec::default(), input)
}

/// Encode one message with the default limits and the plain writer (`d` placeholder for an
/// empty data field).
pub fn encode(frame: &Dmsg) -> Result<Vec<u8>> {
    codec::encode_to_vec(&mut DnodeCodec::default(), frame)
}

/// Header-only parse with the default limits (see [`DnodeCodec::parse_header`]).
pub fn parse_header(input: &[u8]) -> Result<Option<(DmsgHeader, usize)>> {
    DnodeCodec::default().parse_header(input)
}

/// Encode a header alone with the default limits and the plain writer.
pub fn encode_header(header: &DmsgHeader) -> Result<Vec<u8>> {
    let codec = DnodeCodec::default();
    let mut buf = BytesMut::with_capacity(codec.header_encoded_len(header)?);
    codec.encode_header(header, &mut buf)?;
    Ok(buf.into())
}

/// Whether `prefix` starts like a DNODE stream: optional spaces, then `$2014$`.
pub fn sniff(prefix: &[u8]) -> bool {
    let start = prefix.iter().take_while(|&&b| b == b' ').count();
    prefix[start..].starts_with(MAGIC)
}

fn digits(mut n: u64) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

fn put_decimal(dst: &mut impl BufMut, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    dst.put_slice(&buf[i..]);
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn canonical_minimal_header() {
        let msg = Dmsg::new(1, DmsgType::Req, Bytes::new());
        let bytes = encode(&msg).unwrap();
        assert_eq!(&bytes[..], b"   $2014$ 1 3 0 1 1 *1 d *0\r\n");
        let back = decode(&bytes).unwrap();
        assert_eq!(&back.data[..], b"d");
        assert_eq!(back.payload.len(), 0);
    }

    #[test]
    fn gossip_flavour_and_caller_key() {
        let mut codec = DnodeCodec::new();
        codec.set_option("flavour", "gossip").unwrap();
        let msg = Dmsg::new(5, DmsgType::GossipSyn, Bytes::from_static(b"x"));
        let bytes = codec::encode_to_vec(&mut codec, &msg).unwrap();
        assert_eq!(&bytes[..], b"   $2014$ 5 7 0 1 1 *1 a *1\r\nx");
        let mut keyed = msg.clone();
        keyed.flags = DMSG_FLAG_ENCRYPTED;
        keyed.data = Bytes::from_static(b"k y*");
        let bytes = codec::encode_to_vec(&mut codec, &keyed).unwrap();
        assert_eq!(&bytes[..], b"   $2014$ 5 7 1 1 1 *4 k y* *1\r\nx");
        assert_eq!(codec.encoded_len(&keyed).unwrap(), bytes.len());
        assert_eq!(decode(&bytes).unwrap(), keyed);
        assert!(codec.set_option("flavour", "fancy").is_err());
        assert!(codec.set_option("colour", "plain").is_err());
    }

    #[test]
    fn options_by_name_include_the_limits() {
        let mut codec = DnodeCodec::new();
        crate::set_option(&mut codec, "max_frame_size", "9").unwrap();
        crate::set_option(&mut codec, "flavour", "gossip").unwrap();
        assert_eq!(codec.limits().max_frame_size, 9);
        assert_eq!(codec.flavour(), Flavour::Gossip);
        assert!(crate::set_option(&mut codec, "max_frame_size", "big").is_err());
        assert!(crate::set_option(&mut codec, "colour", "plain").is_err());
    }

    #[test]
    fn default_is_what_the_writers_build() {
        use crate::schema::EnumCode;
        assert_eq!(
            Dmsg::default(),
            Dmsg::new(0, DmsgType::Unknown, Bytes::new())
        );
        assert_eq!(Dmsg::default().header().unwrap(), DmsgHeader::default());
        assert_eq!(DmsgType::from_code(200), Some(DmsgType::Other(200)));
        assert_eq!(DmsgType::from_code(256), None);
        assert_eq!(DmsgType::GossipSyn.code(), 7);
    }

    #[test]
    fn extremes_match_the_reference_writer() {
        let header = DmsgHeader {
            id: u64::MAX,
            r#type: DmsgType::Other(255),
            flags: 0,
            version: 1,
            same_dc: false,
            data: Bytes::new(),
            plen: u32::MAX,
        };
        let codec = DnodeCodec::with_limits(Limits {
            max_frame_size: u32::MAX.into(),
            max_decompressed_size: 0,
        })
        .unwrap();
        let mut buf = BytesMut::new();
        codec.encode_header(&header, &mut buf).unwrap();
        assert_eq!(
            &buf[..],
            &b"   $2014$ 18446744073709551615 255 0 1 0 *1 d *4294967295\r\n"[..]
        );
        assert_eq!(codec.header_encoded_len(&header).unwrap(), buf.len());
        assert_eq!(
            codec.parse_header(&buf).unwrap(),
            Some((
                DmsgHeader {
                    data: Bytes::from_static(b"d"),
                    ..header.clone()
                },
                buf.len()
            ))
        );
        assert_eq!(
            encode_header(&header).unwrap_err().kind(),
            ErrorKind::InvalidArgument,
            "plen over the default limit"
        );
    }

    #[test]
    fn shadowing_other_type_is_refused() {
        let msg = Dmsg::new(1, DmsgType::Other(3), Bytes::new());
        assert_eq!(encode(&msg).unwrap_err().kind(), ErrorKind::InvalidArgument);
        assert_eq!(DmsgType::from_u8(3), DmsgType::Req);
        assert_eq!(DmsgType::from_u8(24), DmsgType::Other(24));
    }

    #[test]
    fn need_more_leaves_the_buffer_untouched() {
        let whole = b"   $2014$ 1 3 0 1 1 *1 d *5\r\nhello";
        let mut codec = DnodeCodec::new();
        for n in 0..whole.len() {
            let mut buf = BytesMut::from(&whole[..n]);
            assert_eq!(codec.decode(&mut buf).unwrap(), None, "prefix {n}");
            assert_eq!(buf.len(), n);
        }
    }

    #[test]
    fn partial_parse_is_kept_until_reset() {
        let whole = b"   $2014$ 12 3 0 1 1 *1 d *5\r\nhello";
        let mut codec = DnodeCodec::new();
        let mut buf = BytesMut::from(&whole[..15]);
        assert_eq!(codec.decode(&mut buf).unwrap(), None);
        assert_eq!(codec.scan.pos, 15);
        // Another buffer, as long as the parsed part: only reset() makes it safe.
        codec.reset();
        let other = b"   $2014$ 34 3 0 1 1 *1 d *0\r\n";
        let mut buf = BytesMut::from(&other[..]);
        assert_eq!(codec.decode(&mut buf).unwrap().unwrap().id, 34);
        assert!(buf.is_empty());
        // Header complete, payload missing: kept, then completed.
        let mut buf = BytesMut::from(&whole[..whole.len() - 2]);
        assert_eq!(codec.decode(&mut buf).unwrap(), None);
        assert!(codec.pending.is_some());
        buf.extend_from_slice(b"lo");
        assert_eq!(
            &codec.decode(&mut buf).unwrap().unwrap().payload[..],
            b"hello"
        );
        assert_eq!((codec.scan.pos, codec.pending.is_none()), (0, true));
        // A shorter buffer than the parsed part starts afresh.
        let mut buf = BytesMut::from(&whole[..20]);
        assert_eq!(codec.decode(&mut buf).unwrap(), None);
        let mut buf = BytesMut::from(&b"   $2014$ x"[..]);
        let e = codec.decode(&mut buf).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Malformed, Some(10)));
        // decode_exact and frame_length parse their input afresh and leave no state.
        let mut buf = BytesMut::from(&whole[..20]);
        assert_eq!(codec.decode(&mut buf).unwrap(), None);
        assert_eq!(codec::decode_exact(&mut codec, other).unwrap().id, 34);
        assert_eq!(codec.scan.pos, 0);
        assert_eq!(codec::frame_length(&mut codec, &whole[..20]).unwrap(), None);
        assert_eq!(codec.scan.pos, 0);
    }

    #[test]
    fn errors_and_new_limits_forget_the_partial_parse() {
        let mut codec = DnodeCodec::new();
        let mut buf = BytesMut::from(&b"   $2014$ 1 3 0 1 1 *9"[..]);
        assert_eq!(codec.decode(&mut buf).unwrap(), None);
        // mlen 9 passed the default limit; with a smaller one the header is checked again.
        codec
            .set_limits(Limits {
                max_frame_size: 8,
                max_decompressed_size: 0,
            })
            .unwrap();
        buf.extend_from_slice(b" ");
        let e = codec.decode(&mut buf).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::TooLarge, Some(20)));
        assert_eq!(codec.scan.pos, 0);
        let mut buf = BytesMut::from(&b"   $2014$ 1 3 0 1 1 *1 d *0\r\n"[..]);
        assert_eq!(codec.decode(&mut buf).unwrap().unwrap().id, 1);
        let mut buf = BytesMut::from(&b"   $2014$ 1 3 x"[..]);
        let e = codec.decode(&mut buf).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Malformed, Some(14)));
        assert_eq!(codec.scan.pos, 0);
    }

    #[test]
    fn dispatch_follows_dmsg_process() {
        let control: Vec<u8> = (0..=255)
            .filter(|&n| DmsgType::from_u8(n).dispatch() == DmsgDispatch::ControlPlane)
            .collect();
        let mut expected = vec![6, 7, 8];
        expected.extend(14..=23);
        assert_eq!(control, expected);
        let msg = Dmsg::new(1, DmsgType::Req, Bytes::new());
        assert_eq!(dmsg_process(&msg), DmsgDispatch::DataPath);
    }

    #[test]
    fn sniff_needs_the_magic() {
        assert!(sniff(b"   $2014$ 1 3"));
        assert!(sniff(b"$2014$"));
        assert!(!sniff(b"   $2015$ "));
        assert!(!sniff(b"   "));
        assert!(!sniff(b"GET / HTTP/1.1"));
        assert_eq!(crate::detect(b"   $2014$ 1 3 0 1 1"), Some(Protocol::Dnode));
    }

    #[test]
    fn names_round_trip() {
        for n in 0..=255u8 {
            let t = DmsgType::from_u8(n);
            assert_eq!(t.as_u8(), n);
            if let Some(name) = t.name() {
                assert_eq!(DmsgType::from_name(name), Some(t));
            }
        }
    }
}
