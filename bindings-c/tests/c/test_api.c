/* The API contract outside the vectors: status values and text, NULL checks, buffer sizing,
 * the thread-local last error, views into the caller's input, handle accessors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libwire.h"
#include "support.h"

static int passed, failed;

#define TEST(cond)                                                   \
  do {                                                               \
    if (cond) {                                                      \
      passed++;                                                      \
    } else {                                                         \
      failed++;                                                      \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                \
  } while (0)

/* A DNODE request: "   $2014$ 7 3 0 1 1 *1 d *5\r\nhello". */
static const char DMSG[] = "   $2014$ 7 3 0 1 1 *1 d *5\r\nhello";

static void status_values(void) {
  TEST(WIRE_OK == 0 && WIRE_INCOMPLETE == 1 && WIRE_MALFORMED == 2 && WIRE_TOO_LARGE == 3);
  TEST(WIRE_UNSUPPORTED_VERSION == 4 && WIRE_INVALID_UTF8 == 5 && WIRE_TRAILING_BYTES == 6);
  TEST(WIRE_INVALID_ARGUMENT == 7 && WIRE_NULL_ARGUMENT == 100 && WIRE_BUFFER_TOO_SMALL == 101 && WIRE_PANIC == 102);
  TEST(strcmp(wire_status_str(WIRE_OK), "ok") == 0);
  TEST(strcmp(wire_status_str(WIRE_TOO_LARGE), "too_large") == 0);
  TEST(strcmp(wire_status_str(WIRE_BUFFER_TOO_SMALL), "buffer_too_small") == 0);
  TEST(strcmp(wire_status_str(12345), "unknown") == 0);
  TEST(strcmp(wire_protocol_name(WIRE_PROTOCOL_BROKER), "broker") == 0);
  TEST(wire_protocol_name(0) == NULL);
  wire_protocol p = 0;
  TEST(wire_protocol_from_name("chitchat", &p) == WIRE_OK && p == WIRE_PROTOCOL_CHITCHAT);
  TEST(wire_protocol_from_name("gopher", &p) == WIRE_INVALID_ARGUMENT);
  wire_limits l;
  TEST(wire_limits_default(WIRE_PROTOCOL_CHITCHAT, &l) == WIRE_OK && l.max_frame_size == 65507);
  TEST(wire_limits_default(99, &l) == WIRE_INVALID_ARGUMENT);
  TEST(wire_detect((const uint8_t *)DMSG, strlen(DMSG), &p) == WIRE_OK && p == WIRE_PROTOCOL_DNODE);
  TEST(wire_detect((const uint8_t *)"?", 1, &p) == WIRE_OK && p == 0);
  TEST(wire_detect(NULL, 0, NULL) == WIRE_NULL_ARGUMENT);
}

static void null_arguments(void) {
  wire_frame *f = NULL;
  size_t n = 0;
  TEST(wire_dnode_decode(NULL, 5, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &f) == WIRE_NULL_ARGUMENT);
  TEST(wire_dnode_decode((const uint8_t *)DMSG, strlen(DMSG), NULL, WIRE_DNODE_FLAVOUR_PLAIN, NULL) == WIRE_NULL_ARGUMENT);
  TEST(wire_frame_length(WIRE_PROTOCOL_DNODE, (const uint8_t *)DMSG, strlen(DMSG), NULL) == WIRE_NULL_ARGUMENT);
  TEST(wire_dnode_encode(NULL, NULL, WIRE_DNODE_FLAVOUR_PLAIN, NULL, 0, &n) == WIRE_NULL_ARGUMENT);
  TEST(wire_decoder_push(NULL, (const uint8_t *)"x", 1) == WIRE_NULL_ARGUMENT);
  TEST(wire_frame_to_json(NULL, NULL, 0, &n) == WIRE_NULL_ARGUMENT);
  /* Empty input may come with a NULL pointer. */
  TEST(wire_dnode_decode(NULL, 0, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &f) == WIRE_INCOMPLETE && f == NULL);
  wire_frame_free(NULL);
  wire_decoder_free(NULL);
  TEST(wire_frame_dnode(NULL) == NULL);
  TEST(wire_decoder_buffered(NULL) == 0);
}

