'use strict';
// The JS API beyond the vectors: stream == one-shot for random chunkings, the Transform over a
// real loopback socket, argument and range errors, zero-copy payloads, encodeInto.
const { test } = require('node:test');
const net = require('node:net');
const { pipeline } = require('node:stream/promises');
const { assert, wire, load, hex, section } = require('./helpers');

const PROTOCOLS = ['dnode', 'chitchat', 'replication', 'broker', 'dataexchange'];

/** A deterministic PRNG (mulberry32) for chunk sizes. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every frame vector of a protocol, as the codec frames them. */
function frames(name) {
  const file = { dnode: 'dnode.json', chitchat: 'chitchat.json', replication: 'replication.json', broker: 'broker.json', dataexchange: 'dataexchange-latest.json' }[name];
  const entries = section(load(file), 'vectors').filter((e) => e.framing === undefined && e.type !== 'stream');
  const api = wire[name];
  // Replication vectors are bare messages: frame them with the codec.
  return entries.map((e) => (name === 'replication' ? api.encode(api.decodeMessage(hex(e))) : hex(e)));
}

test('stream decoding equals one-shot decoding for random chunkings', () => {
  for (const name of PROTOCOLS) {
    const api = wire[name];
    const list = frames(name);
    const expected = list.map((f) => api.decode(f));
    const all = Buffer.concat(list);
    const random = rng(list.length);
    for (let round = 0; round < 20; round++) {
      const decoder = new api.Decoder();
      const got = [];
      for (let at = 0; at < all.length;) {
        const n = 1 + Math.floor(random() * (round < 10 ? 16 : 4096));
        // Fresh copies: payload views must not depend on the caller keeping chunks intact.
        got.push(...decoder.push(Buffer.from(all.subarray(at, at + n))));
        at += n;
      }
      decoder.finish();
      assert.deepEqual(got, expected, `${name} round ${round}`);
      assert.equal(decoder.position, all.length);
    }
  }
});

test('decoded payloads are views of the input, not copies', () => {
  const bytes = wire.dataexchange.encode({ type: 'TypeBinary', payload: Buffer.from('payload bytes') });
  const frame = wire.dataexchange.decode(bytes);
  assert.equal(frame.payload.buffer, bytes.buffer);
  assert.equal(frame.payload.byteOffset, bytes.byteOffset + 8);
  const fromUint8 = wire.dataexchange.decode(new Uint8Array(bytes));
  assert.ok(Buffer.isBuffer(fromUint8.payload));
  const [streamed] = new wire.dataexchange.Decoder().push(bytes);
  assert.equal(streamed.payload.buffer, bytes.buffer);
});

