//! Encoding: the crate's canonical bytes, checked as they are written.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};

use super::model::IdRef;
use super::{
    ChitchatCodec, ChitchatEnvelope, ChitchatMessage, ChitchatMessageRef, Delta, Digest,
    DigestEntryRef, NodeDigest, ProtocolVersion, Zstd, BLOCK_THRESHOLD, HEADER_LEN, MAGIC, MAX_LEN,
    P, TYPE_ACK, TYPE_BAD_CLUSTER, TYPE_SYN, TYPE_SYN_ACK,
};
use crate::{Error, Result};

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
            Parts::Syn { .. } => TYPE_SYN,
            Parts::SynAck { .. } => TYPE_SYN_ACK,
            Parts::Ack { .. } => TYPE_ACK,
            Parts::BadCluster => TYPE_BAD_CLUSTER,
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

impl ChitchatCodec {
    /// Append the encoding of `frame` to `out` (nothing on error).
    pub(super) fn write(&self, frame: &ChitchatEnvelope, out: &mut Vec<u8>) -> Result<()> {
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

    /// Append the encoding of `message` in `version` to `out` (nothing on error), its digest
    /// entries put in the order of the [`Digest`] they would build.
    pub(super) fn write_ref(
        &self,
        version: ProtocolVersion,
        message: &ChitchatMessageRef<'_>,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        match *message {
            ChitchatMessageRef::Syn { cluster_id, digest } => {
                let entries = digest_ref_entries(digest);
                let digest = entries.iter().map(|e| (e.id(), &e.digest));
                self.write_parts(version, Parts::Syn { cluster_id, digest }, out)
            }
            ChitchatMessageRef::SynAck { digest, delta } => {
                let entries = digest_ref_entries(digest);
                let digest = entries.iter().map(|e| (e.id(), &e.digest));
                self.write_parts(version, Parts::SynAck { digest, delta }, out)
            }
            ChitchatMessageRef::Ack { delta } => {
                let parts: Parts<NoDigest> = Parts::Ack { delta };
                self.write_parts(version, parts, out)
            }
            ChitchatMessageRef::BadCluster => {
                let parts: Parts<NoDigest> = Parts::BadCluster;
                self.write_parts(version, parts, out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;

    use super::*;
    use crate::chitchat::tests::{ack, id, kv, node};
    use crate::chitchat::{decode, encode, MAX_BLOCK_DECOMPRESSED_LEN};
    use crate::{Codec, ErrorKind};

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
}