static void decode_views_and_errors(void) {
  const uint8_t *in = (const uint8_t *)DMSG;
  size_t len = strlen(DMSG);
  wire_frame *f = NULL;
  TEST(wire_dnode_decode(in, len, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &f) == WIRE_OK);
  const wire_dnode_dmsg *m = wire_frame_dnode(f);
  TEST(m && m->id == 7 && m->type == 3 && m->same_dc);
  TEST(strcmp(wire_dnode_dmsg_type_name(m->type), "DMSG_REQ") == 0);
  /* One-shot decode views point into the caller's input. */
  TEST(m && m->payload.ptr == in + len - 5 && m->payload.len == 5);
  TEST(m && m->data.ptr == in + 23 && m->data.len == 1);
  TEST(wire_frame_chitchat(f) == NULL && wire_frame_broker(f) == NULL);
  TEST(wire_frame_protocol(f) == WIRE_PROTOCOL_DNODE);
  /* Encode: size query with cap 0, then too small, then exact. */
  size_t need = 0;
  TEST(wire_dnode_encode(m, NULL, WIRE_DNODE_FLAVOUR_PLAIN, NULL, 0, &need) == WIRE_BUFFER_TOO_SMALL && need == len);
  uint8_t out[64];
  TEST(wire_dnode_encode(m, NULL, WIRE_DNODE_FLAVOUR_PLAIN, out, len - 1, &need) == WIRE_BUFFER_TOO_SMALL);
  TEST(wire_dnode_encode(m, NULL, WIRE_DNODE_FLAVOUR_PLAIN, out, sizeof out, &need) == WIRE_OK && need == len);
  TEST(memcmp(out, in, len) == 0);
  /* JSON with a buffer too small for the NUL: refused, size reported. */
  size_t jlen = 0;
  TEST(wire_frame_to_json(f, NULL, 0, &jlen) == WIRE_BUFFER_TOO_SMALL && jlen > 0);
  char *json = malloc(jlen + 1);
  TEST(wire_frame_to_json(f, json, jlen, &jlen) == WIRE_BUFFER_TOO_SMALL);
  TEST(wire_frame_to_json(f, json, jlen + 1, &jlen) == WIRE_OK && strlen(json) == jlen);
  TEST(strstr(json, "\"DMSG_REQ\"") != NULL);
  free(json);
  wire_frame_free(f);

  /* A truncated frame: incomplete, with protocol and offset in the last error. */
  f = NULL;
  TEST(wire_dnode_decode(in, len - 2, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &f) == WIRE_INCOMPLETE && f == NULL);
  uint64_t off = 0;
  wire_protocol p = 0;
  TEST(wire_last_error_offset(&off) && off == len - 2);
  TEST(wire_last_error_protocol(&p) && p == WIRE_PROTOCOL_DNODE);
  size_t full = wire_last_error_message(NULL, 0);
  char small[8];
  TEST(full > sizeof small && wire_last_error_message(small, sizeof small) == full && strlen(small) == sizeof small - 1);
  TEST(strncmp(small, "dnode i", 7) == 0);
  /* A bad flavour is an argument error. */
  TEST(wire_dnode_encode(m ? m : NULL, NULL, 9, out, sizeof out, &need) != WIRE_OK);
}

