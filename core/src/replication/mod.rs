//! Noxu DB replication `ProtocolMessage`, byte-compatible with crates.io `noxu-rep` 7.11.2
//! (layout `7x`, the default) and 3.2.0 (layout `3x`).
//!
//! A message is one tag byte and its fields, with no length and no version of its own. All
//! integers are little-endian; `str` is `[u32 byte length][UTF-8]`, `bool` one byte.
//!
//! ```text
//! 01 Handshake           node_name str, group_name str, node_type u8
//! 02 HandshakeResponse   accepted bool, has_reason bool, [reason str if has_reason]
//! 03 Heartbeat           master_vlsn u64, timestamp_ms u64
//! 04 HeartbeatResponse   replica_vlsn u64, timestamp_ms u64
//! 05 LogEntry            vlsn u64, entry_type u8, data [u32 length][bytes]
//! 06 Ack                 vlsn u64
//! 07 GroupChange         change_type u8, node: name str, node_type u8, host str, port u16,
//!                        node_id u32
//! 08 GroupChangeResponse accepted bool
//! 09 ElectionProposal    node_name str, vlsn u64, priority u32, term u64, dtvlsn u64 (7x only)
//! 0a ElectionVote        voter str, granted bool, term u64
//! 0b ElectionResult      master str, term u64
//! 0c Shutdown            reason str
//! ```
//!
//! Nothing in the bytes tells the layouts apart (noxu-rep 4.1.0 added `dtvlsn`): the caller
//! picks [`Layout`] explicitly. [`ElectionProposal::dtvlsn`](ProtocolMessage::ElectionProposal)
//! is `Some` exactly under `7x`; encoding a proposal whose `dtvlsn` does not match the layout
//! is `invalid_argument`.
//!
//! The bare message is what [`encode_message`] (or [`encode_message_into`]) and
//! [`decode_message`] handle (in-process channels carry it as is). Every noxu-rep network
//! channel (TCP, TLS, QUIC) carries it as `[u32 LE length][message]`, receivers refusing lengths
//! over 64 MiB: that framed form is [`ReplicationCodec`] (the [`Codec`]) and [`encode`] /
//! [`decode`] (layout 7x; other layouts through the codec). A TCP connection starts with a
//! service-name preamble `[u32 LE length 1..=256][name]` ([`encode_preamble`],
//! [`decode_preamble`]); `ProtocolMessage` traffic goes to [`SERVICE_ELECTION`].
//!
//! Decoding is the crate's, field by field and error text for error text (the [`Error`] reason
//! is the crate's `ProtocolError` string): any non-zero bool or presence byte is true (encoding
//! writes 0/1), strings must be strict UTF-8 (U+0000 and a leading BOM are kept). Kinds: input
//! ending inside a field is `incomplete` (offset = the field's start, as in the crate's text),
//! unknown tags, node types and change types are `malformed`, bad UTF-8 is `invalid_utf8`.
//!
//! One difference, by the project's rule: the crate ignores bytes after a message, while
//! [`decode_message`] refuses them (`trailing_bytes`) and the framed codec refuses a frame
//! whose message ends before the frame does (`malformed`). [`decode_message_prefix`] is the
//! crate's lenient form: it returns the message and how many bytes it used. A consequence:
//! under `3x`, a `7x` proposal is refused rather than silently losing its `dtvlsn`.

use std::fmt;
use std::mem::MaybeUninit;
use std::ops::Range;
use std::str::FromStr;

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::{codec, Codec, Error, ErrorKind, Limits, Protocol, Result};

const P: Protocol = Protocol::Replication;

/// Length prefix of the transport framing.
pub const FRAME_HEADER_LEN: usize = 4;
/// The reference receivers' `MAX_FRAME_PAYLOAD`: 64 MiB (a length equal to it is accepted).
pub const MAX_FRAME_PAYLOAD: u64 = 64 << 20;
/// Longest service name the reference dispatcher accepts, in bytes (the shortest is 1).
pub const MAX_SERVICE_NAME_LEN: usize = 256;

/// The service that carries `ProtocolMessage` traffic (elections).
pub const SERVICE_ELECTION: &str = "ELECTION";
/// Every service name noxu-rep 7.11.2 registers.
pub const SERVICE_NAMES: [&str; 5] = [
    SERVICE_ELECTION,
    "ADMIN",
    "RESTORE",
    "PEER_FEEDER",
    "REP_SYNCUP",
];

/// Tag of [`ProtocolMessage::Handshake`].
pub const TAG_HANDSHAKE: u8 = 0x01;
/// Tag of [`ProtocolMessage::HandshakeResponse`].
pub const TAG_HANDSHAKE_RESPONSE: u8 = 0x02;
/// Tag of [`ProtocolMessage::Heartbeat`].
pub const TAG_HEARTBEAT: u8 = 0x03;
/// Tag of [`ProtocolMessage::HeartbeatResponse`].
pub const TAG_HEARTBEAT_RESPONSE: u8 = 0x04;
/// Tag of [`ProtocolMessage::LogEntry`].
pub const TAG_LOG_ENTRY: u8 = 0x05;
/// Tag of [`ProtocolMessage::Ack`].
pub const TAG_ACK: u8 = 0x06;
/// Tag of [`ProtocolMessage::GroupChange`].
pub const TAG_GROUP_CHANGE: u8 = 0x07;
/// Tag of [`ProtocolMessage::GroupChangeResponse`].
pub const TAG_GROUP_CHANGE_RESPONSE: u8 = 0x08;
/// Tag of [`ProtocolMessage::ElectionProposal`].
pub const TAG_ELECTION_PROPOSAL: u8 = 0x09;
/// Tag of [`ProtocolMessage::ElectionVote`].
pub const TAG_ELECTION_VOTE: u8 = 0x0a;
/// Tag of [`ProtocolMessage::ElectionResult`].
pub const TAG_ELECTION_RESULT: u8 = 0x0b;
/// Tag of [`ProtocolMessage::Shutdown`].
pub const TAG_SHUTDOWN: u8 = 0x0c;

/// Which noxu-rep release line's layout: they differ only in `ElectionProposal.dtvlsn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Layout {
    /// noxu-rep 4.1.0 to 7.11.2: `ElectionProposal` ends with `dtvlsn`. Option value `7x`.
    #[default]
    V7,
    /// noxu-rep 3.0.0 to 4.0.0: `ElectionProposal` has no `dtvlsn`. Option value `3x`.
    V3,
}

impl Layout {
    /// The option value: `"7x"` or `"3x"`.
    pub const fn name(self) -> &'static str {
        match self {
            Layout::V7 => "7x",
            Layout::V3 => "3x",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Layout {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "7x" => Ok(Layout::V7),
            "3x" => Ok(Layout::V3),
            other => Err(Error::invalid_argument(
                P,
                format!("option \"layout\": {other:?} is not one of \"7x\", \"3x\""),
            )),
        }
    }
}

