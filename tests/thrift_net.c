/* thrift_net.c - see thrift_net.h. */
#define _GNU_SOURCE
#include "thrift_net.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "net.h"


struct bgt_tserver bgt_tserver_start(const char *const *args) {
  const char *argv[64] = {"--host", "127.0.0.1", "--port", "0"};
  struct bgt_tserver t = {0, 0, 0, -1};
  struct bgt_server s;
  char line[512];
  int n = 4;

  if (getenv("BIDGATE_THRIFT_PORT") == NULL) {
    argv[n++] = "--thrift-port";
    argv[n++] = "0";
  }
  while (args != NULL && *args != NULL && n < 62)
    argv[n++] = *args++;
  argv[n] = NULL;
  s = bgt_server_spawn(argv, BGT_KEEP_OUT | BGT_KEEP_ERR);
  t.pid = s.pid;
  t.http_port = s.port;
  t.err_fd = s.err_fd;
  cr_assert(fgets(line, sizeof line, s.out) != NULL, "no thrift line after the listening line");
  cr_assert(sscanf(line, "bidgate: thrift on 127.0.0.1:%d (", &t.thrift_port) == 1,
            "unexpected second line: %s", line);
  cr_assert(t.thrift_port > 0 && t.thrift_port < 65536 && t.thrift_port != t.http_port);
  fclose(s.out);
  return t;
}


char *bgt_tserver_stop(struct bgt_tserver *s) {
  size_t cap = 4096, n = 0;
  char *text = malloc(cap);
  int status = 0, i, exited = 0;
  ssize_t k;

  cr_assert(s->pid > 0 && text != NULL);
  kill(s->pid, SIGTERM);
  for (i = 0; i < 500 && !exited; i++) {
    if (waitpid(s->pid, &status, WNOHANG) == s->pid)
      exited = 1;
    else
      usleep(10000);
  }
  if (!exited) {
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
  }
  s->pid = 0;
  cr_assert(exited, "the server did not exit within 5 s of SIGTERM");
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
            "the server did not exit 0 on SIGTERM (status 0x%x)", status);
  while ((k = read(s->err_fd, text + n, cap - n - 1)) > 0) {
    n += (size_t)k;
    if (n + 1 == cap)
      text = realloc(text, cap *= 2);
  }
  text[n] = '\0';
  close(s->err_fd);
  return text;
}


long bgt_tcount(const char *err, const char *label) {
  const char *line = strstr(err, "bidgate: thrift: calls="), *p, *end;
  size_t n = strlen(label);

  cr_assert(line != NULL, "no thrift counter line on stderr:\n%s", err);
  end = line + strcspn(line, "\n");
  for (p = line; p < end && (p = strstr(p, label)) != NULL && p < end; p += n)
    if ((p[-1] == ' ' || p[-1] == ':') && p[n] == '=')
      return strtol(p + n + 1, NULL, 10);
  return 0;
}


void bgt_bput(struct bgt_bytes *b, const void *s, size_t n) {
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
    cr_assert(b->p != NULL);
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
}


void bgt_b8(struct bgt_bytes *b, unsigned v) {
  unsigned char c = (unsigned char)v;

  bgt_bput(b, &c, 1);
}


void bgt_b16(struct bgt_bytes *b, unsigned v) {
  bgt_b8(b, v >> 8);
  bgt_b8(b, v);
}


void bgt_b32(struct bgt_bytes *b, uint32_t v) {
  bgt_b16(b, v >> 16);
  bgt_b16(b, v & 0xffff);
}


void bgt_b64(struct bgt_bytes *b, uint64_t v) {
  bgt_b32(b, (uint32_t)(v >> 32));
  bgt_b32(b, (uint32_t)v);
}


void bgt_bstr(struct bgt_bytes *b, const char *s) {
  bgt_b32(b, (uint32_t)strlen(s));
  bgt_bput(b, s, strlen(s));
}


void bgt_bheader(struct bgt_bytes *b, unsigned type, const char *name, int32_t seqid) {
  bgt_b32(b, 0x80010000u | type);
  bgt_bstr(b, name);
  bgt_b32(b, (uint32_t)seqid);
}


struct bgt_bytes bgt_framed(const struct bgt_bytes *b) {
  struct bgt_bytes f = {NULL, 0, 0};

  bgt_b32(&f, (uint32_t)b->len);
  bgt_bput(&f, b->p, b->len);
  return f;
}


