// @ts-check
// Noxu replication: the ELECTION service preamble, then a framed ElectionResult, as
// connect_to_service sends them; and a bare message in the legacy 3.x layout.
'use strict';
const { replication } = require('wire-codec');

const stream = Buffer.concat([
  replication.encodePreamble('ELECTION'),
  replication.encode({ type: 'ElectionResult', master: 'node-a', term: 4n }),
]);
const { service, used } = replication.decodePreamble(stream);
// Lengths are u64 in the schema, so bigint here.
const result = replication.decode(stream.subarray(Number(used)));
if (result.type !== 'ElectionResult') throw new Error('expected an ElectionResult');
console.log('replication: service', service, '->', result.master, 'elected for term', result.term);

const legacy = replication.encodeMessage({ type: 'ElectionProposal', nodeName: 'n1', vlsn: 10n, priority: 1, term: 2n, dtvlsn: null }, { layout: '3x' });
console.log('  3.x proposal:', legacy.toString('hex'));