/// A node's role in the group (noxu-rep `NodeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeType {
    /// Code 0.
    Electable,
    /// Code 1.
    Monitor,
    /// Code 2.
    Secondary,
    /// Code 3.
    Arbiter,
}

impl NodeType {
    /// Every node type, in code order.
    pub const ALL: [NodeType; 4] = [
        NodeType::Electable,
        NodeType::Monitor,
        NodeType::Secondary,
        NodeType::Arbiter,
    ];

    /// The wire code.
    pub const fn code(self) -> u8 {
        match self {
            NodeType::Electable => 0,
            NodeType::Monitor => 1,
            NodeType::Secondary => 2,
            NodeType::Arbiter => 3,
        }
    }

    /// The node type of a wire code, if it is one.
    pub fn from_code(code: u8) -> Option<NodeType> {
        NodeType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The variant name (`"Electable"`, ...), as in the JSON form.
    pub const fn name(self) -> &'static str {
        match self {
            NodeType::Electable => "Electable",
            NodeType::Monitor => "Monitor",
            NodeType::Secondary => "Secondary",
            NodeType::Arbiter => "Arbiter",
        }
    }
}

/// The kind of membership change (noxu-rep `GroupChangeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupChangeType {
    /// Code 0.
    Add,
    /// Code 1.
    Remove,
    /// Code 2.
    Update,
}

impl GroupChangeType {
    /// Every change type, in code order.
    pub const ALL: [GroupChangeType; 3] = [
        GroupChangeType::Add,
        GroupChangeType::Remove,
        GroupChangeType::Update,
    ];

    /// The wire code.
    pub const fn code(self) -> u8 {
        match self {
            GroupChangeType::Add => 0,
            GroupChangeType::Remove => 1,
            GroupChangeType::Update => 2,
        }
    }

    /// The change type of a wire code, if it is one.
    pub fn from_code(code: u8) -> Option<GroupChangeType> {
        GroupChangeType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The variant name (`"Add"`, ...), as in the JSON form.
    pub const fn name(self) -> &'static str {
        match self {
            GroupChangeType::Add => "Add",
            GroupChangeType::Remove => "Remove",
            GroupChangeType::Update => "Update",
        }
    }
}

/// The wire part of noxu-rep's `RepNode`. Its capacity fields (`read_capacity_pct`,
/// `write_capacity_pct`, `latency_hint_ms`) never reach the wire (the crate's decode sets them
/// to 100, 100 and 1), so they are not part of this model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepNode {
    /// Node name, unique in the group.
    pub name: String,
    /// The node's role.
    pub node_type: NodeType,
    /// Host name or IP literal, free text.
    pub host: String,
    /// Replication port.
    pub port: u16,
    /// Numeric id assigned by the group.
    pub node_id: u32,
}

/// One replication message (noxu-rep `ProtocolMessage`), with the crate's variant and field
/// names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProtocolMessage {
    /// Tag 1: a node joining the replication stream.
    Handshake {
        /// The joining node.
        node_name: String,
        /// Its group.
        group_name: String,
        /// Its role.
        node_type: NodeType,
    },
    /// Tag 2.
    HandshakeResponse {
        /// Whether the handshake was accepted.
        accepted: bool,
        /// Why not (or any note); `Some("")` differs from `None` on the wire.
        reason: Option<String>,
    },
    /// Tag 3: master to replica.
    Heartbeat {
        /// The master's latest VLSN.
        master_vlsn: u64,
        /// Sender's clock, milliseconds.
        timestamp_ms: u64,
    },
    /// Tag 4: replica to master.
    HeartbeatResponse {
        /// The replica's latest VLSN.
        replica_vlsn: u64,
        /// Sender's clock, milliseconds.
        timestamp_ms: u64,
    },
    /// Tag 5: one replicated log entry.
    LogEntry {
        /// The entry's VLSN.
        vlsn: u64,
        /// Entry type, opaque.
        entry_type: u8,
        /// The entry bytes.
        data: Bytes,
    },
    /// Tag 6.
    Ack {
        /// The acknowledged VLSN.
        vlsn: u64,
    },
    /// Tag 7: a membership change.
    GroupChange {
        /// Add, remove or update.
        change_type: GroupChangeType,
        /// The node concerned.
        node: RepNode,
    },
    /// Tag 8.
    GroupChangeResponse {
        /// Whether the change was accepted.
        accepted: bool,
    },
    /// Tag 9: a candidate asking for votes.
    ElectionProposal {
        /// The candidate.
        node_name: String,
        /// Its latest VLSN.
        vlsn: u64,
        /// Its election priority.
        priority: u32,
        /// The election term.
        term: u64,
        /// The durable-transaction VLSN, the main ranking key (0 = uninitialised): `Some`
        /// under layout `7x`, `None` under `3x`, which has no such field.
        dtvlsn: Option<u64>,
    },
    /// Tag 10.
    ElectionVote {
        /// The voter.
        voter: String,
        /// Whether the vote is granted.
        granted: bool,
        /// The election term.
        term: u64,
    },
    /// Tag 11.
    ElectionResult {
        /// The elected master.
        master: String,
        /// The election term.
        term: u64,
    },
    /// Tag 12.
    Shutdown {
        /// Why.
        reason: String,
    },
}

impl ProtocolMessage {
    /// The tag byte.
    pub fn tag(&self) -> u8 {
        match self {
            ProtocolMessage::Handshake { .. } => TAG_HANDSHAKE,
            ProtocolMessage::HandshakeResponse { .. } => TAG_HANDSHAKE_RESPONSE,
            ProtocolMessage::Heartbeat { .. } => TAG_HEARTBEAT,
            ProtocolMessage::HeartbeatResponse { .. } => TAG_HEARTBEAT_RESPONSE,
            ProtocolMessage::LogEntry { .. } => TAG_LOG_ENTRY,
            ProtocolMessage::Ack { .. } => TAG_ACK,
            ProtocolMessage::GroupChange { .. } => TAG_GROUP_CHANGE,
            ProtocolMessage::GroupChangeResponse { .. } => TAG_GROUP_CHANGE_RESPONSE,
            ProtocolMessage::ElectionProposal { .. } => TAG_ELECTION_PROPOSAL,
            ProtocolMessage::ElectionVote { .. } => TAG_ELECTION_VOTE,
            ProtocolMessage::ElectionResult { .. } => TAG_ELECTION_RESULT,
            ProtocolMessage::Shutdown { .. } => TAG_SHUTDOWN,
        }
    }

