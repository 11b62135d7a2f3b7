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

use bytes::{BufMut, BytesMut};

use crate::{codec, Codec, Error, Limits, Protocol, Result};

mod decode;
mod encode;
#[cfg(feature = "json")]
mod json;
mod model;

pub use model::{
    ChitchatEnvelope, ChitchatId, ChitchatMessage, ChitchatMessageRef, DeletionStatusMutation,
    Delta, DeltaOp, Digest, DigestEntryRef, KeyValueMutation, NodeDelta, NodeDigest,
    ProtocolVersion,
};

const P: Protocol = Protocol::Chitchat;

/// The magic number, written little-endian (`53 b0`).
pub const MAGIC: u16 = 45_139;
/// Header length: magic, protocol version, message type.
pub const HEADER_LEN: usize = 4;
/// Message type of [`ChitchatMessage::Syn`].
pub const TYPE_SYN: u8 = 0;
/// Message type of [`ChitchatMessage::SynAck`].
pub const TYPE_SYN_ACK: u8 = 1;
/// Message type of [`ChitchatMessage::Ack`].
pub const TYPE_ACK: u8 = 2;
/// Message type of [`ChitchatMessage::BadCluster`].
pub const TYPE_BAD_CLUSTER: u8 = 3;
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
        self.write_ref(version, message, &mut out)?;
        Ok(out)
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

    fn encoded_len_encodes(&self) -> bool {
        true
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    pub(super) fn id(node_id: &str, addr: &str) -> ChitchatId {
        ChitchatId {
            node_id: node_id.into(),
            generation_id: 1,
            gossip_advertise_addr: addr.parse().unwrap(),
        }
    }

    pub(super) fn ack(delta: Delta) -> ChitchatEnvelope {
        ChitchatEnvelope {
            version: ProtocolVersion::V0,
            message: ChitchatMessage::Ack { delta },
        }
    }

    pub(super) fn node(chitchat_id: ChitchatId, key_values: Vec<KeyValueMutation>) -> NodeDelta {
        let max_version = key_values.last().map_or(0, |kv| kv.version);
        NodeDelta {
            chitchat_id,
            from_version_excluded: 0,
            last_gc_version: 0,
            key_values,
            max_version,
        }
    }

    pub(super) fn kv(key: &str, value: String, version: u64) -> KeyValueMutation {
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
