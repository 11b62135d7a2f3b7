// wire-codec vs the baseline a JS user would pick, same run: pure-JS Buffer codecs
// (benches/baselines.js) for dataexchange, dnode and replication, protobufjs for broker (the
// .proto files the core compiles). Prints ns per operation and the ratio wire/baseline.
'use strict';
const path = require('node:path');
const protobuf = require('protobufjs');
const wire = require('..');
const base = require('./baselines');

// Iterations per sample: enough for ~50 ms.
function calibrate(fn) {
  let iterations = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    if (Number(process.hrtime.bigint() - start) > 50e6) return iterations;
    iterations *= 2;
  }
}

function sample(fn, iterations) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];

// The machine is a shared 2-core VM whose load changes from second to second: wire and baseline
// samples alternate, so both see the same conditions, and each side's median is reported.
const rows = [];
function row(protocol, op, wireFn, baseFn) {
  const wi = calibrate(wireFn);
  const bi = baseFn && calibrate(baseFn);
  const w = [];
  const b = [];
  for (let s = 0; s < 9; s++) {
    w.push(sample(wireFn, wi));
    if (baseFn) b.push(sample(baseFn, bi));
  }
  rows.push({ protocol, op, wire: median(w), base: baseFn ? median(b) : null });
}

const BATCH = 10000;
const payload = Buffer.alloc(64, 0x61);

// dataexchange
{
  const msg = { type: 'TypeBinary', payload };
  const one = wire.dataexchange.encode(msg);
  const batch = Buffer.concat(Array.from({ length: BATCH }, () => one));
  row('dataexchange', 'decode 1 frame (64 B)', () => wire.dataexchange.decode(one), () => base.dataexchange.decode(one).frame);
  row('dataexchange', `Decoder.push ${BATCH} frames`, () => new wire.dataexchange.Decoder().push(batch), () => base.decodeAll(base.dataexchange, batch));
  row('dataexchange', 'encode 1 frame (64 B)', () => wire.dataexchange.encode(msg), () => base.dataexchange.encode(msg));
}
// dnode
{
  const msg = { id: 12345n, type: 'DMSG_REQ', flags: 0, version: 1, sameDc: true, data: Buffer.from('d'), payload };
  const one = wire.dnode.encode(msg);
  const batch = Buffer.concat(Array.from({ length: BATCH }, () => one));
  row('dnode', 'decode 1 frame (64 B)', () => wire.dnode.decode(one), () => base.dnode.decode(one).frame);
  row('dnode', `Decoder.push ${BATCH} frames`, () => new wire.dnode.Decoder().push(batch), () => base.decodeAll(base.dnode, batch));
  row('dnode', 'encode 1 frame (64 B)', () => wire.dnode.encode(msg), () => base.dnode.encode(msg));
}
// replication
{
  const msg = { type: 'LogEntry', vlsn: 77n, entryType: 1, data: payload };
  const one = wire.replication.encode(msg);
  const batch = Buffer.concat(Array.from({ length: BATCH }, () => one));
  row('replication', 'decode 1 frame (64 B)', () => wire.replication.decode(one), () => base.replication.decode(one).frame);
  row('replication', `Decoder.push ${BATCH} frames`, () => new wire.replication.Decoder().push(batch), () => base.decodeAll(base.replication, batch));
  row('replication', 'encode 1 frame (64 B)', () => wire.replication.encode(msg), () => base.replication.encode(msg));
}
// broker: protobufjs decodes the body after the 5-byte header ([u8 version][u32 LE length]).
{
  const root = new protobuf.Root();
  const dir = path.join(__dirname, '..', '..', 'core', 'proto', 'broker_v1');
  root.resolvePath = (_origin, target) => path.join(dir, path.basename(target));
  root.loadSync(['broker_v1_envelope.proto', 'broker_v1_admin.proto', 'broker_v1_manifest.proto', 'broker_v1_service_def.proto']);
  const Frame = root.lookupType('running_process.broker.v1.Frame');
  const frame = {
    envelopeVersion: 1, kind: 'FRAME_KIND_REQUEST', payloadProtocol: 0x7a63, payload, requestId: 9n,
    payloadEncoding: 'PAYLOAD_ENCODING_NONE', deadlineUnixMs: 0n, traceparent: '', tracestate: '',
  };
  const one = wire.broker.encode({ frame });
  const batch = Buffer.concat(Array.from({ length: BATCH }, () => one));
  const opts = { enums: String, longs: String, defaults: true };
  const pbDecode = (buf, at) => {
    const len = buf.readUInt32LE(at + 1);
    return Frame.toObject(Frame.decode(buf.subarray(at + 5, at + 5 + len)), opts);
  };
  const pbFrame = Frame.fromObject({ ...frame, requestId: '9', deadlineUnixMs: '0' });
  row('broker', 'decode 1 frame (64 B payload)', () => wire.broker.decode(one), () => pbDecode(one, 0));
  row('broker', `Decoder.push ${BATCH} frames`, () => new wire.broker.Decoder().push(batch), () => {
    const out = [];
    for (let at = 0; at < batch.length; at += one.length) out.push(pbDecode(batch, at));
    return out;
  });
  row('broker', 'encode 1 frame (64 B payload)', () => wire.broker.encode({ frame }), () => {
    const body = Frame.encode(pbFrame).finish();
    const out = Buffer.allocUnsafe(5 + body.length);
    out[0] = 1;
    out.writeUInt32LE(body.length, 1);
    out.set(body, 5);
    return out;
  });
}
// chitchat: no JS implementation exists to compare with; absolute times only.
{
  const msg = { version: 'V0', message: { type: 'Ack', delta: { nodeDeltas: [] } } };
  const one = wire.chitchat.encode(msg);
  const batch = Buffer.concat(Array.from({ length: BATCH }, () => one));
  row('chitchat', 'decode 1 frame', () => wire.chitchat.decode(one), null);
  row('chitchat', `Decoder.push ${BATCH} frames`, () => new wire.chitchat.Decoder().push(batch), null);
}

const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
console.log(`node ${process.version}; ratio = wire time / baseline time (lower is better for wire)`);
console.log('| protocol | operation | wire | baseline | ratio |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.protocol} | ${r.op} | ${fmt(r.wire)} | ${r.base === null ? 'n/a' : fmt(r.base)} | ${r.base === null ? 'n/a' : (r.wire / r.base).toFixed(2)} |`);
}
