"""vectors/broker.json through wire.broker (as core/tests/broker_vectors)."""

from __future__ import annotations

from typing import Any, Dict, Optional, Type

import pytest

import wire
from wire import broker

from helpers import (
    KIND,
    assert_stream_error_matches,
    expectation,
    hex_of,
    load,
    message_of,
    params,
    section,
    stream_decode,
)

DOC = load("broker.json")
MAP_FIELDS = ("details", "labels", "platform_paths", "extra")
FRAMES = [e for e in section(DOC, "vectors") if "framing" not in e]
BARE = [e for e in section(DOC, "vectors") if "framing" in e]


def has_multi_entry_map(value: Any) -> bool:
    """Maps of more than one entry were written in random order by the reference."""
    if isinstance(value, dict):
        return any(
            (k in MAP_FIELDS and isinstance(v, dict) and len(v) > 1) or has_multi_entry_map(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(has_multi_entry_map(v) for v in value)
    return False


def frame_json(data: bytes) -> Dict[str, Any]:
    doc: Dict[str, Any] = broker.to_json(broker.decode(data))
    return doc


@params(FRAMES)
def test_frame_vector(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    roundtrip = entry.get("roundtrip") is not False
    decoded = frame_json(data)
    if not roundtrip and "payload_message" not in entry["fields"]:
        decoded["fields"].pop("payload_message", None)
    assert decoded == message_of(entry)
    assert stream_decode(broker, data, 1) == [broker.decode(data)]
    if roundtrip:
        assert broker.encode(broker.from_json(message_of(entry))) == data
    else:
        framed = broker.decode(data)
        canonical = hex_of(entry, "canonical_hex")
        assert broker.encode(framed.frame) == canonical
        assert broker.encode(framed) == canonical
        assert broker.decode(canonical).frame == framed.frame


@params(BARE)
def test_bare_message(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    decoded = broker.decode_message(entry["type"], data)
    assert broker.message_to_json(decoded) == message_of(entry)
    parsed = broker.message_from_json(message_of(entry))
    assert parsed == decoded
    encoded = broker.encode_message(parsed)
    canonical = hex_of(entry, "canonical_hex") if entry.get("roundtrip") is False else data
    if has_multi_entry_map(entry["fields"]):
        assert broker.decode_message(entry["type"], encoded) == decoded
    else:
        assert encoded == canonical


def check_reply(reply: Dict[str, Any]) -> None:
    data = hex_of(reply, "reply_hex")
    doc = frame_json(data)
    assert doc["fields"]["frame"] == reply["reply_frame"]
    assert doc["fields"].get("payload_message") == reply.get("reply_payload")
    if not has_multi_entry_map(doc):
        assert broker.encode(broker.from_json(doc)) == data


@params(section(DOC, "broker_exchanges"))
def test_exchange(entry: Dict[str, Any]) -> None:
    request = hex_of(entry, "request_hex")
    doc = frame_json(request)
    assert "payload_message" in doc["fields"]
    framed = broker.decode(request)
    payload = broker.payload_message(framed)
    assert payload is not None
    assert broker.message_to_json(payload) == doc["fields"]["payload_message"]
    assert broker.encode(broker.from_json(doc)) == request
    check_reply(entry["broker"])


@params(section(DOC, "invalid"))
def test_invalid(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    reference = entry["codecs"]["try_decode_framed"]
    rejects = entry["codec_rejects"]
    listed = expectation("broker.json", "invalid", entry)
    kind = KIND.get(listed.get("error", ""))
    decoder = broker.Decoder()
    if rejects and kind is not None:
        with pytest.raises(kind) as e:
            decoder.feed(data)
        if kind is not wire.FrameTooLargeError:
            assert e.value.reason == reference["error"]["message"]
        assert_stream_error_matches(broker, data, kind)
    elif not rejects and kind is wire.IncompleteError:
        assert decoder.feed(data) == [] and decoder.buffered == len(data)
        with pytest.raises(wire.IncompleteError):
            broker.decode(data)
    elif not rejects and (listed.get("decodes") or kind is wire.TrailingBytesError):
        frames = decoder.feed(data)
        assert len(frames) >= 1
        framed = frames[0]
        consumed = decoder.position
        assert consumed == reference["consumed"]
        doc = broker.to_json(framed)
        assert doc["fields"]["frame"] == reference["frame"]
        if entry["layer"] == "payload":
            with pytest.raises(wire.MalformedError):
                broker.payload_message(framed)
            assert "payload_message" not in doc["fields"]
        if consumed == len(data):
            assert broker.decode(data).frame == framed.frame
        else:
            with pytest.raises(wire.TrailingBytesError):
                broker.decode(data)
    else:
        raise AssertionError(f"unexpected expectation {rejects} {kind}")
    hello = entry["codecs"]["read_frame_with_cap_65536"]
    if (hello.get("error") or {}).get("error_kind") == "FrameTooLarge":
        with pytest.raises(wire.FrameTooLargeError):
            broker.decode(data, max_frame_size=broker.MAX_HELLO_BYTES)
    control = entry.get("broker_control_socket") or {}
    if control.get("reply_hex"):
        check_reply(control)


def test_stream_of_all_frames() -> None:
    data = b"".join(hex_of(e) for e in FRAMES)
    whole = stream_decode(broker, data, len(data))
    assert len(whole) == len(FRAMES)
    for chunk in (1, 7):
        assert stream_decode(broker, data, chunk) == whole
