#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_put(buf_t *b, const void *data, size_t len) {
  if (b->len + len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + len + 1) cap *= 2;
    b->data = realloc(b->data, cap);
    if (!b->data) abort();
    b->cap = cap;
  }
  if (len) memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = 0;
}

void buf_putc(buf_t *b, char c) { buf_put(b, &c, 1); }

void buf_free(buf_t *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

static int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

uint8_t *hex_decode(const char *hex, size_t *len) {
  if (strcmp(hex, "-") == 0) hex = "";
  size_t n = strlen(hex) / 2;
  /* One spare byte so that an empty input still gets a distinct, freeable pointer. */
  uint8_t *out = malloc(n + 1);
  if (!out) abort();
  for (size_t i = 0; i < n; i++) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      fprintf(stderr, "bad hex\n");
      abort();
    }
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  *len = n;
  return out;
}

char *hex_encode(const uint8_t *data, size_t len) {
  static const char digits[] = "0123456789abcdef";
  char *out = malloc(2 * len + 1);
  if (!out) abort();
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 15];
  }
  out[2 * len] = 0;
  return out;
}

/* --- JSON canonicaliser ------------------------------------------------------------------ */

typedef struct {
  const char *p;
  const char *end;
  bool ok;
} parser_t;

static void skip_ws(parser_t *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
    ps->p++;
}

static void put_utf8(buf_t *b, unsigned cp) {
  char s[4];
  if (cp < 0x80) {
    buf_putc(b, (char)cp);
  } else if (cp < 0x800) {
    s[0] = (char)(0xC0 | cp >> 6);
    s[1] = (char)(0x80 | (cp & 0x3F));
    buf_put(b, s, 2);
  } else if (cp < 0x10000) {
    s[0] = (char)(0xE0 | cp >> 12);
    s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    s[2] = (char)(0x80 | (cp & 0x3F));
    buf_put(b, s, 3);
  } else {
    s[0] = (char)(0xF0 | cp >> 18);
    s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    s[3] = (char)(0x80 | (cp & 0x3F));
    buf_put(b, s, 4);
  }
}

static unsigned hex4(parser_t *ps) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    int n = ps->p < ps->end ? nibble(*ps->p++) : -1;
    if (n < 0) {
      ps->ok = false;
      return 0;
    }
    v = v << 4 | (unsigned)n;
  }
  return v;
}

/* A JSON string's decoded bytes into `out` (the opening quote is at ps->p). */
static void parse_string(parser_t *ps, buf_t *out) {
  ps->p++;
  while (ps->ok && ps->p < ps->end && *ps->p != '"') {
    char c = *ps->p++;
    if (c != '\\') {
      buf_putc(out, c);
      continue;
    }
    if (ps->p >= ps->end) break;
    char e = *ps->p++;
    switch (e) {
      case 'n': buf_putc(out, '\n'); break;
      case 't': buf_putc(out, '\t'); break;
      case 'r': buf_putc(out, '\r'); break;
      case 'b': buf_putc(out, '\b'); break;
      case 'f': buf_putc(out, '\f'); break;
      case 'u': {
        unsigned cp = hex4(ps);
        if (cp >= 0xD800 && cp < 0xDC00 && ps->p + 1 < ps->end && ps->p[0] == '\\' && ps->p[1] == 'u') {
          ps->p += 2;
          unsigned lo = hex4(ps);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        put_utf8(out, cp);
        break;
      }
      default: buf_putc(out, e); break;
    }
  }
  if (ps->p >= ps->end) ps->ok = false;
  else ps->p++;
}

static void emit_string(buf_t *out, const char *s, size_t n) {
  buf_putc(out, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      buf_putc(out, '\\');
      buf_putc(out, (char)c);
    } else if (c < 0x20) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", c);
      buf_put(out, esc, 6);
    } else {
      buf_putc(out, (char)c);
    }
  }
  buf_putc(out, '"');
}

typedef struct {
  buf_t key;
  buf_t value;
} member_t;