test('the Transform decodes frames sent over a real loopback socket', async () => {
  const messages = [
    { type: 'TypeText', payload: Buffer.from('hello') },
    { type: 'TypeFile', filename: Buffer.from('a.txt'), payload: Buffer.alloc(100000, 7) },
    { type: 'TypeTrace', innerType: 2, sentAtNs: -5n, payload: Buffer.from([1, 2, 3]) },
  ];
  const server = net.createServer((socket) => {
    for (const m of messages) socket.write(wire.dataexchange.encode(m));
    socket.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const received = [];
  try {
    const socket = net.connect(server.address().port, '127.0.0.1');
    await pipeline(socket, wire.dataexchange.decodeStream(), async (source) => {
      for await (const frame of source) received.push(frame);
    });
  } finally {
    server.close();
  }
  assert.deepEqual(received, messages);
});

test('the Transform reports a truncated stream as WIRE_INCOMPLETE', async () => {
  const stream = wire.replication.decodeStream();
  const ended = new Promise((resolve) => stream.on('error', resolve));
  stream.resume();
  stream.end(Buffer.from([9, 0, 0, 0, 6]));
  const e = await ended;
  assert.equal(e.code, 'WIRE_INCOMPLETE');
  assert.equal(e.protocol, 'replication');
});

test('codec errors carry code, protocol and offset', () => {
  assert.throws(() => wire.dataexchange.decode(Buffer.from('00000001000000ff00', 'hex')), (e) =>
    e instanceof Error && e.code === 'WIRE_INCOMPLETE' && e.protocol === 'dataexchange' && e.offset === 9);
  assert.throws(() => wire.dataexchange.decode(Buffer.from('000000010000000000', 'hex')), (e) =>
    e.code === 'WIRE_TRAILING_BYTES' && e.offset === 8);
  assert.throws(() => wire.dataexchange.decode(Buffer.alloc(8), { maxFrameSize: -1 }), (e) =>
    e.code === 'WIRE_INVALID_ARGUMENT');
  assert.throws(() => wire.chitchat.decode(Buffer.alloc(4), { nope: 1 }), (e) => e.code === 'WIRE_INVALID_ARGUMENT');
  assert.deepEqual(wire.ERROR_CODES, ['WIRE_INCOMPLETE', 'WIRE_MALFORMED', 'WIRE_TOO_LARGE', 'WIRE_UNSUPPORTED_VERSION',
    'WIRE_INVALID_UTF8', 'WIRE_TRAILING_BYTES', 'WIRE_INVALID_ARGUMENT']);
  const decoder = new wire.dataexchange.Decoder({ maxFrameSize: 4 });
  assert.throws(() => decoder.push(Buffer.from('0000000100000005', 'hex')), (e) => e.code === 'WIRE_TOO_LARGE');
  assert.throws(() => decoder.push(Buffer.alloc(1)), (e) => e.code === 'WIRE_TOO_LARGE', 'the stream stays failed');
});

test('wrong argument types are TypeError, out-of-range integers RangeError', () => {
  const { dnode, replication, dataexchange, broker } = wire;
  assert.throws(() => dataexchange.decode('00'), TypeError);
  assert.throws(() => dataexchange.decode(new ArrayBuffer(8)), TypeError);
  assert.throws(() => dataexchange.encode({ type: 'TypeText', payload: 'text' }), TypeError);
  assert.throws(() => dataexchange.encode({ type: 'Nope', payload: Buffer.alloc(0) }), TypeError);
  assert.throws(() => dataexchange.encode(null), TypeError);
  const dmsg = dnode.decode(Buffer.from('20202024323031342420312033203020312031202a312064202a300d0a', 'hex'));
  assert.throws(() => dnode.encode({ ...dmsg, id: 1 }), TypeError, 'u64 must be a bigint');
  assert.throws(() => dnode.encode({ ...dmsg, id: -1n }), RangeError);
  assert.throws(() => dnode.encode({ ...dmsg, id: 1n << 64n }), RangeError);
  assert.throws(() => dnode.encode({ ...dmsg, flags: 256 }), RangeError, 'no silent wrap');
  assert.throws(() => dnode.encode({ ...dmsg, flags: 1.5 }), RangeError);
  assert.throws(() => dnode.encode({ ...dmsg, type: 'DMSG_NOPE' }), RangeError);
  assert.throws(() => dnode.encode({ ...dmsg, type: 300 }), RangeError);
  assert.throws(() => dnode.encode({ ...dmsg, sameDc: 1 }), TypeError);
  assert.throws(() => dnode.encode({ ...dmsg, flags: 16 }), (e) => e.code === 'WIRE_INVALID_ARGUMENT');
  assert.throws(() => replication.encode({ type: 'GroupChange', changeType: 'Add',
    node: { name: 'n', nodeType: 'Monitor', host: 'h', port: 65536, nodeId: 1 } }), RangeError);
  assert.throws(() => replication.encode({ type: 'Handshake', nodeName: 'a', groupName: 'b', nodeType: 9 }), RangeError);
  assert.throws(() => dataexchange.encode({ type: 'TypeTrace', innerType: 1, sentAtNs: 1n << 63n, payload: Buffer.alloc(0) }), RangeError);
  assert.throws(() => dataexchange.encodeInto({ type: 'TypeText', payload: Buffer.alloc(0) }, Buffer.alloc(8), 9), RangeError);
  assert.throws(() => broker.decodeMessage(7, Buffer.alloc(0)), TypeError);
  assert.throws(() => broker.decodeMessage('Nope', Buffer.alloc(0)), (e) => e.code === 'WIRE_INVALID_ARGUMENT');
  assert.throws(() => replication.decodeMessage(Buffer.alloc(1), { layout: '9x' }), (e) => e.code === 'WIRE_INVALID_ARGUMENT');
});

test('u64 and i64 cross losslessly', () => {
  const { replication, dataexchange } = wire;
  for (const vlsn of [0n, 1n, (1n << 53n) + 1n, (1n << 64n) - 1n]) {
    assert.deepEqual(replication.decode(replication.encode({ type: 'Ack', vlsn })), { type: 'Ack', vlsn });
  }
  for (const sentAtNs of [-(1n << 63n), -1n, 0n, (1n << 63n) - 1n, -(1n << 53n) - 3n]) {
    const m = { type: 'TypeTrace', innerType: 7, sentAtNs, payload: Buffer.from('x') };
    assert.deepEqual(dataexchange.decode(dataexchange.encode(m)), m);
  }
  const big = replication.toJSON({ type: 'Ack', vlsn: (1n << 64n) - 1n });
  assert.deepEqual(big, { type: 'Ack', fields: { vlsn: 18446744073709551615n } });
  assert.deepEqual(replication.fromJSON(big), { type: 'Ack', vlsn: (1n << 64n) - 1n });
});

test('encodeInto writes at an offset; large frames go through the fallback path', () => {
  const m = { type: 'TypeBinary', payload: Buffer.alloc(200000, 3) };
  const bytes = wire.dataexchange.encode(m);
  assert.equal(bytes.length, 200008);
  const buf = Buffer.alloc(bytes.length + 10);
  assert.equal(wire.dataexchange.encodeInto(m, buf, 10), bytes.length);
  assert.deepEqual(buf.subarray(10), bytes);
  assert.throws(() => wire.dataexchange.encodeInto(m, Buffer.alloc(100)), RangeError);
  assert.deepEqual(wire.dataexchange.decode(bytes), m);
});

test('every protocol module has the same shape', () => {
  for (const name of PROTOCOLS) {
    const api = wire[name];
    for (const fn of ['encode', 'encodeInto', 'decode', 'decodeStream', 'toJSON', 'fromJSON']) {
      assert.equal(typeof api[fn], 'function', `${name}.${fn}`);
    }
    assert.equal(typeof api.Decoder, 'function');
  }
  assert.equal(wire.detect(Buffer.from('   $2014$ ')), 'dnode');
});

test('two copies of the JS layer in one thread share the addon without mixing results', () => {
  const libPath = require.resolve('../lib/wire.js');
  const saved = require.cache[libPath];
  delete require.cache[libPath];
  let other;
  try {
    other = require('../lib/wire.js');
  } finally {
    require.cache[libPath] = saved;
  }
  assert.notEqual(other, wire);
  const a = { type: 'LogEntry', vlsn: 7n, entryType: 1, data: Buffer.from('first copy') };
  const b = { type: 'Ack', vlsn: 18446744073709551615n };
  const decoder = new wire.replication.Decoder();
  const otherDecoder = new other.replication.Decoder();
  for (let i = 0; i < 3; i++) {
    // Each call registers its own copy's arrays again after the other copy replaced them.
    const bytesA = wire.replication.encode(a);
    const bytesB = other.replication.encode(b);
    assert.deepEqual(other.replication.decode(bytesA), a);
    assert.deepEqual(wire.replication.decode(bytesB), b);
    assert.deepEqual(decoder.push(bytesB), [b]);
    assert.deepEqual(otherDecoder.push(bytesA), [a]);
    assert.deepEqual(wire.replication.toJSON(a), other.replication.toJSON(a));
    const header = { id: 1n, type: 'DMSG_REQ', flags: 0, version: 1, sameDc: true, data: Buffer.from('d'), plen: 0 };
    assert.deepEqual(other.dnode.parseHeader(wire.dnode.encodeHeader(header)).header, header);
  }
});
