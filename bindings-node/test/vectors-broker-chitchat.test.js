'use strict';
// vectors/broker.json and vectors/chitchat.json through the JS API, with the expectations of
// core/tests/broker_vectors and core/tests/chitchat_vectors.
const { test } = require('node:test');
const {
  assert, wire, load, hex, messageOf, section, streamDecode, assertRejected, code, expectation, expectedCode,
} = require('./helpers');

const { broker, chitchat } = wire;
/** The broker's dedicated Hello reader's limit. */
const HELLO_OPTIONS = { maxFrameSize: broker.MAX_HELLO_BYTES };

const MAP_FIELDS = ['details', 'labels', 'platform_paths', 'extra'];

/** Maps with several entries were written in random order: only values can be compared. */
function hasMultiEntryMap(v) {
  if (Array.isArray(v)) return v.some(hasMultiEntryMap);
  if (v && typeof v === 'object') {
    return Object.entries(v).some(([k, x]) =>
      (MAP_FIELDS.includes(k) && x && typeof x === 'object' && Object.keys(x).length > 1) || hasMultiEntryMap(x));
  }
  return false;
}

const isBare = (entry) => entry.framing !== undefined;
const brokerJSON = (bytes, options) => broker.toJSON(broker.decode(bytes, options));

function checkReply(what, reply) {
  const bytes = hex(reply, 'reply_hex');
  const json = brokerJSON(bytes);
  assert.deepEqual(json.fields.frame, reply.reply_frame, `${what}: reply frame`);
  assert.deepEqual(json.fields.payload_message, reply.reply_payload ?? undefined, `${what}: reply payload`);
  if (!hasMultiEntryMap(json)) assert.deepEqual(broker.encode(broker.fromJSON(json)), bytes, `${what}: reply bytes`);
}

test('broker.json: every section', () => {
  const doc = load('broker.json');
  const tally = { frames: 0, bare: 0, decodeOnly: 0, exchanges: 0, invalid: 0 };
  for (const entry of section(doc, 'vectors')) {
    const bytes = hex(entry);
    const roundtrip = entry.roundtrip !== false;
    if (isBare(entry)) {
      const decoded = broker.decodeMessage(entry.type, bytes);
      assert.equal(decoded.type, entry.type);
      assert.deepEqual(broker.messageToJSON(decoded), messageOf(entry), entry.name);
      const parsed = broker.messageFromJSON(messageOf(entry));
      assert.deepEqual(parsed, decoded, `${entry.name}: fromJSON`);
      const encoded = broker.encodeMessage(parsed);
      if (hasMultiEntryMap(entry.fields)) {
        assert.deepEqual(broker.decodeMessage(entry.type, encoded), decoded, entry.name);
      } else {
        assert.equal(encoded.toString('hex'), roundtrip ? entry.hex : entry.canonical_hex, entry.name);
      }
      tally.bare++;
      continue;
    }
    const json = brokerJSON(bytes);
    if (!roundtrip && entry.fields.payload_message === undefined) delete json.fields.payload_message;
    assert.deepEqual(json, messageOf(entry), entry.name);
    if (roundtrip) {
      assert.equal(broker.encode(broker.fromJSON(messageOf(entry))).toString('hex'), entry.hex, entry.name);
      tally.frames++;
    } else {
      const frame = broker.decode(bytes);
      assert.equal(broker.encode(frame).toString('hex'), entry.canonical_hex, entry.name);
      assert.deepEqual(broker.decode(hex(entry, 'canonical_hex')).frame, frame.frame, entry.name);
      tally.decodeOnly++;
    }
  }
  for (const entry of section(doc, 'broker_exchanges')) {
    const request = hex(entry, 'request_hex');
    const json = brokerJSON(request);
    assert.ok(json.fields.payload_message, `${entry.name}: request payload`);
    assert.deepEqual(broker.encode(broker.fromJSON(json)), request, entry.name);
    checkReply(entry.name, entry.broker);
    tally.exchanges++;
  }
  for (const entry of section(doc, 'invalid')) {
    const bytes = hex(entry);
    const reference = entry.codecs.try_decode_framed;
    const listed = expectation('broker.json', 'invalid', entry);
    const kind = listed.error && code(listed.error);
    if (entry.codec_rejects) {
      assert.throws(() => new broker.Decoder().push(bytes),
        (e) => e.code === kind && (kind === 'WIRE_TOO_LARGE' || e.reason === reference.error.message), entry.name);
      assertRejected(broker, bytes, kind, entry.name);
    } else if (kind === 'WIRE_INCOMPLETE') {
      const decoder = new broker.Decoder();
      assert.deepEqual(decoder.push(bytes), [], entry.name);
      assert.equal(decoder.buffered, bytes.length, entry.name);
      assert.throws(() => broker.decode(bytes), (e) => e.code === 'WIRE_INCOMPLETE', entry.name);
    } else {
      assert.ok(listed.decodes || kind === 'WIRE_TRAILING_BYTES', entry.name);
      const decoder = new broker.Decoder();
      const frames = decoder.push(bytes);
      assert.equal(frames.length, 1, entry.name);
      assert.equal(bytes.length - decoder.buffered, Number(reference.consumed), `${entry.name}: consumed`);
      const json = broker.toJSON(frames[0]);
      assert.deepEqual(json.fields.frame, reference.frame, entry.name);
      if (entry.layer === 'payload') {
        // The payload has a schema but is not that message: no payload message (the operation
        // says why).
        assert.throws(() => broker.payloadMessage(frames[0].frame), (e) => e.code === 'WIRE_MALFORMED', entry.name);
        assert.equal(json.fields.payload_message, undefined, entry.name);
      }
      if (decoder.buffered === 0) assert.deepEqual(broker.decode(bytes).frame, frames[0].frame, entry.name);
      else assert.throws(() => broker.decode(bytes), (e) => e.code === 'WIRE_TRAILING_BYTES', entry.name);
    }
    if (entry.codecs.read_frame_with_cap_65536?.error?.error_kind === 'FrameTooLarge') {
      assert.throws(() => broker.decode(bytes, HELLO_OPTIONS), (e) => e.code === 'WIRE_TOO_LARGE', `${entry.name}: hello cap`);
    }
    const control = entry.broker_control_socket;
    if (control && control.reply_hex) checkReply(entry.name, control);
    tally.invalid++;
  }
  const frames = section(doc, 'vectors').filter((e) => !isBare(e)).map((e) => hex(e));
  const all = Buffer.concat(frames);
  const whole = streamDecode(broker, all, all.length);
  assert.equal(whole.length, frames.length);
  for (const chunk of [1, 7]) assert.deepEqual(streamDecode(broker, all, chunk), whole, `chunks of ${chunk}`);
  assert.equal(tally.frames + tally.decodeOnly, 56);
  assert.ok(tally.bare >= 20 && tally.exchanges > 0 && tally.decodeOnly > 0);
  assert.equal(tally.invalid, 30);
});

