/* dataexchange TypeFileStream over TCP, built on libwire: a sender (INIT, wait for INIT_ACK's
 * resume offset, 48 KiB CHUNKs with at most 16 unacknowledged, DONE, wait for COMPLETE) and a
 * receiver in the reference StreamReceiver's manner (DIR/.partial/<transfer id> whose size is
 * the resume offset, ACK per in-order CHUNK, SHA-256 checked on DONE, then renamed to
 * DIR/<base name>). Shared by filestream_send.c and filestream_receive.c. */
#ifndef WIRE_EXAMPLE_FILESTREAM_H
#define WIRE_EXAMPLE_FILESTREAM_H
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define FS_WINDOW (16 * (uint64_t)WIRE_DATAEXCHANGE_STREAM_CHUNK_SIZE)

/* ---- SHA-256 (FIPS 180-4), small and unoptimised: the examples need no crypto library ---- */

typedef struct {
  uint32_t h[8];
  uint8_t block[64];
  size_t used;
  uint64_t total;
} sha256_ctx;

static const uint32_t SHA256_K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(sha256_ctx *c, const uint8_t *p) {
  uint32_t w[64], s[8];
  for (int i = 0; i < 16; i++) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  memcpy(s, c->h, sizeof s);
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = s[7] + (ROR(s[4], 6) ^ ROR(s[4], 11) ^ ROR(s[4], 25)) + ((s[4] & s[5]) ^ (~s[4] & s[6])) + SHA256_K[i] + w[i];
    uint32_t t2 = (ROR(s[0], 2) ^ ROR(s[0], 13) ^ ROR(s[0], 22)) + ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));
    memmove(s + 1, s, 7 * sizeof *s);
    s[4] += t1;
    s[0] = t1 + t2;
  }
  for (int i = 0; i < 8; i++) c->h[i] += s[i];
}

static void sha256_init(sha256_ctx *c) {
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(c->h, iv, sizeof iv);
  c->used = 0;
  c->total = 0;
}

static void sha256_update(sha256_ctx *c, const uint8_t *p, size_t n) {
  c->total += n;
  while (n) {
    size_t take = 64 - c->used < n ? 64 - c->used : n;
    memcpy(c->block + c->used, p, take);
    c->used += take, p += take, n -= take;
    if (c->used == 64) sha256_block(c, c->block), c->used = 0;
  }
}

static void sha256_final(sha256_ctx *c, uint8_t out[32]) {
  uint64_t bits = c->total * 8;
  uint8_t pad = 0x80, zero = 0, len[8];
  sha256_update(c, &pad, 1);
  while (c->used != 56) sha256_update(c, &zero, 1);
  for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (56 - 8 * i));
  sha256_update(c, len, 8);
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 4; j++) out[4 * i + j] = (uint8_t)(c->h[i] >> (24 - 8 * j));
}

/* ---- frames over a socket ------------------------------------------------------------------ */

typedef struct {
  int fd;
  wire_decoder *decoder;
} fs_peer;

static void fs_peer_open(fs_peer *p, int fd) {
  p->fd = fd;
  must(wire_decoder_new(WIRE_PROTOCOL_DATAEXCHANGE, NULL, &p->decoder), "wire_decoder_new");
}

static void fs_peer_close(fs_peer *p) {
  wire_decoder_free(p->decoder);
  close(p->fd);
}

/* The next frame (a handle to free), or NULL once the peer has closed the connection. */
static wire_frame *fs_next(fs_peer *p) {
  static uint8_t buf[1 << 16];
  for (;;) {
    wire_frame *f = NULL;
    must(wire_decoder_next(p->decoder, &f), "wire_decoder_next");
    if (f) return f;
    ssize_t n = read(p->fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return NULL;
    must(wire_decoder_push(p->decoder, buf, (size_t)n), "wire_decoder_push");
  }
}

static bool fs_write_all(int fd, const uint8_t *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w, n -= (size_t)w;
  }
  return true;
}

/* Encode one control frame into a buffer sized by the library and send it. */
static bool fs_send(int fd, wire_slice transfer_id, wire_dataexchange_control control) {
  wire_dataexchange_frame frame = {.type = WIRE_DATAEXCHANGE_TYPE_FILE_STREAM, .transfer_id = transfer_id, .control = control};
  size_t len = 0;
  must(wire_dataexchange_encoded_len(&frame, NULL, WIRE_DATAEXCHANGE_VERSION_MAIN, &len), "encoded_len");
  uint8_t *out = malloc(len);
  must(wire_dataexchange_encode(&frame, NULL, WIRE_DATAEXCHANGE_VERSION_MAIN, out, len, &len), "encode");
  bool ok = fs_write_all(fd, out, len);
  free(out);
  return ok;
}

