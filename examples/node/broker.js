// @ts-check
// running-process broker: a Hello request framed with its payload, decoded back with the
// payload message the frame's schema announces.
'use strict';
const { broker } = require('wire-codec');

const hello = broker.encodeMessage({
  type: 'Hello', clientMinProtocol: 1, clientMaxProtocol: 1, serviceName: 'zccache', wantedVersion: '1.2.3',
  clientVersion: '', clientCapabilities: 0n, authToken: Buffer.alloc(0), requestId: '', connectionId: 0n, peerPid: 0,
  clientLibName: '', clientLibVersion: '', peerAttestationNonce: Buffer.alloc(0), capabilityToken: Buffer.alloc(0),
  clientKeepaliveSecs: 0n,
});
const bytes = broker.encode({
  frame: {
    envelopeVersion: 1, kind: 'FRAME_KIND_REQUEST', payloadProtocol: 0, payload: hello, requestId: 1n,
    payloadEncoding: 'PAYLOAD_ENCODING_NONE', deadlineUnixMs: 0n, traceparent: '', tracestate: '',
  },
});
// The broker reads a first (Hello) frame with a smaller limit.
const framed = broker.decode(bytes, { maxFrameSize: broker.MAX_HELLO_BYTES });
const payload = broker.payloadMessage(framed.frame);
if (!payload || payload.type !== 'Hello') throw new Error('expected a Hello payload');
console.log('broker:', bytes.length, 'bytes; Hello for', payload.serviceName, payload.wantedVersion);