    /// The variant name (`"Handshake"`, ...), the `type` of the JSON form.
    pub fn type_name(&self) -> &'static str {
        match self {
            ProtocolMessage::Handshake { .. } => "Handshake",
            ProtocolMessage::HandshakeResponse { .. } => "HandshakeResponse",
            ProtocolMessage::Heartbeat { .. } => "Heartbeat",
            ProtocolMessage::HeartbeatResponse { .. } => "HeartbeatResponse",
            ProtocolMessage::LogEntry { .. } => "LogEntry",
            ProtocolMessage::Ack { .. } => "Ack",
            ProtocolMessage::GroupChange { .. } => "GroupChange",
            ProtocolMessage::GroupChangeResponse { .. } => "GroupChangeResponse",
            ProtocolMessage::ElectionProposal { .. } => "ElectionProposal",
            ProtocolMessage::ElectionVote { .. } => "ElectionVote",
            ProtocolMessage::ElectionResult { .. } => "ElectionResult",
            ProtocolMessage::Shutdown { .. } => "Shutdown",
        }
    }

    /// Exact size of the bare message under `layout`; `invalid_argument` when it cannot be
    /// encoded (a string or data over `u32::MAX` bytes, or `dtvlsn` not matching the layout).
    pub fn encoded_len(&self, layout: Layout) -> Result<usize> {
        let fixed = |n: usize| Ok(1 + n);
        match self {
            ProtocolMessage::Handshake {
                node_name,
                group_name,
                ..
            } => sum(&[
                1,
                prefixed("Handshake.node_name", node_name.len())?,
                prefixed("Handshake.group_name", group_name.len())?,
                1,
            ]),
            ProtocolMessage::HandshakeResponse { reason, .. } => match reason {
                None => fixed(2),
                Some(r) => sum(&[3, prefixed("HandshakeResponse.reason", r.len())?]),
            },
            ProtocolMessage::Heartbeat { .. } | ProtocolMessage::HeartbeatResponse { .. } => {
                fixed(16)
            }
            ProtocolMessage::LogEntry { data, .. } => {
                sum(&[10, prefixed("LogEntry.data", data.len())?])
            }
            ProtocolMessage::Ack { .. } => fixed(8),
            ProtocolMessage::GroupChange { node, .. } => sum(&[
                2,
                prefixed("GroupChange.node.name", node.name.len())?,
                1,
                prefixed("GroupChange.node.host", node.host.len())?,
                6,
            ]),
            ProtocolMessage::GroupChangeResponse { .. } => fixed(1),
            ProtocolMessage::ElectionProposal {
                node_name, dtvlsn, ..
            } => {
                let tail = match (layout, dtvlsn) {
                    (Layout::V7, Some(_)) => 8,
                    (Layout::V3, None) => 0,
                    (Layout::V7, None) => {
                        return Err(Error::invalid_argument(
                            P,
                            "ElectionProposal.dtvlsn: required by layout 7x",
                        ))
                    }
                    (Layout::V3, Some(_)) => return Err(Error::invalid_argument(
                        P,
                        "ElectionProposal.dtvlsn: layout 3x has no dtvlsn (use None, or layout 7x)",
                    )),
                };
                sum(&[
                    1,
                    prefixed("ElectionProposal.node_name", node_name.len())?,
                    20,
                    tail,
                ])
            }
            ProtocolMessage::ElectionVote { voter, .. } => {
                sum(&[1, prefixed("ElectionVote.voter", voter.len())?, 9])
            }
            ProtocolMessage::ElectionResult { master, .. } => {
                sum(&[1, prefixed("ElectionResult.master", master.len())?, 8])
            }
            ProtocolMessage::Shutdown { reason } => {
                sum(&[1, prefixed("Shutdown.reason", reason.len())?])
            }
        }
    }

    /// Append the bare message to `dst` without checking it (see [`Self::encoded_len`]).
    fn put(&self, dst: &mut impl BufMut) {
        dst.put_u8(self.tag());
        match self {
            ProtocolMessage::Handshake {
                node_name,
                group_name,
                node_type,
            } => {
                put_str(dst, node_name);
                put_str(dst, group_name);
                dst.put_u8(node_type.code());
            }
            ProtocolMessage::HandshakeResponse { accepted, reason } => {
                dst.put_u8(u8::from(*accepted));
                dst.put_u8(u8::from(reason.is_some()));
                if let Some(r) = reason {
                    put_str(dst, r);
                }
            }
            ProtocolMessage::Heartbeat {
                master_vlsn: vlsn,
                timestamp_ms,
            }
            | ProtocolMessage::HeartbeatResponse {
                replica_vlsn: vlsn,
                timestamp_ms,
            } => {
                dst.put_u64_le(*vlsn);
                dst.put_u64_le(*timestamp_ms);
            }
            ProtocolMessage::LogEntry {
                vlsn,
                entry_type,
                data,
            } => {
                dst.put_u64_le(*vlsn);
                dst.put_u8(*entry_type);
                put_bytes(dst, data);
            }
            ProtocolMessage::Ack { vlsn } => dst.put_u64_le(*vlsn),
            ProtocolMessage::GroupChange { change_type, node } => {
                dst.put_u8(change_type.code());
                put_str(dst, &node.name);
                dst.put_u8(node.node_type.code());
                put_str(dst, &node.host);
                dst.put_u16_le(node.port);
                dst.put_u32_le(node.node_id);
            }
            ProtocolMessage::GroupChangeResponse { accepted } => dst.put_u8(u8::from(*accepted)),
            ProtocolMessage::ElectionProposal {
                node_name,
                vlsn,
                priority,
                term,
                dtvlsn,
            } => {
                put_str(dst, node_name);
                dst.put_u64_le(*vlsn);
                dst.put_u32_le(*priority);
                dst.put_u64_le(*term);
                if let Some(d) = dtvlsn {
                    dst.put_u64_le(*d);
                }
            }
            ProtocolMessage::ElectionVote {
                voter,
                granted,
                term,
            } => {
                put_str(dst, voter);
                dst.put_u8(u8::from(*granted));
                dst.put_u64_le(*term);
            }
            ProtocolMessage::ElectionResult { master, term } => {
                put_str(dst, master);
                dst.put_u64_le(*term);
            }
            ProtocolMessage::Shutdown { reason } => put_str(dst, reason),
        }
    }
}

/// Size of a length-prefixed field of `len` bytes; refuses lengths the u32 prefix cannot
/// carry (the reference would wrap them).
fn prefixed(field: &str, len: usize) -> Result<usize> {
    if u32::try_from(len).is_err() {
        return Err(Error::invalid_argument(
            P,
            format!("{field}: {len} bytes do not fit the u32 length prefix"),
        ));
    }
    len.checked_add(4).ok_or_else(|| too_big(field))
}

