// @ts-check
// Frames over a real TCP socket on 127.0.0.1: the server writes data-exchange frames in one
// burst, the client pipes the socket through decodeStream() and gets whole messages.
'use strict';
const net = require('node:net');
const { pipeline } = require('node:stream/promises');
const { dataexchange } = require('wire-codec');

async function main() {
  const server = net.createServer((socket) => {
    for (let i = 0; i < 3; i++) socket.write(dataexchange.encode({ type: 'TypeText', payload: Buffer.from(`message ${i}`) }));
    socket.end(dataexchange.encode({ type: 'TypeBinary', payload: Buffer.alloc(256 * 1024, 1) }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  try {
    await pipeline(net.connect(address.port, '127.0.0.1'), dataexchange.decodeStream(), async (source) => {
      for await (const frame of source) {
        /** @type {dataexchange.Message} */
        const m = frame;
        console.log('socket: received', m.type, 'payload' in m ? m.payload.length : 0, 'bytes');
      }
    });
  } finally {
    server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