static void decoder(void) {
  wire_decoder *d = NULL;
  TEST(wire_decoder_new(WIRE_PROTOCOL_DNODE, NULL, &d) == WIRE_OK);
  TEST(wire_decoder_set_option(d, "flavour", "purple") == WIRE_INVALID_ARGUMENT);
  TEST(wire_decoder_set_option(d, "flavour", "gossip") == WIRE_OK);
  wire_frame *f = NULL;
  size_t len = strlen(DMSG);
  /* Two frames pushed in two odd pieces. */
  TEST(wire_decoder_push(d, (const uint8_t *)DMSG, 10) == WIRE_OK);
  TEST(wire_decoder_next(d, &f) == WIRE_OK && f == NULL);
  TEST(wire_decoder_push(d, (const uint8_t *)DMSG + 10, len - 10) == WIRE_OK);
  TEST(wire_decoder_push(d, (const uint8_t *)DMSG, len) == WIRE_OK);
  wire_frame *a = NULL, *b = NULL;
  TEST(wire_decoder_next(d, &a) == WIRE_OK && a != NULL);
  TEST(wire_decoder_position(d) == len);
  TEST(wire_decoder_next(d, &b) == WIRE_OK && b != NULL);
  TEST(wire_decoder_finish(d) == WIRE_OK);
  TEST(wire_decoder_push(d, (const uint8_t *)"   $2014$ x", 11) == WIRE_OK);
  TEST(wire_decoder_next(d, &f) == WIRE_MALFORMED && f == NULL);
  /* After an error every call gives the same error. */
  TEST(wire_decoder_next(d, &f) == WIRE_MALFORMED);
  wire_decoder_free(d);
  /* Frames outlive their decoder. */
  const wire_dnode_dmsg *m = wire_frame_dnode(b);
  TEST(m && m->payload.len == 5 && memcmp(m->payload.ptr, "hello", 5) == 0);
  wire_frame_free(a);
  wire_frame_free(b);
  /* Limits are checked from the header. */
  wire_limits tiny = {4, 0};
  TEST(wire_decoder_new(WIRE_PROTOCOL_DNODE, &tiny, &d) == WIRE_OK);
  wire_decoder_push(d, (const uint8_t *)DMSG, len);
  TEST(wire_decoder_next(d, &f) == WIRE_TOO_LARGE);
  wire_decoder_free(d);
}

static void broker_messages(void) {
  /* A Hello built in C, encoded bare, framed inside a Frame, decoded back through the payload. */
  wire_broker_hello hello;
  memset(&hello, 0, sizeof hello);
  hello.client_min_protocol = 1;
  hello.client_max_protocol = 1;
  hello.service_name = (wire_slice){(const uint8_t *)"zccache", 7};
  uint8_t payload[128];
  size_t plen = 0;
  TEST(wire_broker_encode_message(WIRE_BROKER_TYPE_HELLO, &hello, payload, sizeof payload, &plen) == WIRE_OK);
  wire_broker_frame frame;
  memset(&frame, 0, sizeof frame);
  frame.envelope_version = 1;
  frame.kind = WIRE_BROKER_FRAME_KIND_REQUEST;
  frame.payload = (wire_slice){payload, plen};
  uint8_t out[256];
  size_t n = 0;
  wire_broker_framed framed = {.frame = frame}; /* body_length: computed on encode */
  TEST(wire_broker_encode(&framed, NULL, out, sizeof out, &n) == WIRE_OK);
  wire_frame *f = NULL, *p = NULL;
  TEST(wire_broker_decode(out, n, NULL, &f) == WIRE_OK);
  TEST(wire_broker_payload_message(&wire_frame_broker(f)->frame, &p) == WIRE_OK && p != NULL);
  wire_broker_type t = 0;
  const wire_broker_hello *back = wire_frame_broker_payload(p, &t);
  TEST(t == WIRE_BROKER_TYPE_HELLO && back && back->service_name.len == 7 &&
       memcmp(back->service_name.ptr, "zccache", 7) == 0 && back->client_max_protocol == 1);
  TEST(strcmp(wire_broker_type_name(t), "Hello") == 0);
  wire_frame_free(p);
  wire_frame_free(f);
  /* Both oneof members set: refused. */
  wire_broker_negotiated neg;
  wire_broker_refused ref;
  memset(&neg, 0, sizeof neg);
  memset(&ref, 0, sizeof ref);
  wire_broker_hello_reply reply = {&neg, &ref};
  TEST(wire_broker_encode_message(WIRE_BROKER_TYPE_HELLO_REPLY, &reply, out, sizeof out, &n) == WIRE_INVALID_ARGUMENT);
  TEST(wire_broker_encode_message(999, &reply, out, sizeof out, &n) == WIRE_INVALID_ARGUMENT);
  /* Strings must be UTF-8. */
  hello.service_name = (wire_slice){(const uint8_t *)"\xff", 1};
  TEST(wire_broker_encode_message(WIRE_BROKER_TYPE_HELLO, &hello, out, sizeof out, &n) == WIRE_INVALID_ARGUMENT);
}