fn sum(parts: &[usize]) -> Result<usize> {
    parts
        .iter()
        .try_fold(0usize, |acc, &n| acc.checked_add(n))
        .ok_or_else(|| too_big("message"))
}

fn too_big(what: &str) -> Error {
    Error::invalid_argument(P, format!("{what}: size overflows usize"))
}

// Lengths were checked to fit u32 by `encoded_len` before any `put`.
fn put_bytes(dst: &mut impl BufMut, bytes: &[u8]) {
    dst.put_u32_le(bytes.len() as u32);
    dst.put_slice(bytes);
}

fn put_str(dst: &mut impl BufMut, s: &str) {
    put_bytes(dst, s.as_bytes());
}

/// Reads fields in order with the crate's bounds checks and error texts.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// The next `n` bytes, or the crate's "unexpected end" error at the field's start.
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let start = self.pos;
        let bytes = start
            .checked_add(n)
            .and_then(|end| self.buf.get(start..end))
            .ok_or_else(|| {
                Error::incomplete(
                    P,
                    start,
                    format!("unexpected end of message at offset {start}, need {n} more bytes"),
                )
            })?;
        self.pos = start + n;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    /// Any non-zero byte is true, like the crate.
    fn bool(&mut self) -> Result<bool> {
        Ok(self.u8()? != 0)
    }

    fn u16(&mut self) -> Result<u16> {
        self.array().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Result<u32> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64> {
        self.array().map(u64::from_le_bytes)
    }

    /// A `[u32 length][bytes]` field: the range of its bytes. The length is checked against
    /// the input before anything is copied.
    fn prefixed(&mut self) -> Result<Range<usize>> {
        let len = self.u32()?;
        let start = self.pos;
        // A length that does not fit usize cannot fit the input either.
        self.take(usize::try_from(len).unwrap_or(usize::MAX))?;
        Ok(start..self.pos)
    }

    fn string(&mut self) -> Result<String> {
        let range = self.prefixed()?;
        let bytes = &self.buf[range.clone()];
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(e) => Err(Error::at(
                P,
                ErrorKind::InvalidUtf8,
                range.start + e.valid_up_to(),
                format!("invalid UTF-8 in string: {e}"),
            )),
        }
    }

    fn node_type(&mut self) -> Result<NodeType> {
        let at = self.pos;
        let code = self.u8()?;
        NodeType::from_code(code)
            .ok_or_else(|| Error::malformed(P, at, format!("unknown node type: {code}")))
    }
}

/// Parse one message from the front of `r`'s input (the crate's decode), leaving `r.pos` at
/// its end. `data` turns the range of `LogEntry.data` into bytes (a zero-copy slice when the
/// input is already `Bytes`). Inlined and returning the bare message so that it is built in
/// place: returning it in a tuple cost store-forwarding stalls (decode twice as slow).
#[inline]
fn parse(
    r: &mut Reader<'_>,
    layout: Layout,
    data: impl FnOnce(Range<usize>) -> Bytes,
) -> Result<ProtocolMessage> {
    let Some(&tag) = r.buf.first() else {
        return Err(Error::incomplete(P, 0, "empty message"));
    };
    r.pos = 1;
    Ok(match tag {
        TAG_HANDSHAKE => ProtocolMessage::Handshake {
            node_name: r.string()?,
            group_name: r.string()?,
            node_type: r.node_type()?,
        },
        TAG_HANDSHAKE_RESPONSE => {
            let accepted = r.bool()?;
            let reason = if r.bool()? { Some(r.string()?) } else { None };
            ProtocolMessage::HandshakeResponse { accepted, reason }
        }
        TAG_HEARTBEAT => ProtocolMessage::Heartbeat {
            master_vlsn: r.u64()?,
            timestamp_ms: r.u64()?,
        },
        TAG_HEARTBEAT_RESPONSE => ProtocolMessage::HeartbeatResponse {
            replica_vlsn: r.u64()?,
            timestamp_ms: r.u64()?,
        },
        TAG_LOG_ENTRY => ProtocolMessage::LogEntry {
            vlsn: r.u64()?,
            entry_type: r.u8()?,
            data: data(r.prefixed()?),
        },
        TAG_ACK => ProtocolMessage::Ack { vlsn: r.u64()? },
        TAG_GROUP_CHANGE => {
            let at = r.pos;
            let code = r.u8()?;
            let change_type = GroupChangeType::from_code(code)
                .ok_or_else(|| Error::malformed(P, at, format!("unknown change type: {code}")))?;
            let node = RepNode {
                name: r.string()?,
                node_type: r.node_type()?,
                host: r.string()?,
                port: r.u16()?,
                node_id: r.u32()?,
            };
            ProtocolMessage::GroupChange { change_type, node }
        }
        TAG_GROUP_CHANGE_RESPONSE => ProtocolMessage::GroupChangeResponse {
            accepted: r.bool()?,
        },
        TAG_ELECTION_PROPOSAL => ProtocolMessage::ElectionProposal {
            node_name: r.string()?,
            vlsn: r.u64()?,
            priority: r.u32()?,
            term: r.u64()?,
            dtvlsn: match layout {
                Layout::V7 => Some(r.u64()?),
                Layout::V3 => None,
            },
        },
        TAG_ELECTION_VOTE => ProtocolMessage::ElectionVote {
            voter: r.string()?,
            granted: r.bool()?,
            term: r.u64()?,
        },
        TAG_ELECTION_RESULT => ProtocolMessage::ElectionResult {
            master: r.string()?,
            term: r.u64()?,
        },
        TAG_SHUTDOWN => ProtocolMessage::Shutdown {
            reason: r.string()?,
        },
        other => {
            return Err(Error::malformed(
                P,
                0,
                format!("unknown message tag: {other}"),
            ))
        }
    })
}

/// Decode the bare message at the front of `input` like the crate does: bytes after it are
/// ignored. Returns the message and the number of bytes it used.
pub fn decode_message_prefix(input: &[u8], layout: Layout) -> Result<(ProtocolMessage, usize)> {
    let mut r = Reader { buf: input, pos: 0 };
    let message = parse(&mut r, layout, |range| {
        Bytes::copy_from_slice(&input[range])
    })?;
    Ok((message, r.pos))
}

/// Decode exactly one bare message (no framing): bytes after it are `trailing_bytes` (the crate
/// ignores them; see [`decode_message_prefix`]).
pub fn decode_message(input: &[u8], layout: Layout) -> Result<ProtocolMessage> {
    let mut r = Reader { buf: input, pos: 0 };
    let message = parse(&mut r, layout, |range| {
        Bytes::copy_from_slice(&input[range])
    })?;
    check_trailing(input.len(), r.pos)?;
    Ok(message)
}

