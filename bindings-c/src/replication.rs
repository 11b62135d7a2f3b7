//! `wire_replication_*`: Noxu DB replication `ProtocolMessage`, framed (`[u32 LE len][msg]`) or
//! bare, in layout 7x or 3x, and the TCP service-name preamble.

use wire_core::replication::{
    self, GroupChangeType, Layout, NodeType, ProtocolMessage, RepNode, ReplicationCodec,
};
use wire_core::{AnyCodec, AnyFrame, Codec, Protocol};

use crate::frame::{codec_for, decode_into, hand_out, Ctx, Held, View};
use crate::lend::{lend, Lender};
use crate::{
    arg, bytes_arg, encode_out, ffi_fn, ffi_value, out, str_arg, wire_frame, wire_limits,
    wire_slice, wire_status, write_out, Fail, Res,
};

const P: Protocol = Protocol::Replication;

/// Which noxu-rep layout (`WIRE_REPLICATION_LAYOUT_*`): they differ only in
/// `ElectionProposal.dtvlsn`, and nothing in the bytes tells them apart.
pub type wire_replication_layout = u32;
/// noxu-rep 4.1.0 to 7.11.2 (the default): proposals carry `dtvlsn`.
pub const WIRE_REPLICATION_LAYOUT_7X: wire_replication_layout = 0;
/// noxu-rep 3.0.0 to 4.0.0: proposals have no `dtvlsn`.
pub const WIRE_REPLICATION_LAYOUT_3X: wire_replication_layout = 1;

/// `RepNode`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_node {
    /// Node name (UTF-8).
    pub name: wire_slice,
    /// `NodeType`: 0 Electable, 1 Monitor, 2 Secondary, 3 Arbiter.
    pub node_type: u8,
    /// Host (UTF-8).
    pub host: wire_slice,
    /// Port.
    pub port: u16,
    /// Node id.
    pub node_id: u32,
}

/// Tag 0x01.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_handshake {
    /// Node name.
    pub node_name: wire_slice,
    /// Group name.
    pub group_name: wire_slice,
    /// `NodeType` code.
    pub node_type: u8,
}

/// Tag 0x02.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_handshake_response {
    /// Accepted.
    pub accepted: bool,
    /// Whether `reason` is present.
    pub has_reason: bool,
    /// The reason (when `has_reason`).
    pub reason: wire_slice,
}

/// Tag 0x03.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_heartbeat {
    /// Master VLSN.
    pub master_vlsn: u64,
    /// Timestamp (ms).
    pub timestamp_ms: u64,
}

/// Tag 0x04.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_heartbeat_response {
    /// Replica VLSN.
    pub replica_vlsn: u64,
    /// Timestamp (ms).
    pub timestamp_ms: u64,
}

/// Tag 0x05.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_log_entry {
    /// VLSN.
    pub vlsn: u64,
    /// Entry type.
    pub entry_type: u8,
    /// Entry bytes.
    pub data: wire_slice,
}

/// Tag 0x06.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_ack {
    /// VLSN.
    pub vlsn: u64,
}

/// Tag 0x07.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_group_change {
    /// `GroupChangeType`: 0 Add, 1 Remove, 2 Update.
    pub change_type: u8,
    /// The node.
    pub node: wire_replication_node,
}

/// Tag 0x08.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_group_change_response {
    /// Accepted.
    pub accepted: bool,
}

/// Tag 0x09.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_election_proposal {
    /// Proposer.
    pub node_name: wire_slice,
    /// VLSN.
    pub vlsn: u64,
    /// Priority.
    pub priority: u32,
    /// Term.
    pub term: u64,
    /// Whether `dtvlsn` is present: exactly under layout 7x.
    pub has_dtvlsn: bool,
    /// DTVLSN (layout 7x).
    pub dtvlsn: u64,
}

/// Tag 0x0a.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_election_vote {
    /// Voter.
    pub voter: wire_slice,
    /// Granted.
    pub granted: bool,
    /// Term.
    pub term: u64,
}

