/* fuzz_request.c - libFuzzer target for bidgate's request path: HTTP bytes in, answers out.
 *
 * One input is what a client sends on one connection. It goes through the server's own code
 * (http.c's parser callbacks, router.c, every handler: /v1/filter with the aws-rtb model and
 * its extractor, SageMaker, KServe, /metrics, health) exactly as server.c feeds a socket's
 * reads, split at a point the input chooses so the parser's resumption is exercised too. No
 * socket and no event loop run: the connection's output buffer is checked instead. It must be
 * a sequence of whole HTTP/1.1 answers, each with a status line, a Content-Length and exactly
 * that many body bytes (or a 100 Continue): anything else aborts. ASan and UBSan catch the rest.
 *
 * Built two ways: with clang's -fsanitize=fuzzer for `make fuzz-http` (libFuzzer's main), and
 * with replay.c's main by any compiler for `make test`, which replays the corpus.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "conn.h"
#include "http.h"
#include "linked_model.h"
#include "openrtb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bg_config cfg;
static struct bg_server server;
static struct bg_loop loop;
static uv_loop_t uv;
static struct bg_loop *loops[1] = {&loop};


static void setup(void) {
  static const char *const args[] = {"--bidders", "dsp-alpha,dsp-beta", "--max-body", "65536",
                                     "--max-rows", "64", "--seed", "1"};
  char err[256];

  if (bg_config_load(&cfg, 8, (char **)args, err, sizeof err) != 0)
    abort();
  bg_json_hooks_install();
  uv_loop_init(&uv);
  server.cfg = &cfg;
  server.model = bg_linked_model;
  server.features = bg_linked_features;
  server.n_loops = 1;
  server.loops = loops;
  strcpy(server.model_id, "fuzz@00000000");
  loop.uv = &uv;
  loop.server = &server;
  loop.cfg = &cfg;
  loop.model = bg_linked_model;
  loop.features = bg_linked_features;
  loop.conns.next = loop.conns.prev = &loop.conns;
  loop.date_second = -1;
  strcpy(loop.model_id, server.model_id);
  bg_decide_init(&loop.decide, cfg.threshold, 0.1, 0);
  bg_prng_seed(&loop.prng, 1);
  if (bg_bidders_from_list(cfg.bidders, &loop.bidders) != 0)
    abort();
}


/* The value of Content-Length in the head [h, end), or -1. */
static long content_length(const char *h, const char *end) {
  static const char name[] = "\r\nContent-Length: ";
  const char *p;

  for (p = h; p + sizeof name - 1 < end; p++)
    if (memcmp(p, name, sizeof name - 1) == 0) {
      long v = 0;
      /* The output is not NUL-terminated: read the digits within it. */
      for (p += sizeof name - 1; p < end && *p >= '0' && *p <= '9' && v < 1L << 40; p++)
        v = v * 10 + (*p - '0');
      return v;
    }
  return -1;
}


/* Abort unless out holds only whole answers. */
static void check_answers(const char *out, size_t len) {
  const char *p, *end;

  if (len == 0)
    return; /* (out may be NULL then) */
  p = out;
  end = out + len;
  while (p < end) {
    const char *head_end = NULL, *q;
    long cl;
    if ((size_t)(end - p) < 12 || memcmp(p, "HTTP/1.1 ", 9) != 0)
      abort();
    for (q = p; q + 4 <= end; q++)
      if (memcmp(q, "\r\n\r\n", 4) == 0) {
        head_end = q + 4;
        break;
      }
    if (head_end == NULL)
      abort();
    if (memcmp(p + 9, "100 ", 4) == 0) {
      p = head_end;
      continue;
    }
    cl = content_length(p, head_end);
    if (cl < 0 || cl > end - head_end)
      abort();
    p = head_end + cl;
  }
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  struct bg_conn *c;
  size_t split;

  if (!ready) {
    setup();
    ready = 1;
  }
  c = calloc(1, sizeof *c);
  if (c == NULL)
    return 0;
  c->loop = &loop;
  c->prev = c->next = c;
  bg_arena_init(&c->arena, 16384, 64 * cfg.max_body + (1u << 20));
  bg_http_init(c);
  /* Two reads, split where the first byte says, as a socket might deliver them. */
  split = size > 0 ? data[0] % (size + 1) : 0;
  bg_http_feed(c, (const char *)data, split);
  if (c->state == BG_CONN_OPEN && !c->close_after)
    bg_http_feed(c, (const char *)data + split, size - split);
  check_answers(c->out.p, c->out.len);
  bg_buf_free(&c->out);
  bg_arena_free(&c->arena);
  free(c);
  return 0;
}