fn check_trailing(len: usize, used: usize) -> Result<()> {
    match len - used {
        0 => Ok(()),
        extra => Err(Error::at(
            P,
            ErrorKind::TrailingBytes,
            used,
            format!("{extra} bytes after the end of the message"),
        )),
    }
}

/// Encode one bare message (no framing), byte-identical to the crate's `encode()`.
pub fn encode_message(message: &ProtocolMessage, layout: Layout) -> Result<Vec<u8>> {
    let mut buf = BytesMut::with_capacity(message.encoded_len(layout)?);
    message.put(&mut buf);
    Ok(buf.into())
}

/// Append one bare message to `dst` (exactly [`ProtocolMessage::encoded_len`] bytes); on
/// error nothing is appended.
pub fn encode_message_into(
    message: &ProtocolMessage,
    layout: Layout,
    dst: &mut BytesMut,
) -> Result<()> {
    dst.reserve(message.encoded_len(layout)?);
    message.put(dst);
    Ok(())
}

/// Encode the service-name preamble a TCP connection starts with: `[u32 LE length][name]`.
/// `invalid_argument` for an empty name or one over [`MAX_SERVICE_NAME_LEN`] bytes, which the
/// reference refuses to send.
pub fn encode_preamble(service: &str) -> Result<Vec<u8>> {
    let len = service.len();
    if len == 0 || len > MAX_SERVICE_NAME_LEN {
        return Err(Error::invalid_argument(
            P,
            format!("service name length {len} out of range [1, {MAX_SERVICE_NAME_LEN}]"),
        ));
    }
    let mut buf = Vec::with_capacity(FRAME_HEADER_LEN + len);
    buf.extend_from_slice(&(len as u32).to_le_bytes());
    buf.extend_from_slice(service.as_bytes());
    Ok(buf)
}

/// Decode the service-name preamble at the front of `input`: the name and the bytes it used
/// (framed messages follow it). A length outside 1..=256 is `malformed` and checked before the
/// name is read (the reference dispatcher closes the connection on it, and on a name that is
/// not UTF-8). Names outside [`SERVICE_NAMES`] are returned: routing them is the caller's
/// business.
pub fn decode_preamble(input: &[u8]) -> Result<(String, usize)> {
    let Some(header) = input.get(..FRAME_HEADER_LEN) else {
        return Err(Error::incomplete(
            P,
            input.len(),
            "input ends inside the service-name length",
        ));
    };
    let declared = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    let len = usize::try_from(declared)
        .ok()
        .filter(|n| (1..=MAX_SERVICE_NAME_LEN).contains(n))
        .ok_or_else(|| {
            Error::malformed(
                P,
                0,
                format!("service name length {declared} out of range [1, {MAX_SERVICE_NAME_LEN}]"),
            )
        })?;
    let end = FRAME_HEADER_LEN + len;
    let Some(name) = input.get(FRAME_HEADER_LEN..end) else {
        return Err(Error::incomplete(
            P,
            input.len(),
            format!("input ends inside the {len}-byte service name"),
        ));
    };
    match std::str::from_utf8(name) {
        Ok(name) => Ok((name.to_owned(), end)),
        Err(e) => Err(Error::at(
            P,
            ErrorKind::InvalidUtf8,
            FRAME_HEADER_LEN + e.valid_up_to(),
            format!("invalid UTF-8 in service name: {e}"),
        )),
    }
}

/// The replication [`Codec`]: the transport framing `[u32 LE length][message]` every noxu-rep
/// network channel uses. Option `layout` = `7x` (default) | `3x`. Limit: `max_frame_size` =
/// largest message length accepted (default [`MAX_FRAME_PAYLOAD`], a length equal to it is
/// accepted; at most `u32::MAX`); encode refuses messages over it too, since the peer would.
///
/// A frame is checked whole: a message that needs more bytes than its frame holds, or that
/// ends before its frame does, is `malformed`; a zero-length frame is `malformed` ("empty
/// message"). Error offsets count from the start of the buffer (the reason keeps the crate's
/// text, whose offsets are message-relative).
#[derive(Debug, Clone)]
pub struct ReplicationCodec {
    limits: Limits,
    layout: Layout,
}

impl Default for ReplicationCodec {
    fn default() -> Self {
        ReplicationCodec {
            limits: Self::DEFAULT_LIMITS,
            layout: Layout::default(),
        }
    }
}

impl ReplicationCodec {
    /// The reference's limits: 64 MiB frames.
    pub const DEFAULT_LIMITS: Limits = Limits {
        max_frame_size: MAX_FRAME_PAYLOAD,
        max_decompressed_size: 0,
    };

    /// A default codec for `layout`.
    pub fn new(layout: Layout) -> Self {
        ReplicationCodec::default().with_layout(layout)
    }

    /// Set the layout (builder form of option `layout`).
    pub fn with_layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// The layout in force.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Decode a whole frame body: exactly one message (errors at frame offsets).
    #[inline]
    fn decode_body(
        &self,
        body: &[u8],
        data: impl FnOnce(Range<usize>) -> Bytes,
    ) -> Result<ProtocolMessage> {
        if body.is_empty() {
            // The crate's receive yields the empty payload and its decode refuses it.
            return Err(Error::malformed(P, FRAME_HEADER_LEN, "empty message"));
        }
        let mut r = Reader { buf: body, pos: 0 };
        let message = parse(&mut r, self.layout, data).map_err(|e| {
            let e = e.shifted(FRAME_HEADER_LEN);
            if e.kind() == ErrorKind::Incomplete {
                let reason = format!("{}; the {}-byte frame ends first", e.reason(), body.len());
                Error::malformed(P, e.offset().unwrap_or(FRAME_HEADER_LEN), reason)
            } else {
                e
            }
        })?;
        if r.pos != body.len() {
            return Err(Error::malformed(
                P,
                FRAME_HEADER_LEN + r.pos,
                format!(
                    "the {}-byte frame holds a {}-byte message and {} more bytes",
                    body.len(),
                    r.pos,
                    body.len() - r.pos
                ),
            ));
        }
        Ok(message)
    }

    /// Frame length (message size) of `message`, checked against the limit.
    fn checked_len(&self, message: &ProtocolMessage) -> Result<usize> {
        self.limits
            .check_encode(P, "message", message.encoded_len(self.layout)?)
    }
}

impl Codec for ReplicationCodec {
    type Frame = ProtocolMessage;

