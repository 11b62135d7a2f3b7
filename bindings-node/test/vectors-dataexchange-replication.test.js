'use strict';
// vectors/dataexchange.json and vectors/replication.json through the JS API, with the
// expectations of core/tests/vectors.rs.
const { test } = require('node:test');
const {
  assert, wire, load, hex, messageOf, section, streamDecode, assertRejected, expectedCode,
} = require('./helpers');

const crypto = require('node:crypto');

const { dataexchange, replication } = wire;
const expectations = load('expectations.json');

/** (filename, payload) of a Go `Frame{... filename: "..." | hex .., payload: hex .. | empty}`. */
function describedFile(b) {
  const rest = b.split('filename: ')[1];
  const [name] = rest.split(', payload: ');
  const filename = name.startsWith('hex ') ? Buffer.from(name.slice(4), 'hex') : Buffer.from(JSON.parse(name));
  const payloadText = b.slice(b.lastIndexOf('payload: ') + 9).replace(/}+$/, '');
  const payload = payloadText.startsWith('hex ') ? Buffer.from(payloadText.slice(4), 'hex') : Buffer.alloc(0);
  if (!payloadText.startsWith('hex ')) assert.equal(payloadText, 'empty');
  return [filename, payload];
}

const OLD = { version: '0.2.1-beta.1' };

test('dataexchange.json (version 0.2.1-beta.1): every section', () => {
  const doc = load('dataexchange.json');
  let n = 0;
  for (const entry of section(doc, 'vectors')) {
    const bytes = hex(entry);
    const frame = dataexchange.decode(bytes, OLD);
    assert.deepEqual(dataexchange.toJSON(frame), messageOf(entry), entry.name);
    assert.equal(dataexchange.encode(dataexchange.fromJSON(messageOf(entry)), OLD).toString('hex'), entry.hex, entry.name);
    assert.deepEqual(streamDecode(dataexchange, bytes, 1, OLD), [frame], entry.name);
    n++;
  }
  for (const entry of section(doc, 'invalid')) {
    const expected = expectedCode('dataexchange.json', 'invalid', entry);
    if (expected === 'WIRE_INVALID_ARGUMENT') {
      const frame = dataexchange.decode(hex(entry), OLD);
      const type = dataexchange.toJSON(frame).fields.type ?? 5;
      assert.throws(() => dataexchange.readTracePayload(type, frame.payload), (e) => e.code === expected, entry.name);
    } else {
      assertRejected(dataexchange, hex(entry), expected, entry.name, OLD);
    }
    n++;
  }
  for (const entry of section(doc, 'decode_only')) {
    const b = entry.reference_behaviour;
    const bytes = hex(entry);
    const left = /(\d+) byte\(s\) left unread/.exec(b);
    if (left) {
      assert.throws(() => dataexchange.decode(bytes, OLD), (e) => e.code === 'WIRE_TRAILING_BYTES', entry.name);
      const decoder = new dataexchange.Decoder(OLD);
      assert.equal(decoder.push(bytes).length, 1, entry.name);
      assert.equal(decoder.buffered, Number(left[1]), entry.name);
    } else {
      const frame = dataexchange.decode(bytes, OLD);
      assert.equal(frame.type, 'TypeFile', entry.name);
      assert.deepEqual([frame.filename, frame.payload], describedFile(b), entry.name);
    }
    n++;
  }
  assert.equal(n, 30 + 18 + 8);
});

