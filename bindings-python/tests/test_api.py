"""The Python API beyond the vectors: argument types, errors, options, classes, chunking,
threads, and that no input raises PanicException."""

from __future__ import annotations

import random
import struct
import threading
from typing import Any, List

import pytest

import wire
from wire import broker, chitchat, dataexchange, dnode, replication

from helpers import hex_of, load, section, stream_decode

MODULES = [dataexchange, dnode, chitchat, replication, broker]


def stream_bytes(module: Any) -> bytes:
    """Every valid frame of the module's vector file, back to back, in its framing."""
    name = module.__name__.split(".")[1]
    # dataexchange's default version is main's.
    file = "dataexchange-latest.json" if module is dataexchange else f"{name}.json"
    entries = section(load(file), "vectors")
    if module is replication:
        return b"".join(struct.pack("<I", len(hex_of(e))) + hex_of(e) for e in entries)
    return b"".join(hex_of(e) for e in entries if "framing" not in e and e["type"] != "stream")


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_random_chunkings_equal_one_shot(module: Any) -> None:
    data = stream_bytes(module)
    expected = stream_decode(module, data, len(data))
    assert expected
    rng = random.Random(6)
    for _ in range(20):
        decoder = module.Decoder()
        got: List[Any] = []
        at = 0
        while at < len(data):
            n = rng.randint(1, 200)
            got.extend(decoder.feed(memoryview(data)[at : at + n]))
            at += n
        decoder.finish()
        assert got == expected
        assert decoder.buffered == 0 and decoder.position == len(data)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_wrong_argument_types(module: Any) -> None:
    for bad in ("text", 12, None, [1, 2]):
        with pytest.raises(TypeError):
            module.decode(bad)
        with pytest.raises(TypeError):
            module.Decoder().feed(bad)
    for bad in (b"", 3, object(), dataexchange.TypeText(payload=b"") if module is not dataexchange else dnode.Dmsg(id=1, type=3, payload=b"")):
        with pytest.raises(TypeError):
            module.encode(bad)
        with pytest.raises(TypeError):
            module.to_json(bad)
    with pytest.raises(TypeError):
        module.from_json(object())
    with pytest.raises(wire.InvalidArgumentError):
        module.from_json({"type": "NoSuchType", "fields": {}})
    with pytest.raises(wire.InvalidArgumentError):
        module.Decoder(no_such_option="1")
    with pytest.raises(TypeError):
        module.Decoder(max_frame_size="big")


def test_buffers_of_every_kind() -> None:
    frame = dataexchange.encode(dataexchange.TypeBinary(payload=b"\x00\x01"))
    for data in (frame, bytearray(frame), memoryview(frame), memoryview(b"xx" + frame)[2:]):
        assert dataexchange.decode(data) == dataexchange.TypeBinary(payload=b"\x00\x01")
    for payload in (b"ab", bytearray(b"ab"), memoryview(b"ab")):
        msg = dataexchange.TypeBinary(payload=payload)
        assert msg.payload == b"ab" and type(msg.payload) is bytes


def test_classes() -> None:
    msg = replication.GroupChange(
        change_type=replication.GroupChangeType.Add,
        node=replication.RepNode(name="n1", node_type=replication.NodeType.Monitor, host="h", port=5001, node_id=7),
    )
    assert msg == replication.GroupChange(
        change_type=0, node=replication.RepNode(name="n1", node_type=1, host="h", port=5001, node_id=7)
    )
    assert msg != replication.Ack(vlsn=1)
    assert msg.node.node_type is replication.NodeType.Monitor
    assert repr(msg).startswith("GroupChange(change_type=<GroupChangeType.Add: 0>, node=RepNode(name='n1'")
    assert type(msg).__module__ == "wire.replication" and type(msg).__name__ == "GroupChange"
    with pytest.raises(AttributeError):
        setattr(msg, "change_type", 1)
    with pytest.raises(TypeError):
        replication.Ack(1)  # type: ignore[misc]
    with pytest.raises(TypeError):
        replication.Ack()  # type: ignore[call-arg]
    with pytest.raises(wire.InvalidArgumentError):
        replication.Handshake(node_name="a", group_name="g", node_type=9)
    with pytest.raises(wire.InvalidArgumentError):
        replication.Ack(vlsn=-1)
    with pytest.raises(wire.InvalidArgumentError):
        replication.Ack(vlsn=2**64)
    with pytest.raises(TypeError):
        replication.GroupChangeResponse(accepted=1)
    assert dnode.Dmsg(id=1, type=200, payload=b"").type == 200
    assert dnode.Dmsg(id=1, type=3, payload=b"").type is dnode.DmsgType.DMSG_REQ
    frame = broker.Frame(kind=77)
    assert frame.kind == 77 and broker.decode(broker.encode(frame)).frame.kind == 77
    key = chitchat.ChitchatId(node_id="a", generation_id=1, gossip_advertise_addr=("::1", 80))
    assert {key: 1}[chitchat.ChitchatId(node_id="a", generation_id=1, gossip_advertise_addr=("::1", 80))] == 1