    fn set_limits(&mut self, limits: Limits) -> Result<()> {
        self.limits = limits.check_u32_lengths(P)?;
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
            "layout" => {
                self.layout = value.parse()?;
                Ok(())
            }
            _ => Err(Error::invalid_argument(
                P,
                format!("unknown option {key:?} (replication has \"layout\")"),
            )),
        }
    }

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ProtocolMessage>> {
        let Some(header) = src.get(..FRAME_HEADER_LEN) else {
            return Ok(None);
        };
        let declared = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        if u64::from(declared) > self.limits.max_frame_size {
            return Err(Error::too_large(
                P,
                0,
                "frame payload",
                declared.into(),
                self.limits.max_frame_size,
            ));
        }
        // Within max_frame_size <= u32::MAX; usize is at least 32 bits on every target Bytes
        // supports, and the sum is checked anyway.
        let Some(total) = usize::try_from(declared)
            .ok()
            .and_then(|n| n.checked_add(FRAME_HEADER_LEN))
        else {
            return Err(Error::too_large(
                P,
                0,
                "frame payload",
                declared.into(),
                usize::MAX as u64,
            ));
        };
        if src.len() < total {
            return Ok(None);
        }
        let body = &src[FRAME_HEADER_LEN..total];
        if body.first() == Some(&TAG_LOG_ENTRY) {
            // Only LogEntry carries a payload worth sharing: slice it out of the frame.
            let frame = src.split_to(total).freeze().slice(FRAME_HEADER_LEN..);
            return self
                .decode_body(&frame, |range| frame.slice(range))
                .map(Some);
        }
        let message = self.decode_body(body, |range| Bytes::copy_from_slice(&body[range]))?;
        src.advance(total);
        Ok(Some(message))
    }

    fn encoded_len(&self, message: &ProtocolMessage) -> Result<usize> {
        self.checked_len(message)?
            .checked_add(FRAME_HEADER_LEN)
            .ok_or_else(|| too_big("frame"))
    }

    fn encode(&mut self, message: &ProtocolMessage, dst: &mut BytesMut) -> Result<()> {
        let len = self.checked_len(message)?;
        dst.reserve(FRAME_HEADER_LEN + len);
        // checked_len bounds len by max_frame_size, itself at most u32::MAX.
        dst.put_u32_le(len as u32);
        message.put(dst);
        Ok(())
    }

    fn encode_to_slice(
        &mut self,
        message: &ProtocolMessage,
        dst: &mut [MaybeUninit<u8>],
    ) -> Result<()> {
        let len = self.checked_len(message)?;
        codec::fill_slice(P, dst, FRAME_HEADER_LEN + len, |out| {
            // checked_len bounds len by max_frame_size, itself at most u32::MAX.
            out.put_u32_le(len as u32);
            message.put(out);
        })
    }

    #[cfg(feature = "json")]
    fn to_json(&self, message: &ProtocolMessage) -> serde_json::Value {
        json::to_json(message)
    }

    #[cfg(feature = "json")]
    fn from_json(&self, value: &serde_json::Value) -> Result<ProtocolMessage> {
        json::from_json(value)
    }
}

/// Decode exactly one framed message (`[u32 LE length][message]`), layout `7x`, default limits.
pub fn decode(input: &[u8]) -> Result<ProtocolMessage> {
    codec::decode_exact(&mut ReplicationCodec::default(), input)
}

/// Encode one framed message (`[u32 LE length][message]`), layout `7x`, default limits.
pub fn encode(message: &ProtocolMessage) -> Result<Vec<u8>> {
    codec::encode_to_vec(&mut ReplicationCodec::default(), message)
}

/// Best-effort guess that `prefix` starts a replication TCP stream. Replication has no magic,
/// so this is conservative: either a service-name preamble naming one of [`SERVICE_NAMES`]
/// (at least its first 4 bytes present), or a frame whose length is within
/// [`MAX_FRAME_PAYLOAD`] and plausible for the tag (1..=12) that starts its body, and whose
/// body bytes present parse (as a whole message when the whole frame is there) under either
/// layout. [`crate::detect`] tries it after every other protocol except dataexchange.
pub fn sniff(prefix: &[u8]) -> bool {
    sniff_preamble(prefix) || sniff_frame(prefix)
}

fn sniff_preamble(prefix: &[u8]) -> bool {
    let Some(header) = prefix.get(..FRAME_HEADER_LEN) else {
        return false;
    };
    let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    let name = &prefix[FRAME_HEADER_LEN..];
    SERVICE_NAMES.iter().any(|known| {
        let shown = name.len().min(known.len());
        known.len() as u64 == u64::from(len)
            && shown >= known.len().min(4)
            && known.as_bytes().get(..shown) == name.get(..shown)
    })
}

fn sniff_frame(prefix: &[u8]) -> bool {
    let (Some(header), Some(&tag)) = (prefix.get(..FRAME_HEADER_LEN), prefix.get(FRAME_HEADER_LEN))
    else {
        return false;
    };
    let len = u64::from(u32::from_le_bytes([
        header[0], header[1], header[2], header[3],
    ]));
    // Smallest message of each tag (3x proposals are the short ones), and the exact size of
    // the fixed-size ones.
    let (min, exact) = match tag {
        TAG_HANDSHAKE => (10, false),
        TAG_HANDSHAKE_RESPONSE => (3, false),
        TAG_HEARTBEAT | TAG_HEARTBEAT_RESPONSE => (17, true),
        TAG_LOG_ENTRY => (14, false),
        TAG_ACK => (9, true),
        TAG_GROUP_CHANGE => (17, false),
        TAG_GROUP_CHANGE_RESPONSE => (2, true),
        TAG_ELECTION_PROPOSAL => (25, false),
        TAG_ELECTION_VOTE => (14, false),
        TAG_ELECTION_RESULT => (13, false),
        TAG_SHUTDOWN => (5, false),
        _ => return false,
    };
    if len < min || (exact && len != min) || len > MAX_FRAME_PAYLOAD {
        return false;
    }
    let body = &prefix[FRAME_HEADER_LEN..];
    let whole = body.len() as u64 >= len;
    let body = &body[..body.len().min(len as usize)];
    [Layout::V7, Layout::V3].into_iter().any(|layout| {
        let mut r = Reader { buf: body, pos: 0 };
        match parse(&mut r, layout, |_| Bytes::new()) {
            Ok(_) => whole && r.pos == body.len(),
            Err(e) => !whole && e.kind() == ErrorKind::Incomplete,
        }
    })
}

#[cfg(feature = "json")]
mod json {
    //! `{"type": <variant name>, "fields": {...}}` with the crate's field names; enums by
    //! variant name, `data` as hex, `reason: null` for `None`, `node` as the five wire fields
    //! of `RepNode`. `dtvlsn` is present exactly when it is `Some` (layout 7x); an absent or
    //! null `reason`/`dtvlsn` reads as `None`.

    use serde_json::{json, Value};

    use super::*;
    use crate::json::{hex_value, message, split_message, Fields};

