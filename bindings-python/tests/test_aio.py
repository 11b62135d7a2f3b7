"""wire.aio over a real loopback socket."""

from __future__ import annotations

import asyncio
from typing import List

import pytest

import wire
from wire import aio, broker, dataexchange


async def serve_once(payload: bytes, pieces: int) -> asyncio.AbstractServer:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        step = max(1, len(payload) // pieces)
        for at in range(0, len(payload), step):
            writer.write(payload[at : at + step])
            await writer.drain()
            await asyncio.sleep(0)
        writer.close()
        await writer.wait_closed()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def fetch_dataexchange(frames: List[dataexchange.Frame]) -> List[dataexchange.Frame]:
    data = b"".join(dataexchange.encode(f) for f in frames)
    server = await serve_once(data, 7)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    first = await aio.read_frame(reader, dataexchange)
    assert first is not None
    rest = [f async for f in aio.frames(reader, dataexchange)]
    writer.close()
    server.close()
    await server.wait_closed()
    return [first] + rest


def test_frames_over_loopback() -> None:
    frames: List[dataexchange.Frame] = [
        dataexchange.TypeText(payload=b"hello"),
        dataexchange.TypeFile(filename=b"a.txt", payload=b"x" * 100_000),
        dataexchange.TypeTrace(inner_type=1, sent_at_ns=-5, payload=b""),
    ]
    assert asyncio.run(fetch_dataexchange(frames)) == frames


async def fetch_truncated_broker() -> None:
    data = broker.encode(broker.Frame(envelope_version=1, payload=b"p" * 50))
    server = await serve_once(data[:-3], 2)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        with pytest.raises(wire.IncompleteError):
            await aio.read_frame(reader, broker, max_frame_size=1024)
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


def test_stream_ending_inside_a_frame() -> None:
    asyncio.run(fetch_truncated_broker())
