// The public API. Native code decodes and validates, then describes each message on a tape of
// u32 words (see src/tape.rs); this file turns tapes into plain objects (payloads are
// `subarray` views of the caller's input) and objects back into tapes. Readers and writers are
// compiled once per type from the definitions xtask generates from the core's schema
// (lib/generated.js, in the field order of src/generated.rs), so the two sides can never
// disagree on field order.
'use strict';

const { Transform } = require('node:stream');
const native = require('../index.js');
const generated = require('./generated.js');

const NEED_SPACE = -1;
const FAILED = -2;
const { PROTOCOLS, ERROR_CODES, SCHEMA } = generated;

// ---- errors ------------------------------------------------------------------------------

/** A codec error: `code` is `WIRE_<KIND>`, plus the protocol (or null) and the byte offset (or
 * null). */
class WireError extends Error {
  constructor(code, protocol, offset, reason) {
    super(`${protocol === null ? '' : `${protocol} `}${code.slice(5).toLowerCase()}${offset === null ? '' : ` at offset ${offset}`}: ${reason}`);
    this.name = 'WireError';
    this.code = code;
    this.protocol = protocol;
    this.offset = offset;
    this.reason = reason;
  }
}

function nativeError() {
  const [code, protocol, offset, reason] = native.lastError();
  return new WireError(code, protocol, offset < 0 ? null : offset, reason);
}

// ---- reading tapes -----------------------------------------------------------------------

const EMPTY = Buffer.alloc(0);
// The arrays native code fills (T, SPILL) and reads (W, BLOB, SCRATCH), registered with it once
// and again whenever one is replaced by a bigger one, so no call passes or wraps them.
let T = new Uint32Array(4096); // the tape results are read from
// 64-bit fields sit at even words in native byte order (src/tape.rs): read and written through
// these views, which make and take BigInts far faster than arithmetic on 32-bit halves.
let T64 = new BigUint64Array(T.buffer);
let T64S = new BigInt64Array(T.buffer);
let SPILL = Buffer.allocUnsafeSlow(65536); // bytes of results that are not in the input
let W = new Uint32Array(1024); // the tape messages to encode are written to
let W64 = new BigUint64Array(W.buffer);
let W64S = new BigInt64Array(W.buffer);
let BLOB = Buffer.allocUnsafeSlow(65536); // the bytes W's byte fields point into
// Encodings are written straight into a pool and handed out as views of it, as
// Buffer.allocUnsafe does for small buffers (copying them out would cost more than encoding).
const POOL_SIZE = 32 * 1024;
const POOL_ITEM_MAX = 4 * 1024; // larger encodings that do not fit get a buffer of their own
let SCRATCH = Buffer.allocUnsafeSlow(POOL_SIZE); // the output pool
let SCRATCH_AB = SCRATCH.buffer;
let POOL_AT = 0; // its first free byte (8-aligned)

let GEN = 0; // this copy's registration; calls name it (see src/fast.rs)
const STALE = -3;

function register() {
  GEN = native.registerBuffers(T, SPILL, W, BLOB, SCRATCH);
}
register();

/** Before a call that uses the registered arrays without naming a registration. */
function ensureRegistered() {
  if (native.registeredGeneration() !== GEN) register();
}

// Buffer's species constructor makes a Buffer view straight from an ArrayBuffer, without the
// species lookup and `.buffer` read `subarray` does per call (3x faster for small views).
const FastBuffer = Buffer[Symbol.species];
const bufferView = typeof FastBuffer === 'function' && FastBuffer.prototype === Buffer.prototype
  ? (ab, at, len) => new FastBuffer(ab, at, len)
  : (ab, at, len) => Buffer.from(ab, at, len);

let P = 0; // read position
let IN = EMPTY; // the input the offsets on the tape refer to
const EMPTY_AB = EMPTY.buffer;
let IN_AB = EMPTY_AB; // its ArrayBuffer and offset there, set once per call
let IN_AT = 0;

/** Set the input tape offsets refer to, and its ArrayBuffer (which `decode` and `push` return
 * on success: reading `input.buffer` costs more than a small decode). */
function setInput(input, ab) {
  IN = input;
  IN_AB = ab;
  IN_AT = input.byteOffset;
}