    pub(super) fn to_json(m: &ProtocolMessage) -> Value {
        let fields = match m {
            ProtocolMessage::Handshake {
                node_name,
                group_name,
                node_type,
            } => {
                json!({"node_name": node_name, "group_name": group_name, "node_type": node_type.name()})
            }
            ProtocolMessage::HandshakeResponse { accepted, reason } => {
                json!({"accepted": accepted, "reason": reason})
            }
            ProtocolMessage::Heartbeat {
                master_vlsn,
                timestamp_ms,
            } => json!({"master_vlsn": master_vlsn, "timestamp_ms": timestamp_ms}),
            ProtocolMessage::HeartbeatResponse {
                replica_vlsn,
                timestamp_ms,
            } => json!({"replica_vlsn": replica_vlsn, "timestamp_ms": timestamp_ms}),
            ProtocolMessage::LogEntry {
                vlsn,
                entry_type,
                data,
            } => json!({"vlsn": vlsn, "entry_type": entry_type, "data": hex_value(data)}),
            ProtocolMessage::Ack { vlsn } => json!({ "vlsn": vlsn }),
            ProtocolMessage::GroupChange { change_type, node } => json!({
                "change_type": change_type.name(),
                "node": {
                    "name": node.name,
                    "node_type": node.node_type.name(),
                    "host": node.host,
                    "port": node.port,
                    "node_id": node.node_id,
                },
            }),
            ProtocolMessage::GroupChangeResponse { accepted } => json!({ "accepted": accepted }),
            ProtocolMessage::ElectionProposal {
                node_name,
                vlsn,
                priority,
                term,
                dtvlsn,
            } => {
                let mut fields = json!({"node_name": node_name, "vlsn": vlsn, "priority": priority, "term": term});
                if let (Some(d), Value::Object(map)) = (dtvlsn, &mut fields) {
                    map.insert("dtvlsn".into(), json!(d));
                }
                fields
            }
            ProtocolMessage::ElectionVote {
                voter,
                granted,
                term,
            } => json!({"voter": voter, "granted": granted, "term": term}),
            ProtocolMessage::ElectionResult { master, term } => {
                json!({"master": master, "term": term})
            }
            ProtocolMessage::Shutdown { reason } => json!({ "reason": reason }),
        };
        message(m.type_name(), fields)
    }

    pub(super) fn from_json(value: &Value) -> Result<ProtocolMessage> {
        let (type_name, fields) = split_message(P, value)?;
        let f = Fields::new(P, type_name, fields)?;
        let string = |name: &str| f.str(name).map(str::to_owned);
        Ok(match type_name {
            "Handshake" => {
                f.deny_unknown(&["node_name", "group_name", "node_type"])?;
                ProtocolMessage::Handshake {
                    node_name: string("node_name")?,
                    group_name: string("group_name")?,
                    node_type: node_type(&f, "node_type")?,
                }
            }
            "HandshakeResponse" => {
                f.deny_unknown(&["accepted", "reason"])?;
                ProtocolMessage::HandshakeResponse {
                    accepted: f.bool("accepted")?,
                    reason: f.has("reason").then(|| string("reason")).transpose()?,
                }
            }
            "Heartbeat" => {
                f.deny_unknown(&["master_vlsn", "timestamp_ms"])?;
                ProtocolMessage::Heartbeat {
                    master_vlsn: f.uint("master_vlsn")?,
                    timestamp_ms: f.uint("timestamp_ms")?,
                }
            }
            "HeartbeatResponse" => {
                f.deny_unknown(&["replica_vlsn", "timestamp_ms"])?;
                ProtocolMessage::HeartbeatResponse {
                    replica_vlsn: f.uint("replica_vlsn")?,
                    timestamp_ms: f.uint("timestamp_ms")?,
                }
            }
            "LogEntry" => {
                f.deny_unknown(&["vlsn", "entry_type", "data"])?;
                ProtocolMessage::LogEntry {
                    vlsn: f.uint("vlsn")?,
                    entry_type: f.uint("entry_type")?,
                    data: f.bytes("data")?,
                }
            }
            "Ack" => {
                f.deny_unknown(&["vlsn"])?;
                ProtocolMessage::Ack {
                    vlsn: f.uint("vlsn")?,
                }
            }
            "GroupChange" => {
                f.deny_unknown(&["change_type", "node"])?;
                let change = f.str("change_type")?;
                let change_type = GroupChangeType::ALL
                    .into_iter()
                    .find(|t| t.name() == change)
                    .ok_or_else(|| {
                        f.error(
                            "change_type",
                            format!("{change:?} is not one of Add, Remove, Update"),
                        )
                    })?;
                let n = f.object("node", "GroupChange.node")?;
                n.deny_unknown(&["name", "node_type", "host", "port", "node_id"])?;
                ProtocolMessage::GroupChange {
                    change_type,
                    node: RepNode {
                        name: n.str("name")?.to_owned(),
                        node_type: node_type(&n, "node_type")?,
                        host: n.str("host")?.to_owned(),
                        port: n.uint("port")?,
                        node_id: n.uint("node_id")?,
                    },
                }
            }
            "GroupChangeResponse" => {
                f.deny_unknown(&["accepted"])?;
                ProtocolMessage::GroupChangeResponse {
                    accepted: f.bool("accepted")?,
                }
            }
            "ElectionProposal" => {
                f.deny_unknown(&["node_name", "vlsn", "priority", "term", "dtvlsn"])?;
                ProtocolMessage::ElectionProposal {
                    node_name: string("node_name")?,
                    vlsn: f.uint("vlsn")?,
                    priority: f.uint("priority")?,
                    term: f.uint("term")?,
                    dtvlsn: f.has("dtvlsn").then(|| f.uint("dtvlsn")).transpose()?,
                }
            }
            "ElectionVote" => {
                f.deny_unknown(&["voter", "granted", "term"])?;
                ProtocolMessage::ElectionVote {
                    voter: string("voter")?,
                    granted: f.bool("granted")?,
                    term: f.uint("term")?,
                }
            }
            "ElectionResult" => {
                f.deny_unknown(&["master", "term"])?;
                ProtocolMessage::ElectionResult {
                    master: string("master")?,
                    term: f.uint("term")?,
                }
            }
            "Shutdown" => {
                f.deny_unknown(&["reason"])?;
                ProtocolMessage::Shutdown {
                    reason: string("reason")?,
                }
            }
            other => {
                return Err(Error::invalid_argument(
                    P,
                    format!("unknown message type {other:?}"),
                ))
            }
        })
    }

