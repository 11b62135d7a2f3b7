#!/usr/bin/env python3
"""Live TypeFileStream transfers over loopback TCP between the reference's own Go code (branch
main, built from ../shared/reference) and the wire-based examples in Python, Node and C:

- the reference's StreamReceiver (receiver/main.go) receives files sent by
  examples/<language>/filestream_send*, and one transfer per language is cut after a few chunks
  and resumed from the receiver's INIT_ACK offset;
- the reference's sender (streamSend, run by refsender/streamsend_test.go inside a temporary copy
  of the reference package, never inside wire's tree) sends files to
  examples/<language>/filestream_receive*.

Files of 0 bytes, 1 byte, 48 KiB and 1 MiB + 1 byte; each must arrive with its SHA-256 and the
sender must see COMPLETE ok. Prints one SUITE line; SKIP with the reason where Go or ../shared
is missing.

usage: filestream.py --python PY --node-path DIR --c-bin DIR
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
REFERENCE = os.path.normpath(os.path.join(ROOT, "..", "shared", "reference", "go-dataexchange", "main-772ffb9"))
SIZES = {"empty.bin": 0, "one.bin": 1, "chunk-48KiB.bin": 48 * 1024, "big-1MiB-plus-1.bin": (1 << 20) + 1}
GO_ENV = dict(os.environ, GOPROXY="off", GOFLAGS="-mod=mod", GOWORK="off")
TIMEOUT = 60

results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)
    return ok


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def start(cmd, **kw):
    """A server process and the port of its first line `port N`."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, **kw)
    line = proc.stdout.readline()
    m = re.fullmatch(r"port (\d+)\n", line)
    if not m:
        proc.kill()
        raise RuntimeError(f"{cmd[0]}: no port line, got {line!r}")
    return proc, int(m[1])


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", required=True)
    ap.add_argument("--node-path", required=True)
    ap.add_argument("--c-bin", required=True)
    args = ap.parse_args()
    if shutil.which("go") is None:
        print("SKIP live TypeFileStream transfers: go is not on PATH")
        return 0
    if not os.path.isdir(REFERENCE):
        print(f"SKIP live TypeFileStream transfers: {REFERENCE} is absent")
        return 0
    env = dict(os.environ, NODE_PATH=args.node_path)
    senders = {
        "python": [args.python, os.path.join(ROOT, "examples/python/filestream_send.py")],
        "node": ["node", os.path.join(ROOT, "examples/node/filestream_send.js")],
        "c": [os.path.join(args.c_bin, "filestream_send")],
    }
    receivers = {
        "python": lambda d, n: [args.python, os.path.join(ROOT, "examples/python/filestream_receive.py"), d, "--count", str(n)],
        "node": lambda d, n: ["node", os.path.join(ROOT, "examples/node/filestream_receive.js"), d, "--count", str(n)],
        "c": lambda d, n: [os.path.join(args.c_bin, "filestream_receive"), d, str(n)],
    }
    tmp = tempfile.mkdtemp(prefix="wire-filestream-", dir=os.path.join(ROOT, "target"))
    try:
        files = os.path.join(tmp, "files")
        os.makedirs(files)
        rng = random.Random(14)
        for name, size in SIZES.items():
            with open(os.path.join(files, name), "wb") as f:
                f.write(rng.randbytes(size))
        receiver_bin = os.path.join(tmp, "receiver")
        build = run(["go", "build", "-o", receiver_bin, "./receiver"], cwd=HERE, env=GO_ENV)
        if not check(build.returncode == 0, "go build the reference receiver"):
            print(build.stderr)
            return finish()
        # The reference package copied outside wire's tree, with the sender test beside it.
        refcopy = os.path.join(tmp, "refcopy")
        os.makedirs(refcopy)
        for name in os.listdir(REFERENCE):
            if name.endswith(".go") or name == "go.mod":
                shutil.copy(os.path.join(REFERENCE, name), refcopy)
        shutil.copy(os.path.join(HERE, "refsender", "streamsend_test.go"), refcopy)
        sender_bin = os.path.join(tmp, "refsender.test")
        build = run(["go", "test", "-c", "-tags", "wire_refcopy", "-o", sender_bin, "."], cwd=refcopy, env=GO_ENV)
        if not check(build.returncode == 0, "go test -c the reference sender"):
            print(build.stderr)
            return finish()

        # wire senders -> the reference receiver.
        inbox = os.path.join(tmp, "go-inbox")
        os.makedirs(inbox)
        receiver, port = start([receiver_bin, inbox])
        try:
            for lang, cmd in senders.items():
                for name in SIZES:
                    src = os.path.join(files, name)
                    r = run(cmd + ["127.0.0.1", str(port), src], env=env)
                    got = os.path.join(inbox, name)
                    ok = r.returncode == 0 and "COMPLETE ok=true" in r.stdout and os.path.exists(got) and sha(got) == sha(src)
                    if not check(ok, f"{lang} sender -> reference receiver: {name}"):
                        print(r.stdout, r.stderr)
                    if os.path.exists(got):
                        os.remove(got)
                src = os.path.join(files, "big-1MiB-plus-1.bin")
                cut = run(cmd + ["127.0.0.1", str(port), src, "--stop-after", "4"], env=env)
                again = run(cmd + ["127.0.0.1", str(port), src], env=env)
                resumed = re.search(r"receiver resumes at (\d+)", again.stdout)
                got = os.path.join(inbox, "big-1MiB-plus-1.bin")
                ok = (cut.returncode == 0 and "cut at" in cut.stdout and again.returncode == 0 and resumed
                      and int(resumed[1]) >= 4 * 49152 and "COMPLETE ok=true" in again.stdout and sha(got) == sha(src))
                if not check(ok, f"{lang} sender -> reference receiver: cut after 4 chunks, resumed at INIT_ACK offset "
                                 f"{resumed[1] if resumed else '?'}"):
                    print(cut.stdout, cut.stderr, again.stdout, again.stderr)
                if os.path.exists(got):
                    os.remove(got)
        finally:
            receiver.kill()
            receiver.wait()

        # The reference sender -> wire receivers.
        paths = [os.path.join(files, name) for name in SIZES]
        for lang, cmd in receivers.items():
            inbox = os.path.join(tmp, f"{lang}-inbox")
            os.makedirs(inbox)
            receiver, port = start(cmd(inbox, len(paths)), env=env)
            r = run([sender_bin, "-test.run", "TestStreamSendToWire", "-test.v", "-test.count=1"],
                    env=dict(env, WIRE_FS_ADDR=f"127.0.0.1:{port}", WIRE_FS_FILES=":".join(paths)))
            try:
                receiver.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                receiver.kill()
            if not check(r.returncode == 0, f"reference sender -> {lang} receiver: COMPLETE ok for every file"):
                print(r.stdout, r.stderr)
            for path in paths:
                got = os.path.join(inbox, os.path.basename(path))
                check(os.path.exists(got) and sha(got) == sha(path),
                      f"reference sender -> {lang} receiver: {os.path.basename(path)} SHA-256")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


def finish():
    print(f"SUITE go-filestream-live: {results['passed']} passed, {results['failed']} failed, 0 skipped")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
