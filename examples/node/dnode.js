// @ts-check
// Dynomite DNODE: a request with the plain writer's placeholder data, its header parsed alone,
// and two frames streamed through a Decoder in small chunks.
'use strict';
const { dnode } = require('wire-codec');

/** @type {dnode.Dmsg} */
const request = { id: 1n, type: 'DMSG_REQ', flags: 0, version: 1, sameDc: true, data: Buffer.alloc(0), payload: Buffer.from('*1\r\n$4\r\nPING\r\n') };
const bytes = dnode.encode(request);
const parsed = dnode.parseHeader(bytes);
if (parsed === null) throw new Error('header incomplete');
console.log('dnode: header of', parsed.headerLength, 'bytes, plen', parsed.header.plen, 'type', parsed.header.type);

const decoder = new dnode.Decoder();
const stream = Buffer.concat([bytes, dnode.encode({ ...request, id: 2n })]);
const received = [];
for (let at = 0; at < stream.length; at += 5) received.push(...decoder.push(stream.subarray(at, at + 5)));
decoder.finish();
console.log('  streamed ids:', received.map((m) => m.id).join(', '));