    fn node_type(f: &Fields<'_>, name: &str) -> Result<NodeType> {
        let s = f.str(name)?;
        NodeType::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                f.error(
                    name,
                    format!("{s:?} is not one of Electable, Monitor, Secondary, Arbiter"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal(dtvlsn: Option<u64>) -> ProtocolMessage {
        ProtocolMessage::ElectionProposal {
            node_name: "c".into(),
            vlsn: 1,
            priority: 2,
            term: 3,
            dtvlsn,
        }
    }

    #[test]
    fn lengths_over_u32_are_refused() {
        assert!(prefixed("f", u32::MAX as usize).is_ok());
        if let Some(over) = (u32::MAX as usize).checked_add(1) {
            let e = prefixed("Shutdown.reason", over).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.reason().starts_with("Shutdown.reason"), "{e}");
        }
        assert_eq!(
            sum(&[usize::MAX, 1]).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn dtvlsn_must_match_the_layout() {
        let mut dst = BytesMut::from(&b"x"[..]);
        assert!(encode_message_into(&proposal(Some(4)), Layout::V3, &mut dst).is_err());
        encode_message_into(&proposal(None), Layout::V3, &mut dst).unwrap();
        assert_eq!(dst.len(), 1 + 26);
        assert_eq!(
            encode_message(&proposal(Some(4)), Layout::V7)
                .unwrap()
                .len(),
            34
        );
        assert_eq!(
            encode_message(&proposal(None), Layout::V3).unwrap().len(),
            26
        );
        for (m, layout) in [
            (proposal(None), Layout::V7),
            (proposal(Some(4)), Layout::V3),
        ] {
            let e = encode_message(&m, layout).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        }
    }

    #[test]
    fn frame_length_equal_to_limit_passes_the_header_check() {
        let mut codec = ReplicationCodec::default();
        let mut buf = BytesMut::from(&(MAX_FRAME_PAYLOAD as u32).to_le_bytes()[..]);
        assert_eq!(codec.decode(&mut buf).unwrap(), None);
        assert_eq!(buf.len(), 4, "need-more must leave the buffer untouched");
        let mut buf = BytesMut::from(&(MAX_FRAME_PAYLOAD as u32 + 1).to_le_bytes()[..]);
        let e = codec.decode(&mut buf).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::TooLarge, Some(0)));
    }

    #[test]
    fn encode_refuses_messages_over_the_frame_limit() {
        let mut codec = ReplicationCodec::with_limits(Limits {
            max_frame_size: 8,
            max_decompressed_size: 0,
        })
        .unwrap();
        let ack = ProtocolMessage::Ack { vlsn: 1 };
        let e = codec.encode(&ack, &mut BytesMut::new()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        codec.set_limits(ReplicationCodec::DEFAULT_LIMITS).unwrap();
        assert_eq!(codec.encoded_len(&ack).unwrap(), 13);
    }

    #[test]
    fn frames_must_hold_exactly_one_message() {
        // A 7x proposal framed, read as 3x: the 8 dtvlsn bytes are left over.
        let framed =
            codec::encode_to_vec(&mut ReplicationCodec::default(), &proposal(Some(9))).unwrap();
        let e = codec::decode_exact(&mut ReplicationCodec::new(Layout::V3), &framed).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Malformed, Some(30)));
        // The frame ends inside the message.
        let e = decode(&[2, 0, 0, 0, 6, 0]).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Malformed, Some(5)));
        assert_eq!(
            e.reason(),
            "unexpected end of message at offset 1, need 8 more bytes; the 2-byte frame ends first"
        );
    }

    #[test]
    fn options_by_name() {
        let mut codec = ReplicationCodec::default();
        assert_eq!(codec.layout(), Layout::V7);
        codec.set_option("layout", "3x").unwrap();
        assert_eq!(codec.layout(), Layout::V3);
        codec.set_option("layout", "7x").unwrap();
        assert_eq!(codec.layout(), Layout::V7);
        for (k, v) in [("layout", "4x"), ("version", "7x")] {
            let e = codec.set_option(k, v).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        }
        // Through the registry, as the CLI and bindings set it.
        let mut any = crate::AnyCodec::new(Protocol::Replication);
        any.set_option("layout", "3x").unwrap();
        let mut v3 = BytesMut::new();
        ReplicationCodec::new(Layout::V3)
            .encode(&proposal(None), &mut v3)
            .unwrap();
        let decoded = any.decode(&mut v3).unwrap();
        assert_eq!(decoded, Some(crate::AnyFrame::Replication(proposal(None))));
    }

    #[test]
    fn preamble() {
        let bytes = encode_preamble(SERVICE_ELECTION).unwrap();
        assert_eq!(hex::encode(&bytes), "08000000454c454354494f4e");
        assert_eq!(decode_preamble(&bytes).unwrap(), ("ELECTION".into(), 12));
        assert_eq!(
            decode_preamble(&bytes[..7]).unwrap_err().kind(),
            ErrorKind::Incomplete
        );
        assert!(encode_preamble("").is_err());
        assert!(encode_preamble(&"x".repeat(257)).is_err());
        assert!(encode_preamble(&"x".repeat(256)).is_ok());
        for bad in [&[0, 0, 0, 0][..], &[1, 1, 0, 0], &[0xff, 0xff, 0xff, 0xff]] {
            assert_eq!(
                decode_preamble(bad).unwrap_err().kind(),
                ErrorKind::Malformed
            );
        }
        let e = decode_preamble(&[2, 0, 0, 0, b'a', 0xff]).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::InvalidUtf8, Some(5)));
    }

    #[test]
    fn sniff_is_conservative() {
        let ack = encode(&ProtocolMessage::Ack { vlsn: 19 }).unwrap();
        assert!(sniff(&ack));
        assert!(sniff(&ack[..5]));
        assert!(!sniff(&ack[..4]));
        let mut bad_len = ack.clone();
        bad_len[0] = 10;
        assert!(!sniff(&bad_len), "an Ack is always 9 bytes");
        let mut bad_tag = ack.clone();
        bad_tag[4] = 13;
        assert!(!sniff(&bad_tag));
        assert!(sniff(&encode_preamble("ELECTION").unwrap()));
        assert!(sniff(b"\x0b\x00\x00\x00PEER"));
        assert!(!sniff(b"\x08\x00\x00\x00ELEX"));
        // Handshake with an invalid node type in a whole frame.
        assert!(!sniff(&[10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 9]));
        assert!(!sniff(b"GET / HTTP/1.1\r\n"));
        let text = crate::dataexchange::Frame::Text {
            payload: Bytes::from_static(b"hello"),
        };
        assert!(!sniff(&crate::dataexchange::encode(&text).unwrap()));
        // A 3x proposal is recognised too.
        let mut v3 = BytesMut::new();
        ReplicationCodec::new(Layout::V3)
            .encode(&proposal(None), &mut v3)
            .unwrap();
        assert!(sniff(&v3));
    }
}
