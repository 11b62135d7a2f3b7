'use strict';
// vectors/dnode.json and vectors/dnode-live.json through the JS API, with the expectations of
// core/tests/dnode_vectors.
const { test } = require('node:test');
const {
  assert, wire, load, hex, messageOf, section, streamDecode, assertRejected, code, expectation, expectedCode,
} = require('./helpers');

const { dnode } = wire;

/** xorshift64* chunk sizes, as the Rust suite uses. */
function chunker(seed, max) {
  let s = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n);
  return () => {
    s ^= s >> 12n;
    s = BigInt.asUintN(64, s ^ (s << 25n));
    s ^= s >> 27n;
    return Number((BigInt.asUintN(64, s * 0x2545f4914f6cdd1dn) >> 33n) % BigInt(max)) + 1;
  };
}

/** Stream-decode in the given chunk sizes: `{frames: [msg], error, position}`. */
function located(bytes, sizes) {
  const decoder = new dnode.Decoder();
  const frames = [];
  try {
    for (let at = 0; at < bytes.length;) {
      const end = Math.min(at + sizes(), bytes.length);
      frames.push(...decoder.push(bytes.subarray(at, end)));
      at = end;
    }
    decoder.finish();
    return { frames, error: null, position: decoder.position };
  } catch (e) {
    return { frames, error: { code: e.code, offset: e.offset }, position: decoder.position };
  }
}

/** The same messages and outcome for 1-byte, whole and pseudo-random chunkings. */
function allChunkings(bytes) {
  const reference = located(bytes, () => 1);
  const expected = reference;
  assert.deepEqual(located(bytes, () => Math.max(bytes.length, 1)), expected);
  [3, 17, 64, 1500].forEach((max, i) => assert.deepEqual(located(bytes, chunker(i + 1, max)), expected, `seed ${i + 1}`));
  return reference;
}

/** Every frame entry of `vectors`, concatenated, streams to the one-shot messages. */
function checkConcatenation(doc) {
  const entries = section(doc, 'vectors').filter((e) => e.type !== 'stream');
  const all = Buffer.concat(entries.map((e) => hex(e)));
  const { frames, error, position } = allChunkings(all);
  assert.equal(error, null);
  assert.equal(position, all.length);
  assert.deepEqual(frames, entries.map((e) => dnode.decode(hex(e))));
}

const FLAVOUR = { dmsg_write: 'plain', dmsg_write_mbuf: 'gossip' };
const PLACEHOLDER = { plain: 0x64, gossip: 0x61 };

test('dnode.json: every section', () => {
  const doc = load('dnode.json');
  const tally = { roundtrip: 0, decodeOnly: 0, invalid: 0, extra: 0 };
  for (const entry of section(doc, 'vectors')) {
    const bytes = hex(entry);
    const msg = dnode.decode(bytes);
    assert.deepEqual(dnode.toJSON(msg), messageOf(entry), entry.name);
    const parsed = dnode.fromJSON(messageOf(entry));
    assert.equal(dnode.encode(parsed).toString('hex'), entry.hex, entry.name);
    const flavour = FLAVOUR[entry.writer];
    assert.ok(flavour, `${entry.name}: writer`);
    if (parsed.data.length === 1 && parsed.data[0] === PLACEHOLDER[flavour]) {
      assert.deepEqual(dnode.encode({ ...parsed, data: Buffer.alloc(0) }, { flavour }), bytes, `${entry.name}: placeholder`);
    }
    assert.deepEqual(streamDecode(dnode, bytes, 1), [msg], entry.name);
    tally.roundtrip++;
  }
  for (const entry of section(doc, 'invalid')) {
    const bytes = hex(entry);
    const expected = expectedCode('dnode.json', 'invalid', entry);
    assertRejected(dnode, bytes, expected, entry.name);
    if (expected === 'WIRE_TRAILING_BYTES') {
      // The stream yields the frame, then refuses the garbage right after it (no resync).
      const { frames, error, position } = allChunkings(bytes);
      assert.equal(frames.length, 1, entry.name);
      assert.deepEqual(error, { code: 'WIRE_MALFORMED', offset: position }, entry.name);
      assert.deepEqual(dnode.decode(bytes.subarray(0, position)), frames[0], entry.name);
    }
    tally.invalid++;
  }
  for (const entry of section(doc, 'decode_only')) {
    const bytes = hex(entry);
    const rejected = expectation('dnode.json', 'decode_only', entry).error;
    if (rejected) {
      assert.throws(() => dnode.parseHeader(bytes), (e) => e.code === code(rejected), entry.name);
      assert.throws(() => dnode.decode(bytes), (e) => e.code === code(rejected), entry.name);
    } else {
      const { header, headerLength } = dnode.parseHeader(bytes);
      assert.equal(headerLength, BigInt(entry.header_len), entry.name);
      assert.deepEqual(dnode.headerToJSON(header), messageOf(entry), entry.name);
      const total = Number(headerLength) + header.plen;
      const msg = dnode.decode(bytes.subarray(0, total));
      const { plen, ...fields } = header;
      assert.deepEqual({ ...msg, payload: undefined }, { ...fields, payload: undefined }, entry.name);
      assert.equal(msg.payload.length, plen);
      assert.deepEqual(msg.payload, bytes.subarray(Number(headerLength), total), entry.name);
    }
    tally.decodeOnly++;
  }
  checkConcatenation(doc);
  tally.extra++;
  const wide = { maxFrameSize: 4294967295 };
  for (const entry of section(doc, 'header_vectors')) {
    const bytes = hex(entry);
    const { header, headerLength } = dnode.parseHeader(bytes, wide);
    assert.equal(headerLength, BigInt(bytes.length), entry.name);
    assert.deepEqual(dnode.headerToJSON(header), messageOf(entry), entry.name);
    const back = dnode.headerFromJSON(messageOf(entry));
    assert.deepEqual(dnode.encodeHeader(back, wide), bytes, entry.name);
    tally.extra++;
  }
  for (const entry of section(doc, 'handshake_vectors')) {
    const bytes = hex(entry);
    const hs = dnode.decodeHandshake(bytes);
    assert.deepEqual(dnode.handshakeToJSON(hs), messageOf(entry), entry.name);
    assert.deepEqual(dnode.encodeHandshake(dnode.handshakeFromJSON(messageOf(entry))), bytes, entry.name);
    tally.extra++;
  }
  for (const entry of section(doc, 'handshake_invalid')) {
    const expected = expectedCode('dnode.json', 'handshake_invalid', entry);
    assert.throws(() => dnode.decodeHandshake(hex(entry)), (e) => e.code === expected, entry.name);
    tally.extra++;
  }
  assert.deepEqual(tally, { roundtrip: 28, decodeOnly: 16, invalid: 23, extra: 1 + 2 + 4 + 8 });
});

