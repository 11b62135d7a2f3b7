"""An asyncio server and client on 127.0.0.1 exchanging data-exchange frames.

The client sends a few frames in odd-sized pieces; the server reads them with
``wire.aio.frames`` and answers each with a Text frame, which the client reads with
``wire.aio.read_frame``.
"""

import asyncio
from typing import List

from wire import aio, dataexchange


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    async for frame in aio.frames(reader, dataexchange):
        reply = dataexchange.TypeText(payload=b"got " + dataexchange.type_name(dataexchange.frame_type(frame)).encode())
        writer.write(dataexchange.encode(reply))
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main() -> List[dataexchange.Frame]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    outgoing: List[dataexchange.Frame] = [
        dataexchange.TypeText(payload=b"hi"),
        dataexchange.TypeJSON(payload=b'{"n": 1}'),
        dataexchange.TypeBinary(payload=bytes(range(256)) * 64),
    ]
    data = b"".join(dataexchange.encode(f) for f in outgoing)
    for at in range(0, len(data), 1000):
        writer.write(data[at : at + 1000])
        await writer.drain()
    replies: List[dataexchange.Frame] = []
    for _ in outgoing:
        reply = await aio.read_frame(reader, dataexchange)
        assert reply is not None
        replies.append(reply)
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    return replies


replies = asyncio.run(main())
for reply in replies:
    print(reply)
assert replies == [dataexchange.TypeText(payload=p) for p in (b"got TEXT", b"got JSON", b"got BINARY")]
