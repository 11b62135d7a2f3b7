"""Noxu DB replication ``ProtocolMessage`` (noxu-rep 7.x, and 3.x with ``layout="3x"``).

One class per message; ``RepNode`` for ``GroupChange.node``. ``encode``/``decode``/``Decoder``
work on the TCP framing ``[u32 LE length][message]``; ``encode_message``/``decode_message`` on
the bare message; ``encode_preamble``/``decode_preamble`` on the service-name preamble a
connection starts with. Options: ``max_frame_size`` (default 64 MiB) and ``layout`` (``"7x"``,
the default, or ``"3x"``, also as ``Layout`` members).
"""

from typing import Union

from wire._enums import GroupChangeType, Layout, NodeType
from wire._wire import replication_Ack as Ack
from wire._wire import replication_decode as decode
from wire._wire import replication_decode_message as decode_message
from wire._wire import replication_decode_message_prefix as decode_message_prefix
from wire._wire import replication_decode_preamble as decode_preamble
from wire._wire import replication_Decoder as Decoder
from wire._wire import replication_ElectionProposal as ElectionProposal
from wire._wire import replication_ElectionResult as ElectionResult
from wire._wire import replication_ElectionVote as ElectionVote
from wire._wire import replication_encode as encode
from wire._wire import replication_encode_message as encode_message
from wire._wire import replication_encode_preamble as encode_preamble
from wire._wire import replication_from_json as from_json
from wire._wire import replication_GroupChange as GroupChange
from wire._wire import replication_GroupChangeResponse as GroupChangeResponse
from wire._wire import replication_Handshake as Handshake
from wire._wire import replication_HandshakeResponse as HandshakeResponse
from wire._wire import replication_Heartbeat as Heartbeat
from wire._wire import replication_HeartbeatResponse as HeartbeatResponse
from wire._wire import replication_LogEntry as LogEntry
from wire._wire import replication_MAX_FRAME_PAYLOAD as MAX_FRAME_PAYLOAD
from wire._wire import replication_RepNode as RepNode
from wire._wire import replication_SERVICE_ELECTION as SERVICE_ELECTION
from wire._wire import replication_SERVICE_NAMES as SERVICE_NAMES
from wire._wire import replication_Shutdown as Shutdown
from wire._wire import replication_to_json as to_json

ProtocolMessage = Union[
    Handshake,
    HandshakeResponse,
    Heartbeat,
    HeartbeatResponse,
    LogEntry,
    Ack,
    GroupChange,
    GroupChangeResponse,
    ElectionProposal,
    ElectionVote,
    ElectionResult,
    Shutdown,
]
"""Any replication message."""

__all__ = [
    "Ack",
    "Decoder",
    "ElectionProposal",
    "ElectionResult",
    "ElectionVote",
    "GroupChange",
    "GroupChangeResponse",
    "GroupChangeType",
    "Handshake",
    "HandshakeResponse",
    "Heartbeat",
    "HeartbeatResponse",
    "Layout",
    "LogEntry",
    "MAX_FRAME_PAYLOAD",
    "NodeType",
    "ProtocolMessage",
    "RepNode",
    "SERVICE_ELECTION",
    "SERVICE_NAMES",
    "Shutdown",
    "decode",
    "decode_message",
    "decode_message_prefix",
    "decode_preamble",
    "encode",
    "encode_message",
    "encode_preamble",
    "from_json",
    "to_json",
]