test('dnode-live.json: every section', () => {
  const doc = load('dnode-live.json');
  const tally = { roundtrip: 0, invalid: 0, streams: 0, replays: 0 };
  for (const entry of section(doc, 'vectors')) {
    if (entry.type === 'stream') continue;
    const msg = dnode.decode(hex(entry));
    assert.deepEqual(dnode.toJSON(msg), messageOf(entry), entry.name);
    assert.equal(dnode.encode(dnode.fromJSON(messageOf(entry))).toString('hex'), entry.hex, entry.name);
    tally.roundtrip++;
  }
  for (const entry of section(doc, 'invalid')) {
    const expectation = entry.codec_expectation || '';
    if (!expectation.startsWith('strict plen framing')) {
      assertRejected(dnode, hex(entry), expectedCode('dnode-live.json', 'invalid', entry), entry.name);
    } else {
      const at = Number(/error at offset (\d+)/.exec(expectation)[1]);
      const { frames, error, position } = allChunkings(hex(entry));
      assert.deepEqual(error, { code: 'WIRE_MALFORMED', offset: at }, entry.name);
      assert.ok(frames.length > 0, entry.name);
      assert.equal(position, at, `${entry.name}: the last frame ends at the damage`);
      if (expectation.includes('frames at offsets 0 and 73')) {
        assert.equal(frames.length, 2);
        assert.equal(frames[1].payload.length, 0);
      }
      if (expectation.includes('with a 43-byte payload')) {
        assert.equal(frames.length, 1);
        assert.equal(frames[0].payload.length, 43);
      }
    }
    tally.invalid++;
  }
  checkConcatenation(doc);
  for (const entry of section(doc, 'vectors')) {
    if (entry.type !== 'stream') continue;
    const { frames, error } = allChunkings(hex(entry));
    assert.equal(error, null, entry.name);
    const listed = entry.fields.frames;
    assert.equal(Number(entry.fields.frame_count), listed.length);
    assert.equal(frames.length, listed.length, entry.name);
    frames.forEach((f, i) => {
      assert.equal(f.id, BigInt(listed[i].id), entry.name);
      assert.equal(f.type, listed[i].type, entry.name);
      assert.equal(f.payload.length, Number(listed[i].plen), entry.name);
    });
    tally.streams++;
  }
  for (const entry of section(doc, 'live_replay_accepted')) {
    const bytes = hex(entry);
    if (entry.name === 'replay-plen-too-small') {
      assert.throws(() => dnode.decode(bytes), (e) => e.code === 'WIRE_TRAILING_BYTES' && e.offset === 40);
      const { frames, error } = allChunkings(bytes);
      assert.equal(frames.length, 1);
      assert.equal(frames[0].payload.length, 10);
      assert.equal(error.code, 'WIRE_MALFORMED');
    } else if (entry.name === 'replay-version-2') {
      const msg = dnode.decode(bytes);
      assert.deepEqual([msg.version, msg.payload.length], [2, 39]);
    } else {
      throw new Error(`${entry.name}: unknown live_replay_accepted entry`);
    }
    tally.replays++;
  }
  assert.deepEqual(tally, { roundtrip: 239, invalid: 11, streams: 13, replays: 2 });
});