static int member_cmp(const void *a, const void *b) {
  const member_t *x = a, *y = b;
  size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
  int c = n ? memcmp(x->key.data, y->key.data, n) : 0;
  if (c) return c;
  return (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

/* depth 0 = the document; strip applies to the "fields" object directly under it. */
static void canon_value(parser_t *ps, buf_t *out, int depth, bool strip_here, bool strip_payload);

static void canon_object(parser_t *ps, buf_t *out, int depth, bool strip_here, bool strip_payload) {
  ps->p++;
  member_t *members = NULL;
  size_t n = 0;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == '}') {
    ps->p++;
  } else {
    while (ps->ok) {
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != '"') {
        ps->ok = false;
        break;
      }
      members = realloc(members, (n + 1) * sizeof *members);
      if (!members) abort();
      member_t *m = &members[n++];
      memset(m, 0, sizeof *m);
      parse_string(ps, &m->key);
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':') {
        ps->ok = false;
        break;
      }
      ps->p++;
      bool child_strip = depth == 0 && m->key.len == 6 && memcmp(m->key.data, "fields", 6) == 0;
      canon_value(ps, &m->value, depth + 1, child_strip, strip_payload);
      if (strip_here && strip_payload && m->key.len == 15 && memcmp(m->key.data, "payload_message", 15) == 0) {
        buf_free(&m->key);
        buf_free(&m->value);
        n--;
      }
      skip_ws(ps);
      if (ps->p < ps->end && *ps->p == ',') {
        ps->p++;
        continue;
      }
      if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        break;
      }
      ps->ok = false;
    }
  }
  if (n) qsort(members, n, sizeof *members, member_cmp);
  buf_putc(out, '{');
  for (size_t i = 0; i < n; i++) {
    if (i) buf_putc(out, ',');
    emit_string(out, members[i].key.data ? members[i].key.data : "", members[i].key.len);
    buf_putc(out, ':');
    buf_put(out, members[i].value.data ? members[i].value.data : "", members[i].value.len);
    buf_free(&members[i].key);
    buf_free(&members[i].value);
  }
  buf_putc(out, '}');
  free(members);
}

static void canon_value(parser_t *ps, buf_t *out, int depth, bool strip_here, bool strip_payload) {
  skip_ws(ps);
  if (ps->p >= ps->end) {
    ps->ok = false;
    return;
  }
  char c = *ps->p;
  if (c == '{') {
    canon_object(ps, out, depth, strip_here, strip_payload);
  } else if (c == '[') {
    ps->p++;
    buf_putc(out, '[');
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
      ps->p++;
    } else {
      for (bool first = true; ps->ok; first = false) {
        if (!first) buf_putc(out, ',');
        canon_value(ps, out, depth + 1, false, strip_payload);
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
          ps->p++;
          continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
          ps->p++;
          break;
        }
        ps->ok = false;
      }
    }
    buf_putc(out, ']');
  } else if (c == '"') {
    buf_t s = {0};
    parse_string(ps, &s);
    emit_string(out, s.data ? s.data : "", s.len);
    buf_free(&s);
  } else {
    /* Numbers and literals: their text (integers only in the vectors). */
    const char *start = ps->p;
    while (ps->p < ps->end && strchr(",]} \n\r\t", *ps->p) == NULL) ps->p++;
    if (ps->p == start) ps->ok = false;
    buf_put(out, start, (size_t)(ps->p - start));
  }
}

char *json_canon(const char *text, size_t len, bool strip_payload) {
  parser_t ps = {text, text + len, true};
  buf_t out = {0};
  canon_value(&ps, &out, 0, false, strip_payload);
  skip_ws(&ps);
  if (!ps.ok || ps.p != ps.end) {
    buf_free(&out);
    return NULL;
  }
  return out.data;
}

bool json_same(const char *a, size_t alen, const char *b, size_t blen, bool strip_payload) {
  char *x = json_canon(a, alen, strip_payload);
  char *y = json_canon(b, blen, strip_payload);
  bool same = x && y && strcmp(x, y) == 0;
  free(x);
  free(y);
  return same;
}