/// Tag 0x0b.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_election_result {
    /// The master.
    pub master: wire_slice,
    /// Term.
    pub term: u64,
}

/// Tag 0x0c.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wire_replication_shutdown {
    /// Reason.
    pub reason: wire_slice,
}

/// The fields of a message; the member named after the tag is the one in use.
#[repr(C)]
#[derive(Clone, Copy)]
pub union wire_replication_body {
    /// Tag 0x01.
    pub handshake: wire_replication_handshake,
    /// Tag 0x02.
    pub handshake_response: wire_replication_handshake_response,
    /// Tag 0x03.
    pub heartbeat: wire_replication_heartbeat,
    /// Tag 0x04.
    pub heartbeat_response: wire_replication_heartbeat_response,
    /// Tag 0x05.
    pub log_entry: wire_replication_log_entry,
    /// Tag 0x06.
    pub ack: wire_replication_ack,
    /// Tag 0x07.
    pub group_change: wire_replication_group_change,
    /// Tag 0x08.
    pub group_change_response: wire_replication_group_change_response,
    /// Tag 0x09.
    pub election_proposal: wire_replication_election_proposal,
    /// Tag 0x0a.
    pub election_vote: wire_replication_election_vote,
    /// Tag 0x0b.
    pub election_result: wire_replication_election_result,
    /// Tag 0x0c.
    pub shutdown: wire_replication_shutdown,
}

/// A `ProtocolMessage`: its wire tag (0x01 Handshake ... 0x0c Shutdown) and the matching body.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct wire_replication_msg {
    /// The wire tag.
    pub tag: u8,
    /// The fields.
    pub body: wire_replication_body,
}

pub(crate) fn view(m: &ProtocolMessage, cx: &Ctx) -> wire_replication_msg {
    let s = |text: &String| cx.view(text.as_bytes());
    let body = match m {
        ProtocolMessage::Handshake {
            node_name,
            group_name,
            node_type,
        } => wire_replication_body {
            handshake: wire_replication_handshake {
                node_name: s(node_name),
                group_name: s(group_name),
                node_type: node_type.code(),
            },
        },
        ProtocolMessage::HandshakeResponse { accepted, reason } => wire_replication_body {
            handshake_response: wire_replication_handshake_response {
                accepted: *accepted,
                has_reason: reason.is_some(),
                reason: reason.as_ref().map_or(wire_slice::EMPTY, s),
            },
        },
        ProtocolMessage::Heartbeat {
            master_vlsn,
            timestamp_ms,
        } => wire_replication_body {
            heartbeat: wire_replication_heartbeat {
                master_vlsn: *master_vlsn,
                timestamp_ms: *timestamp_ms,
            },
        },
        ProtocolMessage::HeartbeatResponse {
            replica_vlsn,
            timestamp_ms,
        } => wire_replication_body {
            heartbeat_response: wire_replication_heartbeat_response {
                replica_vlsn: *replica_vlsn,
                timestamp_ms: *timestamp_ms,
            },
        },
        ProtocolMessage::LogEntry {
            vlsn,
            entry_type,
            data,
        } => wire_replication_body {
            log_entry: wire_replication_log_entry {
                vlsn: *vlsn,
                entry_type: *entry_type,
                data: cx.view(data),
            },
        },
        ProtocolMessage::Ack { vlsn } => wire_replication_body {
            ack: wire_replication_ack { vlsn: *vlsn },
        },
        ProtocolMessage::GroupChange { change_type, node } => wire_replication_body {
            group_change: wire_replication_group_change {
                change_type: change_type.code(),
                node: wire_replication_node {
                    name: s(&node.name),
                    node_type: node.node_type.code(),
                    host: s(&node.host),
                    port: node.port,
                    node_id: node.node_id,
                },
            },
        },
        ProtocolMessage::GroupChangeResponse { accepted } => wire_replication_body {
            group_change_response: wire_replication_group_change_response {
                accepted: *accepted,
            },
        },
        ProtocolMessage::ElectionProposal {
            node_name,
            vlsn,
            priority,
            term,
            dtvlsn,
        } => wire_replication_body {
            election_proposal: wire_replication_election_proposal {
                node_name: s(node_name),
                vlsn: *vlsn,
                priority: *priority,
                term: *term,
                has_dtvlsn: dtvlsn.is_some(),
                dtvlsn: dtvlsn.unwrap_or(0),
            },
        },
        ProtocolMessage::ElectionVote {
            voter,
            granted,
            term,
        } => wire_replication_body {
            election_vote: wire_replication_election_vote {
                voter: s(voter),
                granted: *granted,
                term: *term,
            },
        },
        ProtocolMessage::ElectionResult { master, term } => wire_replication_body {
            election_result: wire_replication_election_result {
                master: s(master),
                term: *term,
            },
        },
        ProtocolMessage::Shutdown { reason } => wire_replication_body {
            shutdown: wire_replication_shutdown { reason: s(reason) },
        },
    };
    wire_replication_msg { tag: m.tag(), body }
}