/* The control message of a TypeFileStream frame of this transfer, else NULL. */
static const wire_dataexchange_control *fs_control_of(const wire_frame *f, const uint8_t id[16]) {
  const wire_dataexchange_frame *d = wire_frame_dataexchange(f);
  if (!d || d->type != WIRE_DATAEXCHANGE_TYPE_FILE_STREAM) return NULL;
  if (id && (d->transfer_id.len != 16 || memcmp(d->transfer_id.ptr, id, 16) != 0)) return NULL;
  return &d->control;
}

static int fs_connect(const char *host, int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, host, &a.sin_addr);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    perror("connect");
    exit(1);
  }
  return fd;
}

/* A listening socket on 127.0.0.1 and a free port. */
static int fs_listen(int *port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
    perror("listen");
    exit(1);
  }
  *port = ntohs(a.sin_port);
  return fd;
}

static uint8_t *fs_read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  *size = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *data = malloc(*size ? *size : 1);
  if (fread(data, 1, *size, f) != *size) {
    perror(path);
    exit(1);
  }
  fclose(f);
  return data;
}

/* ---- sender -------------------------------------------------------------------------------- */

/* Send `path`; stop_after > 0: close once that many chunks are acknowledged. */
static bool fs_send_file(const char *host, int port, const char *path, uint64_t stop_after) {
  size_t size;
  uint8_t *content = fs_read_file(path, &size), digest[32];
  sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, content, size);
  sha256_final(&c, digest);
  const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  wire_slice id = {digest, 16};
  fs_peer peer;
  fs_peer_open(&peer, fs_connect(host, port));
  bool ok = false;
  fs_send(peer.fd, id, (wire_dataexchange_control){.type = WIRE_DATAEXCHANGE_INIT, .size = size, .sha256 = {digest, 32},
                                                   .chunk_size = WIRE_DATAEXCHANGE_STREAM_CHUNK_SIZE,
                                                   .filename = {(const uint8_t *)name, strlen(name)}});
  uint64_t offset = 0, acked = 0;
  bool init_ack = false;
  for (wire_frame *f; !init_ack && (f = fs_next(&peer));) {
    const wire_dataexchange_control *r = fs_control_of(f, digest);
    uint8_t type = r ? r->type : 0;
    if (type == WIRE_DATAEXCHANGE_INIT_ACK) offset = acked = r->offset < size ? r->offset : size, init_ack = true;
    wire_frame_free(f);
    if (type && !init_ack) break;
  }
  if (!init_ack) {
    printf("%s: no INIT_ACK\n", name);
    goto done;
  }
  printf("%s: %zu bytes, receiver resumes at %llu\n", name, size, (unsigned long long)offset);
  while (acked < size) {
    while (offset < size && offset - acked < FS_WINDOW) {
      size_t n = size - offset < WIRE_DATAEXCHANGE_STREAM_CHUNK_SIZE ? size - offset : WIRE_DATAEXCHANGE_STREAM_CHUNK_SIZE;
      fs_send(peer.fd, id, (wire_dataexchange_control){.type = WIRE_DATAEXCHANGE_CHUNK, .offset = offset, .data = {content + offset, n}});
      offset += n;
    }
    wire_frame *f = fs_next(&peer);
    if (!f) goto done;
    const wire_dataexchange_control *r = fs_control_of(f, digest);
    uint8_t type = r ? r->type : 0;
    if (type == WIRE_DATAEXCHANGE_ACK && r->offset > acked) acked = r->offset;
    wire_frame_free(f);
    if (type == WIRE_DATAEXCHANGE_COMPLETE || type == WIRE_DATAEXCHANGE_ABORT) goto done;
    if (stop_after && acked >= stop_after * WIRE_DATAEXCHANGE_STREAM_CHUNK_SIZE) {
      printf("%s: cut at %llu of %zu bytes\n", name, (unsigned long long)acked, size);
      ok = true;
      goto done;
    }
  }
  fs_send(peer.fd, id, (wire_dataexchange_control){.type = WIRE_DATAEXCHANGE_DONE});
  for (wire_frame *f; (f = fs_next(&peer));) {
    const wire_dataexchange_control *r = fs_control_of(f, digest);
    uint8_t type = r ? r->type : 0;
    if (type == WIRE_DATAEXCHANGE_COMPLETE) {
      ok = r->ok;
      printf("%s: COMPLETE ok=%s%s%.*s\n", name, ok ? "true" : "false", r->message.len ? " " : "", (int)r->message.len,
             (const char *)r->message.ptr);
    }
    wire_frame_free(f);
    if (type == WIRE_DATAEXCHANGE_COMPLETE || type == WIRE_DATAEXCHANGE_ABORT) break;
  }
done:
  fs_peer_close(&peer);
  free(content);
  return ok;
}

/* ---- receiver ------------------------------------------------------------------------------ */

typedef struct {
  bool active;
  uint8_t id[16], sha256[32];
  char name[256], partial[4096];
  uint64_t size, cursor;
  FILE *file;
} fs_transfer;

