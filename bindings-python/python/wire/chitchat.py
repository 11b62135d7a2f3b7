"""chitchat gossip messages (quickwit-oss/chitchat 0.9 to 0.13).

``Syn``, ``SynAck``, ``Ack`` and ``BadCluster``, each with the ``version`` of its envelope
(``ProtocolVersion.V0``, the default, or ``V1``: only the digest encoding differs), and the
``Digest`` / ``Delta`` types they carry. Options: ``max_frame_size`` (whole message, default
65,507: one UDP datagram), ``max_decompressed_size`` and ``version`` (for ``from_json``
documents without one).
"""

from typing import Union

from wire._enums import DeletionStatusMutation, ProtocolVersion
from wire._wire import chitchat_Ack as Ack
from wire._wire import chitchat_BadCluster as BadCluster
from wire._wire import chitchat_ChitchatId as ChitchatId
from wire._wire import chitchat_decode as decode
from wire._wire import chitchat_Decoder as Decoder
from wire._wire import chitchat_Delta as Delta
from wire._wire import chitchat_Digest as Digest
from wire._wire import chitchat_encode as encode
from wire._wire import chitchat_from_json as from_json
from wire._wire import chitchat_KeyValueMutation as KeyValueMutation
from wire._wire import chitchat_MAX_FRAME_SIZE as MAX_FRAME_SIZE
from wire._wire import chitchat_NodeDelta as NodeDelta
from wire._wire import chitchat_NodeDigest as NodeDigest
from wire._wire import chitchat_Syn as Syn
from wire._wire import chitchat_SynAck as SynAck
from wire._wire import chitchat_to_json as to_json

Message = Union[Syn, SynAck, Ack, BadCluster]
"""Any chitchat message."""

__all__ = [
    "Ack",
    "BadCluster",
    "ChitchatId",
    "Decoder",
    "DeletionStatusMutation",
    "Delta",
    "Digest",
    "KeyValueMutation",
    "MAX_FRAME_SIZE",
    "Message",
    "NodeDelta",
    "NodeDigest",
    "ProtocolVersion",
    "Syn",
    "SynAck",
    "decode",
    "encode",
    "from_json",
    "to_json",
]
