"""Send a file over TCP with dataexchange TypeFileStream (the reference's chunked, acknowledged,
resumable transfer), built on wire's codec: INIT, wait for INIT_ACK (the receiver's resume
offset), CHUNKs of 48 KiB with at most 16 unacknowledged, DONE, wait for COMPLETE.

usage: filestream_send.py HOST PORT FILE [--stop-after N]
  --stop-after N: close the connection once N chunks are acknowledged (to try resuming).
With no arguments: sends a generated file to filestream_receive.py, started on a free port.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import tempfile
from typing import List, Optional

from wire import dataexchange as dx

WINDOW = 16 * dx.STREAM_CHUNK_SIZE


class Peer:
    """Frames in and out of one connection."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.decoder = dx.Decoder()
        self.ready: List[dx.Frame] = []

    def send(self, transfer_id: bytes, control: dx.Control) -> None:
        self.sock.sendall(dx.encode(dx.TypeFileStream(transfer_id=transfer_id, control=control)))

    def recv(self) -> dx.Frame:
        while not self.ready:
            data = self.sock.recv(65536)
            if not data:
                self.decoder.finish()
                raise ConnectionError("receiver closed the connection")
            self.ready.extend(self.decoder.feed(data))
        return self.ready.pop(0)

    def recv_control(self, transfer_id: bytes) -> dx.Control:
        """The next control message of this transfer (other frames are skipped, as the
        reference sender skips them)."""
        while True:
            frame = self.recv()
            if isinstance(frame, dx.TypeFileStream) and frame.transfer_id == transfer_id:
                return frame.control


def send_file(host: str, port: int, path: str, stop_after: Optional[int] = None) -> bool:
    with open(path, "rb") as f:
        content = f.read()
    digest = hashlib.sha256(content).digest()
    transfer_id = digest[:16]
    size = len(content)
    with socket.create_connection((host, port)) as sock:
        peer = Peer(sock)
        peer.send(
            transfer_id,
            dx.Init(size=size, sha256=digest, chunk_size=dx.STREAM_CHUNK_SIZE, filename=os.path.basename(path).encode()),
        )
        reply = peer.recv_control(transfer_id)
        if not isinstance(reply, dx.InitAck):
            print(f"{path}: no INIT_ACK ({reply!r})")
            return False
        offset = min(reply.offset, size)
        print(f"{os.path.basename(path)}: {size} bytes, receiver resumes at {offset}")
        acked, sent_chunks = offset, 0
        while acked < size:
            while offset < size and offset - acked < WINDOW:
                data = content[offset : offset + dx.STREAM_CHUNK_SIZE]
                peer.send(transfer_id, dx.Chunk(offset=offset, data=data))
                offset += len(data)
                sent_chunks += 1
            control = peer.recv_control(transfer_id)
            if isinstance(control, dx.Ack):
                acked = max(acked, control.offset)
            elif isinstance(control, (dx.Complete, dx.Abort)):
                print(f"{path}: receiver ended the transfer: {control!r}")
                return False
            if stop_after is not None and acked >= stop_after * dx.STREAM_CHUNK_SIZE:
                print(f"{os.path.basename(path)}: cut at {acked} of {size} bytes")
                return True
        peer.send(transfer_id, dx.Done())
        while True:
            control = peer.recv_control(transfer_id)
            if isinstance(control, dx.Complete):
                message = control.message.decode(errors="replace")
                print(f"{os.path.basename(path)}: COMPLETE ok={'true' if control.ok else 'false'} {message}".rstrip())
                return control.ok
            if isinstance(control, dx.Abort):
                print(f"{path}: ABORT {control.reason!r}")
                return False


def demo() -> bool:
    """Start filestream_receive.py on a free port and send it a generated 100 KiB file."""
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "demo.bin")
        with open(path, "wb") as f:
            f.write(bytes(i % 251 for i in range(100 * 1024)))
        inbox = os.path.join(tmp, "inbox")
        receiver = subprocess.Popen(
            [sys.executable, os.path.join(here, "filestream_receive.py"), inbox, "--count", "1"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert receiver.stdout is not None
        port = int(receiver.stdout.readline().split()[1])
        ok = send_file("127.0.0.1", port, path)
        print(receiver.stdout.read().strip())
        return receiver.wait(timeout=30) == 0 and ok


def main(argv: List[str]) -> int:
    if not argv:
        return 0 if demo() else 1
    stop_after = None
    if "--stop-after" in argv:
        at = argv.index("--stop-after")
        stop_after = int(argv[at + 1])
        del argv[at : at + 2]
    host, port, path = argv
    return 0 if send_file(host, int(port), path, stop_after) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
