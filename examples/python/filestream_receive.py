"""Receive files over TCP with dataexchange TypeFileStream, built on wire's codec, as the
reference's StreamReceiver does: data goes to DIR/.partial/<transfer id> (its size is the resume
offset INIT_ACK reports, so a cut transfer continues where it stopped), each in-order CHUNK is
ACKed with the contiguous offset, and DONE is answered COMPLETE after the SHA-256 check; the file
is then renamed to DIR/<base name>.

usage: filestream_receive.py DIR [--count N]
  prints "port N" once listening; serves one connection at a time, N connections (default: for
  ever). With no arguments: receives one file from filestream_send.py into a temporary folder.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import BinaryIO, Dict, List, Optional

from wire import dataexchange as dx


@dataclass
class Transfer:
    name: str
    size: int
    sha256: bytes
    partial: str
    file: BinaryIO
    cursor: int


def base_name(raw: bytes) -> str:
    """The reference's sanitizeBase: the last path element, `received.bin` for none."""
    name = os.path.basename(raw.decode(errors="replace").rstrip("/"))
    return name if name not in ("", ".", "..") else "received.bin"


class Receiver:
    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.transfers: Dict[bytes, Transfer] = {}
        os.makedirs(os.path.join(folder, ".partial"), exist_ok=True)

    def handle(self, transfer_id: bytes, control: dx.Control) -> Optional[dx.Control]:
        if isinstance(control, dx.Init):
            partial = os.path.join(self.folder, ".partial", transfer_id.hex())
            have = os.path.getsize(partial) if os.path.exists(partial) else 0
            file = open(partial, "r+b" if have else "wb")
            if have > control.size:
                file.truncate(0)
                have = 0
            file.seek(have)
            old = self.transfers.pop(transfer_id, None)
            if old:
                old.file.close()
            self.transfers[transfer_id] = Transfer(base_name(control.filename), control.size, control.sha256, partial, file, have)
            return dx.InitAck(offset=have)
        transfer = self.transfers.get(transfer_id)
        if isinstance(control, dx.Chunk):
            if transfer is None:
                return dx.Abort(reason=b"no active transfer (send INIT first)")
            if control.offset == transfer.cursor:
                transfer.file.write(control.data)
                transfer.cursor += len(control.data)
            return dx.Ack(offset=transfer.cursor)
        if isinstance(control, dx.Done):
            if transfer is None:
                return dx.Complete(ok=False, message=b"no active transfer")
            if transfer.cursor != transfer.size:
                return dx.Complete(ok=False, message=f"incomplete: have {transfer.cursor} of {transfer.size} bytes".encode())
            transfer.file.close()
            del self.transfers[transfer_id]
            with open(transfer.partial, "rb") as f:
                if hashlib.sha256(f.read()).digest() != transfer.sha256:
                    return dx.Complete(ok=False, message=b"sha256 mismatch, .partial retained")
            os.replace(transfer.partial, os.path.join(self.folder, transfer.name))
            print(f"saved {transfer.name} {transfer.size}", flush=True)
            return dx.Complete(ok=True, message=b"")
        if isinstance(control, dx.Abort) and transfer is not None:
            transfer.file.close()
            del self.transfers[transfer_id]
        return None

    def serve(self, conn: socket.socket) -> None:
        decoder = dx.Decoder()
        try:
            while data := conn.recv(1 << 20):
                for frame in decoder.feed(data):
                    if not isinstance(frame, dx.TypeFileStream):
                        continue
                    reply = self.handle(frame.transfer_id, frame.control)
                    if reply is not None:
                        conn.sendall(dx.encode(dx.TypeFileStream(transfer_id=frame.transfer_id, control=reply)))
        finally:
            # Like the reference's Receiver.Close: open files closed, .partial files kept.
            for transfer in self.transfers.values():
                transfer.file.close()
            self.transfers.clear()


def listen(folder: str, count: Optional[int]) -> None:
    receiver = Receiver(folder)
    with socket.create_server(("127.0.0.1", 0)) as server:
        print(f"port {server.getsockname()[1]}", flush=True)
        served = 0
        while count is None or served < count:
            conn, _ = server.accept()
            with conn:
                receiver.serve(conn)
            served += 1


def demo() -> bool:
    """Receive one generated file from filestream_send.py."""
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "hello.txt")
        with open(path, "wb") as f:
            f.write(b"hello world\n")
        receiver = Receiver(os.path.join(tmp, "inbox"))
        with socket.create_server(("127.0.0.1", 0)) as server:
            port = server.getsockname()[1]
            sender = subprocess.Popen([sys.executable, os.path.join(here, "filestream_send.py"), "127.0.0.1", str(port), path])
            conn, _ = server.accept()
            with conn:
                receiver.serve(conn)
        with open(os.path.join(tmp, "inbox", "hello.txt"), "rb") as f:
            return sender.wait(timeout=30) == 0 and f.read() == b"hello world\n"


def main(argv: List[str]) -> int:
    if not argv:
        return 0 if demo() else 1
    count = None
    if "--count" in argv:
        at = argv.index("--count")
        count = int(argv[at + 1])
        del argv[at : at + 2]
    listen(argv[0], count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