/* Re-encoding a decoded frame into the buffer it was decoded from (its payload view overlaps
 * the output) gives the same bytes as encoding it elsewhere. */
static void encode_in_place(void) {
  uint8_t buf[128], expected[128];
  wire_dnode_dmsg src = {.id = 7, .type = 3, .version = 1, .same_dc = true};
  src.payload.ptr = (const uint8_t *)"0123456789abcdefghijklmnopqrstuvwxyzABCD";
  src.payload.len = 40;
  size_t n = 0, want = 0;
  TEST(wire_dnode_encode(&src, NULL, WIRE_DNODE_FLAVOUR_PLAIN, buf, sizeof buf, &n) == WIRE_OK);
  wire_frame *f = NULL;
  TEST(wire_dnode_decode(buf, n, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &f) == WIRE_OK);
  const wire_dnode_dmsg *m = wire_frame_dnode(f);
  TEST(m && m->payload.ptr > buf && m->payload.ptr < buf + n);
  if (!m) return;
  /* A longer id moves the payload 6 bytes on, over itself. */
  wire_dnode_dmsg moved = *m;
  moved.id = 1234567;
  TEST(wire_dnode_encode(&moved, NULL, WIRE_DNODE_FLAVOUR_PLAIN, expected, sizeof expected, &want) == WIRE_OK);
  TEST(wire_dnode_encode(&moved, NULL, WIRE_DNODE_FLAVOUR_PLAIN, buf, sizeof buf, &n) == WIRE_OK);
  TEST(n == want && want > 40 && memcmp(buf, expected, want) == 0);
  wire_frame_free(f);
}

/* A 48 KiB TypeFileStream CHUNK: its data is a view of the input; at 0.2.1-beta.1 type 7 is an
 * unknown type whose payload is the raw control message. */
static void file_stream_chunk(void) {
  enum { DATA = 49152 };
  uint8_t *in = malloc(33 + DATA);
  size_t len = 0;
  uint8_t id[16] = {1};
  wire_dataexchange_frame chunk = {.type = WIRE_DATAEXCHANGE_TYPE_FILE_STREAM, .transfer_id = {id, 16},
                                   .control = {.type = WIRE_DATAEXCHANGE_CHUNK, .offset = 49152, .data = {in, DATA}}};
  memset(in, 0x5a, 33 + DATA);
  uint8_t *out = malloc(33 + DATA);
  TEST(wire_dataexchange_encode(&chunk, NULL, WIRE_DATAEXCHANGE_VERSION_MAIN, out, 33 + DATA, &len) == WIRE_OK && len == 33 + DATA);
  TEST(wire_dataexchange_encode(&chunk, NULL, WIRE_DATAEXCHANGE_VERSION_0_2_1_BETA_1, out, 33 + DATA, &len) == WIRE_INVALID_ARGUMENT);
  wire_frame *f = NULL;
  TEST(wire_dataexchange_decode(out, 33 + DATA, NULL, WIRE_DATAEXCHANGE_VERSION_MAIN, &f) == WIRE_OK);
  const wire_dataexchange_frame *d = wire_frame_dataexchange(f);
  TEST(d && d->type == WIRE_DATAEXCHANGE_TYPE_FILE_STREAM && d->control.type == WIRE_DATAEXCHANGE_CHUNK);
  TEST(d && d->control.offset == 49152 && d->control.data.ptr == out + 33 && d->control.data.len == DATA);
  TEST(d && d->transfer_id.ptr == out + 9 && d->transfer_id.len == 16);
  wire_frame_free(f);
  TEST(wire_dataexchange_decode(out, 33 + DATA, NULL, WIRE_DATAEXCHANGE_VERSION_0_2_1_BETA_1, &f) == WIRE_OK);
  d = wire_frame_dataexchange(f);
  TEST(d && d->type == 7 && d->payload.ptr == out + 8 && d->payload.len == 25 + DATA);
  wire_frame_free(f);
  free(in);
  free(out);
}

int main(void) {
  status_values();
  file_stream_chunk();
  null_arguments();
  decode_views_and_errors();
  encode_in_place();
  decoder();
  broker_messages();
  printf("SUITE c-api: %d passed, %d failed, 0 skipped\n", passed, failed);
  return failed ? 1 : 0;
}