fn node_type(code: u8) -> Res<NodeType> {
    NodeType::from_code(code)
        .ok_or_else(|| Fail::invalid(P, format!("node_type {code}: expected 0..=3")))
}

/// The core message of a caller-filled struct (strings copied, bytes lent by `l`).
unsafe fn msg_arg(msg: *const wire_replication_msg, l: &Lender<'_>) -> Res<ProtocolMessage> {
    let m = arg(msg, "msg")?;
    let s = |v: &wire_slice, what: &str| str_arg(P, v, what);
    let b = &m.body;
    Ok(match m.tag {
        replication::TAG_HANDSHAKE => ProtocolMessage::Handshake {
            node_name: s(&b.handshake.node_name, "node_name")?,
            group_name: s(&b.handshake.group_name, "group_name")?,
            node_type: node_type(b.handshake.node_type)?,
        },
        replication::TAG_HANDSHAKE_RESPONSE => ProtocolMessage::HandshakeResponse {
            accepted: b.handshake_response.accepted,
            reason: match b.handshake_response.has_reason {
                true => Some(s(&b.handshake_response.reason, "reason")?),
                false => None,
            },
        },
        replication::TAG_HEARTBEAT => ProtocolMessage::Heartbeat {
            master_vlsn: b.heartbeat.master_vlsn,
            timestamp_ms: b.heartbeat.timestamp_ms,
        },
        replication::TAG_HEARTBEAT_RESPONSE => ProtocolMessage::HeartbeatResponse {
            replica_vlsn: b.heartbeat_response.replica_vlsn,
            timestamp_ms: b.heartbeat_response.timestamp_ms,
        },
        replication::TAG_LOG_ENTRY => ProtocolMessage::LogEntry {
            vlsn: b.log_entry.vlsn,
            entry_type: b.log_entry.entry_type,
            data: l.slice(&b.log_entry.data, "data")?,
        },
        replication::TAG_ACK => ProtocolMessage::Ack { vlsn: b.ack.vlsn },
        replication::TAG_GROUP_CHANGE => {
            let g = &b.group_change;
            ProtocolMessage::GroupChange {
                change_type: GroupChangeType::from_code(g.change_type).ok_or_else(|| {
                    Fail::invalid(P, format!("change_type {}: expected 0..=2", g.change_type))
                })?,
                node: RepNode {
                    name: s(&g.node.name, "node.name")?,
                    node_type: node_type(g.node.node_type)?,
                    host: s(&g.node.host, "node.host")?,
                    port: g.node.port,
                    node_id: g.node.node_id,
                },
            }
        }
        replication::TAG_GROUP_CHANGE_RESPONSE => ProtocolMessage::GroupChangeResponse {
            accepted: b.group_change_response.accepted,
        },
        replication::TAG_ELECTION_PROPOSAL => {
            let p = &b.election_proposal;
            ProtocolMessage::ElectionProposal {
                node_name: s(&p.node_name, "node_name")?,
                vlsn: p.vlsn,
                priority: p.priority,
                term: p.term,
                dtvlsn: p.has_dtvlsn.then_some(p.dtvlsn),
            }
        }
        replication::TAG_ELECTION_VOTE => ProtocolMessage::ElectionVote {
            voter: s(&b.election_vote.voter, "voter")?,
            granted: b.election_vote.granted,
            term: b.election_vote.term,
        },
        replication::TAG_ELECTION_RESULT => ProtocolMessage::ElectionResult {
            master: s(&b.election_result.master, "master")?,
            term: b.election_result.term,
        },
        replication::TAG_SHUTDOWN => ProtocolMessage::Shutdown {
            reason: s(&b.shutdown.reason, "reason")?,
        },
        n => {
            return Err(Fail::invalid(
                P,
                format!("tag {n:#04x}: expected 0x01..=0x0c"),
            ))
        }
    })
}