test('dataexchange-latest.json (version main, the default): every section', () => {
  const file = 'dataexchange-latest.json';
  const doc = load(file);
  let n = 0;
  for (const entry of section(doc, 'vectors')) {
    const bytes = hex(entry);
    const frame = dataexchange.decode(bytes);
    assert.equal(frame.type, 'TypeFileStream', entry.name);
    assert.deepEqual(dataexchange.toJSON(frame), messageOf(entry), entry.name);
    assert.equal(dataexchange.encode(dataexchange.fromJSON(messageOf(entry))).toString('hex'), entry.hex, entry.name);
    assert.equal(dataexchange.encode(frame).toString('hex'), entry.hex, entry.name);
    assert.deepEqual(streamDecode(dataexchange, bytes, 1), [frame], entry.name);
    n++;
  }
  for (const entry of section(doc, 'invalid')) {
    assertRejected(dataexchange, hex(entry), expectedCode(file, 'invalid', entry), entry.name);
    n++;
  }
  for (const entry of section(doc, 'decode_only')) {
    const frame = dataexchange.decode(hex(entry));
    assert.deepEqual(dataexchange.toJSON(frame), messageOf(entry), entry.name);
    if (expectations.files[file].decode_only[entry.name]) {
      const expected = expectedCode(file, 'decode_only', entry);
      assert.throws(() => dataexchange.encode(frame), (e) => e.code === expected, entry.name);
    } else {
      assert.equal(dataexchange.encode(frame).toString('hex'), entry.canonical_hex, entry.name);
    }
    n++;
  }
  for (const [key, fieldsKey] of [['encoder_truncation', 'input_fields'], ['encode_refused', 'fields']]) {
    for (const entry of section(doc, key)) {
      const frame = dataexchange.fromJSON({ type: entry.type, fields: entry[fieldsKey] });
      const expected = expectedCode(file, key, entry);
      assert.throws(() => dataexchange.encode(frame), (e) => e.code === expected, entry.name);
      n++;
    }
  }
  for (const [version, key] of [['main', 'main_772ffb9'], ['0.2.1-beta.1', 'v0_2_1_beta_1']]) {
    for (const [number, name] of Object.entries(doc.type_names[key])) {
      assert.equal(dataexchange.typeName(Number(number), { version }), name);
    }
  }
  for (const entry of section(doc, 'streams')) {
    const bytes = hex(entry);
    for (const chunk of [1, 4096, bytes.length]) {
      const frames = streamDecode(dataexchange, bytes, chunk);
      assert.equal(frames.length, entry.fields.frames.length, entry.name);
      frames.forEach((frame, i) => {
        const want = entry.fields.frames[i].fields;
        const { fields } = dataexchange.toJSON(frame);
        if (want.data_len !== undefined) {
          const data = Buffer.from(fields.data, 'hex');
          assert.equal(frame.control.data.length, data.length);
          delete fields.data;
          fields.data_len = data.length;
          fields.data_sha256 = crypto.createHash('sha256').update(data).digest('hex');
        }
        assert.deepEqual(fields, want, entry.name);
      });
    }
    n++;
  }
  assert.equal(n, 32 + 23 + 8 + 4 + 11);
});

test('dataexchange: CHUNK data is a view of the input; version 0.2.1-beta.1 keeps type 7 raw', () => {
  const msg = { type: 'TypeFileStream', transferId: Buffer.alloc(16, 1), control: { type: 'Chunk', offset: 7n, data: Buffer.alloc(49152, 2) } };
  const bytes = dataexchange.encode(msg);
  const frame = dataexchange.decode(bytes);
  assert.deepEqual(frame, msg);
  assert.equal(frame.control.data.buffer, bytes.buffer);
  assert.equal(frame.control.data.byteOffset, bytes.byteOffset + 33);
  const old = dataexchange.decode(bytes, OLD);
  assert.equal(old.type, 7);
  assert.throws(() => dataexchange.encode(msg, OLD), (e) => e.code === 'WIRE_INVALID_ARGUMENT');
  assert.throws(() => dataexchange.decode(bytes, { version: '0.3' }), (e) => e.code === 'WIRE_INVALID_ARGUMENT');
});

const framed = (message) => {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(message.length);
  return Buffer.concat([len, message]);
};

function checkRefused(entry, bytes, layout, message, expected) {
  assert.throws(() => replication.decodeMessage(bytes, { layout }),
    (e) => e.code === expected && e.reason === message && e.protocol === 'replication', entry.name);
  const framedKind = expected === 'WIRE_INCOMPLETE' ? 'WIRE_MALFORMED' : expected;
  assert.throws(() => replication.decode(framed(bytes), { layout }),
    (e) => e.code === framedKind && e.reason.startsWith(message), `${entry.name}: framed`);
  assertRejected(replication, framed(bytes), framedKind, entry.name, { layout });
}

function checkAccepted(entry, bytes, layout, expected) {
  const { message, used } = replication.decodeMessagePrefix(bytes, { layout });
  assert.deepEqual(replication.toJSON(message, { layout }), expected, entry.name);
  if (used === BigInt(bytes.length)) {
    assert.deepEqual(replication.decodeMessage(bytes, { layout }), message, entry.name);
  } else {
    assert.throws(() => replication.decodeMessage(bytes, { layout }),
      (e) => e.code === 'WIRE_TRAILING_BYTES' && e.offset === Number(used), entry.name);
  }
  const canonical = replication.encodeMessage(message, { layout });
  assert.deepEqual(replication.decodeMessage(canonical, { layout }), message, entry.name);
}

