/* chitchat: a Syn with one digest entry, encoded in protocol version V0, decoded back. */
#include "common.h"

int main(void) {
  wire_chitchat_node_digests_entry entry = {
      .key = {.node_id = SLICE("node-1"), .generation_id = 7,
              .gossip_advertise_addr = {.family = 4, .ip = {127, 0, 0, 1}, .port = 10000}},
      .value = {.heartbeat = 12, .last_gc_version = 0, .max_version = 3}};
  wire_chitchat_chitchat_envelope syn = {
      .version = WIRE_CHITCHAT_V0,
      .message = {.type = WIRE_CHITCHAT_SYN, .cluster_id = SLICE("prod"),
                  .digest = {.node_digests = &entry, .node_digests_len = 1}}};
  size_t need = 0;
  must(wire_chitchat_encoded_len(&syn, NULL, WIRE_CHITCHAT_VERSION_V0, &need), "encoded_len");
  uint8_t *out = malloc(need);
  must(wire_chitchat_encode(&syn, NULL, WIRE_CHITCHAT_VERSION_V0, out, need, &need), "encode");
  printf("Syn: %zu bytes\n", need);

  wire_frame *f = NULL;
  must(wire_chitchat_decode(out, need, NULL, WIRE_CHITCHAT_VERSION_V0, &f), "decode");
  const wire_chitchat_chitchat_message *m = &wire_frame_chitchat(f)->message;
  printf("cluster %.*s, %zu digest entries, heartbeat %llu\n", (int)m->cluster_id.len, (const char *)m->cluster_id.ptr,
         m->digest.node_digests_len, (unsigned long long)m->digest.node_digests[0].value.heartbeat);
  print_json(f);
  wire_frame_free(f);
  free(out);
  return 0;
}