def test_detect() -> None:
    assert wire.detect(dnode.encode(dnode.Dmsg(id=1, type=3, payload=b"x"))) == "dnode"
    assert wire.detect(b"") is None
    with pytest.raises(TypeError):
        wire.detect("text")


def test_error_attributes() -> None:
    with pytest.raises(wire.IncompleteError) as e:
        dataexchange.decode(b"\x00\x00\x00\x01\x00\x00\x00\x05he")
    err = e.value
    assert isinstance(err, wire.WireError) and isinstance(err, ValueError)
    assert (err.code, err.protocol, err.offset) == ("incomplete", "dataexchange", 10)
    assert err.reason == "input ends before the frame does"
    assert str(err) == "dataexchange incomplete at offset 10: input ends before the frame does"
    with pytest.raises(wire.InvalidArgumentError) as e:
        dataexchange.encode(dataexchange.TypeFile(filename=b"../x", payload=b""))
    assert e.value.offset is None and e.value.code == "invalid_argument"


def test_decoder_limits_and_failure_sticks() -> None:
    decoder = dataexchange.Decoder(max_frame_size=4)
    good = dataexchange.encode(dataexchange.TypeText(payload=b"abcd"))
    bad = dataexchange.encode(dataexchange.TypeText(payload=b"abcde"))
    assert decoder.feed(good + bad) == [dataexchange.TypeText(payload=b"abcd")]
    for _ in range(2):
        with pytest.raises(wire.FrameTooLargeError) as e:
            decoder.feed(b"")
        assert e.value.offset == len(good) + 4
    with pytest.raises(wire.InvalidArgumentError):
        dataexchange.encode(dataexchange.TypeText(payload=b"abcde"), max_frame_size=4)
    with pytest.raises(wire.IncompleteError):
        d = dataexchange.Decoder()
        d.feed(good[:5])
        d.finish()


def test_options_by_enum_and_string() -> None:
    proposal = replication.ElectionProposal(node_name="n", vlsn=1, priority=2, term=3)
    assert replication.encode(proposal, layout=replication.Layout.V3) == replication.encode(proposal, layout="3x")
    with pytest.raises(wire.InvalidArgumentError):
        replication.encode(proposal)
    with pytest.raises(wire.InvalidArgumentError):
        replication.encode_message(proposal, layout="5x")
    msg = dnode.Dmsg(id=1, type=dnode.DmsgType.GOSSIP_SYN, payload=b"")
    assert b" *1 a *0" in dnode.encode(msg, flavour=dnode.Flavour.GOSSIP)


def test_large_payloads_from_threads() -> None:
    payloads = [bytes([i]) * (1 << 20) for i in range(4)]
    results: List[bool] = [False] * len(payloads)

    def work(i: int) -> None:
        for _ in range(5):
            data = dataexchange.encode(dataexchange.TypeBinary(payload=payloads[i]))
            decoder = dataexchange.Decoder()
            frames = decoder.feed(data[:100]) + decoder.feed(data[100:])
            assert frames == [dataexchange.TypeBinary(payload=payloads[i])]
            assert dataexchange.decode(data) == frames[0]
        results[i] = True

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(payloads))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results)


def invalid_inputs(module: Any) -> List[bytes]:
    name = module.__name__.split(".")[1]
    doc = load(f"{name}.json")
    return [hex_of(e) for e in section(doc, "invalid")]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_no_input_panics(module: Any) -> None:
    """Random bytes and mutated vectors raise WireError or decode; never PanicException
    (a BaseException, which pytest.raises(WireError) would not catch)."""
    rng = random.Random(7)
    seeds = invalid_inputs(module) + [stream_bytes(module)[:300]]
    for i in range(400):
        base = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(0, 4)):
            if base:
                base[rng.randrange(len(base))] = rng.randrange(256)
        data = bytes(base) if i % 2 else bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
        for call in (lambda: module.decode(data), lambda: module.Decoder().feed(data)):
            try:
                call()
            except wire.WireError:
                pass
            except BaseException as e:
                raise AssertionError(f"{type(e).__name__} for {data.hex()}") from e


def test_json_conversion_limits() -> None:
    deep: Any = []
    for _ in range(1000):
        deep = [deep]
    with pytest.raises(TypeError):
        dataexchange.from_json({"type": "TypeText", "fields": {"type": 1, "payload": deep}})
    with pytest.raises(TypeError):
        replication.from_json({"type": "Ack", "fields": {"vlsn": 2**70}})
    with pytest.raises(wire.InvalidArgumentError):
        replication.from_json({"type": "Ack", "fields": {"vlsn": -1}})
    assert replication.from_json({"type": "Ack", "fields": {"vlsn": 2**64 - 1}}).vlsn == 2**64 - 1
