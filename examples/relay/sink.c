/* The relay's last hop: listen on 127.0.0.1, accept one connection, read its frames with
 * wire_decoder and print one line per frame: the frame's bytes in hex, a tab, and its canonical
 * JSON. The first line printed is "port <n>" so the caller knows where to connect.
 *
 *   sink <protocol> [key=value ...]      (options as wire_decoder_set_option takes them) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libwire.h>

static void must(wire_status s, const char *what) {
  if (s != WIRE_OK) {
    char msg[512];
    wire_last_error_message(msg, sizeof msg);
    fprintf(stderr, "sink: %s: %s (%s)\n", what, wire_status_str(s), msg);
    exit(1);
  }
}

/* Every byte received, so each frame's bytes can be printed as they arrived. */
static uint8_t *stream;
static size_t stream_len, stream_cap;

static void keep(const uint8_t *buf, size_t len) {
  if (stream_len + len > stream_cap) {
    stream_cap = (stream_len + len) * 2;
    stream = realloc(stream, stream_cap);
    if (!stream) exit(1);
  }
  memcpy(stream + stream_len, buf, len);
  stream_len += len;
}

static void print_frame(const wire_frame *f, uint64_t start, uint64_t end) {
  for (uint64_t i = start; i < end; i++) printf("%02x", stream[i]);
  size_t needed = 0;
  wire_status s = wire_frame_to_json(f, NULL, 0, &needed);
  if (s != WIRE_OK && s != WIRE_BUFFER_TOO_SMALL) must(s, "wire_frame_to_json");
  char *json = malloc(needed + 1);
  if (!json) exit(1);
  must(wire_frame_to_json(f, json, needed + 1, &needed), "wire_frame_to_json");
  printf("\t%s\n", json);
  free(json);
}

int main(int argc, char **argv) {
  wire_protocol protocol;
  if (argc < 2 || wire_protocol_from_name(argv[1], &protocol) != WIRE_OK) {
    fprintf(stderr, "usage: sink <protocol> [key=value ...]\n");
    return 2;
  }
  wire_decoder *decoder = NULL;
  must(wire_decoder_new(protocol, NULL, &decoder), "wire_decoder_new");
  for (int i = 2; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (!eq) return 2;
    *eq = '\0';
    must(wire_decoder_set_option(decoder, argv[i], eq + 1), "option");
  }

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 1) != 0 ||
      getsockname(listener, (struct sockaddr *)&addr, &len) != 0) {
    perror("sink: listen");
    return 1;
  }
  printf("port %u\n", ntohs(addr.sin_port));
  fflush(stdout);
  int conn = accept(listener, NULL, NULL);
  if (conn < 0) {
    perror("sink: accept");
    return 1;
  }

  uint8_t buf[4096];
  ssize_t got;
  while ((got = recv(conn, buf, sizeof buf, 0)) > 0) {
    keep(buf, (size_t)got);
    must(wire_decoder_push(decoder, buf, (size_t)got), "wire_decoder_push");
    for (;;) {
      uint64_t start = wire_decoder_position(decoder);
      wire_frame *f = NULL;
      must(wire_decoder_next(decoder, &f), "wire_decoder_next");
      if (!f) break;
      print_frame(f, start, wire_decoder_position(decoder));
      wire_frame_free(f);
    }
  }
  if (got < 0) {
    perror("sink: recv");
    return 1;
  }
  must(wire_decoder_finish(decoder), "end of stream");
  wire_decoder_free(decoder);
  free(stream);
  close(conn);
  close(listener);
  return 0;
}