test('replication.json: every section', () => {
  const doc = load('replication.json');
  const tally = { roundtrip: 0, decodeOnly: 0, invalid: 0, extra: 0 };
  for (const entry of section(doc, 'vectors')) {
    const bytes = hex(entry);
    const message = replication.decodeMessage(bytes);
    assert.deepEqual(replication.toJSON(message), messageOf(entry), entry.name);
    assert.deepEqual(replication.decode(framed(bytes)), message, entry.name);
    assert.equal(wire.detect(framed(bytes)), 'replication', entry.name);
    assert.deepEqual(streamDecode(replication, framed(bytes), 1), [message], entry.name);
    const parsed = replication.fromJSON(messageOf(entry));
    assert.equal(replication.encodeMessage(parsed).toString('hex'), entry.hex, entry.name);
    assert.deepEqual(replication.encode(parsed), framed(bytes), entry.name);
    tally.roundtrip++;
  }
  for (const entry of section(doc, 'accepted_noncanonical')) {
    checkAccepted(entry, hex(entry), '7x', entry.decodes_to);
    tally.decodeOnly++;
  }
  for (const entry of section(doc, 'invalid')) {
    assert.equal(entry.error_kind, 'ProtocolError');
    checkRefused(entry, hex(entry), '7x', entry.error_message, expectedCode('replication.json', 'invalid', entry));
    tally.invalid++;
  }
  const legacy = doc.legacy_3x;
  for (const entry of section(legacy, 'vectors')) {
    const bytes = hex(entry);
    const message = replication.decodeMessage(bytes, { layout: '3x' });
    assert.deepEqual(replication.toJSON(message, { layout: '3x' }), messageOf(entry), entry.name);
    const parsed = replication.fromJSON(messageOf(entry), { layout: '3x' });
    assert.equal(replication.encodeMessage(parsed, { layout: '3x' }).toString('hex'), entry.hex, entry.name);
    assert.deepEqual(replication.decode(framed(bytes), { layout: '3x' }), message, entry.name);
    assert.throws(() => replication.encodeMessage(parsed, { layout: '7x' }), wire.WireError, entry.name);
    tally.extra++;
  }
  for (const entry of section(legacy, 'decode_by_3x')) {
    const b = entry.reference_behaviour;
    if (b.startsWith('Ok: decodes to ')) {
      const fields = wire.parseJSON(b.slice('Ok: decodes to '.length));
      checkAccepted(entry, hex(entry), '3x', { type: 'ElectionProposal', fields });
    } else {
      checkRefused(entry, hex(entry), '3x', JSON.parse(b.split('with message ')[1]),
        expectedCode('replication.json', 'legacy_3x/decode_by_3x', entry));
    }
    tally.extra++;
  }
  const framing = doc.transport_framing;
  const ack = { type: 'Ack', vlsn: 19n };
  assert.equal(replication.encode(ack).toString('hex'), framing.tcp_channel_send_ack_vlsn_19);
  assert.deepEqual(replication.decode(hex(framing, 'tcp_channel_send_ack_vlsn_19')), ack);
  tally.extra++;
  const stream = hex(framing, 'connect_to_service_ELECTION_then_ElectionResult_m_4');
  const result = { type: 'ElectionResult', master: 'm', term: 4n };
  assert.deepEqual(Buffer.concat([replication.encodePreamble('ELECTION'), replication.encode(result)]), stream);
  const { service, used } = replication.decodePreamble(stream);
  assert.equal(service, 'ELECTION');
  assert.deepEqual(replication.decode(stream.subarray(Number(used))), result);
  assert.equal(wire.detect(stream), 'replication');
  tally.extra++;
  for (const c of section(framing, 'receive_cases')) {
    const raw = hex(c, 'raw');
    const error = c.result.receive_error_debug;
    const decoder = new replication.Decoder();
    if (error && error.startsWith('ProtocolError("frame payload too large')) {
      assert.throws(() => decoder.push(raw), (e) => e.code === 'WIRE_TOO_LARGE' && e.offset === 0, c.name);
    } else if (error) {
      assert.deepEqual(decoder.push(raw), [], c.name);
      assert.equal(decoder.buffered, raw.length, c.name);
      assert.throws(() => replication.decode(raw), (e) => e.code === 'WIRE_INCOMPLETE', c.name);
    } else {
      const message = c.result.decode.error_debug.replace(/^ProtocolError\("/, '').replace(/"\)$/, '');
      assert.throws(() => decoder.push(raw), (e) => e.code === 'WIRE_MALFORMED' && e.reason === message, c.name);
    }
    tally.extra++;
  }
  assert.deepEqual(tally, { roundtrip: 31, decodeOnly: 8, invalid: 29, extra: 4 + 4 + 2 + 5 });
});