test('chitchat.json: every section', () => {
  const doc = load('chitchat.json');
  const tally = { roundtrip: 0, decodeOnly: 0, invalid: 0 };
  const all = [];
  const expected = [];
  for (const entry of section(doc, 'vectors')) {
    const bytes = hex(entry);
    const msg = chitchat.decode(bytes);
    assert.deepEqual(chitchat.toJSON(msg), messageOf(entry), entry.name);
    assert.equal(chitchat.encode(chitchat.fromJSON(messageOf(entry))).toString('hex'), entry.hex, entry.name);
    assert.deepEqual(streamDecode(chitchat, bytes, 1), [msg], entry.name);
    all.push(bytes);
    expected.push(msg);
    tally.roundtrip++;
  }
  const stream = Buffer.concat(all);
  for (const chunk of [1, 7, 4096, stream.length]) assert.deepEqual(streamDecode(chitchat, stream, chunk), expected);
  for (const entry of section(doc, 'decode_only')) {
    const bytes = hex(entry);
    const trailing = Number(entry.trailing_bytes_ignored);
    let decoded;
    if (trailing > 0) {
      assert.throws(() => chitchat.decode(bytes), (e) => e.code === 'WIRE_TRAILING_BYTES', entry.name);
      const decoder = new chitchat.Decoder();
      const frames = decoder.push(bytes);
      assert.equal(frames.length, 1, entry.name);
      assert.equal(decoder.buffered, trailing, entry.name);
      [decoded] = frames;
    } else {
      decoded = chitchat.decode(bytes);
    }
    assert.deepEqual(chitchat.toJSON(decoded), messageOf(entry), entry.name);
    const canonical = chitchat.fromJSON({ type: entry.type, fields: entry.canonical_fields ?? entry.fields });
    const encoded = chitchat.encode(canonical);
    assert.equal(encoded.toString('hex'), entry.canonical_hex, entry.name);
    assert.deepEqual(chitchat.decode(encoded), canonical, entry.name);
    tally.decodeOnly++;
  }
  for (const entry of section(doc, 'invalid')) {
    assertRejected(chitchat, hex(entry), expectedCode('chitchat.json', 'invalid', entry), entry.name);
    tally.invalid++;
  }
  assert.deepEqual(tally, { roundtrip: 20, decodeOnly: 11, invalid: 34 });
});
