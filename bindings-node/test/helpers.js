'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
// WIRE_NODE_PACKAGE: run the suites against an installed copy (make test-dist) instead.
const wire = require(process.env.WIRE_NODE_PACKAGE || '..');

/** A vector file, parsed losslessly (integers beyond 2^53 become bigint). */
function load(file) {
  return wire.parseJSON(fs.readFileSync(path.join(__dirname, '..', '..', 'vectors', file), 'utf8'));
}

const hex = (entry, key = 'hex') => Buffer.from(entry[key], 'hex');
const messageOf = (entry) => ({ type: entry.type, fields: entry.fields });
const section = (doc, key) => (Array.isArray(doc[key]) ? doc[key] : []);

/** Stream-decode `bytes` in chunks of `chunk` bytes: every frame, then finish(). */
function streamDecode(api, bytes, chunk, options) {
  const decoder = new api.Decoder(options);
  const frames = [];
  for (let at = 0; at < bytes.length; at += chunk) frames.push(...decoder.push(bytes.subarray(at, at + chunk)));
  frames.push(...decoder.push(Buffer.alloc(0)));
  decoder.finish();
  return frames;
}

/** The outcome of a stream decode: frames or the error code. */
function streamOutcome(api, bytes, chunk, options) {
  try {
    return { frames: streamDecode(api, bytes, chunk, options) };
  } catch (e) {
    assert.ok(e instanceof wire.WireError, `not a WireError: ${e}`);
    return { code: e.code, offset: e.offset };
  }
}

/** One-shot and stream decoding (whole and bytewise) refuse `bytes` with `code`. */
function assertRejected(api, bytes, code, name, options) {
  assert.throws(() => api.decode(bytes, options), (e) => e.code === code, `${name}: one-shot`);
  const whole = streamOutcome(api, bytes, Math.max(bytes.length, 1), options);
  const bytewise = streamOutcome(api, bytes, 1, options);
  if (whole.code) assert.deepEqual(bytewise, whole, `${name}: chunking changed the error`);
  else assert.equal(bytewise.frames.length, whole.frames.length, `${name}: chunking changed the frames`);
  if (code !== 'WIRE_TRAILING_BYTES' && whole.code) assert.equal(whole.code, code, `${name}: stream`);
}

const code = (kind) => `WIRE_${kind.toUpperCase()}`;

const EXPECTATIONS = load('expectations.json');

/** wire's outcome for an entry, from vectors/expectations.json ({} when none is listed). */
const expectation = (file, key, entry) => EXPECTATIONS.files[file][key]?.[entry.name] ?? {};

/** The error code vectors/expectations.json gives an entry that wire refuses. */
function expectedCode(file, key, entry) {
  const listed = expectation(file, key, entry);
  assert.ok(listed.error, `${file} ${key} ${entry.name}: no expected error`);
  return code(listed.error);
}

module.exports = {
  assert, wire, load, hex, messageOf, section, streamDecode, streamOutcome, assertRejected, code, expectation,
  expectedCode,
};
