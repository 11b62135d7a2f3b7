"""vectors/chitchat.json through wire.chitchat (as core/tests/chitchat_vectors)."""

from __future__ import annotations

from typing import Any, Dict, Type

import pytest

import wire
from wire import chitchat

from helpers import assert_rejected, expected_error, hex_of, load, message_of, params, section, stream_decode

DOC = load("chitchat.json")
HEADER_LEN = 4


@params(section(DOC, "vectors"))
def test_vector(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    msg = chitchat.decode(data)
    assert chitchat.to_json(msg) == message_of(entry)
    assert chitchat.encode(chitchat.from_json(message_of(entry))) == data
    assert chitchat.encode(msg) == data
    assert stream_decode(chitchat, data, 1) == [msg]


def test_all_vectors_back_to_back() -> None:
    entries = section(DOC, "vectors")
    data = b"".join(hex_of(e) for e in entries)
    expected = [chitchat.decode(hex_of(e)) for e in entries]
    for chunk in (1, 7, 4096, len(data)):
        assert stream_decode(chitchat, data, chunk) == expected


@params(section(DOC, "decode_only") + section(DOC, "accepted_noncanonical"))
def test_decode_only(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    trailing = entry["trailing_bytes_ignored"]
    if trailing > 0:
        with pytest.raises(wire.TrailingBytesError):
            chitchat.decode(data)
        decoder = chitchat.Decoder()
        frames = decoder.feed(data)
        assert len(frames) == 1 and decoder.buffered == trailing
        msg = frames[0]
    else:
        msg = chitchat.decode(data)
    assert chitchat.to_json(msg) == message_of(entry)
    canonical = {"type": entry["type"], "fields": entry.get("canonical_fields", entry["fields"])}
    frame = chitchat.from_json(canonical)
    encoded = chitchat.encode(frame)
    assert encoded.hex() == entry["canonical_hex"]
    assert chitchat.decode(encoded) == frame


@params(section(DOC, "invalid"))
def test_invalid(entry: Dict[str, Any]) -> None:
    assert_rejected(chitchat, hex_of(entry), expected_error("chitchat.json", "invalid", entry))


def test_version_option() -> None:
    doc = {"type": "BadCluster", "fields": {}}
    assert chitchat.from_json(doc).version is chitchat.ProtocolVersion.V0
    v1 = chitchat.from_json(doc, version=chitchat.ProtocolVersion.V1)
    assert v1.version is chitchat.ProtocolVersion.V1
    assert chitchat.from_json(doc, version="V1") == v1
    assert chitchat.encode(v1) == bytes.fromhex("53b00103")
    with pytest.raises(wire.InvalidArgumentError):
        chitchat.Decoder(version="V9")