/** Forget the input (so it is not kept alive). */
function clearInput() {
  IN = EMPTY;
  IN_AB = EMPTY_AB;
  IN_AT = 0;
}

/** The input's ArrayBuffer from a `decode`/`push` result (a number: grow, fetch, or throw). */
function decodedInto(r, input) {
  if (typeof r === 'number') {
    filled(r);
    return input.buffer;
  }
  return r;
}

function asBuffer(input, what) {
  if (Buffer.isBuffer(input)) return input;
  if (input instanceof Uint8Array) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError(`${what}: expected a Buffer or Uint8Array, got ${describe(input)}`);
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? (v.constructor ? `a ${v.constructor.name}` : 'an object') : `${typeof v} ${String(v)}`;
}

/** Run a native call that fills the tape; grows the tape and spill when they are too small. */
function filled(n) {
  if (n >= 0) return n;
  if (n === FAILED) throw nativeError();
  const [words, bytes] = T;
  if (words > T.length) {
    T = new Uint32Array(Math.max(words + (words & 1), T.length * 2));
    T64 = new BigUint64Array(T.buffer);
    T64S = new BigInt64Array(T.buffer);
  }
  if (bytes > SPILL.length) SPILL = Buffer.allocUnsafeSlow(Math.max(bytes, SPILL.length * 2));
  register();
  return filled(native.fetch());
}

function readBytes() {
  const src = T[P];
  const at = T[P + 1];
  const len = T[P + 2];
  P += 3;
  if (len === 0) return EMPTY;
  // Input bytes are views; spilled ones are copied, since the spill area is reused.
  return src === 0 ? bufferView(IN_AB, IN_AT + at, len) : Buffer.from(SPILL.subarray(at, at + len));
}

function readString() {
  const src = T[P];
  const at = T[P + 1];
  const len = T[P + 2];
  P += 3;
  return (src === 0 ? IN : SPILL).utf8Slice(at, at + len);
}

function readU64() {
  P += P & 1;
  const v = T64[P >>> 1];
  P += 2;
  return v;
}

function readI64() {
  P += P & 1;
  const v = T64S[P >>> 1];
  P += 2;
  return v;
}

const PRIMITIVE_READERS = {
  u8: () => T[P++],
  u16: () => T[P++],
  u32: () => T[P++],
  i32: () => T[P++] | 0,
  u64: readU64,
  i64: readI64,
  bool: () => T[P++] !== 0,
  bytes: readBytes,
  string: readString,
  json: () => parseJSON(readString()),
  map: () => {
    const n = T[P++];
    const map = Object.create(null);
    for (let i = 0; i < n; i++) {
      const k = readString();
      map[k] = readString();
    }
    return map;
  },
};

// Generated object literals give every message of a type one hidden class.
function objectBuilder(head, fields, readers, prefix) {
  const args = readers.map((_, i) => `r${i}`);
  const props = [...prefix, ...head.map((h, i) => `${JSON.stringify(h)}: h${i}`),
    ...fields.map((f, i) => `${JSON.stringify(f)}: r${i}()`)];
  // eslint-disable-next-line no-new-func
  return new Function(...args, `return function (${head.map((_, i) => `h${i}`).join(', ')}) { return { ${props.join(', ')} }; };`)(...readers);
}

class Protocol {
  constructor(name) {
    this.name = name;
    this.number = PROTOCOLS[name];
    this.types = SCHEMA[name].types;
    this.readers = new Map();
    this.writers = new Map();
    this.enums = new Map();
  }

  enumInfo(name) {
    let info = this.enums.get(name);
    if (!info) {
      const def = this.types[name];
      const names = [];
      const codes = new Map();
      for (const [code, n] of def.enum) {
        names[code >>> 0] = n;
        codes.set(n, code);
      }
      info = { names, codes, known: new Set(codes.values()), open: def.open, signed: def.width === 'i32' };
      this.enums.set(name, info);
    }
    return info;
  }

  // -- readers --

