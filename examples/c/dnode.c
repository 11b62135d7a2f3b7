/* DNODE: encode a request with the plain writer, decode it back, show header-only parsing. */
#include <string.h>

#include "common.h"

int main(void) {
  wire_dnode_dmsg msg = {.id = 42, .type = 3 /* DMSG_REQ */, .version = 1, .same_dc = true,
                        .payload = SLICE("*1\r\n$4\r\nPING\r\n")};
  uint8_t out[256];
  size_t n = 0;
  must(wire_dnode_encode(&msg, NULL, WIRE_DNODE_FLAVOUR_PLAIN, out, sizeof out, &n), "encode");
  printf("encoded %zu bytes\n", n);

  wire_frame *f = NULL;
  must(wire_dnode_decode(out, n, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &f), "decode");
  const wire_dnode_dmsg *m = wire_frame_dnode(f);
  printf("id %llu type %s payload %zu bytes\n", (unsigned long long)m->id, wire_dnode_dmsg_type_name(m->type), m->payload.len);
  print_json(f);
  wire_frame_free(f);

  wire_frame *h = NULL;
  size_t header_len = 0;
  must(wire_dnode_parse_header(out, n, NULL, WIRE_DNODE_FLAVOUR_PLAIN, &h, &header_len), "parse_header");
  printf("header of %zu bytes announces plen %u\n", header_len, wire_frame_dnode_dmsg_header(h)->plen);
  wire_frame_free(h);
  return 0;
}
