//! chitchat gossip messages (quickwit-oss/chitchat), byte-compatible with the crate's 0.13.0
//! `ChitchatEnvelope` (protocol versions V0 and V1; V0 is also the 0.9 .. 0.11 format).
//!
//! ```text
//! message    = [u16 LE magic 45139][u8 protocol version 0|1][u8 type] body
//! Syn (0)    = digest, cluster_id: string
//! SynAck (1) = digest, delta
//! Ack (2)    = delta
//! BadCluster (3): no body
//! string     = [u16 LE byte length][UTF-8]
//! ChitchatId = node_id: string, generation_id: u64 LE, ip (tag 4 + 4 octets | tag 6 + 16), port u16 LE
//! digest V0  = [u16 LE count] count x (ChitchatId, heartbeat u64, last_gc_version u64, max_version u64)
//! digest V1  = block stream of the same entries, without a count
//! delta      = block stream of ops: 0 Node (ChitchatId, last_gc_version, from_version_excluded),
//!              1 KeyValue (key, value, version u64, status u8: 0 Set, 1 Delete, 2 DeleteAfterTtl),
//!              2 SetMaxVersion (max_version u64)
//! blocks     = ([u8 1][u16 LE n][n bytes of zstd] | [u8 2][u16 LE n][n raw bytes])* [u8 0]
//! ```
//!
//! **Framing.** A chitchat message is a UDP datagram without a length prefix, but its parse is
//! self-delimiting, so [`ChitchatCodec`] frames a byte stream by parsing: `decode` returns
//! `Ok(None)` while the buffer is a proper prefix of a message (nothing is allocated for a declared
//! count or length before its bytes are there) and removes exactly the message's bytes when it
//! is complete. The stream's payloads are decompressed only once the whole message is there. A
//! message longer than `max_frame_size` (default [`MAX_FRAME_SIZE`], the largest UDP payload,
//! which is also the MTU the crate builds its messages for) is `too_large` as soon as a field
//! would reach past it. The crate ignores bytes after a message; the one-shot [`decode`] refuses
//! them as `trailing_bytes` (the project's rule) and the stream decoder leaves them for the next
//! message.
//!
//! **Decoding** accepts what the crate accepts: unsorted or duplicate digest entries (the later
//! one wins, like the crate's `BTreeMap`), ops and entries straddling blocks, empty blocks,
//! several zstd frames in one block, explicit `SetMaxVersion` anywhere after a node op. It
//! rejects what the crate rejects, in the crate's order: the outer structure first, then the
//! streams; an op that does not parse is reported before a delta rule broken earlier (no kv or
//! SetMaxVersion before a node op, no repeated ChitchatId, kv versions strictly increasing from
//! 1), since the crate parses all ops before applying the rules. Any zstd failure, and a block
//! decompressing to more than 65,535 bytes (the crate's buffer), is `malformed`.
//!
//! **Decompression is bounded.** The total decompressed size of one message is capped by
//! `max_decompressed_size` (default [`MAX_DECOMPRESSED_SIZE`]), checked block by block before
//! the data is kept, so a zstd bomb costs at most that much memory plus one 64 KiB buffer (the
//! decoded message then takes a small multiple of the bytes it was decoded from, like any
//! model). Legacy zstd frame formats (which the crate's default `zstd` features also decode) are
//! not accepted.
//!
//! **Encoding** writes the crate's canonical bytes: digest entries in `ChitchatId` order, the
//! delta as its op stream (a node's `SetMaxVersion` only when it has no key-values and
//! `max_version > 0`), streams cut into 16,384-byte blocks, each block compressed with libzstd at
//! the default level into a buffer exactly as large as the block and written raw when that
//! fails, exactly as `CompressedStreamWriter` does. It refuses (`invalid_argument`) what the
//! crate would truncate, lose or assert on: strings over 65,535 bytes, V0 digests over 65,535
//! entries, stream items (ops, V1 ChitchatIds) over 65,535 bytes, IPv6 addresses with a flow
//! info or scope id (not carried), and deltas its decoder would refuse or decode differently
//! (repeated ChitchatId, kv versions not strictly increasing from 1, `max_version` other than
//! the last kv version when there are key-values), and messages over `max_frame_size`.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use bytes::{BufMut, BytesMut};

use crate::{codec, Codec, Error, ErrorKind, Limits, Protocol, Result};

const P: Protocol = Protocol::Chitchat;

/// The magic number, written little-endian (`53 b0`).
pub const MAGIC: u16 = 45_139;
/// Header length: magic, protocol version, message type.
pub const HEADER_LEN: usize = 4;
/// Default `max_frame_size`: the largest UDP payload over IPv4 (65,535 - 8 - 20), which is the
/// crate's `MAX_UDP_DATAGRAM_PAYLOAD_SIZE`: its messages are built to fit it and its receive
/// buffer holds no more.
pub const MAX_FRAME_SIZE: u64 = 65_507;
/// Raw bytes per block of the crate's stream writer.
pub const BLOCK_THRESHOLD: usize = 16_384;
/// Largest decompressed size of one block the crate's decoder accepts (its buffer size).
pub const MAX_BLOCK_DECOMPRESSED_LEN: usize = 65_535;
/// Longest string (and stream item, and V0 digest entry count) the format can carry.
pub const MAX_LEN: usize = 65_535;
/// Smallest block any zstd compressor can produce for a full 16,384-byte chunk: 3 bytes of block
/// header plus an 11-byte zstd frame (4 magic, 1 descriptor, 2 content size, 3 block header and
/// a 1-byte RLE block). libzstd at the crate's level needs 19 bytes for the best case.
const MIN_FULL_BLOCK_LEN: u64 = 14;
/// Default `max_decompressed_size`: 76,644,352 bytes (73.1 MiB). No message the crate writes
/// within [`MAX_FRAME_SIZE`] can exceed it: after the 4-byte header and the 1-byte end tag,
/// at most (65,507 - 5) / 14 = 4,678 blocks of 16,384 raw bytes fit. Real gossip is many
/// orders of magnitude smaller; a hostile datagram, by contrast, could make the crate itself
/// inflate about 306 MB (65,535 bytes from every 14-byte block).
pub const MAX_DECOMPRESSED_SIZE: u64 =
    (MAX_FRAME_SIZE - HEADER_LEN as u64 - 1) / MIN_FULL_BLOCK_LEN * BLOCK_THRESHOLD as u64;

/// `ProtocolVersion`: only the digest encoding differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum ProtocolVersion {
    /// Digest with a u16 entry count (every release since 0.9.0).
    #[default]
    V0 = 0,
    /// Digest as a block stream (0.12.0 and later).
    V1 = 1,
}

impl ProtocolVersion {
    /// The version of a header byte.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(ProtocolVersion::V0),
            1 => Some(ProtocolVersion::V1),
            _ => None,
        }
    }

    /// The header byte.
    pub fn to_code(self) -> u8 {
        self as u8
    }

    /// `"V0"` or `"V1"`.
    pub fn name(self) -> &'static str {
        match self {
            ProtocolVersion::V0 => "V0",
            ProtocolVersion::V1 => "V1",
        }
    }

    /// Inverse of [`ProtocolVersion::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        [ProtocolVersion::V0, ProtocolVersion::V1]
            .into_iter()
            .find(|v| v.name() == name)
    }
}

/// `ChitchatEnvelope`: one message with the protocol version of its header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChitchatEnvelope {
    /// Protocol version (header byte 2).
    pub version: ProtocolVersion,
    /// The message.
    pub message: ChitchatMessage,
}

/// `ChitchatMessage`: the steps of the scuttlebutt handshake.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChitchatMessage {
    /// Type 0: node A sends its digest (on the wire: digest, then cluster_id).
    Syn {
        /// The sender's cluster.
        cluster_id: String,
        /// The sender's digest.
        digest: Digest,
    },
    /// Type 1: node B answers with its digest and a delta for A.
    SynAck {
        /// B's digest.
        digest: Digest,
        /// What A is missing.
        delta: Delta,
    },
    /// Type 2: node A answers with a delta for B.
    Ack {
        /// What B is missing.
        delta: Delta,
    },
    /// Type 3: the Syn came from another cluster.
    BadCluster,
}

impl ChitchatMessage {
    /// The message type byte.
    pub fn message_type(&self) -> u8 {
        match self {
            ChitchatMessage::Syn { .. } => 0,
            ChitchatMessage::SynAck { .. } => 1,
            ChitchatMessage::Ack { .. } => 2,
            ChitchatMessage::BadCluster => 3,
        }
    }

    /// The variant name (`"Syn"`, `"SynAck"`, `"Ack"`, `"BadCluster"`).
    pub fn type_name(&self) -> &'static str {
        match self {
            ChitchatMessage::Syn { .. } => "Syn",
            ChitchatMessage::SynAck { .. } => "SynAck",
            ChitchatMessage::Ack { .. } => "Ack",
            ChitchatMessage::BadCluster => "BadCluster",
        }
    }
}