/* Exactly n bytes; 0 when the peer closed (or timed out) before the first, else fails the
 * test on a short read. */
static int read_exact(int fd, void *p, size_t n, int first) {
  size_t got = 0;

  while (got < n) {
    ssize_t k = recv(fd, (char *)p + got, n - got, 0);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0) {
      cr_assert(first && got == 0, "the answer ended after %zu of %zu bytes", got, n);
      return 0;
    }
    got += (size_t)k;
  }
  return 1;
}


static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}


/* A bounded cursor over one answer's bytes. */
struct cur {
  const unsigned char *p;
  size_t n, i;
};

static unsigned c8(struct cur *c) {
  cr_assert(c->i + 1 <= c->n, "answer too short");
  return c->p[c->i++];
}

static uint32_t c32(struct cur *c) {
  cr_assert(c->i + 4 <= c->n, "answer too short");
  c->i += 4;
  return get32(c->p + c->i - 4);
}


struct bgt_tanswer bgt_tread(int fd, int framed) {
  struct bgt_tanswer a;
  unsigned char head[4], *msg;
  struct cur c;
  uint32_t v, len;
  unsigned t, id;

  memset(&a, 0, sizeof a);
  if (framed) {
    if (!read_exact(fd, head, 4, 1))
      return a;
    len = get32(head);
    cr_assert(len >= 12 && len < 65536, "frame of %u bytes", len);
    msg = malloc(len);
    read_exact(fd, msg, len, 0);
  } else {
    /* Unframed: read the header, then as much as the two known answers can hold. */
    unsigned char buf[4096];
    size_t n = 0;
    if (!read_exact(fd, buf, 12, 1))
      return a;
    n = 12;
    len = get32(buf + 4);
    cr_assert(len < 300, "name of %u bytes", len);
    read_exact(fd, buf + n, len, 0);
    n += len;
    if ((get32(buf) & 0xff) == 2) {
      read_exact(fd, buf + n, 3 + 3 + 8 + 2, 0); /* STRUCT 0 { DOUBLE 1 x, STOP } STOP */
      n += 16;
    } else {
      unsigned char f[7];
      uint32_t ml;
      read_exact(fd, f, 7, 0); /* STRING 1 len */
      memcpy(buf + n, f, 7);
      n += 7;
      ml = get32(f + 3);
      cr_assert(ml < 1024, "exception message of %u bytes", ml);
      read_exact(fd, buf + n, ml + 8, 0); /* message, I32 2 type, STOP */
      n += ml + 8;
    }
    msg = malloc(n);
    memcpy(msg, buf, n);
    len = (uint32_t)n;
  }
  c.p = msg;
  c.n = len;
  c.i = 0;
  v = c32(&c);
  cr_assert((v & 0xffff0000u) == 0x80010000u, "not a strict binary-protocol header: 0x%08x", v);
  len = c32(&c);
  cr_assert(len < sizeof a.name && c.i + len <= c.n);
  memcpy(a.name, c.p + c.i, len);
  c.i += len;
  a.seqid = (int32_t)c32(&c);
  if ((v & 0xff) == 2) {
    uint64_t u;
    a.kind = 1;
    cr_assert(c8(&c) == 12 && c8(&c) == 0 && c8(&c) == 0, "reply: no success struct (field 0)");
    cr_assert(c8(&c) == 4 && c8(&c) == 0 && c8(&c) == 1, "reply: no double field 1");
    u = (uint64_t)c32(&c) << 32;
    u |= c32(&c);
    memcpy(&a.score, &u, sizeof a.score);
    cr_assert(c8(&c) == 0 && c8(&c) == 0, "reply: structs not closed");
  } else {
    cr_assert((v & 0xff) == 3, "message type %u is neither REPLY nor EXCEPTION", v & 0xff);
    a.kind = 2;
    a.tae = -1;
    while ((t = c8(&c)) != 0) {
      id = c8(&c) << 8;
      id |= c8(&c);
      if (t == 11 && id == 1) {
        len = c32(&c);
        cr_assert(len < sizeof a.message && c.i + len <= c.n);
        memcpy(a.message, c.p + c.i, len);
        c.i += len;
      } else {
        cr_assert(t == 8 && id == 2, "exception: unexpected field %u of type %u", id, t);
        a.tae = (int)c32(&c);
      }
    }
    cr_assert(a.tae >= 0, "exception without a type");
  }
  cr_assert(c.i == c.n, "%zu bytes after the answer in its frame", c.n - c.i);
  free(msg);
  return a;
}
