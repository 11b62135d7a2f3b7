/* chitchat: a Syn with one digest entry, encoded in protocol version V0, decoded back. */
#include "common.h"

int main(void) {
  wire_chitchat_node_digest entry = {
      .chitchat_id = {.node_id = SLICE("node-1"), .generation_id = 7,
                      .gossip_advertise_addr = {.family = 4, .ip = {127, 0, 0, 1}, .port = 10000}},
      .heartbeat = 12, .last_gc_version = 0, .max_version = 3};
  wire_chitchat_msg syn = {.version = 0, .type = WIRE_CHITCHAT_SYN, .cluster_id = SLICE("prod"),
                           .digest = &entry, .digest_len = 1};
  size_t need = 0;
  must(wire_chitchat_encoded_len(&syn, NULL, &need), "encoded_len");
  uint8_t *out = malloc(need);
  must(wire_chitchat_encode(&syn, NULL, out, need, &need), "encode");
  printf("Syn: %zu bytes\n", need);

  wire_frame *f = NULL;
  must(wire_chitchat_decode(out, need, NULL, &f), "decode");
  const wire_chitchat_msg *m = wire_frame_chitchat(f);
  printf("cluster %.*s, %zu digest entries, heartbeat %llu\n", (int)m->cluster_id.len, (const char *)m->cluster_id.ptr,
         m->digest_len, (unsigned long long)m->digest[0].heartbeat);
  print_json(f);
  wire_frame_free(f);
  free(out);
  return 0;
}
