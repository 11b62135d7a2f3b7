// @ts-check
// The relay's middle hop: accept one connection on 127.0.0.1, decode its frames with
// decodeStream(), re-encode each one and forward it to the C sink.
//   node relay.js <protocol> <sink port>        (prints "port <n>" once listening)
'use strict';
const net = require('node:net');
const { Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const wire = require('wire-codec');

const [protocol, sinkPort] = process.argv.slice(2);
/** @type {any} the chosen protocol's module (all five have the same shape) */
const codec = wire[/** @type {'dnode'} */ (protocol)];
if (!codec || !sinkPort) {
  console.error('usage: node relay.js <protocol> <sink port>');
  process.exit(2);
}

const server = net.createServer(async (client) => {
  server.close();
  const sink = net.connect(Number(sinkPort), '127.0.0.1');
  const reencode = new Transform({
    writableObjectMode: true,
    transform(frame, _encoding, callback) {
      try {
        callback(null, codec.encode(frame));
      } catch (e) {
        callback(/** @type {Error} */ (e));
      }
    },
  });
  try {
    await pipeline(client, codec.decodeStream(), reencode, sink);
  } catch (e) {
    console.error(`relay (${protocol}):`, e);
    process.exitCode = 1;
  }
});
server.listen(0, '127.0.0.1', () => {
  console.log(`port ${/** @type {net.AddressInfo} */ (server.address()).port}`);
});
