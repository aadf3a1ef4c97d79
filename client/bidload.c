/* bidload.c - bidload's main: flags, profile, --dump, the load threads, progress and the
 * report. The only place that prints errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "bidload.h"
#include "cli.h"
#include "conn.h"
#include "profile.h"
#include "report.h"
#include "synth.h"

/* Time for the connections to open before the first request is due. */
#define WARMUP_NS 100000000ULL

static atomic_int stop_flag;


static void on_signal(int sig) {
  atomic_store(&stop_flag, 1);
  /* A second one stops at once. */
  signal(sig, SIG_DFL);
}


static int dump(const struct bl_config *cfg, const struct bl_profile *p) {
  struct bl_synth s;
  struct bl_buf b;
  long long i;

  bl_synth_init(&s, p, cfg->seed, 0);
  bl_buf_init(&b, 1 << 16);
  for (i = 0; i < cfg->dump; i++) {
    bl_synth_request(&s, &b);
    bl_buf_char(&b, '\n');
    if (b.len >= (1 << 16) || i + 1 == cfg->dump) {
      if (fwrite(b.data, 1, b.len, stdout) != b.len)
        break;
      b.len = 0;
    }
  }
  bl_buf_free(&b);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "bidload: --dump: writing stdout: %s\n", strerror(errno));
    return 1;
  }
  return 0;
}


static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

  nanosleep(&ts, NULL);
}


static int run(const struct bl_config *cfg, const struct bl_profile *p) {
  struct bl_worker **w = calloc(cfg->threads, sizeof *w);
  struct bl_shared sh;
  struct bl_result *res = calloc(1, sizeof *res);
  struct bl_report rep;
  uint64_t until = 0, last_answers = 0, next_progress;
  unsigned i, started = 0;
  char err[256];
  int rc = 0;

  if (!w || !res) {
    fputs("bidload: out of memory\n", stderr);
    free(w);
    free(res);
    return 1;
  }
  bl_hist_reset(&res->hist);
  bl_hist_reset(&res->lag);
  sh.cfg = cfg;
  sh.profile = p;
  sh.stop = &stop_flag;
  sh.start_ns = uv_hrtime() + WARMUP_NS;
  sh.end_ns = sh.start_ns + (uint64_t)(cfg->duration_s * 1e9);
  for (i = 0; i < cfg->threads; i++) {
    if (!(w[i] = bl_worker_new(i, &sh))) {
      fputs("bidload: out of memory\n", stderr);
      rc = 1;
      break;
    }
    if ((rc = bl_worker_start(w[i])) < 0) {
      fprintf(stderr, "bidload: starting thread %u: %s\n", i, strerror(-rc));
      rc = 1;
      break;
    }
    started++;
  }
  if (rc)
    atomic_store(&stop_flag, 1);

  /* Wait for the threads; once a second, show progress on a terminal. */
  next_progress = sh.start_ns + 1000000000ULL;
  for (;;) {
    unsigned done = 0;
    for (i = 0; i < started; i++)
      done += bl_worker_finished(w[i]) != 0;
    if (done == started)
      break;
    sleep_ms(20);
    if (cfg->progress && uv_hrtime() >= next_progress) {
      uint64_t answers = 0, errors = 0;
      for (i = 0; i < started; i++) {
        answers += bl_worker_answers(w[i]);
        errors += bl_worker_errors(w[i]);
      }
      fprintf(stderr, "\r  %5.0f s  %12llu answers  %10llu req/s  %8llu errors ",
              (double)(next_progress - sh.start_ns) / 1e9, (unsigned long long)answers,
              (unsigned long long)(answers - last_answers), (unsigned long long)errors);
      last_answers = answers;
      next_progress += 1000000000ULL;
    }
  }
  if (cfg->progress)
    fputc('\n', stderr);

  for (i = 0; i < started; i++) {
    if (bl_worker_join(w[i], res, err, sizeof err) < 0) {
      fprintf(stderr, "bidload: %s\n", err);
      rc = 1;
    }
    if (bl_worker_sent_until(w[i]) > until)
      until = bl_worker_sent_until(w[i]);
  }
  for (i = 0; i < cfg->threads; i++)
    bl_worker_free(w[i]);
  free(w);

  rep.cfg = cfg;
  rep.res = res;
  rep.duration_s = until > sh.start_ns ? (double)(until - sh.start_ns) / 1e9 : 0;
  bl_report_text(&rep, stdout);
  fflush(stdout);
  if (cfg->json_path && bl_report_write_json(&rep, cfg->json_path, err, sizeof err)) {
    fprintf(stderr, "bidload: --json %s\n", err);
    rc = 1;
  }
  if (cfg->svg_path && bl_report_write_svg(&rep, cfg->svg_path, err, sizeof err)) {
    fprintf(stderr, "bidload: --svg %s\n", err);
    rc = 1;
  }
  if (res->requests == 0) {
    fprintf(stderr, "bidload: no request was answered (see the errors above)\n");
    rc = 1;
  }
  free(res);
  return rc;
}


int main(int argc, char **argv) {
  struct bl_config *cfg = calloc(1, sizeof *cfg);
  struct bl_profile profile;
  char err[512];
  int rc;

  if (!cfg) {
    fputs("bidload: out of memory\n", stderr);
    return 1;
  }
  rc = bl_cli_parse(argc, argv, cfg, err, sizeof err);
  if (rc == BL_CLI_HELP) {
    fputs(bl_cli_usage, stdout);
    free(cfg);
    return 0;
  }
  if (rc == BL_CLI_BAD) {
    fprintf(stderr, "bidload: %s (try bidload --help)\n", err);
    free(cfg);
    return 2;
  }
  if (bl_profile_load(&profile, cfg->profile_path, err, sizeof err)) {
    fprintf(stderr, "bidload: --profile: %s\n", err);
    free(cfg);
    return 2;
  }
  if (cfg->dump >= 0) {
    rc = dump(cfg, &profile);
  } else {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    cfg->progress = isatty(STDERR_FILENO);
    rc = run(cfg, &profile);
  }
  bl_profile_free(&profile);
  free(cfg);
  return rc;
}
