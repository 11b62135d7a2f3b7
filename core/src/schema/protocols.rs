//! Each protocol's entry: its types (from their [`Describe`] impls), operations, options and
//! constants.

use super::{
    ConstValue, Constant, Describe, Operation, OptionDef, Param, ProtocolSchema, Ty, TypeDef,
};
use crate::{broker, chitchat, dataexchange, dnode, replication, Protocol};

/// The description of every protocol, in protocol number order.
pub fn schema() -> Vec<ProtocolSchema> {
    vec![dnode(), chitchat(), replication(), broker(), dataexchange()]
}

fn types<const N: usize>(defs: [TypeDef; N]) -> Vec<TypeDef> {
    defs.into()
}

fn op(
    name: &'static str,
    doc: &'static str,
    args: &[(&'static str, Ty)],
    returns: &[(&'static str, Ty)],
    options: bool,
) -> Operation {
    op_maybe(name, doc, args, returns, options, false)
}

/// An operation whose results may be absent as a whole.
fn op_maybe(
    name: &'static str,
    doc: &'static str,
    args: &[(&'static str, Ty)],
    returns: &[(&'static str, Ty)],
    options: bool,
    optional: bool,
) -> Operation {
    let params = |list: &[(&'static str, Ty)]| {
        list.iter()
            .map(|(name, ty)| Param {
                name,
                ty: ty.clone(),
            })
            .collect()
    };
    Operation {
        name,
        doc,
        args: params(args),
        returns: params(returns),
        options,
        optional,
    }
}

fn constant(name: &'static str, value: u64, doc: &'static str) -> Constant {
    Constant {
        name,
        value: ConstValue::Int(value),
        doc,
    }
}

fn reference(name: &'static str) -> Ty {
    Ty::Ref(name)
}

fn dnode() -> ProtocolSchema {
    use dnode::{CapabilityAd, CapabilityAdEntry, Dmsg, DmsgHeader, DmsgType, Handshake};
    ProtocolSchema {
        protocol: Protocol::Dnode,
        frame: Dmsg::NAME,
        types: types([
            DmsgType::describe(),
            Dmsg::describe(),
            DmsgHeader::describe(),
            CapabilityAdEntry::describe(),
            CapabilityAd::describe(),
            Handshake::describe(),
        ]),
        operations: vec![
            op_maybe(
                "parse_header",
                "Parse the header at the start of `data`: the header and its length in bytes, \
                 or none when `data` ends inside the header.",
                &[("data", Ty::Bytes)],
                &[
                    ("header", reference(DmsgHeader::NAME)),
                    ("header_length", Ty::U64),
                ],
                true,
                true,
            ),
            op(
                "encode_header",
                "The bytes of a header alone (the payload follows it on the wire).",
                &[("header", reference(DmsgHeader::NAME))],
                &[("data", Ty::Bytes)],
                true,
            ),
            op(
                "header_to_json",
                "The canonical JSON of a header.",
                &[("header", reference(DmsgHeader::NAME))],
                &[("json", Ty::Json)],
                false,
            ),
            op(
                "header_from_json",
                "A header from its canonical JSON.",
                &[("json", Ty::Json)],
                &[("header", reference(DmsgHeader::NAME))],
                false,
            ),
            op(
                "decode_handshake",
                "Decode a `DHS1` handshake payload.",
                &[("data", Ty::Bytes)],
                &[("handshake", reference(Handshake::NAME))],
                false,
            ),
            op(
                "decode_handshake_prefix",
                "Decode the handshake payload at the start of `data`, and the bytes it used.",
                &[("data", Ty::Bytes)],
                &[("handshake", reference(Handshake::NAME)), ("used", Ty::U64)],
                false,
            ),
            op(
                "encode_handshake",
                "Encode a handshake payload.",
                &[("handshake", reference(Handshake::NAME))],
                &[("data", Ty::Bytes)],
                false,
            ),
            op(
                "handshake_to_json",
                "The canonical JSON of a handshake payload.",
                &[("handshake", reference(Handshake::NAME))],
                &[("json", Ty::Json)],
                false,
            ),
            op(
                "handshake_from_json",
                "A handshake payload from its canonical JSON.",
                &[("json", Ty::Json)],
                &[("handshake", reference(Handshake::NAME))],
                false,
            ),
        ],
        options: vec![OptionDef {
            name: "flavour",
            values: vec![dnode::Flavour::Plain.name(), dnode::Flavour::Gossip.name()],
            names: vec!["Plain", "Gossip"],
            default: dnode::Flavour::default().name().to_owned(),
            doc: "The placeholder an empty data field is written as: `d` (plain) or `a` \
                  (gossip).",
        }],
        constants: vec![
            constant(
                "MAX_FRAME_SIZE",
                dnode::MAX_FRAME_SIZE,
                "Default limit of mlen and plen.",
            ),
            constant(
                "DMSG_FLAG_ENCRYPTED",
                u64::from(dnode::DMSG_FLAG_ENCRYPTED),
                "Flag bit: the payload is encrypted.",
            ),
            constant(
                "DMSG_FLAG_COMPRESSED",
                u64::from(dnode::DMSG_FLAG_COMPRESSED),
                "Flag bit: the payload is compressed.",
            ),
        ],
    }
}

fn dataexchange() -> ProtocolSchema {
    use dataexchange::{Control, Frame, Version};
    let kind = |name, value: u8, doc| constant(name, value.into(), doc);
    ProtocolSchema {
        protocol: Protocol::Dataexchange,
        frame: Frame::NAME,
        types: types([Control::describe(), Frame::describe()]),
        operations: vec![
            op(
                "frame_type",
                "The type number a frame has on the wire.",
                &[("frame", reference(Frame::NAME))],
                &[("frame_type", Ty::U32)],
                false,
            ),
            op(
                "type_name",
                "The reference's `TypeName` at the codec's version: `TEXT`, `BINARY`, `JSON`, \
                 `FILE`, `TRACE`, `FILESTREAM` (main only), else `UNKNOWN(n)`.",
                &[("frame_type", Ty::U32)],
                &[("name", Ty::Text)],
                true,
            ),
            op(
                "read_trace_payload",
                "The reference's `ReadTracePayload` over a raw type number and payload.",
                &[("frame_type", Ty::U32), ("payload", Ty::Bytes)],
                &[
                    ("inner_type", Ty::U32),
                    ("sent_at_ns", Ty::I64),
                    ("payload", Ty::Bytes),
                ],
                false,
            ),
        ],
        options: vec![OptionDef {
            name: "version",
            values: vec![Version::Main.name(), Version::V0_2_1Beta1.name()],
            names: vec!["Main", "V0_2_1Beta1"],
            default: Version::default().name().to_owned(),
            doc: "The reference version: `main` (branch main at 772ffb9: TypeFileStream, 64 MiB \
                  limit, UTF-8 file names) or `0.2.1-beta.1` (the tagged release: type 7 \
                  unknown, 256 MiB limit).",
        }],
        constants: vec![
            constant(
                "MAX_FRAME_SIZE",
                dataexchange::MAX_FRAME_SIZE,
                "Default limit of a frame's payload length (version main).",
            ),
            constant(
                "MAX_FRAME_SIZE_V0_2_1_BETA_1",
                dataexchange::MAX_FRAME_SIZE_V0_2_1_BETA_1,
                "Default limit of a frame's payload length at version 0.2.1-beta.1.",
            ),
            constant(
                "STREAM_CHUNK_SIZE",
                dataexchange::STREAM_CHUNK_SIZE.into(),
                "The reference sender's TypeFileStream chunk size (48 KiB).",
            ),
            // Named like the variants (`TypeText` -> `TYPE_TEXT`): the wire number of each.
            constant(
                "TYPE_TEXT",
                dataexchange::TYPE_TEXT.into(),
                "`TypeText`'s type number.",
            ),
            constant(
                "TYPE_BINARY",
                dataexchange::TYPE_BINARY.into(),
                "`TypeBinary`'s type number.",
            ),
            constant(
                "TYPE_JSON",
                dataexchange::TYPE_JSON.into(),
                "`TypeJSON`'s type number.",
            ),
            constant(
                "TYPE_FILE",
                dataexchange::TYPE_FILE.into(),
                "`TypeFile`'s type number.",
            ),
            constant(
                "TYPE_TRACE",
                dataexchange::TYPE_TRACE.into(),
                "`TypeTrace`'s type number.",
            ),
            constant(
                "TYPE_FILE_STREAM",
                dataexchange::TYPE_FILE_STREAM.into(),
                "`TypeFileStream`'s type number (version main).",
            ),
            // Named like the control variants (`InitAck` -> `INIT_ACK`): each one's kind byte.
            kind("INIT", dataexchange::INIT, "`Init`'s kind byte."),
            kind("CHUNK", dataexchange::CHUNK, "`Chunk`'s kind byte."),
            kind("ACK", dataexchange::ACK, "`Ack`'s kind byte."),
            kind("DONE", dataexchange::DONE, "`Done`'s kind byte."),
            kind("INIT_ACK", dataexchange::INIT_ACK, "`InitAck`'s kind byte."),
            kind(
                "COMPLETE",
                dataexchange::COMPLETE,
                "`Complete`'s kind byte.",
            ),
            kind("ABORT", dataexchange::ABORT, "`Abort`'s kind byte."),
        ],
    }
}

fn broker() -> ProtocolSchema {
    use broker::{AnyMessage, Framed, Payload};
    ProtocolSchema {
        protocol: Protocol::Broker,
        frame: Framed::NAME,
        types: broker::schema::types(),
        operations: vec![
            op(
                "decode_message",
                "Decode a bare message (prost bytes, no framing) of the type named `type_name`.",
                &[("type_name", Ty::Text), ("data", Ty::Bytes)],
                &[("message", reference(AnyMessage::NAME))],
                false,
            ),
            op(
                "encode_message",
                "Encode a bare message (prost bytes, no framing).",
                &[("message", reference(AnyMessage::NAME))],
                &[("data", Ty::Bytes)],
                false,
            ),
            op(
                "message_to_json",
                "The canonical JSON of a bare message.",
                &[("message", reference(AnyMessage::NAME))],
                &[("json", Ty::Json)],
                false,
            ),
            op(
                "message_from_json",
                "A bare message from its canonical JSON.",
                &[("json", Ty::Json)],
                &[("message", reference(AnyMessage::NAME))],
                false,
            ),
            op(
                "encode_payload",
                "Encode a frame's payload message (the bytes of a `Frame.payload`).",
                &[("payload", reference(Payload::NAME))],
                &[("data", Ty::Bytes)],
                false,
            ),
            op_maybe(
                "payload_message",
                "A frame's payload decoded by the schema its `payload_protocol` and `kind` \
                 announce: none for opaque payloads, `malformed` when the payload is not that \
                 message.",
                &[("frame", reference(broker::Frame::NAME))],
                &[("payload", reference(Payload::NAME))],
                false,
                true,
            ),
        ],
        options: vec![],
        constants: vec![
            constant(
                "MAX_FRAME_BYTES",
                broker::MAX_FRAME_BYTES,
                "Largest body the broker accepts (the default limit).",
            ),
            constant(
                "MAX_HELLO_BYTES",
                broker::MAX_HELLO_BYTES,
                "Largest body of the first (Hello) frame the broker reads.",
            ),
        ],
    }
}

fn chitchat() -> ProtocolSchema {
    use chitchat::{
        ChitchatEnvelope, ChitchatId, ChitchatMessage, DeletionStatusMutation, Delta, Digest,
        KeyValueMutation, NodeDelta, NodeDigest, ProtocolVersion,
    };
    ProtocolSchema {
        protocol: Protocol::Chitchat,
        frame: ChitchatEnvelope::NAME,
        types: types([
            ProtocolVersion::describe(),
            DeletionStatusMutation::describe(),
            ChitchatId::describe(),
            NodeDigest::describe(),
            Digest::describe(),
            KeyValueMutation::describe(),
            NodeDelta::describe(),
            Delta::describe(),
            ChitchatMessage::describe(),
            ChitchatEnvelope::describe(),
        ]),
        operations: vec![],
        options: vec![OptionDef {
            name: "version",
            values: vec![ProtocolVersion::V0.name(), ProtocolVersion::V1.name()],
            names: vec!["V0", "V1"],
            default: ProtocolVersion::default().name().to_owned(),
            doc: "The protocol version messages are encoded in (decoding reads it from the \
                  header).",
        }],
        constants: vec![
            // Named like the variants (`SynAck` -> `SYN_ACK`): the message type of each.
            constant("SYN", chitchat::TYPE_SYN.into(), "Message type of `Syn`."),
            constant(
                "SYN_ACK",
                chitchat::TYPE_SYN_ACK.into(),
                "Message type of `SynAck`.",
            ),
            constant("ACK", chitchat::TYPE_ACK.into(), "Message type of `Ack`."),
            constant(
                "BAD_CLUSTER",
                chitchat::TYPE_BAD_CLUSTER.into(),
                "Message type of `BadCluster`.",
            ),
            constant(
                "MAX_FRAME_SIZE",
                chitchat::MAX_FRAME_SIZE,
                "Default limit of a message: the largest UDP payload.",
            ),
            constant(
                "MAX_DECOMPRESSED_SIZE",
                chitchat::MAX_DECOMPRESSED_SIZE,
                "Default limit of a message's decompressed blocks.",
            ),
        ],
    }
}

fn replication() -> ProtocolSchema {
    use replication::{GroupChangeType, Layout, NodeType, ProtocolMessage, RepNode};
    let message = || reference(ProtocolMessage::NAME);
    ProtocolSchema {
        protocol: Protocol::Replication,
        frame: ProtocolMessage::NAME,
        types: types([
            NodeType::describe(),
            GroupChangeType::describe(),
            RepNode::describe(),
            ProtocolMessage::describe(),
        ]),
        operations: vec![
            op(
                "decode_message",
                "Decode exactly one bare message (no length prefix).",
                &[("data", Ty::Bytes)],
                &[("message", message())],
                true,
            ),
            op(
                "decode_message_prefix",
                "Decode the bare message at the start of `data`, and the bytes it used.",
                &[("data", Ty::Bytes)],
                &[("message", message()), ("used", Ty::U64)],
                true,
            ),
            op(
                "encode_message",
                "Encode a bare message (no length prefix).",
                &[("message", message())],
                &[("data", Ty::Bytes)],
                true,
            ),
            op(
                "encode_preamble",
                "The service-name preamble a connection starts with.",
                &[("service", Ty::Text)],
                &[("data", Ty::Bytes)],
                false,
            ),
            op(
                "decode_preamble",
                "The service-name preamble at the start of `data`, and the bytes it used.",
                &[("data", Ty::Bytes)],
                &[("service", Ty::Text), ("used", Ty::U64)],
                false,
            ),
        ],
        options: vec![OptionDef {
            name: "layout",
            values: vec![Layout::V7.name(), Layout::V3.name()],
            names: vec!["V7", "V3"],
            default: Layout::default().name().to_owned(),
            doc: "The message layout: noxu-rep 7.x or 3.x.",
        }],
        constants: vec![
            // Named like the variants (`LogEntry` -> `LOG_ENTRY`): the wire tag of each.
            constant(
                "HANDSHAKE",
                replication::TAG_HANDSHAKE.into(),
                "Tag of `Handshake`.",
            ),
            constant(
                "HANDSHAKE_RESPONSE",
                replication::TAG_HANDSHAKE_RESPONSE.into(),
                "Tag of `HandshakeResponse`.",
            ),
            constant(
                "HEARTBEAT",
                replication::TAG_HEARTBEAT.into(),
                "Tag of `Heartbeat`.",
            ),
            constant(
                "HEARTBEAT_RESPONSE",
                replication::TAG_HEARTBEAT_RESPONSE.into(),
                "Tag of `HeartbeatResponse`.",
            ),
            constant(
                "LOG_ENTRY",
                replication::TAG_LOG_ENTRY.into(),
                "Tag of `LogEntry`.",
            ),
            constant("ACK", replication::TAG_ACK.into(), "Tag of `Ack`."),
            constant(
                "GROUP_CHANGE",
                replication::TAG_GROUP_CHANGE.into(),
                "Tag of `GroupChange`.",
            ),
            constant(
                "GROUP_CHANGE_RESPONSE",
                replication::TAG_GROUP_CHANGE_RESPONSE.into(),
                "Tag of `GroupChangeResponse`.",
            ),
            constant(
                "ELECTION_PROPOSAL",
                replication::TAG_ELECTION_PROPOSAL.into(),
                "Tag of `ElectionProposal`.",
            ),
            constant(
                "ELECTION_VOTE",
                replication::TAG_ELECTION_VOTE.into(),
                "Tag of `ElectionVote`.",
            ),
            constant(
                "ELECTION_RESULT",
                replication::TAG_ELECTION_RESULT.into(),
                "Tag of `ElectionResult`.",
            ),
            constant(
                "SHUTDOWN",
                replication::TAG_SHUTDOWN.into(),
                "Tag of `Shutdown`.",
            ),
            constant(
                "MAX_FRAME_PAYLOAD",
                replication::MAX_FRAME_PAYLOAD,
                "The receivers' largest frame payload (the default limit).",
            ),
            Constant {
                name: "SERVICE_ELECTION",
                value: ConstValue::Text(replication::SERVICE_ELECTION),
                doc: "The service that carries `ProtocolMessage` traffic.",
            },
            Constant {
                name: "SERVICE_NAMES",
                value: ConstValue::TextList(replication::SERVICE_NAMES.to_vec()),
                doc: "Every service name noxu-rep 7.11.2 registers.",
            },
        ],
    }
}
