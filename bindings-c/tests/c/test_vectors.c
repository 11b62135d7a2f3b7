/* Every section of every vectors/<protocol>.json through the C API, with the expectations of the Rust
 * suites (core/tests/vectors.rs). Reads the line file vectors_to_c.py writes; one line = one
 * test. Prints `SUITE c-<protocol>: N passed, N failed, N skipped` per protocol. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libwire.h"
#include "support.h"

/* ---- bookkeeping ------------------------------------------------------------------------ */

static const char *PROTOS[] = {"dnode", "chitchat", "replication", "broker", "dataexchange"};
static int passed[5], failed[5];
static const char *cur_name;
static bool cur_ok;

static void fail(const char *fmt, ...) {
  if (cur_ok) {
    char err[512];
    wire_last_error_message(err, sizeof err);
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s: ", cur_name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (last error: %s)\n", err);
    va_end(ap);
  }
  cur_ok = false;
}

#define CHECK(cond, ...)    \
  do {                      \
    if (!(cond)) fail(__VA_ARGS__); \
  } while (0)

#define EXPECT_STATUS(got, want, what) \
  CHECK((got) == (want), "%s: got %s, expected %s", what, wire_status_str(got), wire_status_str(want))

static wire_status kind_status(const char *kind) {
  static const char *names[] = {"ok", "incomplete", "malformed", "too_large", "unsupported_version",
                                "invalid_utf8", "trailing_bytes", "invalid_argument"};
  for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(kind, names[i]) == 0) return (wire_status)i;
  fprintf(stderr, "unknown kind %s\n", kind);
  abort();
}

/* Whether the last error message ends with ": <reason>". */
static bool last_reason_is(const char *reason, bool prefix_only) {
  size_t n = wire_last_error_message(NULL, 0);
  char *msg = malloc(n + 1);
  wire_last_error_message(msg, n + 1);
  char *colon = strstr(msg, ": ");
  bool ok = colon && (prefix_only ? strncmp(colon + 2, reason, strlen(reason)) == 0
                                  : strcmp(colon + 2, reason) == 0);
  free(msg);
  return ok;
}

/* ---- calls shared by many checks -------------------------------------------------------- */

/* The dataexchange version of the lines that follow (a DX_VERSION line sets it): each vector file
 * is checked with its own. The generic one-shot calls (wire_decode, wire_to_json,
 * wire_frame_length) take no options and run at the default version, main. */
static wire_dataexchange_version dx_version = WIRE_DATAEXCHANGE_VERSION_MAIN; /* DX_VERSION <0|1> lines */

static bool dx_default(wire_protocol p) {
  return p != WIRE_PROTOCOL_DATAEXCHANGE || dx_version == WIRE_DATAEXCHANGE_VERSION_MAIN;
}

static wire_status decode_as(wire_protocol p, const uint8_t *b, size_t n, wire_frame **f) {
  switch (p) {
    case WIRE_PROTOCOL_DNODE: return wire_dnode_decode(b, n, NULL, WIRE_DNODE_FLAVOUR_PLAIN, f);
    case WIRE_PROTOCOL_CHITCHAT: return wire_chitchat_decode(b, n, NULL, WIRE_CHITCHAT_VERSION_V0, f);
    case WIRE_PROTOCOL_REPLICATION: return wire_replication_decode(b, n, NULL, WIRE_REPLICATION_LAYOUT_7X, f);
    case WIRE_PROTOCOL_BROKER: return wire_broker_decode(b, n, NULL, f);
    default: return wire_dataexchange_decode(b, n, NULL, dx_version, f);
  }
}

/* JSON of a handle (size query first, as a caller would). */
static char *frame_json(const wire_frame *f) {
  size_t needed = 0;
  wire_status s = wire_frame_to_json(f, NULL, 0, &needed);
  if (s != WIRE_BUFFER_TOO_SMALL) {
    fail("wire_frame_to_json size query: %s", wire_status_str(s));
    return NULL;
  }
  char *out = malloc(needed + 1);
  s = wire_frame_to_json(f, out, needed + 1, &needed);
  if (s != WIRE_OK) {
    fail("wire_frame_to_json: %s", wire_status_str(s));
    free(out);
    return NULL;
  }
  return out;
}

static bool same_json(const char *got, const char *want, bool strip) {
  return got && json_same(got, strlen(got), want, strlen(want), strip);
}

static void check_json(const wire_frame *f, const char *want, bool strip, const char *what) {
  char *got = frame_json(f);
  CHECK(same_json(got, want, strip), "%s: JSON %s, expected %s", what, got ? got : "(none)", want);
  free(got);
}

/* Encode the handle's C struct with the protocol's own encoder (size first, then exact). */
static uint8_t *encode_struct(const wire_frame *f, wire_replication_layout layout, size_t *len) {
  size_t need = 0, n = 0;
  wire_status s;
  wire_protocol p = wire_frame_protocol(f);
  switch (p) {
    case WIRE_PROTOCOL_DNODE: s = wire_dnode_encoded_len(wire_frame_dnode(f), NULL, WIRE_DNODE_FLAVOUR_PLAIN, &need); break;
    case WIRE_PROTOCOL_CHITCHAT: s = wire_chitchat_encoded_len(wire_frame_chitchat(f), NULL, WIRE_CHITCHAT_VERSION_V0, &need); break;
    case WIRE_PROTOCOL_REPLICATION: s = wire_replication_encoded_len(wire_frame_replication(f), NULL, layout, &need); break;
    case WIRE_PROTOCOL_BROKER: s = wire_broker_encoded_len(wire_frame_broker(f), NULL, &need); break;
    default: s = wire_dataexchange_encoded_len(wire_frame_dataexchange(f), NULL, dx_version, &need); break;
  }
  if (s != WIRE_OK) {
    fail("encoded_len: %s", wire_status_str(s));
    return NULL;
  }
  uint8_t *out = malloc(need + 1);
  for (int attempt = 0; attempt < 2; attempt++) {
    /* First a buffer one byte short (must be refused with the size), then the exact one. */
    size_t cap = attempt == 0 ? (need ? need - 1 : 0) : need;
    if (attempt == 0 && need == 0) continue;
    switch (p) {
      case WIRE_PROTOCOL_DNODE: s = wire_dnode_encode(wire_frame_dnode(f), NULL, WIRE_DNODE_FLAVOUR_PLAIN, out, cap, &n); break;
      case WIRE_PROTOCOL_CHITCHAT: s = wire_chitchat_encode(wire_frame_chitchat(f), NULL, WIRE_CHITCHAT_VERSION_V0, out, cap, &n); break;
      case WIRE_PROTOCOL_REPLICATION: s = wire_replication_encode(wire_frame_replication(f), NULL, layout, out, cap, &n); break;
      case WIRE_PROTOCOL_BROKER: s = wire_broker_encode(wire_frame_broker(f), NULL, out, cap, &n); break;
      default: s = wire_dataexchange_encode(wire_frame_dataexchange(f), NULL, dx_version, out, cap, &n); break;
    }
    if (attempt == 0) {
      EXPECT_STATUS(s, WIRE_BUFFER_TOO_SMALL, "encode into a short buffer");
      CHECK(n == need, "short buffer reported %zu, expected %zu", n, need);
    } else if (s != WIRE_OK || n != need) {
      fail("encode: %s, %zu bytes (encoded_len %zu)", wire_status_str(s), n, need);
      free(out);
      return NULL;
    }
  }
  *len = n;
  return out;
}

