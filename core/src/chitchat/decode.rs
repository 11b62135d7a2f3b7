//! Decoding, in the crate's order: the outer structure first (self-delimiting, nothing
//! decompressed, so a stream is framed without inflating anything), then the block streams
//! (decompressed under the cap) and their items.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::model::DeltaBuilder;
use super::{
    ChitchatCodec, ChitchatEnvelope, ChitchatId, ChitchatMessage, DeletionStatusMutation, Delta,
    DeltaOp, Digest, KeyValueMutation, NodeDigest, ProtocolVersion, Zstd, MAGIC,
    MAX_BLOCK_DECOMPRESSED_LEN, P, TYPE_ACK, TYPE_BAD_CLUSTER, TYPE_SYN, TYPE_SYN_ACK,
};
use crate::{le, Error, ErrorKind, Result};

// ---------------------------------------------------------------------------------------------
// Phase 1: the outer structure.

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

/// A read of the outer structure past its bytes: past `limit` it is `too_large`, else the
/// buffer must grow to the read's end.
struct OuterEnd {
    limit: u64,
}

impl le::Short for OuterEnd {
    type Error = Stop;

    fn short(&self, at: usize, n: usize) -> Stop {
        let end = at.saturating_add(n);
        if end as u64 > self.limit {
            return Error::too_large(P, at, "message", end as u64, self.limit).into();
        }
        Stop::NeedMore(end)
    }
}

/// Reads the message from the front of the buffer; reads past the buffer are `NeedMore`, reads
/// past the limit are `too_large`.
type Outer<'a> = le::Reader<'a, OuterEnd>;

/// The reader of the message at the front of `buf`. It is given the buffer only up to `limit`,
/// so that a read fails when it reaches past either and [`OuterEnd`] tells which.
fn outer(buf: &[u8], limit: u64) -> Outer<'_> {
    let seen = usize::try_from(limit).map_or(buf, |limit| buf.get(..limit).unwrap_or(buf));
    le::Reader::new(seen, OuterEnd { limit })
}

impl<'a> Outer<'a> {
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
            TYPE_SYN => {
                let digest = self.digest(version)?;
                RawMessage::Syn {
                    digest,
                    cluster_id: self.string()?,
                }
            }
            TYPE_SYN_ACK => RawMessage::SynAck {
                digest: self.digest(version)?,
                delta: self.blocks()?,
            },
            TYPE_ACK => RawMessage::Ack {
                delta: self.blocks()?,
            },
            TYPE_BAD_CLUSTER => RawMessage::BadCluster,
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
// Phase 2: block streams and their items.

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

/// A decoded stream (named `what` in errors) that ends inside an item: `malformed`.
struct StreamEnd<'s> {
    stream: &'s Stream,
    what: &'static str,
}

impl le::Short for StreamEnd<'_> {
    type Error = Error;

    fn short(&self, at: usize, _: usize) -> Error {
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
}

/// Reads items from a decoded stream.
type Inner<'s> = le::Reader<'s, StreamEnd<'s>>;

fn inner<'s>(stream: &'s Stream, what: &'static str) -> Inner<'s> {
    le::Reader::new(&stream.data, StreamEnd { stream, what })
}

impl Inner<'_> {
    /// Message offset of stream position `pos`.
    fn offset_of(&self, pos: usize) -> usize {
        self.short.stream.offset_of(pos)
    }

    fn string(&mut self) -> Result<String> {
        let len = usize::from(self.u16()?);
        let at = self.pos;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map(str::to_owned).map_err(|e| {
            Error::at(
                P,
                ErrorKind::InvalidUtf8,
                self.offset_of(at + e.valid_up_to()),
                format!("string in the {} is not UTF-8: {e}", self.short.what),
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
            tag => return Err(Error::malformed(P, self.offset_of(at), bad_ip_tag(tag))),
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
                        self.offset_of(status_at),
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
                    self.offset_of(at),
                    format!("unknown op tag {tag} (expected 0, 1 or 2)"),
                ))
            }
        })
    }
}

fn decode_digest(raw: RawDigest<'_>, inflater: &mut Inflater) -> Result<Digest> {
    let blocks = match raw {
        RawDigest::V0(digest) => return Ok(digest),
        RawDigest::V1(blocks) => blocks,
    };
    let stream = inflater.stream(&blocks)?;
    let mut items = inner(&stream, "digest stream");
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
    let mut items = inner(&stream, "delta op stream");
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

impl ChitchatCodec {
    /// The message at the front of `buf` and its length, or how many bytes `buf` must hold
    /// before parsing can get further.
    pub(super) fn parse(
        &self,
        buf: &[u8],
    ) -> Result<std::result::Result<(ChitchatEnvelope, usize), usize>> {
        let mut outer = outer(buf, self.limits.max_frame_size);
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
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use bytes::BytesMut;

    use super::*;
    use crate::chitchat::tests::{ack, id, kv, node};
    use crate::chitchat::{decode, encode, HEADER_LEN, MAX_DECOMPRESSED_SIZE, MAX_FRAME_SIZE};
    use crate::{Codec, Limits};

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
}
