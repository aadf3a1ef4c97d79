/* net.c - see net.h. */
#define _GNU_SOURCE /* strcasestr, vasprintf via helpers */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"


struct bgt_server bgt_server_spawn(const char *const *args, int keep) {
  const char *bin = bgt_env("BG_TEST_BIDGATE");
  const char *argv[64];
  struct bgt_server s = {0, 0, NULL, -1};
  char line[512];
  int out[2], err[2] = {-1, -1}, n = 0;
  FILE *f;

  argv[n++] = bin;
  while (args != NULL && *args != NULL && n < 62)
    argv[n++] = *args++;
  argv[n] = NULL;
  cr_assert(pipe(out) == 0);
  cr_assert(!(keep & BGT_KEEP_ERR) || pipe(err) == 0);
  fflush(NULL);
  s.pid = fork();
  cr_assert(s.pid >= 0);
  if (s.pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    if (err[1] >= 0) {
      dup2(err[1], 2);
      close(err[0]);
      close(err[1]);
    }
    execv(bin, (char *const *)argv);
    _exit(127);
  }
  close(out[1]);
  if (err[1] >= 0) {
    close(err[1]);
    s.err_fd = err[0];
  }
  f = fdopen(out[0], "r");
  cr_assert(f != NULL);
  /* The documented line: "bidgate: listening on http://127.0.0.1:PORT (model ...)". */
  cr_assert(fgets(line, sizeof line, f) != NULL, "%s did not start (no listening line)", bin);
  cr_assert(sscanf(line, "bidgate: listening on http://127.0.0.1:%d", &s.port) == 1,
            "unexpected first line: %s", line);
  cr_assert(s.port > 0 && s.port < 65536);
  if (keep & BGT_KEEP_OUT)
    s.out = f;
  else
    fclose(f); /* later stdout writes (EMF lines) get EPIPE, which the server ignores */
  return s;
}


struct bgt_server bgt_server_start(const char *const *args) {
  const char *argv[64] = {"--host", "127.0.0.1", "--port", "0"};
  int n = 4;

  while (args != NULL && *args != NULL && n < 62)
    argv[n++] = *args++;
  argv[n] = NULL;
  return bgt_server_spawn(argv, 0);
}


void bgt_server_stop(struct bgt_server *s) {
  int status, i;

  if (s->out != NULL) {
    fclose(s->out);
    s->out = NULL;
  }
  if (s->pid <= 0)
    return;
  if (s->err_fd >= 0) {
    close(s->err_fd);
    s->err_fd = -1;
  }
  kill(s->pid, SIGTERM);
  for (i = 0; i < 500; i++) {
    pid_t r = waitpid(s->pid, &status, WNOHANG);
    if (r == s->pid) {
      s->pid = 0;
      cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                "the server did not exit 0 on SIGTERM (status 0x%x)", status);
      return;
    }
    usleep(10000);
  }
  kill(s->pid, SIGKILL);
  waitpid(s->pid, &status, 0);
  s->pid = 0;
  cr_expect_fail("the server did not exit within 5 s of SIGTERM");
}


int bgt_connect(int port) {
  struct sockaddr_in a;
  struct timeval tv = {10, 0};
  int fd = socket(AF_INET, SOCK_STREAM, 0);

  cr_assert(fd >= 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  cr_assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0, "connect to port %d: %s", port,
            strerror(errno));
  return fd;
}


