'use strict';
// Decoding 2 GiB of cumulative 1 MiB payloads in a synchronous loop keeps RSS bounded: no
// per-frame external buffer waits for the event loop to be freed.
const { test } = require('node:test');
const { assert, wire } = require('./helpers');

const MiB = 1 << 20;
const ROUNDS = 2048; // 2 GiB in total

function rssGrowth(loop) {
  const before = process.memoryUsage.rss();
  let peak = before;
  for (let i = 0; i < ROUNDS; i++) {
    loop(i);
    if (i % 64 === 0) peak = Math.max(peak, process.memoryUsage.rss());
  }
  return Math.max(peak, process.memoryUsage.rss()) - before;
}

test('2 GiB of 1 MiB payloads through decode and Decoder.push: RSS growth under 256 MiB', () => {
  for (const [name, api, make] of [
    ['dataexchange', wire.dataexchange, (p) => wire.dataexchange.encode({ type: 'TypeBinary', payload: p })],
    ['replication', wire.replication, (p) => wire.replication.encode({ type: 'LogEntry', vlsn: 1n, entryType: 0, data: p })],
  ]) {
    const frame = make(Buffer.alloc(MiB, 0x5a));
    let total = 0;
    const oneShot = rssGrowth(() => {
      const m = api.decode(Buffer.from(frame)); // a fresh input each time, as from a socket
      total += (m.payload ?? m.data).length;
    });
    assert.ok(total >= ROUNDS * MiB);
    const decoder = new api.Decoder();
    const streamed = rssGrowth(() => {
      const [m] = decoder.push(Buffer.from(frame));
      total += (m.payload ?? m.data).length;
    });
    assert.ok(oneShot < 256 * MiB, `${name} decode: RSS grew ${oneShot / MiB} MiB`);
    assert.ok(streamed < 256 * MiB, `${name} Decoder.push: RSS grew ${streamed / MiB} MiB`);
  }
});