static void check_bytes(const uint8_t *got, size_t got_len, const char *want_hex, const char *what) {
  if (!got) return;
  char *hex = hex_encode(got, got_len);
  const char *want = strcmp(want_hex, "-") == 0 ? "" : want_hex;
  CHECK(strcmp(hex, want) == 0, "%s: %s, expected %s", what, hex, want);
  free(hex);
}

/* wire_from_json with a size query. */
static uint8_t *from_json(wire_protocol p, const char *json, size_t *len) {
  size_t need = 0;
  wire_status s = wire_from_json(p, json, strlen(json), NULL, 0, &need);
  if (s != WIRE_BUFFER_TOO_SMALL && !(s == WIRE_OK && need == 0)) {
    fail("wire_from_json size query: %s", wire_status_str(s));
    return NULL;
  }
  uint8_t *out = malloc(need + 1);
  s = wire_from_json(p, json, strlen(json), out, need, len);
  if (s != WIRE_OK) {
    fail("wire_from_json: %s", wire_status_str(s));
    free(out);
    return NULL;
  }
  return out;
}

static void check_slice(wire_slice s, const uint8_t *want, size_t want_len, const char *what) {
  CHECK(s.len == want_len && (want_len == 0 || memcmp(s.ptr, want, want_len) == 0), "%s differs", what);
}

/* ---- streams ---------------------------------------------------------------------------- */

typedef struct {
  size_t n;
  char **json;
  uint64_t *offset;
  size_t *consumed;
  size_t *payload_len; /* dnode */
  uint64_t *id;        /* dnode */
  uint8_t *type;       /* dnode */
  uint8_t *version;    /* dnode */
  wire_status end;
  bool has_err_offset;
  uint64_t err_offset;
  size_t buffered;
} stream_t;

typedef struct {
  size_t fixed; /* > 0: fixed chunk size */
  uint64_t state;
  size_t max;
} chunker_t;

/* xorshift64*, as the Rust dnode suite's chunker. */
static size_t chunk_next(chunker_t *c) {
  if (c->fixed) return c->fixed;
  c->state ^= c->state >> 12;
  c->state ^= c->state << 25;
  c->state ^= c->state >> 27;
  return (size_t)((c->state * 0x2545f4914f6cdd1dULL) >> 33) % c->max + 1;
}

static void stream_free(stream_t *r) {
  for (size_t i = 0; i < r->n; i++) free(r->json[i]);
  free(r->json);
  free(r->offset);
  free(r->consumed);
  free(r->payload_len);
  free(r->id);
  free(r->type);
  free(r->version);
  memset(r, 0, sizeof *r);
}

static void stream_record(stream_t *r, wire_frame *f, uint64_t at, uint64_t after) {
  size_t i = r->n++;
  r->json = realloc(r->json, r->n * sizeof *r->json);
  r->offset = realloc(r->offset, r->n * sizeof *r->offset);
  r->consumed = realloc(r->consumed, r->n * sizeof *r->consumed);
  r->payload_len = realloc(r->payload_len, r->n * sizeof *r->payload_len);
  r->id = realloc(r->id, r->n * sizeof *r->id);
  r->type = realloc(r->type, r->n * sizeof *r->type);
  r->version = realloc(r->version, r->n * sizeof *r->version);
  r->json[i] = frame_json(f);
  r->offset[i] = at;
  r->consumed[i] = (size_t)(after - at);
  const wire_dnode_dmsg *m = wire_frame_dnode(f);
  r->payload_len[i] = m ? m->payload.len : 0;
  r->id[i] = m ? m->id : 0;
  r->type[i] = m ? m->type : 0;
  r->version[i] = m ? m->version : 0;
}

static void stream_run(wire_protocol p, const char *layout, const uint8_t *b, size_t n, chunker_t c, stream_t *r) {
  memset(r, 0, sizeof *r);
  wire_decoder *d = NULL;
  wire_status s = wire_decoder_new(p, NULL, &d);
  if (s != WIRE_OK) {
    fail("wire_decoder_new: %s", wire_status_str(s));
    return;
  }
  if (layout) EXPECT_STATUS(wire_decoder_set_option(d, "layout", layout), WIRE_OK, "set_option layout");
  if (p == WIRE_PROTOCOL_DATAEXCHANGE && dx_version == WIRE_DATAEXCHANGE_VERSION_0_2_1_BETA_1)
    EXPECT_STATUS(wire_decoder_set_option(d, "version", "0.2.1-beta.1"), WIRE_OK, "set_option version");
  size_t at = 0;
  r->end = WIRE_OK;
  do {
    size_t step = chunk_next(&c);
    size_t end = at + step > n ? n : at + step;
    wire_decoder_push(d, b + at, end - at);
    at = end;
    for (;;) {
      uint64_t before = wire_decoder_position(d);
      wire_frame *f = NULL;
      s = wire_decoder_next(d, &f);
      if (s != WIRE_OK) {
        r->end = s;
        r->has_err_offset = wire_last_error_offset(&r->err_offset);
        goto done;
      }
      if (!f) break;
      stream_record(r, f, before, wire_decoder_position(d));
      wire_frame_free(f);
    }
  } while (at < n);
  r->end = wire_decoder_finish(d);
  r->has_err_offset = r->end != WIRE_OK && wire_last_error_offset(&r->err_offset);
done:
  r->buffered = wire_decoder_buffered(d);
  wire_decoder_free(d);
}

static bool stream_same(const stream_t *a, const stream_t *b) {
  if (a->n != b->n || a->end != b->end || a->has_err_offset != b->has_err_offset) return false;
  if (a->has_err_offset && a->err_offset != b->err_offset) return false;
  for (size_t i = 0; i < a->n; i++) {
    if (a->offset[i] != b->offset[i] || a->consumed[i] != b->consumed[i]) return false;
    if (!a->json[i] || !b->json[i] || strcmp(a->json[i], b->json[i]) != 0) return false;
  }
  return true;
}

/* The stream outcome for 1-byte chunks, checked equal for whole and pseudo-random chunkings. */
static void stream_all(wire_protocol p, const char *layout, const uint8_t *b, size_t n, stream_t *ref) {
  stream_run(p, layout, b, n, (chunker_t){.fixed = 1}, ref);
  stream_t other;
  stream_run(p, layout, b, n, (chunker_t){.fixed = n ? n : 1}, &other);
  CHECK(stream_same(ref, &other), "whole-input stream differs from 1-byte chunks");
  stream_free(&other);
  static const size_t maxes[] = {3, 17, 64, 1500};
  for (uint64_t seed = 1; seed <= 4; seed++) {
    chunker_t c = {.state = seed * 0x9e3779b97f4a7c15ULL, .max = maxes[seed - 1]};
    stream_run(p, layout, b, n, c, &other);
    CHECK(stream_same(ref, &other), "random chunking (seed %d) differs from 1-byte chunks", (int)seed);
    stream_free(&other);
  }
}

