/* Receive files with dataexchange TypeFileStream (see filestream.h).
 *   usage: filestream_receive DIR [COUNT]
 * Prints "port N" once listening; serves COUNT connections one at a time (default: for ever).
 * With no arguments: receives one file from a sender in a child process. */
#include <sys/wait.h>

#include "filestream.h"

static int demo(void) {
  char dir[] = "/tmp/wire-fs-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char path[64];
  snprintf(path, sizeof path, "%s/hello.txt", dir);
  FILE *f = fopen(path, "wb");
  fputs("hello world\n", f);
  fclose(f);
  char inbox[64];
  snprintf(inbox, sizeof inbox, "%s/inbox", dir);
  mkdir(inbox, 0755);
  int port, server = fs_listen(&port);
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) _exit(fs_send_file("127.0.0.1", port, path, 0) ? 0 : 1);
  fs_serve(inbox, accept(server, NULL, NULL));
  close(server);
  int status = 1;
  waitpid(child, &status, 0);
  char saved[128];
  snprintf(saved, sizeof saved, "%s/hello.txt", inbox);
  bool ok = status == 0 && fs_file_sha256(saved, (const uint8_t[32]){0xa9, 0x48, 0x90, 0x4f, 0x2f, 0x0f, 0x47, 0x9b, 0x8f, 0x81, 0x97, 0x69, 0x4b, 0x30, 0x18, 0x4b,
                                                                     0x0d, 0x2e, 0xd1, 0xc1, 0xcd, 0x2a, 0x1e, 0xc0, 0xfb, 0x85, 0xd2, 0x99, 0xa1, 0x92, 0xa4, 0x47});
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) return 1;
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc == 1) return demo();
  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage: %s DIR [COUNT]\n", argv[0]);
    return 2;
  }
  mkdir(argv[1], 0755);
  int port, server = fs_listen(&port);
  printf("port %d\n", port);
  fflush(stdout);
  for (long served = 0, count = argc == 3 ? atol(argv[2]) : -1; count < 0 || served < count; served++)
    fs_serve(argv[1], accept(server, NULL, NULL));
  close(server);
  return 0;
}
