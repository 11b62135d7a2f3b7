// @ts-check
// Receive files over TCP with dataexchange TypeFileStream, built on wire's codec, as the
// reference's StreamReceiver does: data goes to DIR/.partial/<transfer id> (its size is the
// resume offset INIT_ACK reports, so a cut transfer continues where it stopped), each in-order
// CHUNK is ACKed with the contiguous offset, and DONE is answered COMPLETE after the SHA-256
// check; the file is then renamed to DIR/<base name>.
//
// usage: node filestream_receive.js DIR [--count N]
//   prints "port N" once listening; serves N connections (default: for ever). With no
//   arguments: receives one file from filestream_send.js into a temporary folder.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { dataexchange: dx } = require('wire-codec');

/** The reference's sanitizeBase: the last path element, `received.bin` for none. @param {Buffer} raw */
function baseName(raw) {
  const name = path.basename(raw.toString().replace(/\/+$/, ''));
  return ['', '.', '..'].includes(name) ? 'received.bin' : name;
}

/** @typedef {{ name: string, size: number, sha256: Buffer, partial: string, fd: number, cursor: number }} Transfer */

/** @param {string} dir */
function receiver(dir) {
  fs.mkdirSync(path.join(dir, '.partial'), { recursive: true });
  /** @type {Map<string, Transfer>} */
  const transfers = new Map();
  /** @param {Buffer} transferId @param {dx.Control} c @returns {dx.Control | null} */
  function handle(transferId, c) {
    const key = transferId.toString('hex');
    if (c.type === 'Init') {
      const partial = path.join(dir, '.partial', key);
      let have = fs.existsSync(partial) ? fs.statSync(partial).size : 0;
      const size = Number(c.size);
      if (have > size) {
        fs.truncateSync(partial, 0);
        have = 0;
      }
      const old = transfers.get(key);
      if (old) fs.closeSync(old.fd);
      transfers.set(key, { name: baseName(c.filename), size, sha256: Buffer.from(c.sha256), partial, fd: fs.openSync(partial, 'a'), cursor: have });
      return { type: 'InitAck', offset: BigInt(have) };
    }
    const t = transfers.get(key);
    if (c.type === 'Chunk') {
      if (!t) return { type: 'Abort', reason: Buffer.from('no active transfer (send INIT first)') };
      if (Number(c.offset) === t.cursor) {
        fs.writeSync(t.fd, c.data);
        t.cursor += c.data.length;
      }
      return { type: 'Ack', offset: BigInt(t.cursor) };
    }
    if (c.type === 'Done') {
      if (!t) return { type: 'Complete', ok: false, message: Buffer.from('no active transfer') };
      if (t.cursor !== t.size) return { type: 'Complete', ok: false, message: Buffer.from(`incomplete: have ${t.cursor} of ${t.size} bytes`) };
      fs.closeSync(t.fd);
      transfers.delete(key);
      const digest = crypto.createHash('sha256').update(fs.readFileSync(t.partial)).digest();
      if (!digest.equals(t.sha256)) return { type: 'Complete', ok: false, message: Buffer.from('sha256 mismatch, .partial retained') };
      fs.renameSync(t.partial, path.join(dir, t.name));
      console.log(`saved ${t.name} ${t.size}`);
      return { type: 'Complete', ok: true, message: Buffer.alloc(0) };
    }
    if (c.type === 'Abort' && t) {
      fs.closeSync(t.fd);
      transfers.delete(key);
    }
    return null;
  }
  /** Serve one connection; resolves when it closes. @param {net.Socket} socket */
  return (socket) => new Promise((resolve) => {
    const decoder = new dx.Decoder();
    socket.on('data', (chunk) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.type !== 'TypeFileStream') continue;
        const reply = handle(frame.transferId, frame.control);
        if (reply) socket.write(dx.encode({ type: 'TypeFileStream', transferId: frame.transferId, control: reply }));
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      // Like the reference's Receiver.Close: open files closed, .partial files kept.
      for (const t of transfers.values()) fs.closeSync(t.fd);
      transfers.clear();
      resolve(undefined);
    });
  });
}

/** @param {string} dir @param {number} count @param {(port: number) => void} ready */
async function listen(dir, count, ready) {
  const serve = receiver(dir);
  /** @type {net.Socket[]} */
  const queue = [];
  /** @type {(() => void) | null} */
  let wake = null;
  const server = net.createServer((s) => {
    s.pause();
    queue.push(s);
    if (wake) wake();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  ready(/** @type {net.AddressInfo} */ (server.address()).port);
  // One connection at a time, as the reference's per-connection receivers share one folder.
  for (let served = 0; served < count; served++) {
    while (queue.length === 0) await new Promise((resolve) => { wake = () => resolve(undefined); });
    const socket = /** @type {net.Socket} */ (queue.shift());
    const done = serve(socket);
    socket.resume();
    await done;
  }
  server.close();
}

/** Receive one generated file from filestream_send.js. */
async function demo() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-fs-'));
  try {
    const file = path.join(tmp, 'hello.txt');
    fs.writeFileSync(file, 'hello world\n');
    /** @type {Promise<unknown> | null} */
    let sender = null;
    await listen(path.join(tmp, 'inbox'), 1, (port) => {
      const child = spawn(process.execPath, [path.join(__dirname, 'filestream_send.js'), '127.0.0.1', String(port), file], { stdio: 'inherit' });
      sender = new Promise((resolve) => child.on('exit', resolve));
    });
    const code = await sender;
    return code === 0 && fs.readFileSync(path.join(tmp, 'inbox', 'hello.txt'), 'utf8') === 'hello world\n';
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length === 0) return demo();
  let count = Infinity;
  const at = args.indexOf('--count');
  if (at >= 0) count = Number(args.splice(at, 2)[1]);
  await listen(args[0], count, (port) => console.log(`port ${port}`));
  return true;
}

main().then((ok) => { process.exitCode = ok ? 0 : 1; }, (e) => {
  console.error(e.message);
  process.exitCode = 1;
});