/* ---- the checks, one per line kind ------------------------------------------------------- */

typedef struct {
  wire_protocol proto;
  char **arg;
  size_t nargs;
} line_t;

static void op_rt(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  const char *json = l->arg[1];
  wire_frame *f = NULL;
  wire_status s = decode_as(l->proto, b, n, &f);
  EXPECT_STATUS(s, WIRE_OK, "decode");
  if (f) {
    check_json(f, json, false, "decoded");
    /* At 0.2.1-beta.1 type 7 is an unknown type, but a C struct whose type is 7 names
     * TypeFileStream: such a frame is re-encoded from its handle (below), not its struct. */
    const wire_dataexchange_frame *dx = wire_frame_dataexchange(f);
    if (!(dx && dx->type == WIRE_DATAEXCHANGE_TYPE_FILE_STREAM && !dx_default(l->proto))) {
      size_t len = 0;
      uint8_t *enc = encode_struct(f, WIRE_REPLICATION_LAYOUT_7X, &len);
      check_bytes(enc, len, l->arg[0], "struct re-encoding");
      free(enc);
    }
    uint8_t again[1];
    size_t need = 0;
    EXPECT_STATUS(wire_frame_encode(f, again, 0, &need), n ? WIRE_BUFFER_TOO_SMALL : WIRE_OK, "wire_frame_encode size");
    CHECK(need == n, "wire_frame_encode size %zu, expected %zu", need, n);
  }
  wire_frame_free(f);
  if (dx_default(l->proto)) {
    size_t needed = 0;
    s = wire_to_json(l->proto, b, n, NULL, 0, &needed);
    EXPECT_STATUS(s, WIRE_BUFFER_TOO_SMALL, "wire_to_json size query");
    char *text = malloc(needed + 1);
    EXPECT_STATUS(wire_to_json(l->proto, b, n, text, needed + 1, &needed), WIRE_OK, "wire_to_json");
    CHECK(same_json(text, json, false), "wire_to_json: %s", text);
    free(text);
    size_t len = 0;
    uint8_t *enc = from_json(l->proto, json, &len);
    check_bytes(enc, len, l->arg[0], "wire_from_json");
    free(enc);
    size_t frame_len = 0;
    EXPECT_STATUS(wire_frame_length(l->proto, b, n, &frame_len), WIRE_OK, "wire_frame_length");
    CHECK(frame_len == n, "wire_frame_length %zu, expected %zu", frame_len, n);
  }
  stream_t r;
  stream_all(l->proto, NULL, b, n, &r);
  CHECK(r.n == 1 && r.end == WIRE_OK && same_json(r.json[0], json, false), "stream: %zu frames, %s", r.n,
        wire_status_str(r.end));
  stream_free(&r);
  free(b);
}

static void op_rej(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_status want = kind_status(l->arg[1]);
  wire_frame *f = NULL;
  EXPECT_STATUS(decode_as(l->proto, b, n, &f), want, "protocol decode");
  wire_frame_free(f);
  if (dx_default(l->proto)) {
    f = (wire_frame *)1;
    EXPECT_STATUS(wire_decode(l->proto, b, n, NULL, &f), want, "wire_decode");
    CHECK(f == NULL, "a failed decode leaves *frame NULL");
    size_t needed;
    char text[8];
    EXPECT_STATUS(wire_to_json(l->proto, b, n, text, sizeof text, &needed), want, "wire_to_json");
    size_t frame_len = 0;
    wire_status s = wire_frame_length(l->proto, b, n, &frame_len);
    if (want == WIRE_TRAILING_BYTES) {
      EXPECT_STATUS(s, WIRE_OK, "wire_frame_length of a frame with trailing bytes");
      CHECK(frame_len < n, "frame length %zu of %zu", frame_len, n);
    } else {
      EXPECT_STATUS(s, want, "wire_frame_length");
    }
  }
  stream_t whole, bytewise;
  stream_run(l->proto, NULL, b, n, (chunker_t){.fixed = n ? n : 1}, &whole);
  stream_run(l->proto, NULL, b, n, (chunker_t){.fixed = 1}, &bytewise);
  CHECK(stream_same(&whole, &bytewise), "chunking changed the stream outcome");
  if (want != WIRE_TRAILING_BYTES && whole.end != WIRE_OK) EXPECT_STATUS(whole.end, want, "stream");
  stream_free(&whole);
  stream_free(&bytewise);
  free(b);
}

static void op_dnode_flavour(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_dnode_flavour flavour = strcmp(l->arg[1], "gossip") == 0 ? WIRE_DNODE_FLAVOUR_GOSSIP : WIRE_DNODE_FLAVOUR_PLAIN;
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_dnode_decode(b, n, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &f), WIRE_OK, "decode");
  if (f) {
    wire_dnode_dmsg m = *wire_frame_dnode(f);
    m.data = (wire_slice){NULL, 0};
    uint8_t *out = malloc(n + 1);
    size_t len = 0;
    EXPECT_STATUS(wire_dnode_encode(&m, NULL, flavour, out, n, &len), WIRE_OK, "encode with an empty data field");
    check_bytes(out, len, l->arg[0], "placeholder written by the flavour");
    free(out);
  }
  wire_frame_free(f);
  free(b);
}

static const wire_limits WIDE = {0xffffffffULL, 0};

static void op_dnode_hdr(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  size_t want_len = (size_t)strtoull(l->arg[1], NULL, 10);
  bool wide = strcmp(l->arg[3], "wide") == 0;
  wire_frame *h = NULL;
  size_t hlen = 0;
  EXPECT_STATUS(wire_dnode_parse_header(b, n, wide ? &WIDE : NULL, WIRE_DNODE_FLAVOUR_PLAIN, &h, &hlen), WIRE_OK, "parse_header");
  CHECK(hlen == want_len, "header length %zu, expected %zu", hlen, want_len);
  if (h) {
    check_json(h, l->arg[2], false, "header");
    const wire_dnode_dmsg_header *hd = wire_frame_dnode_dmsg_header(h);
    if (wide) {
      CHECK(hlen == n, "a header vector is the whole input");
      uint8_t *out = malloc(n + 1);
      size_t len = 0;
      EXPECT_STATUS(wire_dnode_encode_header(hd, &WIDE, WIRE_DNODE_FLAVOUR_PLAIN, out, n, &len), WIRE_OK, "encode_header");
      check_bytes(out, len, l->arg[0], "encoded header");
      free(out);
    } else {
      size_t total = hlen + hd->plen;
      wire_frame *f = NULL;
      EXPECT_STATUS(wire_dnode_decode(b, total, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &f), WIRE_OK, "decode header + plen bytes");
      const wire_dnode_dmsg *m = wire_frame_dnode(f);
      if (m) {
        CHECK(m->id == hd->id && m->type == hd->type && m->flags == hd->flags && m->version == hd->version &&
                  m->same_dc == hd->same_dc,
              "message header differs from the parsed header");
        check_slice(m->data, hd->data.ptr, hd->data.len, "data");
        check_slice(m->payload, b + hlen, hd->plen, "payload");
      }
      wire_frame_free(f);
    }
  }
  wire_frame_free(h);
  free(b);
}

