"""vectors/dataexchange.json (version 0.2.1-beta.1) and dataexchange-latest.json (version main,
the default) through wire.dataexchange (as core/tests/vectors.rs)."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, Tuple, Type

import pytest

import wire
from wire import dataexchange

from helpers import (
    assert_rejected,
    expectation,
    expected_error,
    hex_of,
    load,
    message_of,
    params,
    section,
    stream_decode,
)

DOC = load("dataexchange.json")
OLD = {"version": dataexchange.Version.V0_2_1BETA1}
LATEST = load("dataexchange-latest.json")


@params(section(DOC, "vectors"))
def test_vector(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    msg = dataexchange.decode(data, **OLD)
    assert dataexchange.to_json(msg) == message_of(entry)
    assert dataexchange.encode(dataexchange.from_json(message_of(entry)), **OLD) == data
    assert stream_decode(dataexchange, data, 1, **OLD) == [msg]


@params(section(LATEST, "vectors"))
def test_latest_vector(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    msg = dataexchange.decode(data)
    assert isinstance(msg, dataexchange.TypeFileStream)
    assert dataexchange.to_json(msg) == message_of(entry)
    assert dataexchange.encode(dataexchange.from_json(message_of(entry))) == data
    assert dataexchange.encode(msg) == data
    assert stream_decode(dataexchange, data, 1) == [msg]


@params(section(LATEST, "invalid"))
def test_latest_invalid(entry: Dict[str, Any]) -> None:
    expected = expected_error("dataexchange-latest.json", "invalid", entry)
    assert_rejected(dataexchange, hex_of(entry), expected)


@params(section(LATEST, "decode_only"))
def test_latest_decode_only(entry: Dict[str, Any]) -> None:
    msg = dataexchange.decode(hex_of(entry))
    assert dataexchange.to_json(msg) == message_of(entry)
    refused = expectation("dataexchange-latest.json", "decode_only", entry)
    if refused:
        with pytest.raises(expected_error("dataexchange-latest.json", "decode_only", entry)):
            dataexchange.encode(msg)
    else:
        assert dataexchange.encode(msg) == hex_of(entry, "canonical_hex")


@params(section(LATEST, "encoder_truncation") + section(LATEST, "encode_refused"))
def test_latest_encode_refused(entry: Dict[str, Any]) -> None:
    # encoder_truncation entries give the encoder's input as input_fields.
    key = "input_fields" if "input_fields" in entry else "fields"
    section_key = "encoder_truncation" if key == "input_fields" else "encode_refused"
    expected = expected_error("dataexchange-latest.json", section_key, entry)
    msg = dataexchange.from_json({"type": entry["type"], "fields": entry[key]})
    with pytest.raises(expected):
        dataexchange.encode(msg)


def test_type_names_at_both_versions() -> None:
    for version, key in ((dataexchange.Version.MAIN, "main_772ffb9"), (dataexchange.Version.V0_2_1BETA1, "v0_2_1_beta_1")):
        for number, name in LATEST["type_names"][key].items():
            assert dataexchange.type_name(int(number), version=version) == name


@params(section(LATEST, "streams"))
def test_latest_stream(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    listed = entry["fields"]["frames"]
    for chunk in (1, 4096, len(data)):
        frames = stream_decode(dataexchange, data, chunk)
        assert len(frames) == len(listed)
        for frame, want in zip(frames, listed):
            fields = dataexchange.to_json(frame)["fields"]
            if "data_len" in want["fields"]:
                chunk_data = bytes.fromhex(fields.pop("data"))
                fields["data_len"] = len(chunk_data)
                fields["data_sha256"] = hashlib.sha256(chunk_data).hexdigest()
            assert fields == want["fields"]


def test_chunk_fields_and_version_option() -> None:
    msg = dataexchange.TypeFileStream(
        transfer_id=bytes(16), control=dataexchange.Chunk(offset=7, data=b"abc")
    )
    data = dataexchange.encode(msg)
    assert data[:8] == bytes.fromhex("000000070000001c")
    decoded = dataexchange.decode(data)
    assert decoded == msg and isinstance(decoded.control, dataexchange.Chunk)
    assert decoded.control.data == b"abc"
    old = dataexchange.decode(data, version="0.2.1-beta.1")
    assert isinstance(old, dataexchange.Unknown) and old.type == 7
    with pytest.raises(wire.InvalidArgumentError):
        dataexchange.encode(msg, version="0.2.1-beta.1")
    with pytest.raises(wire.InvalidArgumentError):
        dataexchange.decode(data, version="0.3")


@params(section(DOC, "invalid"))
def test_invalid(entry: Dict[str, Any]) -> None:
    expected = expected_error("dataexchange.json", "invalid", entry)
    data = hex_of(entry)
    if expected is not wire.InvalidArgumentError:
        assert_rejected(dataexchange, data, expected, **OLD)
        return
    msg = dataexchange.decode(data, **OLD)
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
        msg = dataexchange.decode(data, **OLD)
        assert isinstance(msg, dataexchange.TypeFile)
        assert (msg.filename, msg.payload) == described_file(behaviour)
        return
    left = int(behaviour.split(" byte(s) left unread")[0].rsplit(" ", 1)[1])
    with pytest.raises(wire.TrailingBytesError):
        dataexchange.decode(data, **OLD)
    decoder = dataexchange.Decoder(**OLD)
    assert len(decoder.feed(data)) == 1
    assert decoder.buffered == left


def test_every_section_is_checked() -> None:
    for doc in (DOC, LATEST):
        assert len(section(doc, "vectors")) > 0 and len(section(doc, "invalid")) > 0