  reader(kind) {
    if (typeof kind === 'string') return PRIMITIVE_READERS[kind];
    if (kind.list) {
      const item = this.reader(kind.list);
      return () => {
        const n = T[P++];
        const out = new Array(n);
        for (let i = 0; i < n; i++) out[i] = item();
        return out;
      };
    }
    if (kind.option) {
      const inner = this.reader(kind.option);
      return () => (T[P++] === 0 ? null : inner());
    }
    if (kind.enum) {
      const { names, signed } = this.enumInfo(kind.enum);
      return signed
        ? () => { const c = T[P++] | 0; const n = names[c >>> 0]; return n === undefined || c < 0 ? c : n; }
        : () => { const c = T[P++]; const n = names[c]; return n === undefined ? c : n; };
    }
    return this.refReader(kind.ref);
  }

  refReader(name) {
    let r = this.readers.get(name);
    if (r) return r;
    // Late binding for recursive definitions.
    let impl = null;
    r = () => impl();
    this.readers.set(name, r);
    impl = this.buildReader(this.types[name]);
    this.readers.set(name, impl);
    return impl;
  }

  fieldReaders(fields) {
    return fields.map(([, kind]) => this.reader(kind));
  }

  recordFields(kind) {
    return this.types[kind.ref].record;
  }

  buildReader(def) {
    if (def.record) {
      return objectBuilder([], def.record.map(([n]) => n), this.fieldReaders(def.record), []);
    }
    if (def.union) {
      // A variant without a name (tag null) is discriminated by its own numeric `type` field.
      const variants = def.union.map(([type, fields]) =>
        objectBuilder([], fields.map(([n]) => n), this.fieldReaders(fields), type === null ? [] : [`type: ${JSON.stringify(type)}`]));
      return () => variants[T[P++]]();
    }
    if (def.wrapper) {
      const variants = def.wrapper.map(([type, kind]) => {
        const fields = this.recordFields(kind);
        return objectBuilder([], fields.map(([n]) => n), this.fieldReaders(fields), [`type: ${JSON.stringify(type)}`]);
      });
      return () => variants[T[P++]]();
    }
    if (def.oneof) {
      const members = def.oneof.map(([member, kind]) => [member, this.reader(kind)]);
      return () => { const [member, read] = members[T[P++]]; return { [member]: read() }; };
    }
    throw new Error(`unknown definition ${JSON.stringify(def)}`);
  }

  // -- writers --

  writer(kind, where) {
    if (typeof kind === 'string') return primitiveWriter(kind, where);
    if (kind.list) {
      const item = this.writer(kind.list, `${where}[]`);
      return (v) => {
        if (!Array.isArray(v)) throw new TypeError(`${where}: expected an array, got ${describe(v)}`);
        word(v.length);
        for (let i = 0; i < v.length; i++) item(v[i]);
      };
    }
    if (kind.option) {
      const inner = this.writer(kind.option, where);
      return (v) => {
        if (v === null || v === undefined) word(0);
        else { word(1); inner(v); }
      };
    }
    if (kind.enum) {
      const { codes, known, open, signed } = this.enumInfo(kind.enum);
      const [lo, hi] = signed ? [-2147483648, 2147483647] : [0, 255];
      return (v) => {
        if (typeof v === 'string') {
          const code = codes.get(v);
          if (code === undefined) throw new RangeError(`${where}: ${JSON.stringify(v)} is not a ${kind.enum} name`);
          word(code >>> 0);
        } else if (typeof v === 'number') {
          if (!Number.isInteger(v) || v < lo || v > hi || (!open && !known.has(v))) {
            throw new RangeError(`${where}: ${v} is not a ${kind.enum} value`);
          }
          word(v >>> 0);
        } else {
          throw new TypeError(`${where}: expected a ${kind.enum} name or number, got ${describe(v)}`);
        }
      };
    }
    return this.refWriter(kind.ref);
  }

  refWriter(name) {
    let w = this.writers.get(name);
    if (w) return w;
    let impl = null;
    w = (v) => impl(v);
    this.writers.set(name, w);
    impl = this.buildWriter(name, this.types[name]);
    this.writers.set(name, impl);
    return impl;
  }

  fieldWriters(typeName, fields) {
    const out = [];
    for (const [n, kind, flag] of fields) {
      if (flag === 'decodeOnly') continue;
      // A field derived when absent (the broker's body length) crosses as an option.
      const written = flag === 'optionalOnEncode' ? { option: kind } : kind;
      out.push([n, this.writer(written, `${typeName}.${n}`)]);
    }
    return out;
  }