static void op_dnode_hdr_rej(const line_t *l) {
  size_t n, hlen;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_dnode_parse_header(b, n, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &f, &hlen), WIRE_MALFORMED, "parse_header");
  wire_frame_free(f);
  f = NULL;
  EXPECT_STATUS(wire_dnode_decode(b, n, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &f), WIRE_MALFORMED, "decode");
  wire_frame_free(f);
  free(b);
}

static void op_dnode_trail(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  stream_t r;
  stream_all(WIRE_PROTOCOL_DNODE, NULL, b, n, &r);
  CHECK(r.n == 1, "%zu frames before the garbage", r.n);
  if (r.n == 1) {
    EXPECT_STATUS(r.end, WIRE_MALFORMED, "garbage after the frame");
    CHECK(r.has_err_offset && r.err_offset == r.consumed[0], "error offset %llu, frame ends at %zu",
          (unsigned long long)r.err_offset, r.consumed[0]);
  }
  stream_free(&r);
  free(b);
}

static size_t split_list(char *s, char **items, size_t max) {
  size_t n = 0;
  if (strcmp(s, "-") == 0) return 0;
  for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ",")) items[n++] = tok;
  return n;
}

static void op_concat(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  size_t count = 1;
  for (const char *c = l->arg[1]; *c; c++) count += *c == ',';
  char **offs = calloc(count, sizeof *offs), **lens = calloc(count, sizeof *lens), **hls = calloc(count, sizeof *hls);
  split_list(l->arg[1], offs, count);
  split_list(l->arg[2], lens, count);
  split_list(l->arg[3], hls, count);
  stream_t r;
  stream_all(l->proto, NULL, b, n, &r);
  EXPECT_STATUS(r.end, WIRE_OK, "stream end");
  CHECK(r.n == count, "%zu frames, expected %zu", r.n, count);
  for (size_t i = 0; i < r.n && i < count; i++) {
    uint64_t at = strtoull(offs[i], NULL, 10);
    size_t len = (size_t)strtoull(lens[i], NULL, 10);
    CHECK(r.offset[i] == at && r.consumed[i] == len, "frame %zu at %llu (+%zu), expected %llu (+%zu)", i,
          (unsigned long long)r.offset[i], r.consumed[i], (unsigned long long)at, len);
    if (at + len > n) continue;
    wire_frame *f = NULL;
    EXPECT_STATUS(decode_as(l->proto, b + at, len, &f), WIRE_OK, "one-shot decode of a stream frame");
    char *one = f ? frame_json(f) : NULL;
    CHECK(one && r.json[i] && strcmp(one, r.json[i]) == 0, "frame %zu differs from its one-shot decode", i);
    free(one);
    wire_frame_free(f);
    if (strcmp(hls[i] ? hls[i] : "-", "-") != 0) {
      size_t hl = (size_t)strtoull(hls[i], NULL, 10);
      CHECK(r.consumed[i] - r.payload_len[i] == hl, "frame %zu header length %zu, expected %zu", i,
            r.consumed[i] - r.payload_len[i], hl);
    }
  }
  stream_free(&r);
  free(offs);
  free(lens);
  free(hls);
  free(b);
}

static void op_dlstream(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  size_t count = 1;
  for (const char *c = l->arg[1]; *c; c++) count += *c == ',';
  char **items = calloc(count, sizeof *items);
  split_list(l->arg[1], items, count);
  stream_t r;
  stream_all(WIRE_PROTOCOL_DNODE, NULL, b, n, &r);
  EXPECT_STATUS(r.end, WIRE_OK, "stream end");
  CHECK(r.n == count, "%zu frames, expected %zu", r.n, count);
  for (size_t i = 0; i < r.n && i < count; i++) {
    unsigned long long off, hl, plen, id;
    char type[64];
    if (sscanf(items[i], "%llu:%llu:%llu:%llu:%63s", &off, &hl, &plen, &id, type) != 5) {
      fail("bad frame spec %s", items[i]);
      break;
    }
    const char *name = wire_dnode_dmsg_type_name(r.type[i]);
    char num[8];
    snprintf(num, sizeof num, "%u", r.type[i]);
    CHECK(r.offset[i] == off && r.consumed[i] - r.payload_len[i] == hl && r.payload_len[i] == plen && r.id[i] == id &&
              strcmp(type, name ? name : num) == 0,
          "frame %zu: offset %llu header %zu plen %zu id %llu type %s, expected %s", i, (unsigned long long)r.offset[i],
          r.consumed[i] - r.payload_len[i], r.payload_len[i], (unsigned long long)r.id[i], name ? name : num, items[i]);
  }
  stream_free(&r);
  free(items);
  free(b);
}

static void op_dlgarbled(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  uint64_t at = strtoull(l->arg[1], NULL, 10);
  stream_t r;
  stream_all(WIRE_PROTOCOL_DNODE, NULL, b, n, &r);
  EXPECT_STATUS(r.end, WIRE_MALFORMED, "stream end");
  CHECK(r.has_err_offset && r.err_offset == at, "error at %llu, expected %llu", (unsigned long long)r.err_offset,
        (unsigned long long)at);
  CHECK(r.n > 0 && r.offset[0] == 0, "frames before the damage start at 0");
  if (r.n > 0) CHECK(r.offset[r.n - 1] + r.consumed[r.n - 1] == at, "the last good frame ends where the damage starts");
  if (strcmp(l->arg[2], "0,73") == 0)
    CHECK(r.n == 2 && r.offset[1] == 73 && r.payload_len[1] == 0, "frames at offsets 0 and 73");
  if (strcmp(l->arg[3], "43") == 0) CHECK(r.n == 1 && r.payload_len[0] == 43, "one frame with a 43-byte payload");
  stream_free(&r);
  free(b);
}

static void op_dlreplay_short(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_dnode_decode(b, n, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &f), WIRE_TRAILING_BYTES, "decode");
  uint64_t off = 0;
  CHECK(wire_last_error_offset(&off) && off == strtoull(l->arg[1], NULL, 10), "trailing bytes at %llu",
        (unsigned long long)off);
  stream_t r;
  stream_all(WIRE_PROTOCOL_DNODE, NULL, b, n, &r);
  CHECK(r.n == 1 && r.payload_len[0] == strtoull(l->arg[2], NULL, 10), "one frame with the short payload");
  EXPECT_STATUS(r.end, WIRE_MALFORMED, "stream end");
  stream_free(&r);
  free(b);
}

