// @ts-check
// Send a file over TCP with dataexchange TypeFileStream (the reference's chunked, acknowledged,
// resumable transfer), built on wire's codec: INIT, wait for INIT_ACK (the receiver's resume
// offset), CHUNKs of 48 KiB with at most 16 unacknowledged, DONE, wait for COMPLETE.
//
// usage: node filestream_send.js HOST PORT FILE [--stop-after N]
//   --stop-after N: close the connection once N chunks are acknowledged (to try resuming).
// With no arguments: sends a generated file to filestream_receive.js, started on a free port.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { dataexchange: dx } = require('wire-codec');

const WINDOW = 16 * dx.STREAM_CHUNK_SIZE;

/** Frames of one connection, read in order. */
class Peer {
  /** @param {net.Socket} socket */
  constructor(socket) {
    this.socket = socket;
    this.decoder = new dx.Decoder();
    /** @type {dx.Frame[]} */
    this.ready = [];
    /** @type {((e?: Error) => void) | null} */
    this.wake = null;
    /** @type {Error | null} */
    this.error = null;
    socket.on('data', (chunk) => {
      this.ready.push(...this.decoder.push(chunk));
      this.notify();
    });
    socket.on('close', () => this.notify(new Error('receiver closed the connection')));
    socket.on('error', (e) => this.notify(e));
  }

  /** @param {Error} [e] */
  notify(e) {
    if (e) this.error = e;
    const wake = this.wake;
    this.wake = null;
    if (wake) wake();
  }

  /** @param {Buffer} transferId @param {dx.Control} control */
  send(transferId, control) {
    this.socket.write(dx.encode({ type: 'TypeFileStream', transferId, control }));
  }

  /** The next control message of this transfer (other frames are skipped, as the reference
   * sender skips them). @param {Buffer} transferId @returns {Promise<dx.Control>} */
  async control(transferId) {
    for (;;) {
      const frame = this.ready.shift();
      if (frame === undefined) {
        if (this.error) throw this.error;
        await new Promise((resolve) => { this.wake = resolve; });
        continue;
      }
      if (frame.type === 'TypeFileStream' && frame.transferId.equals(transferId)) return frame.control;
    }
  }
}

/** @param {string} host @param {number} port @param {string} file @param {number | null} stopAfter */
async function sendFile(host, port, file, stopAfter) {
  const content = fs.readFileSync(file);
  const digest = crypto.createHash('sha256').update(content).digest();
  const transferId = digest.subarray(0, 16);
  const size = content.length;
  const name = path.basename(file);
  const socket = net.connect(port, host);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const peer = new Peer(socket);
  try {
    peer.send(transferId, { type: 'Init', size: BigInt(size), sha256: digest, chunkSize: dx.STREAM_CHUNK_SIZE, filename: Buffer.from(name) });
    const reply = await peer.control(transferId);
    if (reply.type !== 'InitAck') throw new Error(`${name}: no INIT_ACK (${reply.type})`);
    let offset = Number(reply.offset > BigInt(size) ? BigInt(size) : reply.offset);
    console.log(`${name}: ${size} bytes, receiver resumes at ${offset}`);
    let acked = offset;
    while (acked < size) {
      while (offset < size && offset - acked < WINDOW) {
        const data = content.subarray(offset, offset + dx.STREAM_CHUNK_SIZE);
        peer.send(transferId, { type: 'Chunk', offset: BigInt(offset), data });
        offset += data.length;
      }
      const control = await peer.control(transferId);
      if (control.type === 'Ack') acked = Math.max(acked, Number(control.offset));
      else if (control.type === 'Complete' || control.type === 'Abort') throw new Error(`${name}: receiver ended the transfer (${control.type})`);
      if (stopAfter !== null && acked >= stopAfter * dx.STREAM_CHUNK_SIZE) {
        console.log(`${name}: cut at ${acked} of ${size} bytes`);
        return true;
      }
    }
    peer.send(transferId, { type: 'Done' });
    for (;;) {
      const control = await peer.control(transferId);
      if (control.type === 'Complete') {
        console.log(`${name}: COMPLETE ok=${control.ok} ${control.message.toString()}`.trimEnd());
        return control.ok;
      }
      if (control.type === 'Abort') throw new Error(`${name}: ABORT ${control.reason.toString()}`);
    }
  } finally {
    socket.destroy();
  }
}

/** Start filestream_receive.js on a free port and send it a generated 100 KiB file. */
async function demo() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-fs-'));
  try {
    const file = path.join(tmp, 'demo.bin');
    fs.writeFileSync(file, Buffer.from(Array.from({ length: 100 * 1024 }, (_, i) => i % 251)));
    const receiver = spawn(process.execPath, [path.join(__dirname, 'filestream_receive.js'), path.join(tmp, 'inbox'), '--count', '1'],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => receiver.on('exit', resolve));
    let out = '';
    const port = await new Promise((resolve) => receiver.stdout.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    }));
    const ok = await sendFile('127.0.0.1', port, file, null);
    const code = await exited;
    console.log(out.split('\n').slice(1).join('\n').trim());
    return ok && code === 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length === 0) return demo();
  let stopAfter = null;
  const at = args.indexOf('--stop-after');
  if (at >= 0) stopAfter = Number(args.splice(at, 2)[1]);
  const [host, port, file] = args;
  return sendFile(host, Number(port), file, stopAfter);
}

main().then((ok) => { process.exitCode = ok ? 0 : 1; }, (e) => {
  console.error(e.message);
  process.exitCode = 1;
});