fn layout_arg(layout: wire_replication_layout) -> Res<Layout> {
    match layout {
        WIRE_REPLICATION_LAYOUT_7X => Ok(Layout::V7),
        WIRE_REPLICATION_LAYOUT_3X => Ok(Layout::V3),
        n => Err(Fail::invalid(
            P,
            format!("{n} is not a wire_replication_layout"),
        )),
    }
}

fn codec(limits: *const wire_limits, layout: wire_replication_layout) -> Res<ReplicationCodec> {
    let layout = layout_arg(layout)?;
    let AnyCodec::Replication(codec) = codec_for(P, limits)? else {
        unreachable!("codec_for(Replication) is the replication codec")
    };
    Ok(codec.with_layout(layout))
}

/// Decode exactly one framed message (`[u32 LE length][message]`) in `layout` (`limits` NULL:
/// defaults). `*frame` is a new handle; read it with `wire_frame_replication`.
#[no_mangle]
pub extern "C" fn wire_replication_decode(
    buf: *const u8,
    len: usize,
    limits: *const wire_limits,
    layout: wire_replication_layout,
    frame: *mut *mut wire_frame,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes at `buf`.
        let input = unsafe { bytes_arg(buf, len, "buf")? };
        let codec = AnyCodec::Replication(codec(limits, layout)?);
        decode_into(codec, input, frame)
    })
}

/// Decode exactly one bare message (no length prefix, as in-process channels carry it) in
/// `layout`; bytes after it are `WIRE_TRAILING_BYTES`. `*frame` is a new handle.
#[no_mangle]
pub extern "C" fn wire_replication_decode_message(
    buf: *const u8,
    len: usize,
    layout: wire_replication_layout,
    frame: *mut *mut wire_frame,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes and a writable out-pointer.
        let input = unsafe { bytes_arg(buf, len, "buf")? };
        let frame = unsafe { out(frame, "frame")? };
        *frame = std::ptr::null_mut();
        let codec = codec(std::ptr::null(), layout)?;
        let message = replication::decode_message(input, codec.layout())?;
        hand_out(
            Held::Frame(AnyFrame::Replication(message), AnyCodec::Replication(codec)),
            None,
            frame,
        );
        Ok(())
    })
}

/// Decode the bare message at the front of `buf` as the crate does (bytes after it are
/// ignored): `*frame` is a new handle and `*used` the bytes the message took.
#[no_mangle]
pub extern "C" fn wire_replication_decode_message_prefix(
    buf: *const u8,
    len: usize,
    layout: wire_replication_layout,
    frame: *mut *mut wire_frame,
    used: *mut usize,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes and writable out-pointers.
        let input = unsafe { bytes_arg(buf, len, "buf")? };
        let frame = unsafe { out(frame, "frame")? };
        let used = unsafe { out(used, "used")? };
        *frame = std::ptr::null_mut();
        let codec = codec(std::ptr::null(), layout)?;
        let (message, n) = replication::decode_message_prefix(input, codec.layout())?;
        *used = n;
        hand_out(
            Held::Frame(AnyFrame::Replication(message), AnyCodec::Replication(codec)),
            None,
            frame,
        );
        Ok(())
    })
}