static void op_dlreplay_v2(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_dnode_decode(b, n, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &f), WIRE_OK, "decode");
  const wire_dnode_dmsg *m = wire_frame_dnode(f);
  CHECK(m && m->version == strtoul(l->arg[1], NULL, 10) && m->payload.len == strtoull(l->arg[2], NULL, 10),
        "version and payload length");
  wire_frame_free(f);
  free(b);
}

static void op_hs(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_dnode_decode_handshake(b, n, &f), WIRE_OK, "handshake decode");
  if (f) {
    check_json(f, l->arg[1], false, "handshake");
    uint8_t *out = malloc(n + 1);
    size_t len = 0;
    EXPECT_STATUS(wire_dnode_encode_handshake(wire_frame_dnode_handshake(f), out, n, &len), WIRE_OK, "handshake encode");
    check_bytes(out, len, l->arg[0], "handshake bytes");
    free(out);
  }
  wire_frame_free(f);
  free(b);
}

static void op_hs_rej(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_dnode_decode_handshake(b, n, &f), kind_status(l->arg[1]), "handshake decode");
  wire_frame_free(f);
  free(b);
}

static void op_cc_dec(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  size_t trailing = (size_t)strtoull(l->arg[1], NULL, 10);
  wire_frame *f = NULL;
  if (trailing > 0) {
    EXPECT_STATUS(wire_chitchat_decode(b, n, NULL, WIRE_CHITCHAT_VERSION_V0, &f), WIRE_TRAILING_BYTES, "one-shot decode");
    wire_decoder *d = NULL;
    wire_decoder_new(WIRE_PROTOCOL_CHITCHAT, NULL, &d);
    wire_decoder_push(d, b, n);
    EXPECT_STATUS(wire_decoder_next(d, &f), WIRE_OK, "stream");
    CHECK(f != NULL && wire_decoder_buffered(d) == trailing, "stream leaves the trailing bytes");
    wire_decoder_free(d);
  } else {
    EXPECT_STATUS(wire_chitchat_decode(b, n, NULL, WIRE_CHITCHAT_VERSION_V0, &f), WIRE_OK, "decode");
  }
  if (f) check_json(f, l->arg[2], false, "decoded");
  wire_frame_free(f);
  size_t len = 0;
  uint8_t *enc = from_json(WIRE_PROTOCOL_CHITCHAT, l->arg[3], &len);
  check_bytes(enc, len, l->arg[4], "canonical bytes");
  if (enc) {
    f = NULL;
    EXPECT_STATUS(wire_chitchat_decode(enc, len, NULL, WIRE_CHITCHAT_VERSION_V0, &f), WIRE_OK, "canonical decodes");
    if (f) {
      size_t len2 = 0;
      uint8_t *again = encode_struct(f, 0, &len2);
      check_bytes(again, len2, l->arg[4], "canonical struct re-encoding");
      free(again);
    }
    wire_frame_free(f);
  }
  free(enc);
  free(b);
}

static wire_replication_layout layout_of(const char *s) {
  return strcmp(s, "3x") == 0 ? WIRE_REPLICATION_LAYOUT_3X : WIRE_REPLICATION_LAYOUT_7X;
}

static uint8_t *framed_of(const uint8_t *b, size_t n) {
  uint8_t *out = malloc(n + 4);
  out[0] = (uint8_t)n;
  out[1] = (uint8_t)(n >> 8);
  out[2] = (uint8_t)(n >> 16);
  out[3] = (uint8_t)(n >> 24);
  memcpy(out + 4, b, n);
  return out;
}

static void op_rep_rt(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  const char *json = l->arg[1];
  wire_replication_layout layout = layout_of(l->arg[2]);
  uint8_t *framed = framed_of(b, n);
  char *framed_hex = hex_encode(framed, n + 4);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_replication_decode_message(b, n, NULL, layout, &f), WIRE_OK, "bare decode");
  if (f) {
    check_json(f, json, false, "bare");
    uint8_t *out = malloc(n + 1);
    size_t len = 0;
    EXPECT_STATUS(wire_replication_encode_message(wire_frame_replication(f), NULL, layout, out, n, &len), WIRE_OK, "bare encode");
    check_bytes(out, len, l->arg[0], "bare bytes");
    free(out);
    uint8_t *enc = encode_struct(f, layout, &len);
    check_bytes(enc, len, framed_hex, "framed bytes");
    free(enc);
    if (layout == WIRE_REPLICATION_LAYOUT_3X) {
      size_t need;
      CHECK(wire_replication_encode_message(wire_frame_replication(f), NULL, WIRE_REPLICATION_LAYOUT_7X, NULL, 0, &need) ==
                WIRE_INVALID_ARGUMENT,
            "a 3x proposal is refused by the 7x encoder");
    }
  }
  wire_frame_free(f);
  f = NULL;
  EXPECT_STATUS(wire_replication_decode(framed, n + 4, NULL, layout, &f), WIRE_OK, "framed decode");
  if (f) check_json(f, json, false, "framed");
  wire_frame_free(f);
  if (layout == WIRE_REPLICATION_LAYOUT_7X) {
    size_t len = 0;
    uint8_t *enc = from_json(WIRE_PROTOCOL_REPLICATION, json, &len);
    check_bytes(enc, len, framed_hex, "wire_from_json");
    free(enc);
  }
  stream_t r;
  stream_all(WIRE_PROTOCOL_REPLICATION, l->arg[2], framed, n + 4, &r);
  CHECK(r.n == 1 && r.end == WIRE_OK && same_json(r.json[0], json, false), "stream");
  stream_free(&r);
  free(framed_hex);
  free(framed);
  free(b);
}

static void op_rep_accept(const line_t *l) {
  size_t n;
  uint64_t used = 0;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_replication_layout layout = layout_of(l->arg[1]);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_replication_decode_message_prefix(b, n, NULL, layout, &f, &used), WIRE_OK, "lenient decode");
  if (f) {
    check_json(f, l->arg[2], false, "lenient");
    char *want = frame_json(f);
    wire_frame *strict = NULL;
    wire_status s = wire_replication_decode_message(b, n, NULL, layout, &strict);
    if (used == n) {
      EXPECT_STATUS(s, WIRE_OK, "strict decode");
    } else {
      uint64_t off = 0;
      EXPECT_STATUS(s, WIRE_TRAILING_BYTES, "strict decode");
      CHECK(wire_last_error_offset(&off) && off == used, "trailing bytes at %llu, message used %llu",
            (unsigned long long)off, (unsigned long long)used);
    }
    wire_frame_free(strict);
    size_t need = 0;
    wire_replication_encode_message(wire_frame_replication(f), NULL, layout, NULL, 0, &need);
    uint8_t *canonical = malloc(need + 1);
    EXPECT_STATUS(wire_replication_encode_message(wire_frame_replication(f), NULL, layout, canonical, need, &need), WIRE_OK,
                  "canonical encode");
    wire_frame *back = NULL;
    EXPECT_STATUS(wire_replication_decode_message(canonical, need, NULL, layout, &back), WIRE_OK, "canonical decode");
    if (back) check_json(back, want ? want : "", false, "canonical decodes to the same message");
    wire_frame_free(back);
    free(canonical);
    free(want);
  }
  wire_frame_free(f);
  free(b);
}

