"""wire vs the baseline a Python user would pick, same run, same messages.

Per protocol: decode one small frame (and read its payload), encode one small frame,
Decoder.feed over 10,000 frames (64 KiB chunks, every payload read), and encode a 1 MiB
payload. Baselines: pure-Python `struct` codecs (benches/baselines.py) for dataexchange, dnode
and replication; google `protobuf` (the real .proto compiled with grpcio-tools at run time) +
`struct` framing for broker. chitchat has no common Python baseline: its times are absolute.
Prints a Markdown table of times and ratios (wire / baseline; below 1 means wire is faster).
Arguments: protocol names to run only those (default: all).
"""

from __future__ import annotations

import importlib
import os
import pathlib
import platform
import struct
import sys
import sysconfig
import tempfile
import timeit
from typing import Any, Callable, List, Optional, Tuple

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import baselines as base  # noqa: E402

from wire import broker, chitchat, dataexchange, dnode, replication  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
SMALL = bytes(range(64))
BIG = os.urandom(1 << 20)
N_BATCH = 10_000
CHUNK = 64 * 1024


def best(f: Callable[[], Any], number: int) -> float:
    """Best per-call time over 5 repeats, in seconds."""
    return min(timeit.repeat(f, number=number, repeat=5)) / number


def feed_all(decoder_factory: Callable[[], Any], stream: bytes, attr: str) -> Callable[[], int]:
    def run() -> int:
        decoder = decoder_factory()
        n = 0
        for at in range(0, len(stream), CHUNK):
            for frame in decoder.feed(stream[at : at + CHUNK]):
                n += len(getattr(frame, attr))
        return n

    return run


def broker_pb2() -> Any:
    """The broker's Frame compiled from core/proto with grpcio-tools into a temporary dir."""
    from grpc_tools import protoc

    out = tempfile.mkdtemp(prefix="wire-bench-pb2-")
    proto_dir = ROOT / "core" / "proto" / "broker_v1"
    rc = protoc.main(["protoc", f"-I{proto_dir}", f"--python_out={out}", str(proto_dir / "broker_v1_envelope.proto")])
    if rc != 0:
        raise RuntimeError("protoc failed")
    sys.path.insert(0, out)
    return importlib.import_module("broker_v1_envelope_pb2")


Row = Tuple[str, str, float, Optional[float]]


def bench_dataexchange() -> List[Row]:
    w = dataexchange.TypeText(payload=SMALL)
    b = base.DxFrame(1, SMALL)
    wb, bb = dataexchange.encode(w), base.dx_encode(b)
    assert wb == bb
    stream = wb * N_BATCH
    big_w, big_b = dataexchange.TypeBinary(payload=BIG), base.DxFrame(2, BIG)
    return [
        ("dataexchange", "decode 64 B", best(lambda: dataexchange.decode(wb).payload, 20000), best(lambda: base.dx_decode(bb).payload, 20000)),
        ("dataexchange", "encode 64 B", best(lambda: dataexchange.encode(w), 20000), best(lambda: base.dx_encode(b), 20000)),
        ("dataexchange", "feed 10,000 frames", best(feed_all(dataexchange.Decoder, stream, "payload"), 5), best(feed_all(lambda: base.StreamDecoder(base.dx_parse), stream, "payload"), 5)),
        ("dataexchange", "encode 1 MiB", best(lambda: dataexchange.encode(big_w), 200), best(lambda: base.dx_encode(big_b), 200)),
    ]


def bench_dnode() -> List[Row]:
    w = dnode.Dmsg(id=123456, type=dnode.DmsgType.DMSG_REQ, data=b"d", payload=SMALL)
    b = base.Dmsg(123456, 3, 0, 1, True, b"d", SMALL)
    wb, bb = dnode.encode(w), base.dn_encode(b)
    assert wb == bb, (wb, bb)
    assert base.dn_decode(bb).payload == dnode.decode(wb).payload
    stream = wb * N_BATCH
    big_w = dnode.Dmsg(id=1, type=3, data=b"d", payload=BIG)
    big_b = base.Dmsg(1, 3, 0, 1, True, b"d", BIG)
    return [
        ("dnode", "decode 64 B", best(lambda: dnode.decode(wb).payload, 20000), best(lambda: base.dn_decode(bb).payload, 20000)),
        ("dnode", "encode 64 B", best(lambda: dnode.encode(w), 20000), best(lambda: base.dn_encode(b), 20000)),
        ("dnode", "feed 10,000 frames", best(feed_all(dnode.Decoder, stream, "payload"), 5), best(feed_all(lambda: base.StreamDecoder(base.dn_parse), stream, "payload"), 5)),
        ("dnode", "encode 1 MiB", best(lambda: dnode.encode(big_w), 200), best(lambda: base.dn_encode(big_b), 200)),
    ]