/// `ChitchatId`. Its order (derived, as in the crate) is the digest's wire order: node_id
/// bytes, generation_id, then the address (every IPv4 before every IPv6, then ip, then port).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChitchatId {
    /// Unique across the cluster.
    pub node_id: String,
    /// Incremented each time the node rejoins.
    pub generation_id: u64,
    /// Where peers gossip with the node. IPv6 flow info and scope id are not carried.
    pub gossip_advertise_addr: SocketAddr,
}

/// `NodeDigest`: what a peer knows of one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NodeDigest {
    /// The crate's `Heartbeat(u64)`.
    pub heartbeat: u64,
    /// Versions up to this one may have been garbage-collected.
    pub last_gc_version: u64,
    /// Highest version known.
    pub max_version: u64,
}

/// `Digest`: one entry per node, in `ChitchatId` order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Digest {
    /// The entries.
    pub node_digests: BTreeMap<ChitchatId, NodeDigest>,
}

/// One digest entry in memory the caller owns: what an encoder needs of a `(ChitchatId,
/// NodeDigest)` pair without building a [`Digest`] (a `String` and a map node per entry), for
/// bindings that encode from their own language's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DigestEntryRef<'a> {
    /// `ChitchatId::node_id`.
    pub node_id: &'a str,
    /// `ChitchatId::generation_id`.
    pub generation_id: u64,
    /// `ChitchatId::gossip_advertise_addr`.
    pub gossip_advertise_addr: SocketAddr,
    /// The node's digest.
    pub digest: NodeDigest,
}

impl<'a> DigestEntryRef<'a> {
    fn id(&self) -> IdRef<'a> {
        IdRef {
            node_id: self.node_id,
            generation_id: self.generation_id,
            gossip_advertise_addr: self.gossip_advertise_addr,
        }
    }
}

/// A [`ChitchatMessage`] whose digest is a slice of [`DigestEntryRef`] in any order: it is
/// written as the [`Digest`] those entries would build (in `ChitchatId` order, the later of
/// equal ids winning), see [`ChitchatCodec::encode_ref_to_vec`].
#[derive(Debug, Clone, Copy)]
pub enum ChitchatMessageRef<'a> {
    /// Type 0.
    Syn {
        /// The sender's cluster.
        cluster_id: &'a str,
        /// The sender's digest entries.
        digest: &'a [DigestEntryRef<'a>],
    },
    /// Type 1.
    SynAck {
        /// B's digest entries.
        digest: &'a [DigestEntryRef<'a>],
        /// What A is missing.
        delta: &'a Delta,
    },
    /// Type 2.
    Ack {
        /// What B is missing.
        delta: &'a Delta,
    },
    /// Type 3.
    BadCluster,
}

/// A `ChitchatId` the encoder reads, owned or not. Field order as in `ChitchatId`, so the
/// derived order is the same.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct IdRef<'a> {
    node_id: &'a str,
    generation_id: u64,
    gossip_advertise_addr: SocketAddr,
}

impl ChitchatId {
    fn as_id_ref(&self) -> IdRef<'_> {
        IdRef {
            node_id: &self.node_id,
            generation_id: self.generation_id,
            gossip_advertise_addr: self.gossip_advertise_addr,
        }
    }
}

/// `Delta`: node updates in send order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Delta {
    /// The node updates.
    pub node_deltas: Vec<NodeDelta>,
}

/// `NodeDelta`: the updates of one node.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NodeDelta {
    /// The node.
    pub chitchat_id: ChitchatId,
    /// Every record after this version is in the delta (0 = reset).
    pub from_version_excluded: u64,
    /// The sender's GC watermark for the node.
    pub last_gc_version: u64,
    /// Key-value updates, versions strictly increasing.
    pub key_values: Vec<KeyValueMutation>,
    /// The last kv's version when there are key-values; else travels as `SetMaxVersion` when
    /// over 0.
    pub max_version: u64,
}

/// `KeyValueMutation`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyValueMutation {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
    /// The version (at least 1).
    pub version: u64,
    /// Set or deleted.
    pub status: DeletionStatusMutation,
}

/// `DeletionStatusMutation` (status byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeletionStatusMutation {
    /// 0.
    Set = 0,
    /// 1.
    Delete = 1,
    /// 2.
    DeleteAfterTtl = 2,
}

impl DeletionStatusMutation {
    /// The status of a byte.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(DeletionStatusMutation::Set),
            1 => Some(DeletionStatusMutation::Delete),
            2 => Some(DeletionStatusMutation::DeleteAfterTtl),
            _ => None,
        }
    }

    /// The variant name (`"Set"`, `"Delete"`, `"DeleteAfterTtl"`).
    pub fn name(self) -> &'static str {
        match self {
            DeletionStatusMutation::Set => "Set",
            DeletionStatusMutation::Delete => "Delete",
            DeletionStatusMutation::DeleteAfterTtl => "DeleteAfterTtl",
        }
    }

    /// Inverse of [`DeletionStatusMutation::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        (0..=2)
            .filter_map(DeletionStatusMutation::from_code)
            .find(|s| s.name() == name)
    }
}

/// `DeltaOp`: one operation of a delta's op stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeltaOp {
    /// Tag 0: starts the updates of a node.
    Node {
        /// The node.
        chitchat_id: ChitchatId,
        /// Its GC watermark.
        last_gc_version: u64,
        /// See [`NodeDelta::from_version_excluded`].
        from_version_excluded: u64,
    },
    /// Tag 1: a key-value update of the current node.
    KeyValue(KeyValueMutation),
    /// Tag 2: sets the current node's max_version.
    SetMaxVersion {
        /// The new max_version.
        max_version: u64,
    },
}

impl Delta {
    /// The canonical op stream of this delta (what the crate's writer emits).
    pub fn operations(&self) -> Vec<DeltaOp> {
        let mut ops = Vec::new();
        for node in &self.node_deltas {
            ops.push(DeltaOp::Node {
                chitchat_id: node.chitchat_id.clone(),
                last_gc_version: node.last_gc_version,
                from_version_excluded: node.from_version_excluded,
            });
            ops.extend(node.key_values.iter().cloned().map(DeltaOp::KeyValue));
            if node.key_values.is_empty() && node.max_version > 0 {
                ops.push(DeltaOp::SetMaxVersion {
                    max_version: node.max_version,
                });
            }
        }
        ops
    }

    /// Build a delta from an op stream with the crate's `DeltaBuilder` rules; a broken rule is
    /// `malformed` (the error offset is the op's index).
    pub fn from_operations(ops: impl IntoIterator<Item = DeltaOp>) -> Result<Delta> {
        let mut builder = DeltaBuilder::default();
        for (index, op) in ops.into_iter().enumerate() {
            builder
                .apply(op)
                .map_err(|reason| Error::malformed(P, index, reason))?;
        }
        Ok(builder.finish())
    }
}

/// The crate's `DeltaBuilder`.
#[derive(Default)]
struct DeltaBuilder {
    seen: BTreeSet<ChitchatId>,
    delta: Delta,
    current: Option<NodeDelta>,
}

impl DeltaBuilder {
    fn apply(&mut self, op: DeltaOp) -> std::result::Result<(), &'static str> {
        match op {
            DeltaOp::Node {
                chitchat_id,
                last_gc_version,
                from_version_excluded,
            } => {
                self.flush();
                if !self.seen.insert(chitchat_id.clone()) {
                    return Err("node op for a ChitchatId already in this delta");
                }
                self.current = Some(NodeDelta {
                    chitchat_id,
                    from_version_excluded,
                    last_gc_version,
                    key_values: Vec::new(),
                    max_version: 0,
                });
            }
            DeltaOp::KeyValue(kv) => {
                let node = self
                    .current
                    .as_mut()
                    .ok_or("key-value op without a node op before it")?;
                if kv.version <= node.max_version {
                    return Err("kv version should be strictly increasing (and above 0)");
                }
                node.max_version = kv.version;
                node.key_values.push(kv);
            }
            DeltaOp::SetMaxVersion { max_version } => {
                self.current
                    .as_mut()
                    .ok_or("SetMaxVersion op without a node op before it")?
                    .max_version = max_version;
            }
        }
        Ok(())
    }

    fn flush(&mut self) {
        self.delta.node_deltas.extend(self.current.take());
    }

    fn finish(mut self) -> Delta {
        self.flush();
        self.delta
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding, phase 1: the outer structure (self-delimiting, nothing decompressed).

/// Why a read stopped: the buffer must hold at least this many bytes before the read can go
/// further, or a definite error.
enum Stop {
    NeedMore(usize),
    Fail(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Fail(e)
    }
}

/// One block of a block stream, as it sits in the message.
struct RawBlock<'a> {
    /// Offset of the block tag in the message.
    offset: usize,
    compressed: bool,
    data: &'a [u8],
}

/// A digest before its stream (V1) is decoded.
enum RawDigest<'a> {
    V0(Digest),
    V1(Vec<RawBlock<'a>>),
}

enum RawMessage<'a> {
    Syn {
        cluster_id: String,
        digest: RawDigest<'a>,
    },
    SynAck {
        digest: RawDigest<'a>,
        delta: Vec<RawBlock<'a>>,
    },
    Ack {
        delta: Vec<RawBlock<'a>>,
    },
    BadCluster,
}