static void op_rep_refuse(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_replication_layout layout = layout_of(l->arg[1]);
  wire_status want = kind_status(l->arg[2]);
  const char *message = l->arg[3];
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_replication_decode_message(b, n, NULL, layout, &f), want, "bare decode");
  CHECK(last_reason_is(message, false), "reason is not the crate's %s", message);
  wire_frame_free(f);
  uint8_t *framed = framed_of(b, n);
  wire_status framed_want = want == WIRE_INCOMPLETE ? WIRE_MALFORMED : want;
  f = NULL;
  EXPECT_STATUS(wire_replication_decode(framed, n + 4, NULL, layout, &f), framed_want, "framed decode");
  CHECK(last_reason_is(message, true), "framed reason does not start with %s", message);
  wire_frame_free(f);
  stream_t whole, bytewise;
  stream_run(WIRE_PROTOCOL_REPLICATION, l->arg[1], framed, n + 4, (chunker_t){.fixed = n + 4}, &whole);
  stream_run(WIRE_PROTOCOL_REPLICATION, l->arg[1], framed, n + 4, (chunker_t){.fixed = 1}, &bytewise);
  CHECK(stream_same(&whole, &bytewise), "chunking changed the outcome");
  EXPECT_STATUS(whole.end, framed_want, "stream");
  stream_free(&whole);
  stream_free(&bytewise);
  free(framed);
  free(b);
}

static void op_rep_ack19(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_replication_protocol_message m;
  memset(&m, 0, sizeof m);
  m.type = WIRE_REPLICATION_ACK;
  m.vlsn = 19;
  uint8_t out[64];
  size_t len = 0;
  EXPECT_STATUS(wire_replication_encode(&m, NULL, WIRE_REPLICATION_LAYOUT_7X, out, sizeof out, &len), WIRE_OK, "encode");
  check_bytes(out, len, l->arg[0], "Ack{19}");
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_replication_decode(b, n, NULL, WIRE_REPLICATION_LAYOUT_7X, &f), WIRE_OK, "decode");
  const wire_replication_protocol_message *d = wire_frame_replication(f);
  CHECK(d && d->type == WIRE_REPLICATION_ACK && d->vlsn == 19, "decodes to Ack{19}");
  wire_frame_free(f);
  free(b);
}

static void op_rep_preamble(const line_t *l) {
  size_t n, needed = 0;
  uint64_t used = 0;
  uint8_t *b = hex_decode(l->arg[0], &n);
  char service[16];
  EXPECT_STATUS(wire_replication_decode_preamble(b, n, service, sizeof service, &needed, &used), WIRE_OK,
                "decode preamble");
  CHECK(needed == 8 && strcmp(service, "ELECTION") == 0, "service ELECTION");
  EXPECT_STATUS(wire_replication_decode_preamble(b, n, service, 8, &needed, &used), WIRE_BUFFER_TOO_SMALL,
                "no room for the NUL");
  CHECK(needed == 8 && used == 12, "sizes reported with a short buffer");
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_replication_decode(b + used, n - used, NULL, WIRE_REPLICATION_LAYOUT_7X, &f), WIRE_OK, "message");
  const wire_replication_protocol_message *m = wire_frame_replication(f);
  CHECK(m && m->type == WIRE_REPLICATION_ELECTION_RESULT && m->term == 4 && m->master.len == 1 && m->master.ptr[0] == 'm',
        "ElectionResult{m, 4}");
  uint8_t out[128];
  size_t a = 0, c = 0;
  EXPECT_STATUS(wire_replication_encode_preamble((const uint8_t *)"ELECTION", 8, out, sizeof out, &a), WIRE_OK,
                "encode preamble");
  if (m) EXPECT_STATUS(wire_replication_encode(m, NULL, WIRE_REPLICATION_LAYOUT_7X, out + a, sizeof out - a, &c), WIRE_OK,
                       "encode message");
  check_bytes(out, a + c, l->arg[0], "preamble and message");
  wire_frame_free(f);
  free(b);
}

static void op_rep_recv(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_decoder *d = NULL;
  wire_decoder_new(WIRE_PROTOCOL_REPLICATION, NULL, &d);
  wire_decoder_push(d, b, n);
  wire_frame *f = NULL;
  wire_status s = wire_decoder_next(d, &f);
  if (strcmp(l->arg[1], "too_large") == 0) {
    uint64_t off = 99;
    EXPECT_STATUS(s, WIRE_TOO_LARGE, "receive");
    CHECK(wire_last_error_offset(&off) && off == 0, "offset 0");
  } else if (strcmp(l->arg[1], "incomplete") == 0) {
    EXPECT_STATUS(s, WIRE_OK, "receive");
    CHECK(f == NULL && wire_decoder_buffered(d) == n, "waits for more, buffer untouched");
    wire_frame *one = NULL;
    EXPECT_STATUS(wire_replication_decode(b, n, NULL, WIRE_REPLICATION_LAYOUT_7X, &one), WIRE_INCOMPLETE, "one-shot");
    wire_frame_free(one);
  } else {
    EXPECT_STATUS(s, WIRE_MALFORMED, "receive");
    CHECK(last_reason_is(l->arg[2], false), "reason %s", l->arg[2]);
  }
  wire_frame_free(f);
  wire_decoder_free(d);
  free(b);
}

static void op_bk_bare(const line_t *l) {
  wire_broker_type type = 0;
  EXPECT_STATUS(wire_broker_type_from_name(l->arg[0], &type), WIRE_OK, "type name");
  size_t n;
  uint8_t *b = hex_decode(l->arg[1], &n);
  wire_frame *f = NULL;
  const uint8_t *name = (const uint8_t *)l->arg[0];
  EXPECT_STATUS(wire_broker_decode_message(name, strlen(l->arg[0]), b, n, &f), WIRE_OK, "bare decode");
  if (f) {
    check_json(f, l->arg[2], false, "bare");
    wire_broker_type t = 0;
    const void *msg = wire_frame_broker_any_message(f, &t);
    CHECK(msg && t == type, "message view of the right type");
    size_t need = 0, len = 0;
    wire_status sized = wire_broker_encode_message(type, msg, NULL, 0, &need);
    EXPECT_STATUS(sized, need ? WIRE_BUFFER_TOO_SMALL : WIRE_OK, "encoded size");
    uint8_t *out = malloc(need + 1);
    EXPECT_STATUS(wire_broker_encode_message(type, msg, out, need, &len), WIRE_OK, "encode");
    CHECK(len == need, "encoded_len is exact");
    if (strcmp(l->arg[4], "multimap") == 0) {
      wire_frame *again = NULL;
      EXPECT_STATUS(wire_broker_decode_message(name, strlen(l->arg[0]), out, len, &again), WIRE_OK, "decode the re-encoding");
      if (again) check_json(again, l->arg[2], false, "map round trip");
      wire_frame_free(again);
    } else {
      check_bytes(out, len, l->arg[3], "bare bytes");
    }
    free(out);
  }
  wire_frame_free(f);
  free(b);
}

