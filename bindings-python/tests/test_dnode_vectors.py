"""vectors/dnode.json and vectors/dnode-live.json through wire.dnode (as core/tests/dnode_vectors)."""

from __future__ import annotations

import random
import re
from typing import Any, Dict, List, Tuple, Type, Union

import pytest

import wire
from wire import dnode

from helpers import (
    KIND,
    assert_rejected,
    assert_stream_error_matches,
    expectation,
    expected_error,
    hex_of,
    load,
    message_of,
    outcome,
    params,
    section,
)

DOC = load("dnode.json")
LIVE = load("dnode-live.json")
U32_MAX = 2**32 - 1


def number(v: Union[int, str]) -> int:
    return int(v)


Located = Tuple[int, int, dnode.Dmsg]


def stream(data: bytes, sizes: List[int]) -> Tuple[List[Located], Any]:
    """Decode `data` fed in pieces of the given sizes (repeated): every frame with its offset
    and header length (from `parse_header` at that offset), then the outcome."""
    decoder = dnode.Decoder()
    frames: List[dnode.Dmsg] = []
    at, i = 0, 0
    error = None
    try:
        while at < len(data):
            size = sizes[i % len(sizes)]
            frames.extend(decoder.feed(data[at : at + size]))
            at += size
            i += 1
        decoder.finish()
    except wire.WireError as e:
        error = e
    located: List[Located] = []
    offset = 0
    for msg in frames:
        parsed = dnode.parse_header(data[offset:], max_frame_size=U32_MAX)
        assert parsed is not None
        header_len = parsed[1]
        located.append((offset, header_len, msg))
        offset += header_len + len(msg.payload)
    assert decoder.position == offset or error is not None
    summary = None if error is None else (error.code, error.offset)
    return located, summary


def stream_all_chunkings(data: bytes) -> Tuple[List[Located], Any]:
    """The same frames and outcome for 1-byte, whole and pseudo-random chunkings."""
    reference = stream(data, [1])
    assert stream(data, [max(len(data), 1)]) == reference
    for seed, top in zip(range(1, 5), [3, 17, 64, 1500]):
        rng = random.Random(seed)
        sizes = [rng.randint(1, top) for _ in range(64)]
        assert stream(data, sizes) == reference, f"chunking seed {seed}"
    return reference


