"""Dynomite's peer-to-peer DNODE header and payload (C writers and the Rust port).

``Dmsg`` is one message (header fields and the plen-framed payload); ``DmsgHeader`` is a header
alone, for relays (``parse_header``, ``encode_header``); ``Handshake`` is the Rust port's
capability advertisement payload. Options: ``max_frame_size`` (mlen and plen, default 256 MiB)
and ``flavour`` (``"plain"``, the default, or ``"gossip"``: the placeholder byte written for an
empty ``data``).
"""

from wire._enums import DmsgType, Flavour
from wire._wire import dnode_CapabilityAd as CapabilityAd
from wire._wire import dnode_CapabilityAdEntry as CapabilityAdEntry
from wire._wire import dnode_decode as decode
from wire._wire import dnode_decode_handshake as decode_handshake
from wire._wire import dnode_decode_handshake_prefix as decode_handshake_prefix
from wire._wire import dnode_Decoder as Decoder
from wire._wire import dnode_Dmsg as Dmsg
from wire._wire import dnode_DmsgHeader as DmsgHeader
from wire._wire import dnode_encode as encode
from wire._wire import dnode_encode_handshake as encode_handshake
from wire._wire import dnode_encode_header as encode_header
from wire._wire import dnode_from_json as from_json
from wire._wire import dnode_Handshake as Handshake
from wire._wire import dnode_handshake_from_json as handshake_from_json
from wire._wire import dnode_handshake_to_json as handshake_to_json
from wire._wire import dnode_header_from_json as header_from_json
from wire._wire import dnode_header_to_json as header_to_json
from wire._wire import dnode_MAX_FRAME_SIZE as MAX_FRAME_SIZE
from wire._wire import dnode_parse_header as parse_header
from wire._wire import dnode_to_json as to_json

__all__ = [
    "CapabilityAd",
    "CapabilityAdEntry",
    "Decoder",
    "Dmsg",
    "DmsgHeader",
    "DmsgType",
    "Flavour",
    "Handshake",
    "MAX_FRAME_SIZE",
    "decode",
    "decode_handshake",
    "decode_handshake_prefix",
    "encode",
    "encode_handshake",
    "encode_header",
    "from_json",
    "handshake_from_json",
    "handshake_to_json",
    "header_from_json",
    "header_to_json",
    "parse_header",
    "to_json",
]