def bench_replication() -> List[Row]:
    w = replication.LogEntry(vlsn=987654321, entry_type=2, data=SMALL)
    b = base.LogEntry(987654321, 2, SMALL)
    wb, bb = replication.encode(w), base.rp_encode(b)
    assert wb == bb
    stream = wb * N_BATCH
    big_w, big_b = replication.LogEntry(vlsn=1, entry_type=1, data=BIG), base.LogEntry(1, 1, BIG)
    hw = replication.Heartbeat(master_vlsn=10, timestamp_ms=1_700_000_000_000)
    hb = base.Heartbeat(10, 1_700_000_000_000)
    hwb = replication.encode(hw)
    assert hwb == base.rp_encode(hb)
    return [
        ("replication", "decode LogEntry 64 B", best(lambda: replication.decode(wb).data, 20000), best(lambda: base.rp_decode(bb).data, 20000)),
        ("replication", "encode LogEntry 64 B", best(lambda: replication.encode(w), 20000), best(lambda: base.rp_encode(b), 20000)),
        ("replication", "decode Heartbeat", best(lambda: replication.decode(hwb).master_vlsn, 20000), best(lambda: base.rp_decode(hwb).master_vlsn, 20000)),  # type: ignore[union-attr]
        ("replication", "feed 10,000 frames", best(feed_all(replication.Decoder, stream, "data"), 5), best(feed_all(lambda: base.StreamDecoder(base.rp_parse), stream, "data"), 5)),
        ("replication", "encode 1 MiB", best(lambda: replication.encode(big_w), 200), best(lambda: base.rp_encode(big_b), 200)),
    ]


def bench_broker() -> List[Row]:
    pb = broker_pb2()
    header = struct.Struct("<BI")

    def pb_encode(frame: Any) -> bytes:
        body = frame.SerializeToString()
        return header.pack(1, len(body)) + body

    def pb_parse(buf: Any, at: int) -> Optional[Tuple[Any, int]]:
        if len(buf) - at < 5:
            return None
        version, length = header.unpack_from(buf, at)
        if version != 1 or length > 16 << 20:
            raise ValueError("bad header")
        end = at + 5 + length
        if len(buf) < end:
            return None
        return pb.Frame.FromString(bytes(buf[at + 5 : end])), end

    def pb_decode(data: bytes) -> Any:
        parsed = pb_parse(data, 0)
        if parsed is None or parsed[1] != len(data):
            raise ValueError("not exactly one frame")
        return parsed[0]

    fields = dict(envelope_version=1, kind=1, payload_protocol=0x7A63, payload=SMALL, request_id=72623859790382856, traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    w = broker.Frame(**fields)  # type: ignore[arg-type]
    p = pb.Frame(**fields)
    wb, pbb = broker.encode(w), pb_encode(p)
    assert wb == pbb
    stream = wb * N_BATCH
    big_w, big_p = broker.Frame(envelope_version=1, payload=BIG), pb.Frame(envelope_version=1, payload=BIG)

    def pb_feed() -> int:
        decoder = base.StreamDecoder(pb_parse)
        n = 0
        for at in range(0, len(stream), CHUNK):
            for frame in decoder.feed(stream[at : at + CHUNK]):
                n += len(frame.payload)  # type: ignore[attr-defined]
        return n

    def wire_feed() -> int:
        decoder = broker.Decoder()
        n = 0
        for at in range(0, len(stream), CHUNK):
            for framed in decoder.feed(stream[at : at + CHUNK]):
                n += len(framed.frame.payload)
        return n

    return [
        ("broker", "decode Frame 64 B", best(lambda: broker.decode(wb).frame.payload, 20000), best(lambda: pb_decode(pbb).payload, 20000)),
        ("broker", "encode Frame 64 B", best(lambda: broker.encode(w), 20000), best(lambda: pb_encode(p), 20000)),
        ("broker", "feed 10,000 frames", best(wire_feed, 5), best(pb_feed, 5)),
        ("broker", "encode 1 MiB", best(lambda: broker.encode(big_w), 200), best(lambda: pb_encode(big_p), 200)),
    ]


def bench_chitchat() -> List[Row]:
    node = chitchat.ChitchatId(node_id="node-1", generation_id=1, gossip_advertise_addr=("10.0.0.1", 7280))
    syn = chitchat.Syn(cluster_id="c", digest=chitchat.Digest(node_digests={node: chitchat.NodeDigest(heartbeat=1, last_gc_version=0, max_version=5)}))
    data = chitchat.encode(syn)
    stream = data * N_BATCH
    return [
        ("chitchat", "decode Syn (1 node)", best(lambda: chitchat.decode(data).digest, 20000), None),
        ("chitchat", "encode Syn (1 node)", best(lambda: chitchat.encode(syn), 20000), None),
        ("chitchat", "feed 10,000 frames", best(feed_all(chitchat.Decoder, stream, "cluster_id"), 5), None),
    ]


def fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e9:.0f} ns"


def main() -> None:
    from google.protobuf.internal import api_implementation

    print(f"Python {platform.python_version()} ({sys.executable}; {sysconfig.get_config_var('CONFIG_ARGS') or 'no config args'})")
    print(f"protobuf {importlib.import_module('google.protobuf').__version__}, backend {api_implementation.Type()}")
    print()
    print("| protocol | operation | wire | baseline | ratio |")
    print("|---|---|---|---|---|")
    benches = (bench_dataexchange, bench_dnode, bench_replication, bench_broker, bench_chitchat)
    chosen = [b for b in benches if not sys.argv[1:] or b.__name__[len("bench_") :] in sys.argv[1:]]
    for bench in chosen:
        for protocol, op, w, b in bench():
            if b is None:
                print(f"| {protocol} | {op} | {fmt(w)} | (none) | |")
            else:
                print(f"| {protocol} | {op} | {fmt(w)} | {fmt(b)} | {w / b:.2f} |")


if __name__ == "__main__":
    main()