int bgt_send(int fd, const void *data, size_t n) {
  const char *p = data;

  while (n > 0) {
    ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}


/* Buffered reads per socket: a response may arrive together with the next one. */
struct rbuf {
  int fd;
  char data[1 << 16];
  size_t start, end;
};
static struct rbuf bufs[16];


static struct rbuf *buf_of(int fd) {
  int i;

  for (i = 0; i < 16; i++)
    if (bufs[i].fd == fd && bufs[i].end > bufs[i].start)
      return &bufs[i];
  for (i = 0; i < 16; i++)
    if (bufs[i].end == bufs[i].start) {
      bufs[i].fd = fd;
      bufs[i].start = bufs[i].end = 0;
      return &bufs[i];
    }
  cr_assert_fail("too many sockets with unread data");
  return NULL;
}


/* Next byte, or -1 at EOF / error / timeout. */
static int next_byte(int fd) {
  struct rbuf *b = buf_of(fd);

  if (b->start == b->end) {
    ssize_t k;
    do
      k = recv(fd, b->data, sizeof b->data, 0);
    while (k < 0 && errno == EINTR);
    if (k <= 0)
      return -1;
    b->start = 0;
    b->end = (size_t)k;
  }
  return (unsigned char)b->data[b->start++];
}


char *bgt_header(const struct bgt_response *r, const char *name) {
  size_t n = strlen(name);
  const char *p = r->head;

  while ((p = strchr(p, '\n')) != NULL) {
    p++;
    if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
      const char *v = p + n + 1, *e;
      while (*v == ' ')
        v++;
      e = v + strcspn(v, "\r\n");
      return strndup(v, (size_t)(e - v));
    }
  }
  return NULL;
}


struct bgt_response bgt_read_response(int fd) {
  struct bgt_response r = {0, NULL, NULL, 0, 0};
  size_t cap = 1024, n = 0, len = 0, i;
  char *cl, *conn;
  int c;

  r.head = malloc(cap);
  cr_assert(r.head != NULL);
  for (;;) {
    if ((c = next_byte(fd)) < 0) {
      r.head[n] = '\0';
      r.body = strdup("");
      return r; /* status 0: closed before a full head */
    }
    if (n + 2 >= cap)
      r.head = realloc(r.head, cap *= 2);
    r.head[n++] = (char)c;
    if (n >= 4 && memcmp(r.head + n - 4, "\r\n\r\n", 4) == 0)
      break;
  }
  r.head[n] = '\0';
  cr_assert(sscanf(r.head, "HTTP/1.1 %d", &r.status) == 1, "bad status line: %.80s", r.head);
  if (r.status < 200) {
    r.body = strdup(""); /* an interim answer has no body */
    return r;
  }
  cl = bgt_header(&r, "Content-Length");
  cr_assert(cl != NULL, "no Content-Length in %s", r.head);
  len = strtoul(cl, NULL, 10);
  free(cl);
  conn = bgt_header(&r, "Connection");
  r.closes = conn != NULL && strcasecmp(conn, "close") == 0;
  free(conn);
  r.body = malloc(len + 1);
  cr_assert(r.body != NULL);
  for (i = 0; i < len; i++) {
    c = next_byte(fd);
    cr_assert(c >= 0, "the body ended after %zu of %zu bytes", i, len);
    r.body[i] = (char)c;
  }
  r.body[len] = '\0';
  r.body_len = len;
  return r;
}


int bgt_closed(int fd, int timeout_ms) {
  struct pollfd p = {fd, POLLIN, 0};
  char c;

  if (poll(&p, 1, timeout_ms) <= 0)
    return 0;
  return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}


struct bgt_response bgt_http(int port, const void *request, size_t n) {
  int fd = bgt_connect(port);
  struct bgt_response r;

  cr_assert(bgt_send(fd, request, n) == 0);
  r = bgt_read_response(fd);
  bgt_close(fd);
  return r;
}


char *bgt_post(const char *body, size_t *n) {
  char *s = bgt_fmt("POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    "Content-Length: %zu\r\n\r\n%s", strlen(body), body);

  *n = strlen(s);
  return s;
}


void bgt_response_free(struct bgt_response *r) {
  free(r->head);
  free(r->body);
  r->head = r->body = NULL;
}


void bgt_close(int fd) {
  int i;

  for (i = 0; i < 16; i++)
    if (bufs[i].fd == fd)
      bufs[i].start = bufs[i].end = 0;
  close(fd);
}
