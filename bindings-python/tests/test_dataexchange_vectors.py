"""vectors/dataexchange.json through wire.dataexchange (as core/tests/vectors.rs)."""

from __future__ import annotations

import json
from typing import Any, Dict, Tuple, Type

import pytest

import wire
from wire import dataexchange

from helpers import (
    assert_rejected,
    expected_error,
    hex_of,
    load,
    message_of,
    params,
    section,
    stream_decode,
)

DOC = load("dataexchange.json")


@params(section(DOC, "vectors"))
def test_vector(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    msg = dataexchange.decode(data)
    assert dataexchange.to_json(msg) == message_of(entry)
    assert dataexchange.encode(dataexchange.from_json(message_of(entry))) == data
    assert stream_decode(dataexchange, data, 1) == [msg]


@params(section(DOC, "invalid"))
def test_invalid(entry: Dict[str, Any]) -> None:
    expected = expected_error("dataexchange.json", "invalid", entry)
    data = hex_of(entry)
    if expected is not wire.InvalidArgumentError:
        assert_rejected(dataexchange, data, expected)
        return
    msg = dataexchange.decode(data)
    payload = getattr(msg, "payload")
    with pytest.raises(wire.InvalidArgumentError):
        dataexchange.read_trace_payload(dataexchange.frame_type(msg), payload)


def described_file(behaviour: str) -> Tuple[bytes, bytes]:
    """(filename, payload) of a Go `Frame{type: 4 (FILE), filename: .., payload: ..}` text."""
    rest = behaviour.split("filename: ", 1)[1]
    filename, _ = rest.split(", payload: ", 1)
    name = (
        bytes.fromhex(filename[4:])
        if filename.startswith("hex ")
        else json.loads(filename).encode()
    )
    payload = behaviour.rsplit("payload: ", 1)[1].rstrip("}")
    if payload.startswith("hex "):
        return name, bytes.fromhex(payload[4:])
    assert payload == "empty", behaviour
    return name, b""


@params(section(DOC, "decode_only") + section(DOC, "accepted_noncanonical"))
def test_decode_only(entry: Dict[str, Any]) -> None:
    behaviour = entry["reference_behaviour"]
    data = hex_of(entry)
    if " byte(s) left unread" not in behaviour:
        msg = dataexchange.decode(data)
        assert isinstance(msg, dataexchange.File)
        assert (msg.filename, msg.payload) == described_file(behaviour)
        return
    left = int(behaviour.split(" byte(s) left unread")[0].rsplit(" ", 1)[1])
    with pytest.raises(wire.TrailingBytesError):
        dataexchange.decode(data)
    decoder = dataexchange.Decoder()
    assert len(decoder.feed(data)) == 1
    assert decoder.buffered == left


def test_every_section_is_checked() -> None:
    assert len(section(DOC, "vectors")) > 0 and len(section(DOC, "invalid")) > 0