def check_vector(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    msg = dnode.decode(data)
    assert dnode.to_json(msg) == message_of(entry)
    assert dnode.decode(bytearray(data)) == msg
    encoded = dnode.encode(dnode.from_json(message_of(entry)))
    assert encoded == data
    writer = entry.get("writer")
    if writer is not None:
        flavour = {"dmsg_write": dnode.Flavour.PLAIN, "dmsg_write_mbuf": dnode.Flavour.GOSSIP}[writer]
        placeholder = {"plain": b"d", "gossip": b"a"}[flavour.value]
        if msg.data == placeholder:
            empty = dnode.Dmsg(
                id=msg.id,
                type=msg.type,
                flags=msg.flags,
                version=msg.version,
                same_dc=msg.same_dc,
                data=b"",
                payload=msg.payload,
            )
            assert dnode.encode(empty, flavour=flavour) == data
            assert dnode.encode(empty, flavour=flavour.value) == data


@params(section(DOC, "vectors"))
def test_vector(entry: Dict[str, Any]) -> None:
    check_vector(entry)
    frames, end = stream_all_chunkings(hex_of(entry))
    assert end is None and [f[2] for f in frames] == [dnode.decode(hex_of(entry))]


@params(section(DOC, "decode_only") + section(DOC, "accepted_noncanonical"))
def test_decode_only(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    rejected = expectation("dnode.json", "decode_only", entry)
    if rejected:
        with pytest.raises(KIND[rejected["error"]]):
            dnode.parse_header(data)
        with pytest.raises(KIND[rejected["error"]]):
            dnode.decode(data)
        return
    parsed = dnode.parse_header(data)
    assert parsed is not None
    header, length = parsed
    assert length == number(entry["header_len"])
    assert dnode.header_to_json(header) == message_of(entry)
    total = length + header.plen
    msg = dnode.decode(data[:total])
    fields = ("id", "type", "flags", "version", "same_dc", "data")
    assert [getattr(msg, f) for f in fields] == [getattr(header, f) for f in fields]
    assert msg.payload == data[length:total]


@params(section(DOC, "invalid"))
def test_invalid(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    expected = expected_error("dnode.json", "invalid", entry)
    assert_rejected(dnode, data, expected)
    if expected is wire.TrailingBytesError:
        frames, end = stream_all_chunkings(data)
        assert len(frames) == 1
        offset, header_len, msg = frames[0]
        assert end == ("malformed", header_len + len(msg.payload))


def check_concatenation(doc: Dict[str, Any]) -> None:
    entries = [e for e in section(doc, "vectors") if e["type"] != "stream"]
    data = b"".join(hex_of(e) for e in entries)
    frames, end = stream_all_chunkings(data)
    assert end is None and len(frames) == len(entries)
    offset = 0
    for entry, (at, header_len, msg) in zip(entries, frames):
        assert at == offset
        assert msg == dnode.decode(hex_of(entry))
        if "header_len" in entry:
            assert header_len == number(entry["header_len"])
        offset += len(hex_of(entry))


def test_concatenated_vectors_stream() -> None:
    check_concatenation(DOC)


@params(section(DOC, "header_vectors"))
def test_header_vector(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    parsed = dnode.parse_header(data, max_frame_size=U32_MAX)
    assert parsed is not None
    header, length = parsed
    assert length == len(data) == number(entry["header_len"])
    assert dnode.header_to_json(header) == message_of(entry)
    back = dnode.header_from_json(message_of(entry))
    assert back == header
    assert dnode.encode_header(back, max_frame_size=U32_MAX) == data


@params(section(DOC, "handshake_vectors"))
def test_handshake_vector(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    hs = dnode.decode_handshake(data)
    assert dnode.handshake_to_json(hs) == message_of(entry)
    back = dnode.handshake_from_json(message_of(entry))
    assert back == hs
    assert dnode.encode_handshake(back) == data
    assert dnode.decode_handshake_prefix(data + b"\x00") == (hs, len(data))


@params(section(DOC, "handshake_invalid"))
def test_handshake_invalid(entry: Dict[str, Any]) -> None:
    with pytest.raises(expected_error("dnode.json", "handshake_invalid", entry)):
        dnode.decode_handshake(hex_of(entry))


def test_dnode_sections_counted() -> None:
    counts = [
        len(section(DOC, k))
        for k in ("vectors", "decode_only", "invalid", "header_vectors", "handshake_vectors", "handshake_invalid")
    ]
    assert counts[0] > 0 and all(c > 0 for c in counts[2:])


LIVE_FRAMES = [e for e in section(LIVE, "vectors") if e["type"] != "stream"]
LIVE_STREAMS = [e for e in section(LIVE, "vectors") if e["type"] == "stream"]


@params(LIVE_FRAMES)
def test_live_frame(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    msg = dnode.decode(data)
    assert dnode.to_json(msg) == message_of(entry)
    assert dnode.encode(dnode.from_json(message_of(entry))) == data


def type_value(t: int) -> Union[str, int]:
    return t.name if isinstance(t, dnode.DmsgType) else t


@params(LIVE_STREAMS)
def test_live_stream(entry: Dict[str, Any]) -> None:
    frames, end = stream_all_chunkings(hex_of(entry))
    assert end is None
    listed = entry["fields"]["frames"]
    assert number(entry["fields"]["frame_count"]) == len(listed) == len(frames)
    for (offset, header_len, msg), want in zip(frames, listed):
        got = {
            "offset": offset,
            "header_len": header_len,
            "plen": len(msg.payload),
            "id": msg.id,
            "type": type_value(msg.type),
        }
        assert got == want


def test_live_concatenation() -> None:
    check_concatenation(LIVE)
    assert len(LIVE_STREAMS) == 13


@params(section(LIVE, "invalid"))
def test_live_invalid(entry: Dict[str, Any]) -> None:
    note = entry.get("codec_expectation", "")
    data = hex_of(entry)
    if not note.startswith("strict plen framing"):
        assert_rejected(dnode, data, expected_error("dnode-live.json", "invalid", entry))
        return
    found = re.search(r"error at offset (\d+)", note)
    assert found, note
    at = int(found.group(1))
    frames, end = stream_all_chunkings(data)
    assert end == ("malformed", at)
    offset, header_len, msg = frames[-1]
    assert offset + header_len + len(msg.payload) == at
    assert frames[0][0] == 0
    if "frames at offsets 0 and 73" in note:
        assert [f[0] for f in frames] == [0, 73]
        assert frames[1][2].payload == b""
    if "with a 43-byte payload" in note:
        assert len(frames) == 1 and len(frames[0][2].payload) == 43


@params(section(LIVE, "live_replay_accepted"))
def test_live_replay_accepted(entry: Dict[str, Any]) -> None:
    data = hex_of(entry)
    if entry["name"] == "replay-plen-too-small":
        _, err = outcome(lambda: dnode.decode(data))
        assert isinstance(err, wire.TrailingBytesError) and err.offset == 40
        frames, end = stream_all_chunkings(data)
        assert len(frames) == 1 and len(frames[0][2].payload) == 10
        assert end is not None and end[0] == "malformed"
    elif entry["name"] == "replay-version-2":
        msg = dnode.decode(data)
        assert (msg.version, len(msg.payload)) == (2, 39)
    else:
        raise AssertionError(entry["name"])
    assert_stream_error_matches(dnode, data, wire.MalformedError)