  // Records and unions get one generated function each: constant property names keep every
  // load monomorphic, and there is no per-field loop over [name, writer] pairs.
  buildWriter(name, def) {
    const object = (v) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        throw new TypeError(`${name}: expected an object, got ${describe(v)}`);
      }
    };
    if (def.record) return compileWriter(object, [[null, this.fieldWriters(name, def.record)]], null);
    if (def.union || def.wrapper) {
      const list = def.union
        ? def.union.map(([type, fields]) => [type, this.fieldWriters(`${name}.${type ?? 'type number'}`, fields)])
        : def.wrapper.map(([type, kind]) => [type, this.fieldWriters(type, this.recordFields(kind))]);
      const badType = (type) => {
        const names = list.map(([t]) => (t === null ? 'a type number' : t));
        throw new TypeError(`${name}: type ${JSON.stringify(type)} is not one of ${names.join(', ')}`);
      };
      return compileWriter(object, list, badType);
    }
    if (def.oneof) {
      const members = def.oneof.map(([member, kind]) => [member, this.writer(kind, `${name}.${member}`)]);
      return (v) => {
        object(v);
        const keys = Object.keys(v);
        const i = members.findIndex(([m]) => m === keys[0]);
        if (keys.length !== 1 || i < 0) {
          throw new TypeError(`${name}: expected an object with exactly one of ${members.map(([m]) => m).join(', ')}`);
        }
        word(i);
        members[i][1](v[keys[0]]);
      };
    }
    throw new Error(`unknown definition ${JSON.stringify(def)}`);
  }
}

// ---- writing tapes -----------------------------------------------------------------------

/** A writer for a record (`variants` = [[null, fields]], `badType` null) or a union (checks
 * the `type` first, then writes the variant index and the variant's fields); each
 * field is `[name, writer]`. */
function compileWriter(object, variants, badType) {
  const args = ['object', 'word', 'badType'];
  const values = [object, word, badType];
  const call = ([n, w]) => {
    args.push(`w${values.length}`);
    values.push(w);
    return `w${values.length - 1}(v[${JSON.stringify(n)}]);`;
  };
  let body = 'object(v);\n';
  if (badType === null) {
    body += variants[0][1].map(call).join('\n');
  } else {
    body += 'let i;\nswitch (v.type) {\n';
    variants.forEach(([type], i) => { if (type !== null) body += `case ${JSON.stringify(type)}: i = ${i}; break;\n`; });
    const numeric = variants.findIndex(([type]) => type === null);
    body += numeric < 0 ? 'default: badType(v.type);\n}\n'
      : `default: if (typeof v.type === 'number') i = ${numeric}; else badType(v.type);\n}\n`;
    body += '\nword(i);\nswitch (i) {\n';
    variants.forEach(([, fields], i) => { body += `case ${i}: ${fields.map(call).join(' ')} break;\n`; });
    body += '}';
  }
  // eslint-disable-next-line no-new-func
  return new Function(...args, `return function write(v) {\n${body}\n};`)(...values);
}

let WP = 0;
let BP = 0;

function word(w) {
  if (WP === W.length) {
    const bigger = new Uint32Array(W.length * 2);
    bigger.set(W);
    W = bigger;
    W64 = new BigUint64Array(W.buffer);
    W64S = new BigInt64Array(W.buffer);
    register();
  }
  W[WP++] = w;
}