/// The replication message of a handle; NULL when the handle holds something else.
#[no_mangle]
pub extern "C" fn wire_frame_replication(frame: *const wire_frame) -> *const wire_replication_msg {
    // SAFETY: the caller gives NULL or a live handle.
    ffi_value(std::ptr::null(), || {
        match unsafe { frame.as_ref() }.map(wire_frame::view) {
            Some(View::Replication(m)) => m,
            _ => std::ptr::null(),
        }
    })
}

/// Exact size of `msg` framed (`[u32 LE length][message]`) in `layout`.
#[no_mangle]
pub extern "C" fn wire_replication_encoded_len(
    msg: *const wire_replication_msg,
    limits: *const wire_limits,
    layout: wire_replication_layout,
    len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let codec = codec(limits, layout)?;
        lend(|l| {
            // SAFETY: the caller gives a filled struct and a writable out-pointer.
            let m = unsafe { msg_arg(msg, l)? };
            let len = unsafe { out(len, "len")? };
            *len = codec.encoded_len(&m)?;
            Ok(())
        })
    })
}

/// Encode `msg` framed (`[u32 LE length][message]`) in `layout` into `out`. `*out_len` is
/// always set to the encoded size; `WIRE_BUFFER_TOO_SMALL` when `cap` is under it.
#[no_mangle]
pub extern "C" fn wire_replication_encode(
    msg: *const wire_replication_msg,
    limits: *const wire_limits,
    layout: wire_replication_layout,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let mut codec = codec(limits, layout)?;
        lend(|l| {
            // SAFETY: the caller gives a filled struct, `cap` writable bytes and `out_len`.
            let m = unsafe { msg_arg(msg, l)? };
            let borrowed: &[&[u8]] = match &m {
                ProtocolMessage::LogEntry { data, .. } => &[data],
                _ => &[],
            };
            unsafe { encode_out(&mut codec, &m, borrowed, out, cap, out_len) }
        })
    })
}

/// Encode `msg` bare (no length prefix) in `layout` into `out` (output as for
/// `wire_replication_encode`; `cap` 0 asks the size).
#[no_mangle]
pub extern "C" fn wire_replication_encode_message(
    msg: *const wire_replication_msg,
    layout: wire_replication_layout,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        let layout = layout_arg(layout)?;
        lend(|l| {
            // SAFETY: the caller gives a filled struct, `cap` writable bytes and `out_len`.
            let m = unsafe { msg_arg(msg, l)? };
            let bytes = replication::encode_message(&m, layout)?;
            unsafe { write_out(&bytes, out, cap, out_len) }
        })
    })
}

/// Encode the service-name preamble a TCP connection starts with (`[u32 LE length][name]`,
/// name 1..=256 bytes of UTF-8) into `out` (output as for `wire_replication_encode`).
#[no_mangle]
pub extern "C" fn wire_replication_encode_preamble(
    service: wire_slice,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives a valid view, `cap` writable bytes and `out_len`.
        let name = unsafe { str_arg(P, &service, "service")? };
        let bytes = replication::encode_preamble(&name)?;
        unsafe { write_out(&bytes, out, cap, out_len) }
    })
}

/// Decode the service-name preamble at the front of `buf`: `*service` views the name inside
/// `buf` and `*used` is the preamble's length (framed messages follow it).
#[no_mangle]
pub extern "C" fn wire_replication_decode_preamble(
    buf: *const u8,
    len: usize,
    service: *mut wire_slice,
    used: *mut usize,
) -> wire_status {
    ffi_fn!({
        // SAFETY: the caller gives `len` readable bytes and writable out-pointers.
        let input = unsafe { bytes_arg(buf, len, "buf")? };
        let service = unsafe { out(service, "service")? };
        let used = unsafe { out(used, "used")? };
        let (name, n) = replication::decode_preamble(input)?;
        // The name is the preamble's last bytes, after its length field.
        let name_bytes = &input[n - name.len()..n];
        *service = wire_slice {
            ptr: name_bytes.as_ptr(),
            len: name_bytes.len(),
        };
        *used = n;
        Ok(())
    })
}
