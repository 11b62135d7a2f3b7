/* Frames from a real TCP socket: a forked writer sends three DNODE messages over 127.0.0.1 in
 * 7-byte writes; the reader feeds whatever recv() returns to a wire_decoder and prints each
 * frame as soon as it is complete. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static void writer(uint16_t port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) _exit(1);
  const char *payloads[] = {"first", "second message", ""};
  for (unsigned i = 0; i < 3; i++) {
    wire_dnode_dmsg msg = {.id = i + 1, .type = 5 /* DMSG_RES */, .version = 1, .same_dc = true,
                          .payload = {(const uint8_t *)payloads[i], strlen(payloads[i])}};
    uint8_t out[128];
    size_t n = 0;
    if (wire_dnode_encode(&msg, NULL, WIRE_DNODE_FLAVOUR_PLAIN, out, sizeof out, &n) != WIRE_OK) _exit(1);
    for (size_t at = 0; at < n; at += 7) {
      size_t chunk = n - at < 7 ? n - at : 7;
      if (write(s, out + at, chunk) != (ssize_t)chunk) _exit(1);
    }
  }
  close(s);
  _exit(0);
}

int main(void) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 1) != 0 ||
      getsockname(listener, (struct sockaddr *)&addr, &len) != 0) {
    perror("listen");
    return 1;
  }
  pid_t child = fork();
  if (child == 0) writer(ntohs(addr.sin_port));
  int conn = accept(listener, NULL, NULL);

  wire_decoder *decoder = NULL;
  must(wire_decoder_new(WIRE_PROTOCOL_DNODE, NULL, &decoder), "decoder");
  uint8_t buf[16];
  ssize_t got;
  int frames = 0;
  while ((got = recv(conn, buf, sizeof buf, 0)) > 0) {
    must(wire_decoder_push(decoder, buf, (size_t)got), "push");
    wire_frame *f = NULL;
    for (must(wire_decoder_next(decoder, &f), "next"); f; must(wire_decoder_next(decoder, &f), "next")) {
      const wire_dnode_dmsg *m = wire_frame_dnode(f);
      printf("frame id %llu (%s): \"%.*s\"\n", (unsigned long long)m->id, wire_dnode_dmsg_type_name(m->type),
             (int)m->payload.len, (const char *)m->payload.ptr);
      frames++;
      wire_frame_free(f);
    }
  }
  must(wire_decoder_finish(decoder), "end of stream");
  wire_decoder_free(decoder);
  close(conn);
  close(listener);
  int status = 0;
  waitpid(child, &status, 0);
  if (frames != 3 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "expected 3 frames from a clean writer, got %d\n", frames);
    return 1;
  }
  return 0;
}