function room(n) {
  if (BP + n > BLOB.length) {
    const bigger = Buffer.allocUnsafeSlow(Math.max(BLOB.length * 2, BP + n));
    BLOB.copy(bigger, 0, 0, BP);
    BLOB = bigger;
    register();
  }
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function intWriter(where, lo, hi, name) {
  return (v) => {
    if (typeof v !== 'number') throw new TypeError(`${where}: expected a number (${name}), got ${describe(v)}`);
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${where}: ${v} is not a ${name} (${lo}..${hi})`);
    word(v >>> 0);
  };
}

function primitiveWriter(kind, where) {
  switch (kind) {
    case 'u8': return intWriter(where, 0, 0xff, 'u8');
    case 'u16': return intWriter(where, 0, 0xffff, 'u16');
    case 'u32': return intWriter(where, 0, 0xffffffff, 'u32');
    case 'i32': return intWriter(where, -0x80000000, 0x7fffffff, 'i32');
    case 'u64':
    case 'i64': {
      const [lo, hi] = kind === 'u64' ? [0n, U64_MAX] : [I64_MIN, I64_MAX];
      const check = (v) => {
        if (typeof v !== 'bigint') throw new TypeError(`${where}: expected a bigint (${kind}), got ${describe(v)}`);
        if (v < lo || v > hi) throw new RangeError(`${where}: ${v} is out of range for ${kind}`);
        if (WP & 1) word(0);
        word(0); // room for both halves (W's length is even)
        word(0);
        return (WP - 2) >>> 1;
      };
      // `check` may replace W64 when it grows the tape: index first, then read the view.
      return kind === 'u64'
        ? (v) => { const i = check(v); W64[i] = v; }
        : (v) => { const i = check(v); W64S[i] = v; };
    }
    case 'bool':
      return (v) => {
        if (typeof v !== 'boolean') throw new TypeError(`${where}: expected a boolean, got ${describe(v)}`);
        word(v ? 1 : 0);
      };
    case 'bytes':
      return (v) => {
        if (!(v instanceof Uint8Array)) throw new TypeError(`${where}: expected a Buffer or Uint8Array, got ${describe(v)}`);
        room(v.length);
        BLOB.set(v, BP);
        word(BP);
        word(v.length);
        BP += v.length;
      };
    case 'string':
      return (v) => {
        if (typeof v !== 'string') throw new TypeError(`${where}: expected a string, got ${describe(v)}`);
        room(v.length * 3);
        const n = BLOB.utf8Write(v, BP);
        word(BP);
        word(n);
        BP += n;
      };
    case 'json': {
      const str = primitiveWriter('string', where);
      return (v) => str(stringifyJSON(v));
    }
    case 'map':
      return (v) => {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`${where}: expected an object of strings, got ${describe(v)}`);
        const keys = Object.keys(v);
        word(keys.length);
        const str = primitiveWriter('string', where);
        for (const k of keys) {
          str(k);
          str(v[k]);
        }
      };
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

/** Write `value` with `write` onto the fresh tape W (WP words) and blob (BP bytes). */
function toTape(write, value) {
  WP = 0;
  BP = 0;
  write(value);
}

// ---- encoding output ---------------------------------------------------------------------

/** Finish an encode call that wrote into the pool at `POOL_AT`: hand out a view of it, or
 * fetch what did not fit into a new pool (or a buffer of its own when large). */
function encoded(n) {
  if (n >= 0) {
    const out = bufferView(SCRATCH_AB, POOL_AT, n);
    POOL_AT = (POOL_AT + n + 7) & ~7;
    return out;
  }
  if (n === FAILED) throw nativeError();
  const needed = -n - 3;
  if (needed > POOL_ITEM_MAX) {
    const out = Buffer.allocUnsafe(needed);
    native.takeEncoded(out);
    return out;
  }
  SCRATCH = Buffer.allocUnsafeSlow(POOL_SIZE);
  SCRATCH_AB = SCRATCH.buffer;
  register();
  POOL_AT = 0;
  const out = bufferView(SCRATCH_AB, 0, needed);
  native.takeEncoded(out);
  POOL_AT = (needed + 7) & ~7;
  return out;
}

function encodedInto(n, buf, offset) {
  if (n >= 0) return n;
  if (n === FAILED) throw nativeError();
  const needed = -n - 3;
  native.takeEncoded(Buffer.allocUnsafe(needed));
  throw new RangeError(`encodeInto: ${needed} bytes do not fit at offset ${offset} of a ${buf.length}-byte buffer`);
}

function checkOffset(buf, offset) {
  if (!(buf instanceof Uint8Array)) throw new TypeError(`encodeInto: expected a Buffer or Uint8Array, got ${describe(buf)}`);
  if (!Number.isInteger(offset) || offset < 0 || offset > buf.length) {
    throw new RangeError(`encodeInto: offset ${offset} outside the ${buf.length}-byte buffer`);
  }
}

// ---- JSON --------------------------------------------------------------------------------

const BIG = '\u0000bigint:';

/** JSON.parse that keeps integers beyond 2^53 exact, as bigint. */
function parseJSON(text) {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\d{16,}(?![.eE\d])/g,
    (m) => (m[0] === '"' ? m : `"\\u0000bigint:${m}"`));
  return JSON.parse(marked, (_, v) => {
    if (typeof v === 'string' && v.startsWith(BIG)) {
      const n = BigInt(v.slice(BIG.length));
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    return v;
  });
}

/** JSON.stringify that writes bigint as exact integer literals. */
function stringifyJSON(value) {
  const text = JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${BIG}${v}` : v));
  if (text === undefined) throw new TypeError('fromJSON: expected a JSON value');
  return text.replace(new RegExp(`"${BIG.replace('\u0000', '\\\\u0000')}(-?\\d+)"`, 'g'), '$1');
}

