//! `wire_chitchat_*`: chitchat gossip messages (Syn, SynAck, Ack, BadCluster).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use wire_core::chitchat::{
    ChitchatCodec, ChitchatEnvelope, ChitchatId, ChitchatMessage, ChitchatMessageRef,
    DeletionStatusMutation, Delta, Digest, DigestEntryRef, KeyValueMutation, NodeDelta, NodeDigest,
    ProtocolVersion,
};
use wire_core::{AnyCodec, Protocol};

use crate::array_arg;
use crate::frame::{codec_for, decode_into, Ctx, View};
use crate::{
    arg, bytes_arg, ffi_fn, ffi_value, out, str_arg, str_ref, wire_frame, wire_limits, wire_slice,
    wire_status, write_out, Fail, Res,
};

const P: Protocol = Protocol::Chitchat;

/// Message type `Syn`.
pub const WIRE_CHITCHAT_SYN: u8 = 0;
/// Message type `SynAck`.
pub const WIRE_CHITCHAT_SYN_ACK: u8 = 1;
/// Message type `Ack`.
pub const WIRE_CHITCHAT_ACK: u8 = 2;
/// Message type `BadCluster`.
pub const WIRE_CHITCHAT_BAD_CLUSTER: u8 = 3;

/// An IP socket address: `family` 4 (first 4 bytes of `ip`) or 6 (16 bytes), port in host
/// order.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_socket_addr {
    /// 4 or 6.
    pub family: u8,
    /// Address bytes in network order.
    pub ip: [u8; 16],
    /// Port.
    pub port: u16,
}

/// `ChitchatId`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_chitchat_id {
    /// Node id (UTF-8).
    pub node_id: wire_slice,
    /// Generation.
    pub generation_id: u64,
    /// Gossip address.
    pub gossip_advertise_addr: wire_socket_addr,
}

/// One digest entry: a node and its `NodeDigest`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_chitchat_node_digest {
    /// The node.
    pub chitchat_id: wire_chitchat_id,
    /// Heartbeat.
    pub heartbeat: u64,
    /// GC watermark.
    pub last_gc_version: u64,
    /// Highest version known.
    pub max_version: u64,
}

/// `KeyValueMutation`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_chitchat_key_value {
    /// Key (UTF-8).
    pub key: wire_slice,
    /// Value (UTF-8).
    pub value: wire_slice,
    /// Version (at least 1).
    pub version: u64,
    /// `DeletionStatusMutation`: 0 Set, 1 Delete, 2 DeleteAfterTtl.
    pub status: u8,
}

/// `NodeDelta`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_chitchat_node_delta {
    /// The node.
    pub chitchat_id: wire_chitchat_id,
    /// Every record after this version is included (0 = reset).
    pub from_version_excluded: u64,
    /// GC watermark.
    pub last_gc_version: u64,
    /// Key-value updates, versions strictly increasing.
    pub key_values: *const wire_chitchat_key_value,
    /// Number of key-values.
    pub key_values_len: usize,
    /// Max version (the last kv's when there are key-values).
    pub max_version: u64,
}

/// A chitchat message with its header's protocol version. `cluster_id` is set for Syn; the
/// digest for Syn and SynAck; the delta for SynAck and Ack (other fields empty).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_chitchat_msg {
    /// Protocol version: 0 (V0) or 1 (V1).
    pub version: u8,
    /// `WIRE_CHITCHAT_SYN` ... `WIRE_CHITCHAT_BAD_CLUSTER`.
    pub r#type: u8,
    /// Syn: the cluster id (UTF-8).
    pub cluster_id: wire_slice,
    /// Digest entries (in `ChitchatId` order when decoded).
    pub digest: *const wire_chitchat_node_digest,
    /// Number of digest entries.
    pub digest_len: usize,
    /// Delta node updates, in send order.
    pub delta: *const wire_chitchat_node_delta,
    /// Number of node updates.
    pub delta_len: usize,
}

fn addr_view(a: &SocketAddr) -> wire_socket_addr {
    let mut ip = [0; 16];
    let family = match a.ip() {
        IpAddr::V4(v4) => {
            ip[..4].copy_from_slice(&v4.octets());
            4
        }
        IpAddr::V6(v6) => {
            ip = v6.octets();
            6
        }
    };
    wire_socket_addr {
        family,
        ip,
        port: a.port(),
    }
}

fn id_view(id: &ChitchatId, cx: &Ctx) -> wire_chitchat_id {
    wire_chitchat_id {
        node_id: cx.view(id.node_id.as_bytes()),
        generation_id: id.generation_id,
        gossip_advertise_addr: addr_view(&id.gossip_advertise_addr),
    }
}

