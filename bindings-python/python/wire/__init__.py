"""wire: byte-exact codecs for five peer-to-peer wire protocols.

One module per protocol, all with the same shape: ``wire.dnode``, ``wire.chitchat``,
``wire.replication``, ``wire.broker`` and ``wire.dataexchange`` each have a class per message
type, ``encode(msg) -> bytes``, ``decode(data) -> msg`` (exactly one frame), ``Decoder`` with
``feed(data) -> list``, and ``to_json`` / ``from_json`` for the canonical JSON form of the
conformance vectors. ``wire.aio`` reads frames from an asyncio ``StreamReader``.

Every codec error is a ``WireError`` (a ``ValueError``) with ``code``, ``protocol``, ``offset``
and ``reason``; its subclass names the kind. ``detect(data)`` names the protocol whose
framing ``data`` starts with (None when none does).
"""

from wire._wire import (
    FrameTooLargeError,
    IncompleteError,
    InvalidArgumentError,
    InvalidUtf8Error,
    MalformedError,
    TrailingBytesError,
    UnsupportedVersionError,
    WireError,
    __version__,
    detect,
)

from wire import broker, chitchat, dataexchange, dnode, replication

__all__ = [
    "FrameTooLargeError",
    "IncompleteError",
    "InvalidArgumentError",
    "InvalidUtf8Error",
    "MalformedError",
    "TrailingBytesError",
    "UnsupportedVersionError",
    "WireError",
    "__version__",
    "broker",
    "chitchat",
    "dataexchange",
    "detect",
    "dnode",
    "replication",
]
