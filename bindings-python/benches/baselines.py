"""The codecs a Python user would write instead of wire: straightforward pure Python with
`struct` for dataexchange, dnode and replication (frames as dataclasses, a bytearray buffer
for streams). The broker baseline is google `protobuf` (see bench.py)."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import List, Optional, Tuple, Union

# dataexchange: [u32 BE type][u32 BE length][payload]

DX_HEADER = struct.Struct(">II")
DX_MAX = 1 << 28


@dataclass
class DxFrame:
    type: int
    payload: bytes


def dx_encode(frame: DxFrame) -> bytes:
    return DX_HEADER.pack(frame.type, len(frame.payload)) + frame.payload


def dx_parse(buf: Union[bytes, bytearray], at: int) -> Optional[Tuple[DxFrame, int]]:
    if len(buf) - at < 8:
        return None
    frame_type, length = DX_HEADER.unpack_from(buf, at)
    if length > DX_MAX:
        raise ValueError("frame too large")
    end = at + 8 + length
    if len(buf) < end:
        return None
    return DxFrame(frame_type, bytes(buf[at + 8 : end])), end


def dx_decode(data: bytes) -> DxFrame:
    parsed = dx_parse(data, 0)
    if parsed is None or parsed[1] != len(data):
        raise ValueError("not exactly one frame")
    return parsed[0]


# dnode: "   $2014$ id type flags version same_dc *mlen data *plen\r\n" payload

DN_HEAD = re.compile(rb" *\$2014\$ (\d+) (\d+) (\d+) (\d+) ([01]) \*(\d+) ")
DN_PLEN = re.compile(rb" \*(\d+)\r\n")


@dataclass
class Dmsg:
    id: int
    type: int
    flags: int
    version: int
    same_dc: bool
    data: bytes
    payload: bytes


def dn_encode(m: Dmsg) -> bytes:
    head = b"   $2014$ %d %d %d %d %d *%d " % (m.id, m.type, m.flags, m.version, m.same_dc, len(m.data))
    return head + m.data + b" *%d\r\n" % len(m.payload) + m.payload


def dn_parse(buf: Union[bytes, bytearray], at: int) -> Optional[Tuple[Dmsg, int]]:
    head = DN_HEAD.match(buf, at)
    if head is None:
        if buf.find(b"\r\n", at) >= 0:
            raise ValueError("bad header")
        return None
    mid, mtype, flags, version, same_dc, mlen = (int(g) for g in head.groups())
    data_end = head.end() + mlen
    tail = DN_PLEN.match(buf, data_end)
    if tail is None:
        if len(buf) < data_end + 4:
            return None
        raise ValueError("bad header")
    end = tail.end() + int(tail.group(1))
    if len(buf) < end:
        return None
    data = bytes(buf[head.end() : data_end])
    return Dmsg(mid, mtype, flags & 0xF, version, same_dc == 1, data, bytes(buf[tail.end() : end])), end


def dn_decode(data: bytes) -> Dmsg:
    parsed = dn_parse(data, 0)
    if parsed is None or parsed[1] != len(data):
        raise ValueError("not exactly one frame")
    return parsed[0]


# replication: [u32 LE length][tag][fields], little-endian, strings and data u32-prefixed

RP_LEN = struct.Struct("<I")
RP_LOG_ENTRY = struct.Struct("<BQBI")
RP_HEARTBEAT = struct.Struct("<BQQ")


@dataclass
class LogEntry:
    vlsn: int
    entry_type: int
    data: bytes


@dataclass
class Heartbeat:
    master_vlsn: int
    timestamp_ms: int


Message = Union[LogEntry, Heartbeat]


def rp_encode(m: Message) -> bytes:
    if isinstance(m, LogEntry):
        body = RP_LOG_ENTRY.pack(5, m.vlsn, m.entry_type, len(m.data)) + m.data
    else:
        body = RP_HEARTBEAT.pack(3, m.master_vlsn, m.timestamp_ms)
    return RP_LEN.pack(len(body)) + body


def rp_body(body: Union[bytes, bytearray, memoryview]) -> Message:
    tag = body[0]
    if tag == 5:
        _, vlsn, entry_type, n = RP_LOG_ENTRY.unpack_from(body, 0)
        if len(body) != 14 + n:
            raise ValueError("bad LogEntry")
        return LogEntry(vlsn, entry_type, bytes(body[14 : 14 + n]))
    if tag == 3:
        if len(body) != 17:
            raise ValueError("bad Heartbeat")
        _, master, ts = RP_HEARTBEAT.unpack_from(body, 0)
        return Heartbeat(master, ts)
    raise ValueError(f"unknown message tag {tag}")


def rp_parse(buf: Union[bytes, bytearray], at: int) -> Optional[Tuple[Message, int]]:
    if len(buf) - at < 4:
        return None
    (length,) = RP_LEN.unpack_from(buf, at)
    if length > 64 << 20:
        raise ValueError("frame payload too large")
    end = at + 4 + length
    if len(buf) < end:
        return None
    return rp_body(memoryview(buf)[at + 4 : end]), end


def rp_decode(data: bytes) -> Message:
    parsed = rp_parse(data, 0)
    if parsed is None or parsed[1] != len(data):
        raise ValueError("not exactly one frame")
    return parsed[0]


class StreamDecoder:
    """Buffer bytes, cut frames with a `parse(buf, at)` function."""

    def __init__(self, parse: "object") -> None:
        self.parse = parse
        self.buf = bytearray()

    def feed(self, data: bytes) -> List[object]:
        self.buf += data
        frames = []
        at = 0
        while True:
            parsed = self.parse(self.buf, at)  # type: ignore[operator]
            if parsed is None:
                break
            frame, at = parsed
            frames.append(frame)
        del self.buf[:at]
        return frames
