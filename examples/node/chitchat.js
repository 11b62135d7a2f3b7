// @ts-check
// chitchat gossip: a Syn with one node digest, round-tripped, and its canonical JSON.
'use strict';
const { chitchat } = require('wire-codec');

/** @type {chitchat.Message} */
const syn = {
  version: 'V1',
  message: {
    type: 'Syn',
    clusterId: 'cluster-a',
    digest: {
      nodeDigests: [{
        chitchatId: { nodeId: 'node-1', generationId: 7n, gossipAdvertiseAddr: '127.0.0.1:10001' },
        heartbeat: 3n,
        lastGcVersion: 0n,
        maxVersion: 12n,
      }],
    },
  },
};
const bytes = chitchat.encode(syn);
const back = chitchat.decode(bytes);
if (back.message.type !== 'Syn') throw new Error('expected a Syn');
console.log('chitchat:', bytes.length, 'bytes; cluster', back.message.clusterId, 'with', back.message.digest.nodeDigests.length, 'digest');
console.log('  canonical JSON:', JSON.stringify(chitchat.toJSON(back), (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
