/* Send a file with dataexchange TypeFileStream (see filestream.h).
 *   usage: filestream_send HOST PORT FILE [--stop-after N]
 * --stop-after N: close once N chunks are acknowledged (to try resuming). With no
 * arguments: sends a generated file to a receiver in a child process. */
#include <sys/wait.h>

#include "filestream.h"

static int demo(void) {
  char dir[] = "/tmp/wire-fs-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char path[64];
  snprintf(path, sizeof path, "%s/demo.bin", dir);
  FILE *f = fopen(path, "wb");
  for (int i = 0; i < 100 * 1024; i++) fputc(i % 251, f);
  fclose(f);
  int port, server = fs_listen(&port);
  fflush(stdout);
  char inbox[64];
  snprintf(inbox, sizeof inbox, "%s/inbox", dir);
  mkdir(inbox, 0755);
  pid_t child = fork();
  if (child == 0) {
    fs_serve(inbox, accept(server, NULL, NULL));
    _exit(0);
  }
  close(server);
  bool ok = fs_send_file("127.0.0.1", port, path, 0);
  int status = 1;
  waitpid(child, &status, 0);
  char saved[128];
  snprintf(saved, sizeof saved, "%s/demo.bin", inbox);
  ok = ok && status == 0 && access(saved, F_OK) == 0;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) return 1;
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc == 1) return demo();
  if (!(argc == 4 || (argc == 6 && strcmp(argv[4], "--stop-after") == 0))) {
    fprintf(stderr, "usage: %s HOST PORT FILE [--stop-after N]\n", argv[0]);
    return 2;
  }
  return fs_send_file(argv[1], atoi(argv[2]), argv[3], argc == 6 ? strtoull(argv[5], NULL, 10) : 0) ? 0 : 1;
}
