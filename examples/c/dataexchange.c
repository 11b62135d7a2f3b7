/* dataexchange: a FILE frame and a TRACE frame, encoded and decoded. */
#include "common.h"

int main(void) {
  wire_dataexchange_frame file = {.type = WIRE_DATAEXCHANGE_TYPE_FILE, .filename = SLICE("notes.txt"),
                                  .payload = SLICE("hello, peer\n")};
  uint8_t out[256];
  size_t n = 0;
  must(wire_dataexchange_encode(&file, NULL, WIRE_DATAEXCHANGE_VERSION_MAIN, out, sizeof out, &n), "encode");
  wire_frame *f = NULL;
  must(wire_dataexchange_decode(out, n, NULL, WIRE_DATAEXCHANGE_VERSION_MAIN, &f), "decode");
  const wire_dataexchange_frame *d = wire_frame_dataexchange(f);
  printf("file %.*s, %zu bytes\n", (int)d->filename.len, (const char *)d->filename.ptr, d->payload.len);
  print_json(f);
  wire_frame_free(f);

  wire_dataexchange_frame trace = {.type = WIRE_DATAEXCHANGE_TYPE_TRACE, .inner_type = WIRE_DATAEXCHANGE_TYPE_TEXT,
                                   .sent_at_ns = 1700000000000000000LL, .payload = SLICE("ping")};
  must(wire_dataexchange_encode(&trace, NULL, WIRE_DATAEXCHANGE_VERSION_MAIN, out, sizeof out, &n), "encode trace");
  must(wire_dataexchange_decode(out, n, NULL, WIRE_DATAEXCHANGE_VERSION_MAIN, &f), "decode trace");
  print_json(f);
  wire_frame_free(f);
  return 0;
}