/// Reads the message from the front of the buffer; reads past the buffer are `NeedMore`, reads
/// past `limit` are `too_large`.
struct Outer<'a> {
    buf: &'a [u8],
    pos: usize,
    limit: u64,
}

impl<'a> Outer<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], Stop> {
        let end = self.pos.saturating_add(n);
        if end as u64 > self.limit {
            return Err(Error::too_large(P, self.pos, "message", end as u64, self.limit).into());
        }
        let bytes = self.buf.get(self.pos..end).ok_or(Stop::NeedMore(end))?;
        self.pos = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> std::result::Result<[u8; N], Stop> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> std::result::Result<u8, Stop> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> std::result::Result<u16, Stop> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> std::result::Result<u64, Stop> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn string(&mut self) -> std::result::Result<String, Stop> {
        let len = usize::from(self.u16()?);
        let at = self.pos;
        let bytes = self.take(len)?;
        Ok(utf8(bytes, at)?)
    }

    fn chitchat_id(&mut self) -> std::result::Result<ChitchatId, Stop> {
        let node_id = self.string()?;
        let generation_id = self.u64()?;
        let at = self.pos;
        let ip = match self.u8()? {
            4 => IpAddr::V4(Ipv4Addr::from(self.array::<4>()?)),
            6 => IpAddr::V6(Ipv6Addr::from(self.array::<16>()?)),
            tag => return Err(Error::malformed(P, at, bad_ip_tag(tag)).into()),
        };
        let port = self.u16()?;
        Ok(ChitchatId {
            node_id,
            generation_id,
            gossip_advertise_addr: SocketAddr::new(ip, port),
        })
    }

    fn node_digest(&mut self) -> std::result::Result<NodeDigest, Stop> {
        Ok(NodeDigest {
            heartbeat: self.u64()?,
            last_gc_version: self.u64()?,
            max_version: self.u64()?,
        })
    }

    fn blocks(&mut self) -> std::result::Result<Vec<RawBlock<'a>>, Stop> {
        let mut blocks = Vec::new();
        loop {
            let offset = self.pos;
            let compressed = match self.u8()? {
                0 => return Ok(blocks),
                1 => true,
                2 => false,
                tag => {
                    return Err(Error::malformed(
                        P,
                        offset,
                        format!("invalid block type {tag} (expected 0, 1 or 2)"),
                    )
                    .into())
                }
            };
            let len = usize::from(self.u16()?);
            let data = self.take(len)?;
            blocks.push(RawBlock {
                offset,
                compressed,
                data,
            });
        }
    }

    fn digest(&mut self, version: ProtocolVersion) -> std::result::Result<RawDigest<'a>, Stop> {
        Ok(match version {
            ProtocolVersion::V0 => {
                let count = self.u16()?;
                let mut entries = Vec::new();
                for _ in 0..count {
                    entries.push((self.chitchat_id()?, self.node_digest()?));
                }
                RawDigest::V0(digest_from_entries(entries))
            }
            ProtocolVersion::V1 => RawDigest::V1(self.blocks()?),
        })
    }

    fn message(&mut self) -> std::result::Result<(ProtocolVersion, RawMessage<'a>), Stop> {
        if self.array::<2>()? != MAGIC.to_le_bytes() {
            return Err(
                Error::malformed(P, 0, "invalid chitchat magic number (expected 53 b0)").into(),
            );
        }
        let code = self.u8()?;
        let version = ProtocolVersion::from_code(code).ok_or_else(|| {
            Error::at(
                P,
                ErrorKind::UnsupportedVersion,
                2,
                format!("invalid protocol version {code} (expected 0 or 1)"),
            )
        })?;
        let message = match self.u8()? {
            0 => {
                let digest = self.digest(version)?;
                RawMessage::Syn {
                    digest,
                    cluster_id: self.string()?,
                }
            }
            1 => RawMessage::SynAck {
                digest: self.digest(version)?,
                delta: self.blocks()?,
            },
            2 => RawMessage::Ack {
                delta: self.blocks()?,
            },
            3 => RawMessage::BadCluster,
            other => {
                return Err(Error::malformed(
                    P,
                    3,
                    format!("invalid message type {other} (expected 0 to 3)"),
                )
                .into())
            }
        };
        Ok((version, message))
    }
}

/// The digest the crate's one-by-one `BTreeMap` inserts give (the later of equal ids wins),
/// built in bulk: entries normally arrive sorted, which makes that linear.
fn digest_from_entries(mut entries: Vec<(ChitchatId, NodeDigest)>) -> Digest {
    if !entries.is_sorted_by(|a, b| a.0 < b.0) {
        // Stable: equal ids stay in wire order, and the last of each run is kept.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut unique: Vec<(ChitchatId, NodeDigest)> = Vec::with_capacity(entries.len());
        for entry in entries {
            if unique.last().is_some_and(|last| last.0 == entry.0) {
                unique.pop();
            }
            unique.push(entry);
        }
        entries = unique;
    }
    Digest {
        node_digests: entries.into_iter().collect(),
    }
}

fn utf8(bytes: &[u8], at: usize) -> Result<String> {
    std::str::from_utf8(bytes).map(str::to_owned).map_err(|e| {
        Error::at(
            P,
            ErrorKind::InvalidUtf8,
            at + e.valid_up_to(),
            format!("string is not UTF-8: {e}"),
        )
    })
}

fn bad_ip_tag(tag: u8) -> String {
    format!("invalid IP version byte {tag} (expected 4 or 6)")
}

// ---------------------------------------------------------------------------------------------
// Decoding, phase 2: block streams (decompressed under the cap) and their items.

/// The concatenated payload of a block stream, with where each block came from.
struct Stream {
    data: Vec<u8>,
    /// (first stream position, message offset of its first raw byte or None if compressed,
    /// message offset of the block tag).
    segments: Vec<(usize, Option<usize>, usize)>,
}

impl Stream {
    /// Message offset of stream position `pos`: exact inside raw blocks, else the block tag.
    fn offset_of(&self, pos: usize) -> usize {
        let index = self.segments.partition_point(|s| s.0 <= pos);
        match index.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(start, Some(raw), _)) => raw + (pos - start),
            Some(&(_, None, tag)) => tag,
            None => self.segments.last().map_or(0, |s| s.2),
        }
    }
}

/// Append `bytes`, growing `data` by doubling as `extend_from_slice` would, but never to a
/// capacity over `most` (or what the bytes need).
fn append_capped(data: &mut Vec<u8>, bytes: &[u8], most: usize) {
    let needed = data.len().saturating_add(bytes.len());
    if needed > data.capacity() {
        let target = data.capacity().saturating_mul(2).min(most).max(needed);
        data.reserve_exact(target - data.len());
    }
    data.extend_from_slice(bytes);
}

/// libzstd contexts and buffers, kept per thread from one message to the next: creating them
/// costs more than compressing or decompressing a small message. Taken by an `Inflater` or
/// `Deflater` and given back when it is dropped (a nested user just gets fresh ones).
#[derive(Default)]
struct Zstd {
    compressor: Option<zstd::bulk::Compressor<'static>>,
    decompressor: Option<zstd::bulk::Decompressor<'static>>,
    /// Decompression output: always [`MAX_BLOCK_DECOMPRESSED_LEN`] bytes once used.
    inflated: Vec<u8>,
    /// Compression output, resized to each chunk.
    deflated: Vec<u8>,
}

thread_local! {
    static ZSTD: RefCell<Zstd> = RefCell::default();
}

impl Zstd {
    fn take() -> Zstd {
        ZSTD.try_with(|z| z.take()).unwrap_or_default()
    }

    fn give_back(self) {
        // During thread teardown there is nowhere to keep them: drop them.
        let _ = ZSTD.try_with(|z| z.replace(self));
    }
}

/// Decompression state of one message: the budget left under `max_decompressed_size`.
struct Inflater {
    budget: u64,
    limit: u64,
    zstd: Zstd,
}

impl Drop for Inflater {
    fn drop(&mut self) {
        std::mem::take(&mut self.zstd).give_back();
    }
}

impl Inflater {
    fn new(limit: u64) -> Self {
        Inflater {
            budget: limit,
            limit,
            zstd: Zstd::take(),
        }
    }

