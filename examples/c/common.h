/* Shared by the examples: stop with the library's message when a call fails. */
#ifndef WIRE_EXAMPLE_COMMON_H
#define WIRE_EXAMPLE_COMMON_H
#include <stdio.h>
#include <stdlib.h>

#include <libwire.h>

static inline void must(wire_status s, const char *what) {
  if (s != WIRE_OK) {
    char msg[256];
    wire_last_error_message(msg, sizeof msg);
    fprintf(stderr, "%s: %s (%s)\n", what, wire_status_str(s), msg);
    exit(1);
  }
}

/* Print a handle's canonical JSON. */
static inline void print_json(const wire_frame *f) {
  char json[4096];
  size_t n = 0;
  must(wire_frame_to_json(f, json, sizeof json, &n), "wire_frame_to_json");
  printf("%s\n", json);
}

#define SLICE(s) ((wire_slice){(const uint8_t *)(s), sizeof(s) - 1})
#endif
