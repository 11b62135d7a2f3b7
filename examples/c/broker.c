/* broker: a Hello built as a struct, encoded bare into a Frame's payload, framed, decoded. */
#include "common.h"

int main(void) {
  wire_broker_hello hello = {.client_min_protocol = 1, .client_max_protocol = 1,
                             .service_name = SLICE("zccache"), .client_version = SLICE("1.2.3")};
  uint8_t payload[256];
  size_t plen = 0;
  must(wire_broker_encode_message(WIRE_BROKER_TYPE_HELLO, &hello, payload, sizeof payload, &plen), "encode Hello");

  wire_broker_frame frame = {.envelope_version = 1, .kind = WIRE_BROKER_FRAME_KIND_REQUEST,
                             .payload_protocol = 0, .payload = {payload, plen}, .request_id = 1};
  uint8_t out[512];
  size_t n = 0;
  wire_broker_framed framed = {.frame = frame}; /* body_length: computed on encode */
  must(wire_broker_encode(&framed, NULL, out, sizeof out, &n), "encode Frame");

  wire_frame *f = NULL, *p = NULL;
  must(wire_broker_decode(out, n, NULL, &f), "decode");
  print_json(f);
  must(wire_broker_payload_message(&wire_frame_broker(f)->frame, &p), "payload");
  wire_broker_type type = 0;
  const wire_broker_hello *back = wire_frame_broker_payload(p, &type);
  printf("payload is a %s for service %.*s\n", wire_broker_type_name(type), (int)back->service_name.len,
         (const char *)back->service_name.ptr);
  wire_frame_free(p);
  wire_frame_free(f);
  return 0;
}