static void op_bk_dec(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  bool strip = strcmp(l->arg[2], "strip") == 0;
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_broker_decode(b, n, NULL, &f), WIRE_OK, "decode");
  if (f) {
    check_json(f, l->arg[1], strip, "decoded");
    size_t len = 0;
    uint8_t *enc = encode_struct(f, 0, &len);
    check_bytes(enc, len, l->arg[3], "canonical re-encoding");
    if (enc) {
      wire_frame *back = NULL;
      EXPECT_STATUS(wire_broker_decode(enc, len, NULL, &back), WIRE_OK, "canonical decodes");
      size_t len2 = 0;
      uint8_t *again = back ? encode_struct(back, 0, &len2) : NULL;
      check_bytes(again, len2, l->arg[3], "canonical is stable");
      free(again);
      wire_frame_free(back);
    }
    free(enc);
  }
  wire_frame_free(f);
  free(b);
}

static void op_bk_payload_of(const wire_frame *f, const char *want_json) {
  wire_frame *p = NULL;
  wire_status s = wire_broker_payload_message(&wire_frame_broker(f)->frame, &p);
  bool has = want_json && strstr(want_json, "\"payload_message\"") != NULL;
  if (!has) {
    CHECK(s != WIRE_OK || p == NULL, "no payload_message, yet the payload decoded");
  } else {
    EXPECT_STATUS(s, WIRE_OK, "payload decode");
    CHECK(p != NULL, "payload handle");
    if (p) {
      wire_broker_type t = 0;
      const void *msg = wire_frame_broker_payload(p, &t);
      size_t need = 0;
      wire_status sized = wire_broker_encode_payload(t, msg, NULL, 0, &need);
      EXPECT_STATUS(sized, need ? WIRE_BUFFER_TOO_SMALL : WIRE_OK, "payload encoded size");
      CHECK(strstr(want_json, wire_broker_type_name(t)) != NULL, "payload type %s", wire_broker_type_name(t));
    }
  }
  wire_frame_free(p);
}

static void op_bk_req(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_broker_decode(b, n, NULL, &f), WIRE_OK, "request decode");
  char *json = f ? frame_json(f) : NULL;
  CHECK(json && strstr(json, "\"payload_message\"") != NULL, "request payload decodes");
  if (json) {
    size_t len = 0;
    uint8_t *enc = from_json(WIRE_PROTOCOL_BROKER, json, &len);
    check_bytes(enc, len, l->arg[0], "request bytes");
    free(enc);
    op_bk_payload_of(f, json);
  }
  free(json);
  wire_frame_free(f);
  free(b);
}

static void op_bk_reply(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_broker_decode(b, n, NULL, &f), WIRE_OK, "reply decode");
  if (f) {
    check_json(f, l->arg[1], false, "reply");
    op_bk_payload_of(f, l->arg[1]);
    if (strcmp(l->arg[2], "exact") == 0) {
      size_t len = 0;
      uint8_t *enc = from_json(WIRE_PROTOCOL_BROKER, l->arg[1], &len);
      check_bytes(enc, len, l->arg[0], "reply bytes from JSON");
      free(enc);
      enc = encode_struct(f, 0, &len);
      check_bytes(enc, len, l->arg[0], "reply bytes from the struct");
      free(enc);
    }
  }
  wire_frame_free(f);
  free(b);
}

static void op_bk_reason(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_decoder *d = NULL;
  wire_decoder_new(WIRE_PROTOCOL_BROKER, NULL, &d);
  wire_decoder_push(d, b, n);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_decoder_next(d, &f), kind_status(l->arg[1]), "first frame");
  if (strcmp(l->arg[2], "-") != 0) CHECK(last_reason_is(l->arg[2], false), "reason is not the reference's %s", l->arg[2]);
  wire_frame_free(f);
  wire_decoder_free(d);
  free(b);
}

static void op_need_more(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_decoder *d = NULL;
  wire_decoder_new(l->proto, NULL, &d);
  wire_decoder_push(d, b, n);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_decoder_next(d, &f), WIRE_OK, "next");
  CHECK(f == NULL && wire_decoder_buffered(d) == n, "waits for more bytes, buffer untouched");
  wire_frame_free(f);
  f = NULL;
  EXPECT_STATUS(decode_as(l->proto, b, n, &f), WIRE_INCOMPLETE, "one-shot");
  wire_frame_free(f);
  wire_decoder_free(d);
  free(b);
}

static void op_bk_accept(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  size_t consumed = (size_t)strtoull(l->arg[1], NULL, 10);
  wire_decoder *d = NULL;
  wire_decoder_new(WIRE_PROTOCOL_BROKER, NULL, &d);
  wire_decoder_push(d, b, n);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_decoder_next(d, &f), WIRE_OK, "first frame");
  CHECK(f != NULL, "a whole frame");
  CHECK(wire_decoder_position(d) == consumed, "consumed %llu, expected %zu", (unsigned long long)wire_decoder_position(d),
        consumed);
  if (f && n >= 5) {
    uint32_t body = (uint32_t)b[1] | (uint32_t)b[2] << 8 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 24;
    buf_t want = {0};
    char head[96];
    snprintf(head, sizeof head, "{\"type\":\"Frame\",\"fields\":{\"framing_version\":1,\"body_length\":%u,\"frame\":", body);
    buf_put(&want, head, strlen(head));
    buf_put(&want, l->arg[2], strlen(l->arg[2]));
    buf_put(&want, "}}", 2);
    check_json(f, want.data, true, "frame");
    buf_free(&want);
    if (strcmp(l->arg[3], "payload") == 0) {
      wire_frame *p = NULL;
      EXPECT_STATUS(wire_broker_payload_message(&wire_frame_broker(f)->frame, &p), WIRE_MALFORMED, "payload layer refused");
      wire_frame_free(p);
      char *json = frame_json(f);
      CHECK(json && strstr(json, "\"payload_message\"") == NULL, "no payload_message in the JSON");
      free(json);
    }
  }
  wire_frame *one = NULL;
  EXPECT_STATUS(wire_broker_decode(b, n, NULL, &one), consumed == n ? WIRE_OK : WIRE_TRAILING_BYTES, "one-shot");
  wire_frame_free(one);
  wire_frame_free(f);
  wire_decoder_free(d);
  free(b);
}

static void op_bk_hello_cap(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_limits hello = {65536, 0};
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_broker_decode(b, n, &hello, &f), WIRE_TOO_LARGE, "Hello cap");
  wire_frame_free(f);
  free(b);
}