// ---- options -----------------------------------------------------------------------------

function snake(name) {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `{maxFrameSize: 10, flavour: 'gossip'}` -> `['max_frame_size', '10', 'flavour', 'gossip']`. */
function optionList(options) {
  if (options === undefined || options === null) return [];
  if (typeof options !== 'object') throw new TypeError(`options: expected an object, got ${describe(options)}`);
  const list = [];
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'bigint') {
      throw new TypeError(`options.${k}: expected a string or number, got ${describe(v)}`);
    }
    list.push(snake(k), String(v));
  }
  return list;
}

// The raw hot-path exports (src/fast.rs), held directly; each names this copy's registration
// and is retried once after registering again when another copy replaced it.
const rawDecode = native.decode;
const rawPush = native.push;
const rawEncode = native.encode;
const rawEncodeInto = native.encodeInto;

function nativeDecode(id, input) {
  const r = rawDecode(GEN, id, input);
  if (r !== STALE) return r;
  register();
  return rawDecode(GEN, id, input);
}

function nativePush(id, input) {
  const r = rawPush(GEN, id, input);
  if (r !== STALE) return r;
  register();
  return rawPush(GEN, id, input);
}

function nativeEncode(id, words, blob, at) {
  const r = rawEncode(GEN, id, words, blob, at);
  if (r !== STALE) return r;
  register();
  return rawEncode(GEN, id, words, blob, at);
}

function nativeEncodeInto(id, words, blob, buf, at) {
  const r = rawEncodeInto(GEN, id, words, blob, buf, at);
  if (r !== STALE) return r;
  register();
  return rawEncodeInto(GEN, id, words, blob, buf, at);
}

// A Decoder's native state is released once the Decoder is collected.
const RELEASE_DECODER = new FinalizationRegistry((id) => native.releaseDecoder(id));

/** A handle from `newCodec`/`newDecoder`, or the error they recorded. */
function handle(n) {
  if (n === FAILED) throw nativeError();
  return n;
}

// ---- the per-protocol API ----------------------------------------------------------------

