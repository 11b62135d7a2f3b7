"""vectors/replication.json through wire.replication (as core/tests/vectors.rs)."""

from __future__ import annotations

import json
import struct
from typing import Any, Dict, Type

import pytest

import wire
from wire import replication

from helpers import (
    assert_stream_error_matches,
    expected_error,
    hex_of,
    load,
    message_of,
    params,
    section,
    stream_decode,
)

DOC = load("replication.json")


def framed(message: bytes) -> bytes:
    return struct.pack("<I", len(message)) + message


def check_refused(data: bytes, layout: str, message: str, expected: Type[wire.WireError]) -> None:
    with pytest.raises(expected) as bare:
        replication.decode_message(data, layout=layout)
    assert bare.value.reason == message
    framed_kind = wire.MalformedError if expected is wire.IncompleteError else expected
    with pytest.raises(framed_kind) as whole:
        replication.decode(framed(data), layout=layout)
    assert whole.value.reason.startswith(message)
    assert_stream_error_matches(replication, framed(data), framed_kind, layout=layout)


def check_accepted(data: bytes, layout: str, expected: Dict[str, Any]) -> None:
    message, used = replication.decode_message_prefix(data, layout=layout)
    assert replication.to_json(message) == expected
    if used == len(data):
        assert replication.decode_message(data, layout=layout) == message
    else:
        with pytest.raises(wire.TrailingBytesError) as e:
            replication.decode_message(data, layout=layout)
        assert e.value.offset == used
    canonical = replication.encode_message(message, layout=layout)
    assert replication.decode_message(canonical, layout=layout) == message


@params(section(DOC, "vectors"))
def test_vector(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    message = replication.decode_message(data)
    assert replication.to_json(message) == message_of(entry)
    assert replication.decode(framed(data)) == message
    assert stream_decode(replication, framed(data), 1) == [message]
    parsed = replication.from_json(message_of(entry))
    assert replication.encode_message(parsed) == data
    assert replication.encode(parsed) == framed(data)


@params(section(DOC, "decode_only") + section(DOC, "accepted_noncanonical"))
def test_decode_only(entry: Dict[str, Any]) -> None:
    check_accepted(hex_of(entry), "7x", entry["decodes_to"])


@params(section(DOC, "invalid"))
def test_invalid(entry: Dict[str, Any]) -> None:
    assert entry["error_kind"] == "ProtocolError"
    expected = expected_error("replication.json", "invalid", entry)
    check_refused(hex_of(entry), "7x", entry["error_message"], expected)


@params(section(DOC["legacy_3x"], "vectors"))
def test_legacy_3x(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    message = replication.decode_message(data, layout=replication.Layout.V3)
    assert replication.to_json(message) == message_of(entry)
    parsed = replication.from_json(message_of(entry))
    assert replication.encode_message(parsed, layout="3x") == data
    assert replication.decode(framed(data), layout="3x") == message
    with pytest.raises(wire.InvalidArgumentError):
        replication.encode_message(parsed, layout="7x")


@params(section(DOC["legacy_3x"], "decode_by_3x"))
def test_decode_by_3x(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    behaviour = entry["reference_behaviour"]
    if behaviour.startswith("Ok: decodes to "):
        fields = json.loads(behaviour[len("Ok: decodes to ") :])
        check_accepted(data, "3x", {"type": "ElectionProposal", "fields": fields})
    else:
        message = json.loads(behaviour.split("with message ", 1)[1])
        expected = expected_error("replication.json", "legacy_3x/decode_by_3x", entry)
        check_refused(data, "3x", message, expected)


def test_transport_framing() -> None:
    framing = DOC["transport_framing"]
    ack = replication.Ack(vlsn=19)
    data = hex_of(framing, "tcp_channel_send_ack_vlsn_19")
    assert replication.encode(ack) == data
    assert replication.decode(data) == ack

    data = hex_of(framing, "connect_to_service_ELECTION_then_ElectionResult_m_4")
    result = replication.ElectionResult(master="m", term=4)
    preamble = replication.encode_preamble(replication.SERVICE_ELECTION)
    assert preamble + replication.encode(result) == data
    service, used = replication.decode_preamble(data)
    assert service == "ELECTION"
    assert replication.decode(data[used:]) == result


@params(section(DOC["transport_framing"], "receive_cases"))
def test_receive_case(entry: Dict[str, Any]) -> None:
    raw = hex_of(entry, "raw")
    result = entry["result"]
    error = result.get("receive_error_debug")
    decoder = replication.Decoder()
    if error is not None and error.startswith('ProtocolError("frame payload too large'):
        with pytest.raises(wire.FrameTooLargeError) as e:
            decoder.feed(raw)
        assert e.value.offset == 0
    elif error is not None:
        # EOF in the header or the payload: the decoder waits, one-shot says incomplete.
        assert decoder.feed(raw) == [] and decoder.buffered == len(raw)
        with pytest.raises(wire.IncompleteError):
            replication.decode(raw)
    else:
        debug = result["decode"]["error_debug"]
        assert debug.startswith('ProtocolError("') and debug.endswith('")')
        with pytest.raises(wire.MalformedError) as e:
            decoder.feed(raw)
        assert e.value.reason == debug[len('ProtocolError("') : -2]