static void op_left(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_frame *f = NULL;
  EXPECT_STATUS(decode_as(l->proto, b, n, &f), WIRE_TRAILING_BYTES, "one-shot");
  wire_frame_free(f);
  f = NULL;
  wire_decoder *d = NULL;
  wire_decoder_new(l->proto, NULL, &d);
  wire_decoder_push(d, b, n);
  EXPECT_STATUS(wire_decoder_next(d, &f), WIRE_OK, "stream");
  CHECK(f && wire_decoder_buffered(d) == strtoull(l->arg[1], NULL, 10), "stream keeps the bytes left unread");
  wire_frame_free(f);
  wire_decoder_free(d);
  free(b);
}

static void op_dx_file(const line_t *l) {
  size_t n, fn_len, p_len;
  uint8_t *b = hex_decode(l->arg[0], &n);
  uint8_t *fname = hex_decode(l->arg[1], &fn_len);
  uint8_t *payload = hex_decode(l->arg[2], &p_len);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_dataexchange_decode(b, n, NULL, dx_version, &f), WIRE_OK, "decode");
  const wire_dataexchange_frame *d = wire_frame_dataexchange(f);
  CHECK(d && d->type == WIRE_DATAEXCHANGE_TYPE_FILE, "a file frame");
  if (d) {
    check_slice(d->filename, fname, fn_len, "filename");
    check_slice(d->payload, payload, p_len, "payload");
  }
  wire_frame_free(f);
  free(fname);
  free(payload);
  free(b);
}

static void op_dx_trace_rej(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_frame *f = NULL;
  EXPECT_STATUS(wire_dataexchange_decode(b, n, NULL, dx_version, &f), WIRE_OK, "decode");
  const wire_dataexchange_frame *d = wire_frame_dataexchange(f);
  if (d) {
    uint32_t inner;
    int64_t at;
    wire_slice rest;
    EXPECT_STATUS(wire_dataexchange_read_trace_payload(d->type, d->payload.ptr, d->payload.len, &inner, &at, &rest),
                  WIRE_INVALID_ARGUMENT, "read_trace_payload");
  }
  wire_frame_free(f);
  free(b);
}

/* A decode-only TypeFileStream input: decodes to its fields; re-encoding gives the canonical
 * bytes, or is refused with the listed kind (an INIT name the reference encoder would cut). */
static void op_dx_canon(const line_t *l) {
  size_t n;
  uint8_t *b = hex_decode(l->arg[0], &n);
  wire_frame *f = NULL;
  EXPECT_STATUS(decode_as(l->proto, b, n, &f), WIRE_OK, "decode");
  if (f) {
    check_json(f, l->arg[1], false, "decoded");
    const wire_dataexchange_frame *d = wire_frame_dataexchange(f);
    size_t need = 0;
    wire_status s = wire_dataexchange_encoded_len(d, NULL, dx_version, &need);
    if (strcmp(l->arg[3], "-") != 0) {
      EXPECT_STATUS(s, kind_status(l->arg[3]), "re-encoding refused");
    } else {
      size_t len = 0;
      uint8_t *enc = encode_struct(f, WIRE_REPLICATION_LAYOUT_7X, &len);
      check_bytes(enc, len, l->arg[2], "canonical re-encoding");
      free(enc);
    }
  }
  wire_frame_free(f);
  free(b);
}

/* Canonical JSON whose encoding wire refuses, with that kind. */
static void op_enc_rej(const line_t *l) {
  size_t need = 0;
  wire_status s = wire_from_json(l->proto, l->arg[0], strlen(l->arg[0]), NULL, 0, &need);
  EXPECT_STATUS(s, kind_status(l->arg[1]), "wire_from_json");
}

typedef struct {
  const char *op;
  void (*run)(const line_t *);
} op_t;

static const op_t OPS[] = {
    {"RT", op_rt},
    {"REJ", op_rej},
    {"DNODE_FLAVOUR", op_dnode_flavour},
    {"DNODE_HDR", op_dnode_hdr},
    {"DNODE_HDR_REJ", op_dnode_hdr_rej},
    {"DNODE_TRAIL", op_dnode_trail},
    {"CONCAT", op_concat},
    {"DLSTREAM", op_dlstream},
    {"DLGARBLED", op_dlgarbled},
    {"DLREPLAY_SHORT", op_dlreplay_short},
    {"DLREPLAY_V2", op_dlreplay_v2},
    {"HS", op_hs},
    {"HS_REJ", op_hs_rej},
    {"CC_DEC", op_cc_dec},
    {"REP_RT", op_rep_rt},
    {"REP_ACCEPT", op_rep_accept},
    {"REP_REFUSE", op_rep_refuse},
    {"REP_ACK19", op_rep_ack19},
    {"REP_PREAMBLE", op_rep_preamble},
    {"REP_RECV", op_rep_recv},
    {"BK_BARE", op_bk_bare},
    {"BK_DEC", op_bk_dec},
    {"BK_REQ", op_bk_req},
    {"BK_REPLY", op_bk_reply},
    {"BK_REASON", op_bk_reason},
    {"NEED_MORE", op_need_more},
    {"BK_ACCEPT", op_bk_accept},
    {"BK_HELLO_CAP", op_bk_hello_cap},
    {"LEFT", op_left},
    {"DX_FILE", op_dx_file},
    {"DX_TRACE_REJ", op_dx_trace_rej},
    {"DX_CANON", op_dx_canon},
    {"ENC_REJ", op_enc_rej},
};

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s vectors.txt\n", argv[0]);
    return 2;
  }
  FILE *in = fopen(argv[1], "r");
  if (!in) {
    perror(argv[1]);
    return 2;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  while ((got = getline(&line, &cap, in)) > 0) {
    if (line[got - 1] == '\n') line[got - 1] = 0;
    char *fields[16];
    size_t nf = 0;
    for (char *save = NULL, *tok = strtok_r(line, "\t", &save); tok && nf < 16; tok = strtok_r(NULL, "\t", &save))
      fields[nf++] = tok;
    if (nf < 3) continue;
    wire_protocol proto = 0;
    if (wire_protocol_from_name(fields[1], &proto) != WIRE_OK) {
      fprintf(stderr, "unknown protocol %s\n", fields[1]);
      return 2;
    }
    if (strcmp(fields[0], "DX_VERSION") == 0) {
      dx_version = (wire_dataexchange_version)atoi(fields[3]);
      continue;
    }
    const op_t *op = NULL;
    for (size_t i = 0; i < sizeof OPS / sizeof *OPS; i++)
      if (strcmp(OPS[i].op, fields[0]) == 0) op = &OPS[i];
    if (!op) {
      fprintf(stderr, "unknown check %s\n", fields[0]);
      return 2;
    }
    line_t l = {proto, fields + 3, nf - 3};
    cur_name = fields[2];
    cur_ok = true;
    op->run(&l);
    if (cur_ok) passed[proto - 1]++;
    else failed[proto - 1]++;
  }
  free(line);
  fclose(in);
  int total_failed = 0;
  for (int i = 0; i < 5; i++) {
    printf("SUITE c-%s: %d passed, %d failed, 0 skipped\n", PROTOS[i], passed[i], failed[i]);
    total_failed += failed[i];
  }
  return total_failed ? 1 : 0;
}
