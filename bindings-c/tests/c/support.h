/* Helpers for the C suites: growable buffers, hex, a small JSON canonicaliser (keys sorted,
 * strings re-escaped) so that the library's canonical JSON and a vector's `fields` compare as
 * values, the same way the Rust suites compare serde_json::Value. */
#ifndef WIRE_TEST_SUPPORT_H
#define WIRE_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  char *data;
  size_t len;
  size_t cap;
} buf_t;

void buf_put(buf_t *b, const void *data, size_t len);
void buf_putc(buf_t *b, char c);
void buf_free(buf_t *b);

/* Decode hex ("-" = empty) into a new buffer; *len gets its length. */
uint8_t *hex_decode(const char *hex, size_t *len);
/* Lowercase hex of bytes, NUL-terminated, malloc'd. */
char *hex_encode(const uint8_t *data, size_t len);

/* Canonical form of JSON text (NUL-terminated, malloc'd) or NULL if it does not parse. With
 * strip_payload, the member "payload_message" of the top-level "fields" object is dropped. */
char *json_canon(const char *text, size_t len, bool strip_payload);

/* Whether two JSON texts are the same value. */
bool json_same(const char *a, size_t alen, const char *b, size_t blen, bool strip_payload);

#endif