    fn stream(&mut self, blocks: &[RawBlock<'_>]) -> Result<Stream> {
        let mut stream = Stream {
            data: Vec::new(),
            segments: Vec::with_capacity(blocks.len()),
        };
        // What the stream may hold: its raw blocks plus the decompression budget left. The
        // buffer grows by doubling but never past that, so the cap bounds memory too.
        let raw: usize = blocks
            .iter()
            .filter(|b| !b.compressed)
            .map(|b| b.data.len())
            .sum();
        let most = usize::try_from(self.budget)
            .unwrap_or(usize::MAX)
            .saturating_add(raw);
        for block in blocks {
            let start = stream.data.len();
            if block.compressed {
                let n = self.inflate(block)?;
                append_capped(&mut stream.data, &self.zstd.inflated[..n], most);
                stream.segments.push((start, None, block.offset));
            } else {
                append_capped(&mut stream.data, block.data, most);
                stream
                    .segments
                    .push((start, Some(block.offset + 3), block.offset));
            }
        }
        Ok(stream)
    }

    /// Decompress one block into the 64 KiB buffer (the crate's: more is `malformed`); the
    /// bytes count against the budget before anyone keeps them.
    fn inflate(&mut self, block: &RawBlock<'_>) -> Result<usize> {
        let fail = |e: &dyn std::fmt::Display| {
            Error::malformed(P, block.offset, format!("failed to decompress block: {e}"))
        };
        let zstd = &mut self.zstd;
        zstd.inflated.resize(MAX_BLOCK_DECOMPRESSED_LEN, 0);
        let decompressor = match &mut zstd.decompressor {
            Some(d) => d,
            empty => empty.insert(zstd::bulk::Decompressor::new().map_err(|e| fail(&e))?),
        };
        let n = decompressor
            .decompress_to_buffer(block.data, &mut zstd.inflated[..])
            .map_err(|e| fail(&e))?;
        match self.budget.checked_sub(n as u64) {
            Some(left) => self.budget = left,
            None => {
                return Err(Error::too_large(
                    P,
                    block.offset,
                    "decompressed data",
                    self.limit - self.budget + n as u64,
                    self.limit,
                ))
            }
        }
        Ok(n)
    }
}

/// Reads items from a decoded stream; running out is `malformed` (the stream has ended).
struct Inner<'s> {
    stream: &'s Stream,
    pos: usize,
    what: &'static str,
}

impl Inner<'_> {
    fn short(&self, at: usize) -> Error {
        Error::malformed(
            P,
            self.stream.offset_of(at),
            format!(
                "{} ends inside an item (stream byte {at} of {})",
                self.what,
                self.stream.data.len()
            ),
        )
    }

    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.pos.saturating_add(n);
        let bytes = self
            .stream
            .data
            .get(self.pos..end)
            .ok_or_else(|| self.short(self.pos))?;
        self.pos = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn string(&mut self) -> Result<String> {
        let len = usize::from(self.u16()?);
        let at = self.pos;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map(str::to_owned).map_err(|e| {
            Error::at(
                P,
                ErrorKind::InvalidUtf8,
                self.stream.offset_of(at + e.valid_up_to()),
                format!("string in the {} is not UTF-8: {e}", self.what),
            )
        })
    }

    fn chitchat_id(&mut self) -> Result<ChitchatId> {
        let node_id = self.string()?;
        let generation_id = self.u64()?;
        let at = self.pos;
        let ip = match self.u8()? {
            4 => IpAddr::V4(Ipv4Addr::from(self.array::<4>()?)),
            6 => IpAddr::V6(Ipv6Addr::from(self.array::<16>()?)),
            tag => {
                return Err(Error::malformed(
                    P,
                    self.stream.offset_of(at),
                    bad_ip_tag(tag),
                ))
            }
        };
        let port = self.u16()?;
        Ok(ChitchatId {
            node_id,
            generation_id,
            gossip_advertise_addr: SocketAddr::new(ip, port),
        })
    }

    fn op(&mut self) -> Result<DeltaOp> {
        let at = self.pos;
        Ok(match self.u8()? {
            0 => DeltaOp::Node {
                chitchat_id: self.chitchat_id()?,
                last_gc_version: self.u64()?,
                from_version_excluded: self.u64()?,
            },
            1 => {
                let key = self.string()?;
                let value = self.string()?;
                let version = self.u64()?;
                let status_at = self.pos;
                let code = self.u8()?;
                let status = DeletionStatusMutation::from_code(code).ok_or_else(|| {
                    Error::malformed(
                        P,
                        self.stream.offset_of(status_at),
                        format!("invalid deletion status code {code} (expected 0, 1 or 2)"),
                    )
                })?;
                DeltaOp::KeyValue(KeyValueMutation {
                    key,
                    value,
                    version,
                    status,
                })
            }
            2 => DeltaOp::SetMaxVersion {
                max_version: self.u64()?,
            },
            tag => {
                return Err(Error::malformed(
                    P,
                    self.stream.offset_of(at),
                    format!("unknown op tag {tag} (expected 0, 1 or 2)"),
                ))
            }
        })
    }

    fn at_end(&self) -> bool {
        self.pos >= self.stream.data.len()
    }
}

fn decode_digest(raw: RawDigest<'_>, inflater: &mut Inflater) -> Result<Digest> {
    let blocks = match raw {
        RawDigest::V0(digest) => return Ok(digest),
        RawDigest::V1(blocks) => blocks,
    };
    let stream = inflater.stream(&blocks)?;
    let mut items = Inner {
        stream: &stream,
        pos: 0,
        what: "digest stream",
    };
    let mut entries = Vec::new();
    while !items.at_end() {
        let id = items.chitchat_id()?;
        let node = NodeDigest {
            heartbeat: items.u64()?,
            last_gc_version: items.u64()?,
            max_version: items.u64()?,
        };
        entries.push((id, node));
    }
    Ok(digest_from_entries(entries))
}