fn digest_view(d: &Digest, cx: &mut Ctx) -> (*const wire_chitchat_node_digest, usize) {
    let entries = d
        .node_digests
        .iter()
        .map(|(id, nd)| wire_chitchat_node_digest {
            chitchat_id: id_view(id, cx),
            heartbeat: nd.heartbeat,
            last_gc_version: nd.last_gc_version,
            max_version: nd.max_version,
        })
        .collect();
    cx.arena.slice(entries)
}

fn delta_view(d: &Delta, cx: &mut Ctx) -> (*const wire_chitchat_node_delta, usize) {
    let nodes = d
        .node_deltas
        .iter()
        .map(|n| {
            let kvs = n
                .key_values
                .iter()
                .map(|kv| wire_chitchat_key_value {
                    key: cx.view(kv.key.as_bytes()),
                    value: cx.view(kv.value.as_bytes()),
                    version: kv.version,
                    status: kv.status as u8,
                })
                .collect();
            let (key_values, key_values_len) = cx.arena.slice(kvs);
            wire_chitchat_node_delta {
                chitchat_id: id_view(&n.chitchat_id, cx),
                from_version_excluded: n.from_version_excluded,
                last_gc_version: n.last_gc_version,
                key_values,
                key_values_len,
                max_version: n.max_version,
            }
        })
        .collect();
    cx.arena.slice(nodes)
}

pub(crate) fn view(e: &ChitchatEnvelope, cx: &mut Ctx) -> wire_chitchat_msg {
    let mut v = wire_chitchat_msg {
        version: e.version.to_code(),
        r#type: e.message.message_type(),
        cluster_id: wire_slice::EMPTY,
        digest: std::ptr::null(),
        digest_len: 0,
        delta: std::ptr::null(),
        delta_len: 0,
    };
    match &e.message {
        ChitchatMessage::Syn { cluster_id, digest } => {
            v.cluster_id = cx.view(cluster_id.as_bytes());
            (v.digest, v.digest_len) = digest_view(digest, cx);
        }
        ChitchatMessage::SynAck { digest, delta } => {
            (v.digest, v.digest_len) = digest_view(digest, cx);
            (v.delta, v.delta_len) = delta_view(delta, cx);
        }
        ChitchatMessage::Ack { delta } => (v.delta, v.delta_len) = delta_view(delta, cx),
        ChitchatMessage::BadCluster => {}
    }
    v
}

fn addr_arg(a: &wire_socket_addr) -> Res<SocketAddr> {
    let ip = match a.family {
        4 => IpAddr::V4(Ipv4Addr::new(a.ip[0], a.ip[1], a.ip[2], a.ip[3])),
        6 => IpAddr::V6(Ipv6Addr::from(a.ip)),
        n => {
            return Err(Fail::invalid(
                P,
                format!("address family {n}: expected 4 or 6"),
            ))
        }
    };
    Ok(SocketAddr::new(ip, a.port))
}

unsafe fn id_arg(id: &wire_chitchat_id) -> Res<ChitchatId> {
    Ok(ChitchatId {
        node_id: str_arg(P, &id.node_id, "node_id")?,
        generation_id: id.generation_id,
        gossip_advertise_addr: addr_arg(&id.gossip_advertise_addr)?,
    })
}

/// The digest entries of a caller-filled struct, borrowed: a `Digest` would cost a `String`
/// and a map node per entry, several times what writing the entry costs.
unsafe fn digest_arg<'a>(m: &wire_chitchat_msg) -> Res<Vec<DigestEntryRef<'a>>> {
    array_arg(m.digest, m.digest_len, "msg.digest")?
        .iter()
        .map(|e| {
            let id = &e.chitchat_id;
            Ok(DigestEntryRef {
                node_id: str_ref(P, &id.node_id, "node_id")?,
                generation_id: id.generation_id,
                gossip_advertise_addr: addr_arg(&id.gossip_advertise_addr)?,
                digest: NodeDigest {
                    heartbeat: e.heartbeat,
                    last_gc_version: e.last_gc_version,
                    max_version: e.max_version,
                },
            })
        })
        .collect()
}

