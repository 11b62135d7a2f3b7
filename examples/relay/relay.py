"""The cross-language relay of `make demo`: Python -> Node -> C over real TCP sockets.

For every protocol, Python encodes one frame of every frame type and sends the bytes to a Node
process on 127.0.0.1, which decodes them with ``decodeStream()``, re-encodes each frame and
forwards it to a C program that reads with ``wire_decoder`` and prints each frame's bytes and
canonical JSON. The bytes that reach C must be the bytes Python sent, and C's JSON must be
what Python decodes from them; a table says so per protocol, and any difference exits non-zero.

    python relay.py --sink PATH [--node-path DIR] [--test]

``--test`` repeats every relay with 1-byte and random-sized writes and prints a ``SUITE`` line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import wire
from wire import broker, chitchat, dataexchange, dnode, replication

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
PROTOCOLS = ["dnode", "chitchat", "replication", "broker", "dataexchange"]


def frame_type(protocol: str, entry: dict[str, Any]) -> str:
    """What makes two frames of a protocol different types in the demo's table."""
    fields = entry["fields"]
    if protocol == "broker":  # the frame kind and the message its payload carries
        payload = (fields.get("payload_message") or {}).get("type", "opaque")
        return f"{fields['frame']['kind']}/{payload}"
    if protocol == "chitchat":
        return f"{entry['type']}/{fields['version']}"
    if entry["type"] == "TypeFileStream":  # each control kind
        return f"TypeFileStream/{fields['kind']}"
    return str(entry["type"])


def encodes(module: Any, entry: dict[str, Any]) -> bool:
    """Whether the default version (dataexchange main) writes the entry: the tagged release's
    type 7 and non-UTF-8 file names are not main's frames."""
    try:
        module.encode(module.from_json({"type": entry["type"], "fields": entry["fields"]}))
    except wire.InvalidArgumentError:
        return False
    return True


def frames(protocol: str) -> list[tuple[str, Any]]:
    """(frame type, message) pairs: per type, the largest reference vector of at most 512 bytes,
    built by Python from its canonical JSON; plus the types no vector has."""
    module = getattr(wire, protocol)
    best: dict[str, dict[str, Any]] = {}
    # dataexchange: the tagged release's frames and branch main's TypeFileStream ones.
    files = [f"{protocol}.json"] + (["dataexchange-latest.json"] if protocol == "dataexchange" else [])
    for entry in (e for f in files for e in json.loads((VECTORS / f).read_text())["vectors"]):
        # Bare broker messages travel inside frames, not on their own.
        if "framing" in entry or entry.get("roundtrip") is False:
            continue
        if protocol == "dataexchange" and not encodes(module, entry):
            continue
        key = frame_type(protocol, entry)
        size = len(entry["hex"])
        if key not in best or len(best[key]["hex"]) < size <= 1024:
            best[key] = entry
    chosen: dict[str, Any] = {
        key: module.from_json({"type": entry["type"], "fields": entry["fields"]})
        for key, entry in best.items()
    }
    if protocol == "dnode":  # every named message type, Dynomite's and the Rust port's
        for number, member in enumerate(dnode.DmsgType, start=1000):
            if member.name not in chosen:
                payload = b"*1\r\n$4\r\nPING\r\n"
                chosen[member.name] = dnode.Dmsg(id=number, type=member, payload=payload)
    if protocol == "broker":  # no vector has an EVENT frame: the broker's "handoff ready"
        ack = broker.HandoffAck(token=b"\x01" * 16, accepted=True, correlation_id=7)
        chosen["FRAME_KIND_EVENT/HandoffAck"] = broker.Frame(
            envelope_version=1,
            kind=broker.FrameKind.FRAME_KIND_EVENT,
            payload_protocol=0xD0FF,
            request_id=7,
            payload=broker.encode_message(ack),
        )
    return list(chosen.items())


def start(argv: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], int]:
    """Start a hop and read the "port <n>" line it prints once listening."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("port "):
        proc.kill()
        raise RuntimeError(f"{argv[0]} did not start: {line!r}")
    return proc, int(line.split()[1])


def relay(protocol: str, sink: str, node_env: dict[str, str], writes: random.Random | None,
          one_byte: bool) -> dict[str, Any]:
    module = getattr(wire, protocol)
    pairs = frames(protocol)
    encoded = [module.encode(message) for _, message in pairs]
    data = b"".join(encoded)

    sink_proc, sink_port = start([sink, protocol])
    relay_js = str(Path(__file__).with_name("relay.js"))
    node_proc, node_port = start(["node", relay_js, protocol, str(sink_port)], node_env)
    with socket.create_connection(("127.0.0.1", node_port)) as conn:
        at = 0
        while at < len(data):
            size = 1 if one_byte else (writes.randint(1, 4096) if writes else len(data))
            conn.sendall(data[at : at + size])
            at += size
    out, _ = sink_proc.communicate(timeout=120)
    node_proc.wait(timeout=120)
    if sink_proc.returncode or node_proc.returncode:
        raise RuntimeError(f"{protocol}: sink exited {sink_proc.returncode}, "
                           f"relay exited {node_proc.returncode}")

    lines = [line.split("\t", 1) for line in out.splitlines()]
    received = b"".join(bytes.fromhex(hex_) for hex_, _ in lines)
    # C's JSON must be Python's reading of the same bytes (an encoder may fill defaults, such
    # as dnode's placeholder data byte, so the sent message itself can differ in such fields).
    same_json = len(lines) == len(pairs) and all(
        json.loads(text) == module.to_json(module.decode(frame))
        for (_, text), frame in zip(lines, encoded)
    )
    return {
        "protocol": protocol,
        "types": len({name for name, _ in pairs}),
        "frames": len(lines),
        "bytes": len(received),
        "identical": received == data and same_json,
        "json": [text for _, text in lines],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sink", required=True, help="the C sink program")
    parser.add_argument("--node-path", help="NODE_PATH under which require('wire-codec') resolves")
    parser.add_argument("--test", action="store_true", help="also 1-byte and random writes")
    parser.add_argument("--show-json", action="store_true", help="print the JSON C printed")
    args = parser.parse_args()

    node_env = dict(os.environ)
    if args.node_path:
        node_env["NODE_PATH"] = str(Path(args.node_path).resolve())
    runs: list[tuple[str, random.Random | None, bool]] = [("one write per relay", None, False)]
    if args.test:
        runs += [("1-byte writes", None, True), ("random writes", random.Random(7), False)]

    failed = passed = 0
    for label, writes, one_byte in runs:
        results = [relay(protocol, args.sink, node_env, writes, one_byte) for protocol in PROTOCOLS]
        if args.show_json:  # what C printed, cut to one terminal line each
            for result in results:
                print(f"\n{result['protocol']}: the C sink printed")
                for text in result["json"]:
                    print(f"  {text[:110]}{'...' if len(text) > 110 else ''}")
        print(f"\n{label}: Python encodes -> TCP -> Node decodeStream + encode -> TCP -> C wire_decoder")
        print(f"{'protocol':<13} {'frame types':>11} {'frames':>7} {'bytes':>8}  identical")
        for result in results:
            ok = result["identical"]
            passed, failed = passed + ok, failed + (not ok)
            print(f"{result['protocol']:<13} {result['types']:>11} {result['frames']:>7} "
                  f"{result['bytes']:>8}  {'yes' if ok else 'NO'}")
    if args.test:
        print(f"SUITE relay: {passed} passed, {failed} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