fn decode_delta(blocks: &[RawBlock<'_>], inflater: &mut Inflater) -> Result<Delta> {
    let stream = inflater.stream(blocks)?;
    let mut items = Inner {
        stream: &stream,
        pos: 0,
        what: "delta op stream",
    };
    // The crate parses every op before it applies the delta rules, so an op that does not
    // parse wins over a broken rule earlier in the stream. Same outcome without keeping the
    // ops: apply them as they come, and after a broken rule only parse.
    let mut builder = DeltaBuilder::default();
    let mut broken = None;
    while !items.at_end() {
        let at = items.pos;
        let op = items.op()?;
        if broken.is_none() {
            if let Err(reason) = builder.apply(op) {
                broken = Some(Error::malformed(P, stream.offset_of(at), reason));
            }
        }
    }
    match broken {
        Some(e) => Err(e),
        None => Ok(builder.finish()),
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding.

fn check_len(what: &str, len: usize) -> Result<()> {
    if len > MAX_LEN {
        return Err(Error::invalid_argument(
            P,
            format!("{what} of {len} bytes is over the u16 length limit of {MAX_LEN}"),
        ));
    }
    Ok(())
}

fn check_id(id: IdRef<'_>) -> Result<()> {
    check_len("node_id", id.node_id.len())?;
    if let SocketAddr::V6(v6) = id.gossip_advertise_addr {
        if v6.flowinfo() != 0 || v6.scope_id() != 0 {
            return Err(Error::invalid_argument(
                P,
                format!(
                    "gossip_advertise_addr {v6}: IPv6 flow info and scope id cannot be carried"
                ),
            ));
        }
    }
    Ok(())
}

fn id_len(id: IdRef<'_>) -> usize {
    let ip = if id.gossip_advertise_addr.is_ipv4() {
        5
    } else {
        17
    };
    2 + id.node_id.len() + 8 + ip + 2
}

fn check_item(what: &str, len: usize) -> Result<()> {
    if len > MAX_LEN {
        return Err(Error::invalid_argument(
            P,
            format!("{what} of {len} bytes: the crate's stream writer takes items of at most {MAX_LEN} bytes"),
        ));
    }
    Ok(())
}

fn check_digest(entries: usize, version: ProtocolVersion) -> Result<()> {
    if version == ProtocolVersion::V0 && entries > MAX_LEN {
        return Err(Error::invalid_argument(
            P,
            format!("V0 digest of {entries} entries is over the u16 count limit of {MAX_LEN}"),
        ));
    }
    Ok(())
}

/// A [`Digest`]'s entries as the encoder reads them.
fn digest_iter(digest: &Digest) -> impl ExactSizeIterator<Item = (IdRef<'_>, &NodeDigest)> {
    digest
        .node_digests
        .iter()
        .map(|(id, node)| (id.as_id_ref(), node))
}

/// Borrowed entries in the order and with the winners of the [`Digest`] they would build:
/// sorted by id (stably), the last of equal ids kept, as the map's one-by-one inserts keep it.
fn digest_ref_entries<'e, 'a>(entries: &'e [DigestEntryRef<'a>]) -> Vec<&'e DigestEntryRef<'a>> {
    let mut sorted: Vec<&DigestEntryRef<'a>> = entries.iter().collect();
    sorted.sort_by(|a, b| a.id().cmp(&b.id()));
    // `dedup_by` keeps the earlier of two equal neighbours: swap first so the later stays.
    sorted.dedup_by(|later, earlier| {
        let same = later.id() == earlier.id();
        if same {
            std::mem::swap(later, earlier);
        }
        same
    });
    sorted
}

/// The digest type of a message without one.
type NoDigest<'a> = std::iter::Empty<(IdRef<'a>, &'a NodeDigest)>;

/// What [`ChitchatCodec::write`] reads: a message whose digest is entries in order, without
/// repeats (from a [`Digest`] or from sorted [`DigestEntryRef`]s).
enum Parts<'a, D> {
    Syn { cluster_id: &'a str, digest: D },
    SynAck { digest: D, delta: &'a Delta },
    Ack { delta: &'a Delta },
    BadCluster,
}

impl<'a, D> Parts<'a, D> {
    fn message_type(&self) -> u8 {
        match self {
            Parts::Syn { .. } => 0,
            Parts::SynAck { .. } => 1,
            Parts::Ack { .. } => 2,
            Parts::BadCluster => 3,
        }
    }
}

fn put_string(out: &mut Vec<u8>, s: &str) {
    // Lengths were checked against MAX_LEN before writing.
    out.extend_from_slice(&(s.len() as u16).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_id(out: &mut Vec<u8>, id: IdRef<'_>) {
    put_string(out, id.node_id);
    out.extend_from_slice(&id.generation_id.to_le_bytes());
    match id.gossip_advertise_addr.ip() {
        IpAddr::V4(ip) => {
            out.push(4);
            out.extend_from_slice(&ip.octets());
        }
        IpAddr::V6(ip) => {
            out.push(6);
            out.extend_from_slice(&ip.octets());
        }
    }
    out.extend_from_slice(&id.gossip_advertise_addr.port().to_le_bytes());
}

fn put_node_digest(out: &mut Vec<u8>, node: &NodeDigest) {
    out.extend_from_slice(&node.heartbeat.to_le_bytes());
    out.extend_from_slice(&node.last_gc_version.to_le_bytes());
    out.extend_from_slice(&node.max_version.to_le_bytes());
}

/// Write the digest entries (in order, without repeats), checking each as it goes (the caller
/// drops the output on error).
fn digest_entries<'a>(
    out: &mut Vec<u8>,
    digest: impl Iterator<Item = (IdRef<'a>, &'a NodeDigest)>,
    version: ProtocolVersion,
) -> Result<()> {
    for (id, node) in digest {
        check_id(id)?;
        if version == ProtocolVersion::V1 {
            check_item("ChitchatId", id_len(id))?;
        }
        put_id(out, id);
        put_node_digest(out, node);
    }
    Ok(())
}

/// Write the canonical op stream, refusing what the crate's decoder would refuse or decode
/// differently (the caller drops the output on error).
fn delta_ops(out: &mut Vec<u8>, delta: &Delta) -> Result<()> {
    let mut seen = BTreeSet::new();
    for node in &delta.node_deltas {
        check_id(node.chitchat_id.as_id_ref())?;
        check_item("node op", 1 + id_len(node.chitchat_id.as_id_ref()) + 16)?;
        if !seen.insert(&node.chitchat_id) {
            return Err(Error::invalid_argument(
                P,
                format!(
                    "ChitchatId {:?} appears twice in the delta",
                    node.chitchat_id
                ),
            ));
        }
        out.push(0);
        put_id(out, node.chitchat_id.as_id_ref());
        out.extend_from_slice(&node.last_gc_version.to_le_bytes());
        out.extend_from_slice(&node.from_version_excluded.to_le_bytes());
        let mut last = 0;
        for kv in &node.key_values {
            check_len("key", kv.key.len())?;
            check_len("value", kv.value.len())?;
            check_item(
                "key-value op",
                1 + 2 + kv.key.len() + 2 + kv.value.len() + 9,
            )?;
            if kv.version <= last {
                return Err(Error::invalid_argument(
                    P,
                    format!(
                        "kv {:?}: version {} is not above {last} (versions start at 1 and strictly increase)",
                        kv.key, kv.version
                    ),
                ));
            }
            last = kv.version;
            out.push(1);
            put_string(out, &kv.key);
            put_string(out, &kv.value);
            out.extend_from_slice(&kv.version.to_le_bytes());
            out.push(kv.status as u8);
        }
        if node.key_values.is_empty() {
            if node.max_version > 0 {
                out.push(2);
                out.extend_from_slice(&node.max_version.to_le_bytes());
            }
        } else if node.max_version != last {
            return Err(Error::invalid_argument(
                P,
                format!(
                    "max_version {} differs from the last kv version {last}: with key-values it is implied by the last one",
                    node.max_version
                ),
            ));
        }
    }
    Ok(())
}

/// The crate's `CompressedStreamWriter` output for a whole raw stream.
struct Deflater {
    zstd: Zstd,
    /// Raw bytes of compressed blocks so far (what a decoder will inflate).
    inflated: u64,
}

impl Drop for Deflater {
    fn drop(&mut self) {
        std::mem::take(&mut self.zstd).give_back();
    }
}

impl Deflater {
    fn new() -> Self {
        Deflater {
            zstd: Zstd::take(),
            inflated: 0,
        }
    }

    fn blocks(&mut self, raw: &[u8], out: &mut Vec<u8>) -> Result<()> {
        for chunk in raw.chunks(BLOCK_THRESHOLD) {
            let zstd = &mut self.zstd;
            let compressor = match &mut zstd.compressor {
                Some(c) => c,
                empty => empty.insert(zstd::bulk::Compressor::new(0).map_err(|e| {
                    Error::invalid_argument(P, format!("zstd compressor unavailable: {e}"))
                })?),
            };
            // An output buffer exactly as large as the chunk: zstd failing to fit in it is
            // what makes the crate write the block raw.
            zstd.deflated.resize(chunk.len(), 0);
            // Chunks are at most BLOCK_THRESHOLD bytes, so lengths fit in u16.
            match compressor.compress_to_buffer(chunk, &mut zstd.deflated[..]) {
                Ok(n) => {
                    out.push(1);
                    out.extend_from_slice(&(n as u16).to_le_bytes());
                    out.extend_from_slice(&zstd.deflated[..n]);
                    self.inflated += chunk.len() as u64;
                }
                Err(_) => {
                    // The crate compresses every block with a fresh context: drop one that
                    // failed rather than rely on its reset.
                    zstd.compressor = None;
                    out.push(2);
                    out.extend_from_slice(&(chunk.len() as u16).to_le_bytes());
                    out.extend_from_slice(chunk);
                }
            }
        }
        out.push(0);
        Ok(())
    }
}

fn write_digest<'a>(
    version: ProtocolVersion,
    digest: impl ExactSizeIterator<Item = (IdRef<'a>, &'a NodeDigest)>,
    out: &mut Vec<u8>,
    deflater: &mut Deflater,
) -> Result<()> {
    match version {
        ProtocolVersion::V0 => {
            // The entry count was checked against MAX_LEN before writing.
            out.extend_from_slice(&(digest.len() as u16).to_le_bytes());
            digest_entries(out, digest, version)
        }
        ProtocolVersion::V1 => {
            let mut raw = Vec::new();
            digest_entries(&mut raw, digest, version)?;
            deflater.blocks(&raw, out)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The codec.

/// The chitchat [`Codec`]. Frames are [`ChitchatEnvelope`]s.
///
/// Options: `version` (`V0` | `V1`, default `V0`): the protocol version of messages given
/// without one ([`ChitchatCodec::encode_message`], JSON without `fields.version`); decoding reads
/// the version from each header and encoding an envelope uses the envelope's. Limits:
/// `max_frame_size` = largest message in bytes, header included (default [`MAX_FRAME_SIZE`]);
/// `max_decompressed_size` = largest total of decompressed block data in one message (default
/// [`MAX_DECOMPRESSED_SIZE`]).
#[derive(Debug, Clone)]
pub struct ChitchatCodec {
    limits: Limits,
    version: ProtocolVersion,
    /// After a `decode` that needed more bytes: the buffer length before which parsing again
    /// cannot get further (the message is re-parsed from its start, so a peer trickling bytes
    /// costs one parse per field, not one per byte).
    needed: usize,
}

impl Default for ChitchatCodec {
    fn default() -> Self {
        ChitchatCodec {
            limits: Self::DEFAULT_LIMITS,
            version: ProtocolVersion::V0,
            needed: 0,
        }
    }
}

impl ChitchatCodec {
    /// The defaults: one UDP datagram, and a decompression cap no crate-written message reaches.
    pub const DEFAULT_LIMITS: Limits = Limits {
        max_frame_size: MAX_FRAME_SIZE,
        max_decompressed_size: MAX_DECOMPRESSED_SIZE,
    };

    /// This codec with `version` as the version for messages given without one.
    pub fn with_version(mut self, version: ProtocolVersion) -> Self {
        self.version = version;
        self
    }

    /// The version for messages given without one.
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }

    /// Append `message` in this codec's version.
    pub fn encode_message(&mut self, message: &ChitchatMessage, dst: &mut BytesMut) -> Result<()> {
        let envelope = ChitchatEnvelope {
            version: self.version,
            message: message.clone(),
        };
        self.encode(&envelope, dst)
    }

    /// Decode one complete message that starts at the front of `buf`; `None` if `buf` is a
    /// proper prefix of one. Returns the message and its length. On a datagram this behaves
    /// like the crate, which ignores bytes after the message (one-shot [`decode`] refuses
    /// them).
    pub fn decode_prefix(&self, buf: &[u8]) -> Result<Option<(ChitchatEnvelope, usize)>> {
        self.parse(buf).map(Result::ok)
    }

    /// The message at the front of `buf` and its length, or how many bytes `buf` must hold
    /// before parsing can get further.
    fn parse(&self, buf: &[u8]) -> Result<std::result::Result<(ChitchatEnvelope, usize), usize>> {
        let mut outer = Outer {
            buf,
            pos: 0,
            limit: self.limits.max_frame_size,
        };
        let (version, raw) = match outer.message() {
            Ok(parsed) => parsed,
            Err(Stop::NeedMore(needed)) => return Ok(Err(needed)),
            Err(Stop::Fail(e)) => return Err(e),
        };
        let mut inflater = Inflater::new(self.limits.max_decompressed_size);
        let message = match raw {
            RawMessage::Syn { cluster_id, digest } => ChitchatMessage::Syn {
                cluster_id,
                digest: decode_digest(digest, &mut inflater)?,
            },
            RawMessage::SynAck { digest, delta } => ChitchatMessage::SynAck {
                digest: decode_digest(digest, &mut inflater)?,
                delta: decode_delta(&delta, &mut inflater)?,
            },
            RawMessage::Ack { delta } => ChitchatMessage::Ack {
                delta: decode_delta(&delta, &mut inflater)?,
            },
            RawMessage::BadCluster => ChitchatMessage::BadCluster,
        };
        Ok(Ok((ChitchatEnvelope { version, message }, outer.pos)))
    }

    /// Append the encoding of `frame` to `out` (nothing on error).
    fn write(&self, frame: &ChitchatEnvelope, out: &mut Vec<u8>) -> Result<()> {
        let parts = match &frame.message {
            ChitchatMessage::Syn { cluster_id, digest } => Parts::Syn {
                cluster_id,
                digest: digest_iter(digest),
            },
            ChitchatMessage::SynAck { digest, delta } => Parts::SynAck {
                digest: digest_iter(digest),
                delta,
            },
            ChitchatMessage::Ack { delta } => Parts::Ack { delta },
            ChitchatMessage::BadCluster => Parts::BadCluster,
        };
        self.write_parts(frame.version, parts, out)
    }

    /// Append the encoding of a message in `version` to `out` (nothing on error).
    fn write_parts<'a, D>(
        &self,
        version: ProtocolVersion,
        message: Parts<'a, D>,
        out: &mut Vec<u8>,
    ) -> Result<()>
    where
        D: ExactSizeIterator<Item = (IdRef<'a>, &'a NodeDigest)>,
    {
        match &message {
            Parts::Syn { cluster_id, digest } => {
                check_len("cluster_id", cluster_id.len())?;
                check_digest(digest.len(), version)?;
            }
            Parts::SynAck { digest, .. } => check_digest(digest.len(), version)?,
            Parts::Ack { .. } | Parts::BadCluster => {}
        }
        let start = out.len();
        if let Parts::Syn { cluster_id, digest } = &message {
            // Room for typical entries (short node ids) up front: a V0 Syn is written in place.
            out.reserve(HEADER_LEN + 2 + 48 * digest.len() + 2 + cluster_id.len());
        }
        let mut deflater = Deflater::new();
        let mut raw = Vec::new();
        out.extend_from_slice(&MAGIC.to_le_bytes());
        out.push(version.to_code());
        out.push(message.message_type());
        let written = match message {
            Parts::Syn { cluster_id, digest } => write_digest(version, digest, out, &mut deflater)
                .map(|()| put_string(out, cluster_id)),
            Parts::SynAck { digest, delta } => write_digest(version, digest, out, &mut deflater)
                .and_then(|()| delta_ops(&mut raw, delta))
                .and_then(|()| deflater.blocks(&raw, out)),
            Parts::Ack { delta } => {
                delta_ops(&mut raw, delta).and_then(|()| deflater.blocks(&raw, out))
            }
            Parts::BadCluster => Ok(()),
        };
        let len = out.len() - start;
        let checked = written.and_then(|()| {
            self.limits.check_encode(P, "message", len)?;
            if deflater.inflated > self.limits.max_decompressed_size {
                return Err(Error::invalid_argument(
                    P,
                    format!(
                        "{} bytes of compressed data exceed max_decompressed_size ({} bytes)",
                        deflater.inflated, self.limits.max_decompressed_size
                    ),
                ));
            }
            Ok(())
        });
        if checked.is_err() {
            out.truncate(start);
        }
        checked
    }

    /// Encode `frame` into a new vector.
    pub fn encode_to_vec(&self, frame: &ChitchatEnvelope) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write(frame, &mut out)?;
        Ok(out)
    }

    /// Encode `message` in `version` into a new vector: exactly the bytes (or the error) of
    /// [`ChitchatCodec::encode_to_vec`] on the [`ChitchatEnvelope`] it stands for, without
    /// building its [`Digest`].
    pub fn encode_ref_to_vec(
        &self,
        version: ProtocolVersion,
        message: &ChitchatMessageRef<'_>,
    ) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let written = match *message {
            ChitchatMessageRef::Syn { cluster_id, digest } => {
                let entries = digest_ref_entries(digest);
                let digest = entries.iter().map(|e| (e.id(), &e.digest));
                self.write_parts(version, Parts::Syn { cluster_id, digest }, &mut out)
            }
            ChitchatMessageRef::SynAck { digest, delta } => {
                let entries = digest_ref_entries(digest);
                let digest = entries.iter().map(|e| (e.id(), &e.digest));
                self.write_parts(version, Parts::SynAck { digest, delta }, &mut out)
            }
            ChitchatMessageRef::Ack { delta } => {
                let parts: Parts<NoDigest> = Parts::Ack { delta };
                self.write_parts(version, parts, &mut out)
            }
            ChitchatMessageRef::BadCluster => {
                let parts: Parts<NoDigest> = Parts::BadCluster;
                self.write_parts(version, parts, &mut out)
            }
        };
        written.map(|()| out)
    }
}

impl Codec for ChitchatCodec {
    type Frame = ChitchatEnvelope;

    fn set_limits(&mut self, limits: Limits) -> Result<()> {
        if limits.max_frame_size < HEADER_LEN as u64 {
            return Err(Error::invalid_argument(
                P,
                format!("max_frame_size under {HEADER_LEN}: no message would fit"),
            ));
        }
        self.limits = limits;
        self.needed = 0;
        Ok(())
    }

    fn protocol(&self) -> Protocol {
        P
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    fn set_option(&mut self, key: &str, value: &str) -> Result<()> {
        match key {
            "version" => {
                self.version = ProtocolVersion::from_name(value).ok_or_else(|| {
                    Error::invalid_argument(
                        P,
                        format!("option \"version\": {value:?} is not V0 or V1"),
                    )
                })?;
                Ok(())
            }
            _ => Err(Error::invalid_argument(
                P,
                format!("unknown option {key:?} (known: version)"),
            )),
        }
    }

    fn reset(&mut self) {
        self.needed = 0;
    }

    /// Keeps how many bytes the message needs at least, so that calls with fewer bytes
    /// buffered return at once: after `Ok(None)`, pass the same buffer with bytes appended (as
    /// `StreamDecoder` and tokio's `FramedRead` do), or call [`Codec::reset`] first.
    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ChitchatEnvelope>> {
        if src.len() < self.needed {
            return Ok(None);
        }
        let parsed = self.parse(src);
        self.needed = match &parsed {
            Ok(Err(needed)) => *needed,
            _ => 0,
        };
        let Ok((frame, len)) = parsed? else {
            return Ok(None);
        };
        let _ = src.split_to(len);
        Ok(Some(frame))
    }

    fn encoded_len(&self, frame: &ChitchatEnvelope) -> Result<usize> {
        // Compressed sizes are only known by compressing.
        self.encode_to_vec(frame).map(|v| v.len())
    }

    fn encode(&mut self, frame: &ChitchatEnvelope, dst: &mut BytesMut) -> Result<()> {
        let bytes = self.encode_to_vec(frame)?;
        dst.put_slice(&bytes);
        Ok(())
    }

    #[cfg(feature = "json")]
    fn to_json(&self, frame: &ChitchatEnvelope) -> serde_json::Value {
        json::to_json(frame)
    }

    #[cfg(feature = "json")]
    fn from_json(&self, value: &serde_json::Value) -> Result<ChitchatEnvelope> {
        json::from_json(value, self.version)
    }
}

/// Decode exactly one message with the default limits (bytes after it are `trailing_bytes`).
pub fn decode(input: &[u8]) -> Result<ChitchatEnvelope> {
    codec::decode_exact(&mut ChitchatCodec::default(), input)
}

/// Encode one message with the default limits.
pub fn encode(frame: &ChitchatEnvelope) -> Result<Vec<u8>> {
    ChitchatCodec::default().encode_to_vec(frame)
}

/// Whether `prefix` looks like the start of a chitchat message: the magic `53 b0`, then (when
/// present) protocol version 0 or 1 and message type 0 to 3.
pub fn sniff(prefix: &[u8]) -> bool {
    match prefix {
        [0x53, 0xb0] => true,
        [0x53, 0xb0, version] => *version <= 1,
        [0x53, 0xb0, version, kind, ..] => *version <= 1 && *kind <= 3,
        _ => false,
    }
}

#[cfg(feature = "json")]
mod json {
    //! `{"type": "Syn" | "SynAck" | "Ack" | "BadCluster", "fields": {"version": "V0" | "V1",
    //! ...the variant's fields}}`; digests as `{"node_digests": [{chitchat_id, heartbeat,
    //! last_gc_version, max_version}]}` in ChitchatId order, deltas as `{"node_deltas":
    //! [{chitchat_id, last_gc_version, from_version_excluded, key_values: [{key, value, version,
    //! status}], max_version}]}`, `gossip_advertise_addr` as Rust's `SocketAddr` text.

    use serde_json::{json, Value};

    use super::*;
    use crate::json::{message, split_message, Fields};

    pub(super) fn to_json(frame: &ChitchatEnvelope) -> Value {
        let version = frame.version.name();
        let fields = match &frame.message {
            ChitchatMessage::Syn { cluster_id, digest } => {
                json!({"version": version, "cluster_id": cluster_id, "digest": digest_json(digest)})
            }
            ChitchatMessage::SynAck { digest, delta } => {
                json!({"version": version, "digest": digest_json(digest), "delta": delta_json(delta)})
            }
            ChitchatMessage::Ack { delta } => {
                json!({"version": version, "delta": delta_json(delta)})
            }
            ChitchatMessage::BadCluster => json!({"version": version}),
        };
        message(frame.message.type_name(), fields)
    }

    fn id_json(id: &ChitchatId) -> Value {
        json!({
            "node_id": id.node_id,
            "generation_id": id.generation_id,
            "gossip_advertise_addr": id.gossip_advertise_addr.to_string(),
        })
    }

    fn digest_json(digest: &Digest) -> Value {
        let entries: Vec<Value> = digest
            .node_digests
            .iter()
            .map(|(id, node)| {
                json!({
                    "chitchat_id": id_json(id),
                    "heartbeat": node.heartbeat,
                    "last_gc_version": node.last_gc_version,
                    "max_version": node.max_version,
                })
            })
            .collect();
        json!({ "node_digests": entries })
    }

    fn delta_json(delta: &Delta) -> Value {
        let nodes: Vec<Value> = delta
            .node_deltas
            .iter()
            .map(|node| {
                let kvs: Vec<Value> = node
                    .key_values
                    .iter()
                    .map(|kv| {
                        json!({
                            "key": kv.key,
                            "value": kv.value,
                            "version": kv.version,
                            "status": kv.status.name(),
                        })
                    })
                    .collect();
                json!({
                    "chitchat_id": id_json(&node.chitchat_id),
                    "last_gc_version": node.last_gc_version,
                    "from_version_excluded": node.from_version_excluded,
                    "key_values": kvs,
                    "max_version": node.max_version,
                })
            })
            .collect();
        json!({ "node_deltas": nodes })
    }

    pub(super) fn from_json(value: &Value, default: ProtocolVersion) -> Result<ChitchatEnvelope> {
        let (type_name, fields) = split_message(P, value)?;
        let f = Fields::new(P, type_name, fields)?;
        let version = if f.has("version") {
            let name = f.str("version")?;
            ProtocolVersion::from_name(name)
                .ok_or_else(|| f.error("version", format!("{name:?} is not V0 or V1")))?
        } else {
            default
        };
        let message = match type_name {
            "Syn" => {
                f.deny_unknown(&["version", "cluster_id", "digest"])?;
                ChitchatMessage::Syn {
                    cluster_id: f.str("cluster_id")?.to_owned(),
                    digest: digest(&f.object("digest", "digest")?)?,
                }
            }
            "SynAck" => {
                f.deny_unknown(&["version", "digest", "delta"])?;
                ChitchatMessage::SynAck {
                    digest: digest(&f.object("digest", "digest")?)?,
                    delta: delta(&f.object("delta", "delta")?)?,
                }
            }
            "Ack" => {
                f.deny_unknown(&["version", "delta"])?;
                ChitchatMessage::Ack {
                    delta: delta(&f.object("delta", "delta")?)?,
                }
            }
            "BadCluster" => {
                f.deny_unknown(&["version"])?;
                ChitchatMessage::BadCluster
            }
            other => {
                return Err(Error::invalid_argument(
                    P,
                    format!(
                        "unknown message type {other:?} (expected Syn, SynAck, Ack or BadCluster)"
                    ),
                ))
            }
        };
        Ok(ChitchatEnvelope { version, message })
    }

    fn chitchat_id(f: &Fields<'_>) -> Result<ChitchatId> {
        f.deny_unknown(&["node_id", "generation_id", "gossip_advertise_addr"])?;
        let addr = f.str("gossip_advertise_addr")?;
        Ok(ChitchatId {
            node_id: f.str("node_id")?.to_owned(),
            generation_id: f.uint("generation_id")?,
            gossip_advertise_addr: addr.parse().map_err(|e| {
                f.error(
                    "gossip_advertise_addr",
                    format!("{addr:?} is not a socket address: {e}"),
                )
            })?,
        })
    }

    fn digest(f: &Fields<'_>) -> Result<Digest> {
        f.deny_unknown(&["node_digests"])?;
        let mut digest = Digest::default();
        for entry in f.array("node_digests")? {
            let e = Fields::new(P, "node_digest", entry)?;
            e.deny_unknown(&["chitchat_id", "heartbeat", "last_gc_version", "max_version"])?;
            let id = chitchat_id(&e.object("chitchat_id", "chitchat_id")?)?;
            let node = NodeDigest {
                heartbeat: e.uint("heartbeat")?,
                last_gc_version: e.uint("last_gc_version")?,
                max_version: e.uint("max_version")?,
            };
            if digest.node_digests.insert(id, node).is_some() {
                return Err(e.error("chitchat_id", "appears twice in the digest"));
            }
        }
        Ok(digest)
    }

    fn delta(f: &Fields<'_>) -> Result<Delta> {
        f.deny_unknown(&["node_deltas"])?;
        let mut delta = Delta::default();
        for entry in f.array("node_deltas")? {
            let n = Fields::new(P, "node_delta", entry)?;
            n.deny_unknown(&[
                "chitchat_id",
                "last_gc_version",
                "from_version_excluded",
                "key_values",
                "max_version",
            ])?;
            let mut key_values = Vec::new();
            for kv in n.array("key_values")? {
                let k = Fields::new(P, "key_value", kv)?;
                k.deny_unknown(&["key", "value", "version", "status"])?;
                let status = k.str("status")?;
                key_values.push(KeyValueMutation {
                    key: k.str("key")?.to_owned(),
                    value: k.str("value")?.to_owned(),
                    version: k.uint("version")?,
                    status: DeletionStatusMutation::from_name(status).ok_or_else(|| {
                        k.error(
                            "status",
                            format!("{status:?} is not Set, Delete or DeleteAfterTtl"),
                        )
                    })?,
                });
            }
            delta.node_deltas.push(NodeDelta {
                chitchat_id: chitchat_id(&n.object("chitchat_id", "chitchat_id")?)?,
                from_version_excluded: n.uint("from_version_excluded")?,
                last_gc_version: n.uint("last_gc_version")?,
                key_values,
                max_version: n.uint("max_version")?,
            });
        }
        Ok(delta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(node_id: &str, addr: &str) -> ChitchatId {
        ChitchatId {
            node_id: node_id.into(),
            generation_id: 1,
            gossip_advertise_addr: addr.parse().unwrap(),
        }
    }

    fn ack(delta: Delta) -> ChitchatEnvelope {
        ChitchatEnvelope {
            version: ProtocolVersion::V0,
            message: ChitchatMessage::Ack { delta },
        }
    }

    fn node(chitchat_id: ChitchatId, key_values: Vec<KeyValueMutation>) -> NodeDelta {
        let max_version = key_values.last().map_or(0, |kv| kv.version);
        NodeDelta {
            chitchat_id,
            from_version_excluded: 0,
            last_gc_version: 0,
            key_values,
            max_version,
        }
    }

    fn kv(key: &str, value: String, version: u64) -> KeyValueMutation {
        KeyValueMutation {
            key: key.into(),
            value,
            version,
            status: DeletionStatusMutation::Set,
        }
    }

    /// A message trickled one byte at a time is parsed again only when a field can complete,
    /// not on every byte, and decodes as in one piece.
    #[test]
    fn trickled_bytes_reparse_once_per_field() {
        let node_digests = (0..500u64)
            .map(|i| {
                let digest = NodeDigest {
                    heartbeat: i,
                    last_gc_version: 0,
                    max_version: i,
                };
                (id(&format!("node-{i:04}"), "10.0.0.1:7000"), digest)
            })
            .collect();
        let envelope = ChitchatEnvelope {
            version: ProtocolVersion::V0,
            message: ChitchatMessage::Syn {
                cluster_id: "cluster".into(),
                digest: Digest { node_digests },
            },
        };
        let bytes = encode(&envelope).unwrap();
        let mut codec = ChitchatCodec::default();
        let mut buf = BytesMut::new();
        let mut parses = 0;
        let mut decoded = None;
        for &b in &bytes {
            buf.put_u8(b);
            parses += usize::from(buf.len() >= codec.needed);
            if let Some(frame) = codec.decode(&mut buf).unwrap() {
                decoded = Some(frame);
            }
        }
        assert_eq!(decoded, Some(envelope));
        // Each entry has 8 fixed-size or length-prefixed reads.
        assert!(
            parses <= 10 * 500,
            "{parses} parses for {} bytes",
            bytes.len()
        );
    }

    #[test]
    fn no_full_block_is_under_fourteen_bytes() {
        let n = zstd::bulk::compress_to_buffer(&[7; BLOCK_THRESHOLD], &mut [0; 64], 0).unwrap();
        assert!(3 + n as u64 >= MIN_FULL_BLOCK_LEN, "{n}");
        assert_eq!(MAX_DECOMPRESSED_SIZE, 76_644_352);
    }

    #[test]
    fn blocks_are_cut_at_16384_raw_bytes() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let noise: String = (0..40_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                char::from(b'!' + (state % 90) as u8)
            })
            .collect();
        let delta = Delta {
            node_deltas: vec![node(
                id("a", "10.0.0.1:1"),
                vec![
                    kv("k", noise[..30_000].into(), 1),
                    kv("l", noise[30_000..].into(), 2),
                ],
            )],
        };
        let bytes = encode(&ack(delta.clone())).unwrap();
        let mut at = HEADER_LEN;
        let mut sizes = Vec::new();
        while bytes[at] != 0 {
            let n = usize::from(u16::from_le_bytes([bytes[at + 1], bytes[at + 2]]));
            let data = &bytes[at + 3..at + 3 + n];
            sizes.push(match bytes[at] {
                1 => zstd::bulk::decompress(data, MAX_BLOCK_DECOMPRESSED_LEN)
                    .unwrap()
                    .len(),
                _ => n,
            });
            at += 3 + n;
        }
        let ops =
            1 + id_len(delta.node_deltas[0].chitchat_id.as_id_ref()) + 16 + 2 * (1 + 2 + 1 + 2 + 9);
        assert_eq!(sizes, [16_384, 16_384, 40_000 + ops - 32_768]);
        assert_eq!(decode(&bytes).unwrap(), ack(delta));
    }

    #[test]
    fn decompression_is_capped() {
        // One block of 16,384 repeated bytes inflates to more than a 10,000-byte cap.
        let delta = Delta {
            node_deltas: vec![node(
                id("a", "10.0.0.1:1"),
                vec![kv("k", "x".repeat(20_000), 1)],
            )],
        };
        let bytes = encode(&ack(delta)).unwrap();
        assert_eq!(bytes[HEADER_LEN], 1, "expected a compressed block");
        let limits = Limits {
            max_frame_size: MAX_FRAME_SIZE,
            max_decompressed_size: 10_000,
        };
        let mut codec = ChitchatCodec::with_limits(limits).unwrap();
        let e = codec.decode(&mut BytesMut::from(&bytes[..])).unwrap_err();
        assert_eq!(
            (e.kind(), e.offset()),
            (ErrorKind::TooLarge, Some(HEADER_LEN))
        );
    }

    #[test]
    fn zstd_bomb_stops_at_the_default_cap() {
        // 65,535 zero bytes per ~20-byte block: a 60 KB datagram would inflate to ~200 MB.
        let mut frame = vec![0; MAX_BLOCK_DECOMPRESSED_LEN];
        let n = zstd::bulk::compress_to_buffer(&vec![0; MAX_BLOCK_DECOMPRESSED_LEN], &mut frame, 0)
            .unwrap();
        frame.truncate(n);
        let mut bytes = vec![0x53, 0xb0, 0, 2];
        while bytes.len() + 3 + n < MAX_FRAME_SIZE as usize {
            bytes.push(1);
            bytes.extend_from_slice(&(n as u16).to_le_bytes());
            bytes.extend_from_slice(&frame);
        }
        bytes.push(0);
        let e = decode(&bytes).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TooLarge, "{e}");
        let blocks_allowed = MAX_DECOMPRESSED_SIZE as usize / MAX_BLOCK_DECOMPRESSED_LEN;
        assert_eq!(e.offset(), Some(HEADER_LEN + blocks_allowed * (3 + n)));
    }

    #[test]
    fn frame_limit_is_checked_before_the_bytes_arrive() {
        let mut codec = ChitchatCodec::default();
        // Ack with an uncompressed block declaring 65,535 bytes: past the 65,507-byte limit.
        let mut buf = BytesMut::from(&[0x53, 0xb0, 0, 2, 2, 0xff, 0xff][..]);
        let e = codec.decode(&mut buf).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TooLarge);
        // The same with a smaller declared length is just a prefix.
        let mut buf = BytesMut::from(&[0x53, 0xb0, 0, 2, 2, 0xff, 0x00][..]);
        assert_eq!(codec.decode(&mut buf).unwrap(), None);
        assert_eq!(buf.len(), 7);
    }

    #[test]
    fn encode_refuses_what_the_crate_would_truncate_or_lose() {
        let long = "x".repeat(MAX_LEN + 1);
        let syn = |cluster_id: String, digest: Digest| ChitchatEnvelope {
            version: ProtocolVersion::V0,
            message: ChitchatMessage::Syn { cluster_id, digest },
        };
        let mut big = Digest::default();
        for i in 0..=MAX_LEN {
            big.node_digests
                .insert(id(&i.to_string(), "10.0.0.1:1"), NodeDigest::default());
        }
        let mut scoped = id("a", "[fe80::1]:1");
        if let SocketAddr::V6(v6) = &mut scoped.gossip_advertise_addr {
            v6.set_scope_id(3);
        }
        let mut with_scope = Digest::default();
        with_scope
            .node_digests
            .insert(scoped, NodeDigest::default());
        let mut inconsistent = node(id("a", "10.0.0.1:1"), vec![kv("k", "v".into(), 5)]);
        inconsistent.max_version = 2;
        let cases = [
            syn(long.clone(), Digest::default()),
            syn("c".into(), big),
            syn("c".into(), with_scope),
            ack(Delta {
                node_deltas: vec![node(
                    id("a", "10.0.0.1:1"),
                    vec![kv(&long, String::new(), 1)],
                )],
            }),
            ack(Delta {
                node_deltas: vec![node(id("a", "10.0.0.1:1"), vec![kv("k", "v".into(), 0)])],
            }),
            ack(Delta {
                node_deltas: vec![
                    node(id("a", "10.0.0.1:1"), vec![]),
                    node(id("a", "10.0.0.1:1"), vec![]),
                ],
            }),
            ack(Delta {
                node_deltas: vec![inconsistent],
            }),
            ack(Delta {
                node_deltas: vec![node(
                    id("a", "10.0.0.1:1"),
                    vec![kv(&"k".repeat(30_000), "v".repeat(40_000), 1)],
                )],
            }),
        ];
        for (i, case) in cases.iter().enumerate() {
            let mut dst = BytesMut::new();
            let e = ChitchatCodec::default()
                .encode(case, &mut dst)
                .expect_err(&i.to_string());
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
            assert!(dst.is_empty());
        }
    }

    #[test]
    fn delta_from_operations_applies_the_crate_rules() {
        let delta = Delta {
            node_deltas: vec![NodeDelta {
                max_version: 7,
                ..node(id("a", "10.0.0.1:1"), vec![])
            }],
        };
        assert_eq!(Delta::from_operations(delta.operations()).unwrap(), delta);
        let e = Delta::from_operations([DeltaOp::SetMaxVersion { max_version: 1 }]).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Malformed, Some(0)));
    }

    #[test]
    fn unsorted_and_repeated_digest_entries_decode_like_map_inserts() {
        let node = |heartbeat| NodeDigest {
            heartbeat,
            ..NodeDigest::default()
        };
        let entries = vec![
            (id("b", "10.0.0.1:1"), node(1)),
            (id("a", "10.0.0.1:1"), node(2)),
            (id("b", "10.0.0.1:1"), node(3)),
            (id("a", "10.0.0.1:1"), node(4)),
            (id("c", "10.0.0.1:1"), node(5)),
        ];
        let mut expected = BTreeMap::new();
        for (id, node) in entries.clone() {
            expected.insert(id, node);
        }
        assert_eq!(digest_from_entries(entries).node_digests, expected);
    }

    #[test]
    fn sniff_needs_the_magic() {
        assert!(sniff(&[0x53, 0xb0, 1, 3]));
        assert!(!sniff(&[0x53, 0xb0, 2]));
        assert!(!sniff(&[0xb0, 0x53, 0, 0]));
        assert!(!sniff(&[0x53]));
        let syn = [0x53, 0xb0, 0, 0, 0, 0, 1, 0, 0x63];
        assert_eq!(crate::detect(&syn), Some(Protocol::Chitchat));
    }

    #[test]
    #[cfg(feature = "json")]
    fn version_option_applies_to_messages_without_one() {
        let mut codec = crate::AnyCodec::new(Protocol::Chitchat);
        codec.set_option("version", "V1").unwrap();
        let e = codec.set_option("version", "V2").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let json = serde_json::json!({"type": "Ack", "fields": {"delta": {"node_deltas": []}}});
        let frame = codec.from_json(&json).unwrap();
        let mut dst = BytesMut::new();
        codec.encode(&frame, &mut dst).unwrap();
        assert_eq!(&dst[..], [0x53, 0xb0, 1, 2, 0]);
        let mut codec = ChitchatCodec::default().with_version(ProtocolVersion::V1);
        let mut dst = BytesMut::new();
        codec
            .encode_message(&ChitchatMessage::BadCluster, &mut dst)
            .unwrap();
        assert_eq!(&dst[..], [0x53, 0xb0, 1, 3]);
    }
}
