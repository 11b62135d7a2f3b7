/* replication: an ElectionProposal framed for TCP in layout 7x, decoded back; the same message
 * in layout 3x (no dtvlsn), bare. */
#include "common.h"

int main(void) {
  wire_replication_protocol_message msg = {.type = WIRE_REPLICATION_ELECTION_PROPOSAL,
                                           .node_name = SLICE("rep-a"),
                                           .vlsn = 100,
                                           .priority = 1,
                                           .term = 3,
                                           .has_dtvlsn = true,
                                           .dtvlsn = 99};
  uint8_t out[128];
  size_t n = 0;
  must(wire_replication_encode(&msg, NULL, WIRE_REPLICATION_LAYOUT_7X, out, sizeof out, &n), "encode 7x");
  wire_frame *f = NULL;
  must(wire_replication_decode(out, n, NULL, WIRE_REPLICATION_LAYOUT_7X, &f), "decode 7x");
  print_json(f);
  wire_frame_free(f);

  msg.has_dtvlsn = false;
  must(wire_replication_encode_message(&msg, NULL, WIRE_REPLICATION_LAYOUT_3X, out, sizeof out, &n), "encode 3x");
  must(wire_replication_decode_message(out, n, NULL, WIRE_REPLICATION_LAYOUT_3X, &f), "decode 3x");
  printf("3x bare message: %zu bytes, term %llu\n", n, (unsigned long long)wire_frame_replication(f)->term);
  wire_frame_free(f);
  return 0;
}