/* The reference's sanitizeBase: the last path element, `received.bin` for none. */
static void fs_base_name(wire_slice raw, char out[256]) {
  size_t n = raw.len;
  while (n && raw.ptr[n - 1] == '/') n--;
  size_t start = n;
  while (start && raw.ptr[start - 1] != '/') start--;
  size_t len = n - start > 255 ? 255 : n - start;
  memcpy(out, raw.ptr + start, len);
  out[len] = 0;
  if (!strcmp(out, "") || !strcmp(out, ".") || !strcmp(out, "..")) strcpy(out, "received.bin");
}

static bool fs_file_sha256(const char *path, const uint8_t want[32]) {
  size_t size;
  uint8_t *data = fs_read_file(path, &size), got[32];
  sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, data, size);
  sha256_final(&c, got);
  free(data);
  return memcmp(got, want, 32) == 0;
}

#define FS_MSG(s) ((wire_slice){(const uint8_t *)(s), strlen(s)})

/* The reply to one control message (type 0: none). One transfer at a time per connection. */
static wire_dataexchange_control fs_handle(const char *dir, fs_transfer *t, const uint8_t id[16], const wire_dataexchange_control *c) {
  wire_dataexchange_control none = {0};
  bool mine = t->active && memcmp(t->id, id, 16) == 0;
  switch (c->type) {
    case WIRE_DATAEXCHANGE_INIT: {
      if (t->active) fclose(t->file);
      memset(t, 0, sizeof *t);
      if (c->sha256.len != 32) return (wire_dataexchange_control){.type = WIRE_DATAEXCHANGE_COMPLETE, .message = FS_MSG("malformed INIT")};
      t->active = true;
      memcpy(t->id, id, 16);
      memcpy(t->sha256, c->sha256.ptr, 32);
      t->size = c->size;
      fs_base_name(c->filename, t->name);
      snprintf(t->partial, sizeof t->partial, "%s/.partial", dir);
      mkdir(t->partial, 0755);
      size_t at = strlen(t->partial);
      snprintf(t->partial + at, sizeof t->partial - at, "/");
      for (int i = 0; i < 16; i++) snprintf(t->partial + at + 1 + 2 * i, 3, "%02x", id[i]);
      struct stat st;
      t->cursor = stat(t->partial, &st) == 0 ? (uint64_t)st.st_size : 0;
      if (t->cursor > t->size && truncate(t->partial, 0) == 0) t->cursor = 0;
      t->file = fopen(t->partial, "ab");
      return (wire_dataexchange_control){.type = WIRE_DATAEXCHANGE_INIT_ACK, .offset = t->cursor};
    }
    case WIRE_DATAEXCHANGE_CHUNK:
      if (!mine) return (wire_dataexchange_control){.type = WIRE_DATAEXCHANGE_ABORT, .reason = FS_MSG("no active transfer (send INIT first)")};
      if (c->offset == t->cursor) {
        fwrite(c->data.ptr, 1, c->data.len, t->file);
        t->cursor += c->data.len;
      }
      return (wire_dataexchange_control){.type = WIRE_DATAEXCHANGE_ACK, .offset = t->cursor};
    case WIRE_DATAEXCHANGE_DONE: {
      if (!mine) return (wire_dataexchange_control){.type = WIRE_DATAEXCHANGE_COMPLETE, .message = FS_MSG("no active transfer")};
      if (t->cursor != t->size) return (wire_dataexchange_control){.type = WIRE_DATAEXCHANGE_COMPLETE, .message = FS_MSG("incomplete")};
      fclose(t->file);
      t->active = false;
      if (!fs_file_sha256(t->partial, t->sha256))
        return (wire_dataexchange_control){.type = WIRE_DATAEXCHANGE_COMPLETE, .message = FS_MSG("sha256 mismatch, .partial retained")};
      char final[4400];
      snprintf(final, sizeof final, "%s/%s", dir, t->name);
      rename(t->partial, final);
      printf("saved %s %llu\n", t->name, (unsigned long long)t->size);
      fflush(stdout);
      return (wire_dataexchange_control){.type = WIRE_DATAEXCHANGE_COMPLETE, .ok = true};
    }
    case WIRE_DATAEXCHANGE_ABORT:
      if (mine) fclose(t->file), t->active = false;
      return none;
    default:
      return none;
  }
}

/* Serve one connection until it closes; the .partial file is kept for a resume. */
static void fs_serve(const char *dir, int fd) {
  fs_peer peer;
  fs_peer_open(&peer, fd);
  fs_transfer t = {0};
  for (wire_frame *f; (f = fs_next(&peer));) {
    const wire_dataexchange_control *c = fs_control_of(f, NULL);
    if (c) {
      const wire_dataexchange_frame *d = wire_frame_dataexchange(f);
      uint8_t id[16] = {0};
      memcpy(id, d->transfer_id.ptr, d->transfer_id.len < 16 ? d->transfer_id.len : 16);
      wire_dataexchange_control reply = fs_handle(dir, &t, id, c);
      if (reply.type) fs_send(fd, d->transfer_id, reply);
    }
    wire_frame_free(f);
  }
  if (t.active) fclose(t.file);
  fs_peer_close(&peer);
}
#endif