unsafe fn delta_arg(m: &wire_chitchat_msg) -> Res<Delta> {
    let nodes = array_arg(m.delta, m.delta_len, "msg.delta")?;
    let node_deltas = nodes
        .iter()
        .map(|n| {
            let kvs = array_arg(n.key_values, n.key_values_len, "key_values")?;
            let key_values = kvs
                .iter()
                .map(|kv| {
                    Ok(KeyValueMutation {
                        key: str_arg(P, &kv.key, "key")?,
                        value: str_arg(P, &kv.value, "value")?,
                        version: kv.version,
                        status: DeletionStatusMutation::from_code(kv.status).ok_or_else(|| {
                            Fail::invalid(P, format!("status {}: expected 0..=2", kv.status))
                        })?,
                    })
                })
                .collect::<Res<_>>()?;
            Ok(NodeDelta {
                chitchat_id: id_arg(&n.chitchat_id)?,
                from_version_excluded: n.from_version_excluded,
                last_gc_version: n.last_gc_version,
                key_values,
                max_version: n.max_version,
            })
        })
        .collect::<Res<_>>()?;
    Ok(Delta { node_deltas })
}

/// The encoding of a caller-filled struct in its `version`.
unsafe fn encode_msg(codec: &ChitchatCodec, msg: *const wire_chitchat_msg) -> Res<Vec<u8>> {
    let m = arg(msg, "msg")?;
    let version = ProtocolVersion::from_code(m.version)
        .ok_or_else(|| Fail::invalid(P, format!("version {}: expected 0 or 1", m.version)))?;
    let encode = |message| Ok(codec.encode_ref_to_vec(version, &message)?);
    match m.r#type {
        WIRE_CHITCHAT_SYN => {
            let cluster_id = str_ref(P, &m.cluster_id, "msg.cluster_id")?;
            let digest = digest_arg(m)?;
            encode(ChitchatMessageRef::Syn {
                cluster_id,
                digest: &digest,
            })
        }
        WIRE_CHITCHAT_SYN_ACK => {
            let digest = digest_arg(m)?;
            let delta = delta_arg(m)?;
            encode(ChitchatMessageRef::SynAck {
                digest: &digest,
                delta: &delta,
            })
        }
        WIRE_CHITCHAT_ACK => encode(ChitchatMessageRef::Ack {
            delta: &delta_arg(m)?,
        }),
        WIRE_CHITCHAT_BAD_CLUSTER => encode(ChitchatMessageRef::BadCluster),
        n => Err(Fail::invalid(
            P,
            format!("message type {n}: expected 0..=3"),
        )),
    }
}

fn codec(limits: *const wire_limits) -> Res<ChitchatCodec> {
    let AnyCodec::Chitchat(codec) = codec_for(P, limits)? else {
        unreachable!("codec_for(Chitchat) is the chitchat codec")
    };
    Ok(codec)
}

/// Decode exactly one chitchat message (`limits` NULL: defaults; the version is read from the
/// header). `*frame` is a new handle; read it with `wire_frame_chitchat`.
#[no_mangle]
pub extern "C" fn wire_chitchat_decode(
    buf: *const u8,
    len: usize,
    limits: *const wire_limits,
    frame: *mut *mut wire_frame,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes at `buf`.
        let input = unsafe { bytes_arg(buf, len, "buf")? };
        decode_into(codec_for(P, limits)?, input, frame)
    })
}

/// The chitchat message of a handle; NULL when the handle holds something else. Its digest and
/// delta arrays are owned by the handle.
#[no_mangle]
pub extern "C" fn wire_frame_chitchat(frame: *const wire_frame) -> *const wire_chitchat_msg {
    // SAFETY: the caller gives NULL or a live handle.
    ffi_value(std::ptr::null(), || {
        match unsafe { frame.as_ref() }.map(wire_frame::view) {
            Some(View::Chitchat(m)) => m,
            _ => std::ptr::null(),
        }
    })
}

/// Exact encoded size of `msg` in its `version` (compresses the delta to know it).
#[no_mangle]
pub extern "C" fn wire_chitchat_encoded_len(
    msg: *const wire_chitchat_msg,
    limits: *const wire_limits,
    len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let codec = codec(limits)?;
        // SAFETY: the caller gives a filled struct and a writable out-pointer.
        let bytes = unsafe { encode_msg(&codec, msg)? };
        let len = unsafe { out(len, "len")? };
        *len = bytes.len();
        Ok(())
    })
}

/// Encode `msg` in its `version` into `out`. `*out_len` is always set to the encoded size;
/// `WIRE_BUFFER_TOO_SMALL` when `cap` is under it (nothing written).
#[no_mangle]
pub extern "C" fn wire_chitchat_encode(
    msg: *const wire_chitchat_msg,
    limits: *const wire_limits,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let codec = codec(limits)?;
        // SAFETY: the caller gives a filled struct, `cap` writable bytes and `out_len`.
        let bytes = unsafe { encode_msg(&codec, msg)? };
        unsafe { write_out(&bytes, out, cap, out_len) }
    })
}
