// Straightforward pure-JS Buffer codecs, as a JS user would write them, for the frames the
// benchmark uses. They validate what a careful hand-written decoder validates, no more.
'use strict';

/** Data exchange: [u32 BE type][u32 BE length][payload]. */
const dataexchange = {
  decode(buf, at = 0) {
    if (buf.length - at < 8) return null;
    const type = buf.readUInt32BE(at);
    const len = buf.readUInt32BE(at + 4);
    if (len > 1 << 28) throw new Error('frame too large');
    if (buf.length - at - 8 < len) return null;
    const payload = buf.subarray(at + 8, at + 8 + len);
    const names = ['', 'TypeText', 'TypeBinary', 'TypeJSON'];
    return { frame: { type: names[type] || 'Unknown', payload }, used: 8 + len };
  },
  encode(frame) {
    const out = Buffer.allocUnsafe(8 + frame.payload.length);
    out.writeUInt32BE({ TypeText: 1, TypeBinary: 2, TypeJSON: 3 }[frame.type], 0);
    out.writeUInt32BE(frame.payload.length, 4);
    frame.payload.copy(out, 8);
    return out;
  },
};

const DMSG_TYPES = ['DMSG_UNKNOWN', 'DMSG_DEBUG', 'DMSG_PARSE_ERROR', 'DMSG_REQ', 'DMSG_REQ_FORWARD', 'DMSG_RES'];

/** DNODE: "   $2014$ <id> <type> <flags> <version> <same_dc> *<mlen> <data> *<plen>\r\n" + payload. */
const dnode = {
  decode(buf, at = 0) {
    const end = buf.indexOf('\r\n', at, 'latin1');
    if (end < 0) return null;
    const parts = buf.latin1Slice(at, end).trim().split(' ');
    if (parts[0] !== '$2014$') throw new Error('bad magic');
    const mlen = parseInt(parts[6].slice(1), 10);
    const plen = parseInt(parts[8].slice(1), 10);
    const start = end + 2;
    if (buf.length - start < plen) return null;
    const type = parseInt(parts[2], 10);
    return {
      frame: {
        id: BigInt(parts[1]), type: DMSG_TYPES[type] || type, flags: parseInt(parts[3], 10), version: parseInt(parts[4], 10),
        sameDc: parts[5] === '1', data: Buffer.from(parts[7].slice(0, mlen), 'latin1'), payload: buf.subarray(start, start + plen),
      },
      used: start + plen - at,
    };
  },
  encode(m) {
    const head = `   $2014$ ${m.id} ${DMSG_TYPES.indexOf(m.type)} ${m.flags} ${m.version} ${m.sameDc ? 1 : 0} *1 d *${m.payload.length}\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), m.payload]);
  },
};

/** Replication: [u32 LE length][tag][fields, little-endian]. Heartbeat, LogEntry and Ack. */
const replication = {
  decode(buf, at = 0) {
    if (buf.length - at < 4) return null;
    const len = buf.readUInt32LE(at);
    if (buf.length - at - 4 < len) return null;
    const p = at + 4;
    let frame;
    switch (buf[p]) {
      case 3: frame = { type: 'Heartbeat', masterVlsn: buf.readBigUInt64LE(p + 1), timestampMs: buf.readBigUInt64LE(p + 9) }; break;
      case 5: {
        const n = buf.readUInt32LE(p + 10);
        frame = { type: 'LogEntry', vlsn: buf.readBigUInt64LE(p + 1), entryType: buf[p + 9], data: buf.subarray(p + 14, p + 14 + n) };
        break;
      }
      case 6: frame = { type: 'Ack', vlsn: buf.readBigUInt64LE(p + 1) }; break;
      default: throw new Error(`unknown message tag ${buf[p]}`);
    }
    return { frame, used: 4 + len };
  },
  encode(m) {
    const out = Buffer.allocUnsafe(4 + 14 + m.data.length);
    out.writeUInt32LE(14 + m.data.length, 0);
    out[4] = 5;
    out.writeBigUInt64LE(m.vlsn, 5);
    out[13] = m.entryType;
    out.writeUInt32LE(m.data.length, 14);
    m.data.copy(out, 18);
    return out;
  },
};

/** Decode every frame of `buf` with a baseline codec. */
function decodeAll(codec, buf) {
  const out = [];
  let at = 0;
  for (;;) {
    const r = codec.decode(buf, at);
    if (r === null) return out;
    out.push(r.frame);
    at += r.used;
  }
}

module.exports = { dataexchange, dnode, replication, decodeAll };
