/* bidload.h - what bidload's modules share: the run's configuration (cli.c fills it), its
 * targets, and the counts a run produces (conn.c fills them per thread, report.c prints the
 * merged sum). */
#ifndef BL_BIDLOAD_H
#define BL_BIDLOAD_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "profile.h"

#define BL_MAX_TARGETS 64
#define BL_MAX_PIPELINE 64

/* One URL given on the command line: http://HOST[:PORT][/PATH], HOST numeric IPv4 or
 * "localhost" (which is 127.0.0.1: bidload does no DNS). */
struct bl_target {
  char url[1200];             /* as given */
  char hostport[80];          /* the Host header */
  char path[1024];
  struct sockaddr_in addr;
};

struct bl_config {
  struct bl_target targets[BL_MAX_TARGETS];
  size_t n_targets;
  double rate;                /* requests per second in all; 0: closed loop */
  double duration_s;
  unsigned connections, threads, pipeline;
  uint64_t seed;
  unsigned timeout_ms;
  const char *json_path, *svg_path, *profile_path;
  long long dump;             /* -1: no --dump */
  int progress;               /* live progress on stderr (a terminal is attached) */
};

enum bl_decision { BL_PASS, BL_DROP, BL_EXPLORE, BL_FAIL_OPEN, BL_DECISIONS };

/* What one thread (and, merged, the whole run) measured. */
struct bl_result {
  struct bl_hist hist;        /* latency of every answered request, us */
  uint64_t requests;          /* answered requests (any status) */
  uint64_t err_connect;       /* failed connection attempts */
  uint64_t err_timeout;       /* requests with no answer within --timeout */
  uint64_t err_io;            /* requests lost to a reset, early close or malformed answer */
  uint64_t status[600];       /* answers by status code (non-2xx are errors) */
  uint64_t decisions[BL_DECISIONS];
  uint64_t unsent;            /* open loop: scheduled in the window but never sent */
  /* Open loop: each request's send lag, us: how long after its scheduled time it was actually
   * written (waiting for a free connection, or a busy client). Latency already counts from the
   * scheduled time; this tells the client's share of it from the server's. Empty when closed. */
  struct bl_hist lag;
};

/* Adds src's counts to dst. Cannot fail. */
void bl_result_merge(struct bl_result *dst, const struct bl_result *src);

#endif /* BL_BIDLOAD_H */