function protocolApi(name) {
  const proto = new Protocol(name);
  const frameType = SCHEMA[name].frame;
  const readFrame = proto.refReader(frameType);
  const writeFrame = proto.refWriter(frameType);
  const codecs = new Map();
  const DECODE = `${name}.decode`; // argument names for errors, built once
  const PUSH = `${name}.Decoder.push`;
  const defaultCodec = handle(native.newCodec(proto.number, []));

  /** Run `fn` with the codec handle for `options`: cached per option set (up to 64 sets),
   * otherwise made for this call and released after it. */
  function withCodec(options, fn) {
    if (options === undefined) return fn(defaultCodec);
    const list = optionList(options);
    const key = list.join('\u0000');
    let id = codecs.get(key);
    if (id !== undefined) return fn(id);
    id = handle(native.newCodec(proto.number, list));
    if (codecs.size < 64) {
      codecs.set(key, id);
      return fn(id);
    }
    try {
      return fn(id);
    } finally {
      native.releaseCodec(id);
    }
  }

  function read(input, ab) {
    setInput(input, ab);
    P = 0;
    const msg = readFrame();
    clearInput();
    return msg;
  }

  function decodeWith(input) {
    return (id) => read(input, decodedInto(nativeDecode(id, input), input));
  }

  function encodeWith(id) {
    return encoded(nativeEncode(id, WP, BP, POOL_AT));
  }

  class Decoder {
    constructor(options) {
      this._id = handle(native.newDecoder(proto.number, optionList(options)));
      RELEASE_DECODER.register(this, this._id);
    }

    /** Push a chunk; returns every frame now complete (payloads are views of `chunk` where
     * they lie in it). */
    push(chunk) {
      const input = asBuffer(chunk, PUSH);
      setInput(input, decodedInto(nativePush(this._id, input), input));
      P = 1;
      const n = T[0];
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = readFrame();
      clearInput();
      return out;
    }

    /** Declare the end of the stream: throws WIRE_INCOMPLETE if a partial frame is buffered. */
    finish() {
      if (native.decoderFinish(this._id) === FAILED) throw nativeError();
    }

    get buffered() { return native.decoderBuffered(this._id); }

    get position() { return native.decoderPosition(this._id); }
  }

  const api = {
    Decoder,
    decode(buf, options) {
      const input = asBuffer(buf, DECODE);
      if (options === undefined) return read(input, decodedInto(nativeDecode(defaultCodec, input), input));
      return withCodec(options, decodeWith(input));
    },
    encode(msg, options) {
      toTape(writeFrame, msg);
      return options === undefined ? encodeWith(defaultCodec) : withCodec(options, encodeWith);
    },
    encodeInto(msg, buf, offset = 0, options = undefined) {
      checkOffset(buf, offset);
      toTape(writeFrame, msg);
      if (options === undefined) return encodedInto(nativeEncodeInto(defaultCodec, WP, BP, buf, offset), buf, offset);
      return withCodec(options, (id) => encodedInto(nativeEncodeInto(id, WP, BP, buf, offset), buf, offset));
    },
    decodeStream(options) {
      const decoder = new Decoder(options);
      return new Transform({
        readableObjectMode: true,
        transform(chunk, _encoding, callback) {
          let frames;
          try {
            frames = decoder.push(chunk);
          } catch (e) {
            callback(e);
            return;
          }
          for (const frame of frames) this.push(frame);
          callback();
        },
        flush(callback) {
          try {
            decoder.finish();
            callback();
          } catch (e) {
            callback(e);
          }
        },
      });
    },
    toJSON(msg, options) {
      toTape(writeFrame, msg);
      ensureRegistered();
      const text = withCodec(options, (id) => native.codecToJson(id, WP, BP));
      if (text === null || text === undefined) throw nativeError();
      return parseJSON(text);
    },
    fromJSON(obj, options) {
      const text = stringifyJSON(obj);
      ensureRegistered();
      filled(withCodec(options, (id) => native.codecFromJson(id, text)));
      return read(EMPTY, EMPTY_AB);
    },
  };
  const { operations, constants } = SCHEMA[name];
  operations.forEach((op, index) => { api[op[0]] = operation(proto, index, op, withCodec); });
  Object.assign(api, constants);
  return { api, proto };
}

/** The function of operation `index` of `proto` (native `operation`): its arguments in order,
 * then the codec options when it takes them; one result as itself, several as an object, null
 * when the results are absent. */
function operation(proto, index, [name, args, returns, takesOptions, optional], withCodec) {
  const writers = args.map(([n, kind]) => proto.writer(kind, `${proto.name}.${name}: ${n}`));
  const readers = returns.map(([, kind]) => proto.reader(kind));
  const result = returns.length === 1 ? readers[0]
    : objectBuilder([], returns.map(([n]) => n), readers, []);
  const writeArgs = (argv) => { for (let i = 0; i < writers.length; i++) writers[i](argv[i]); };
  return (...argv) => {
    toTape(writeArgs, argv);
    ensureRegistered();
    const options = takesOptions ? argv[args.length] : undefined;
    filled(withCodec(options, (id) => native.operation(proto.number, index, id, WP, BP)));
    clearInput();
    P = 0;
    if (optional && T[P++] === 0) return null;
    return returns.length === 0 ? undefined : result();
  };
}

const dnode = protocolApi('dnode').api;
const chitchat = protocolApi('chitchat').api;
const replication = protocolApi('replication').api;
const broker = protocolApi('broker').api;
const dataexchange = protocolApi('dataexchange').api;

/** Best-effort protocol guess from a stream's first bytes: a protocol name or null. */
function detect(prefix) {
  return native.detect(asBuffer(prefix, 'detect')) ?? null;
}

module.exports = {
  version: native.version(),
  dnode,
  chitchat,
  replication,
  broker,
  dataexchange,
  detect,
  WireError,
  ERROR_CODES,
  parseJSON,
  stringifyJSON,
};
