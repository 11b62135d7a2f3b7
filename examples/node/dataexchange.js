// @ts-check
// Pilot Protocol data exchange: encode a file frame, decode it back (the payload is a view of
// the input), and read the canonical JSON the vectors use.
'use strict';
const { dataexchange } = require('wire-codec');

const bytes = dataexchange.encode({ type: 'TypeFile', filename: Buffer.from('notes.txt'), payload: Buffer.from('hello') });
const frame = dataexchange.decode(bytes);
if (frame.type !== 'TypeFile') throw new Error('expected a file frame');
console.log('dataexchange:', bytes.length, 'bytes;', frame.filename.toString(), '=', frame.payload.toString());
console.log('  canonical JSON:', JSON.stringify(dataexchange.toJSON(frame)));
