/* main.c - the bidgate command: subcommands around the model linked into this binary.
 *
 *   bidgate [serve] [options]      the HTTP server (server.c), and the Thrift endpoint
 *                                  (thrift_server.c) with --thrift-port; options in config.h
 *   bidgate healthcheck [--port P] GET /healthz on loopback: exit 0 when healthy
 *   bidgate info                   the model's name, hash, objective and shape
 *   bidgate predict [--margin]     CSV feature rows on stdin -> one prediction per line
 *   bidgate extract [options]      OpenRTB JSON lines on stdin -> CSV feature rows (extract.c)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "csv.h"
#include "extract.h"
#include "healthcheck.h"
#include "linked_model.h"
#include "server.h"
#include "thrift_server.h"

#define ROWS_PER_BATCH 256 /* rows scored per predict call */

static const char usage[] =
  "usage: bidgate [COMMAND] [options]\n"
  "\n"
  "commands:\n"
  "  serve [options]      the HTTP server (the default command): POST /v1/filter,\n"
  "                       GET /healthz, GET /metrics, SageMaker (POST /invocations,\n"
  "                       GET /ping), KServe v2 (/v2/...); with --thrift-port also the\n"
  "                       Thrift service BidRequestFilter.filter (docs/thrift.md);\n"
  "                       options below\n"
  "  healthcheck [--port P]\n"
  "                       GET /healthz on 127.0.0.1:P (default: BIDGATE_PORT, else 8080);\n"
  "                       exit 0 when it answers 200 within 2 s, else 1\n"
  "  info                 print the model's name, sha256, objective and shape\n"
  "  predict [--margin]   read CSV feature rows (empty cell = missing) on stdin and print\n"
  "                       one prediction per line (several outputs: comma separated);\n"
  "                       --margin prints the raw margin instead\n"
  "  extract [--features FILE] [--now EPOCH] [--bidders LIST] [--keys] [--header]\n"
  "                       read OpenRTB BidRequests, one JSON per line, on stdin and print\n"
  "                       their feature rows as CSV (one per imp, or imp x bidder; NaN as\n"
  "                       an empty cell), as the server computes them\n"
  "  help                 this text\n"
  "\n"
  "serve options (each also read from its environment variable):\n";


static void print_usage(FILE *out) {
  fputs(usage, out);
  bg_config_usage(out);
}


static int serve(int argc, char **argv) {
  struct bg_config cfg;
  char err[256];

  if (bg_config_load(&cfg, argc, argv, err, sizeof err) != 0) {
    fprintf(stderr, "bidgate: %s\n", err);
    return 2;
  }
  if (bg_linked_features == NULL)
    fprintf(stderr, "bidgate: built without a feature spec: /v1/filter will answer 503\n");
  if (bg_server_run(&cfg, bg_linked_model, bg_linked_features, err, sizeof err) != 0) {
    fprintf(stderr, "bidgate: %s\n", err);
    return 1;
  }
  if (cfg.thrift_port >= 0) {
    struct bg_thrift_counters tc;
    char line[512];
    bg_thrift_totals(&tc);
    bg_thrift_counters_format(&tc, line, sizeof line);
    fprintf(stderr, "bidgate: thrift: %s\n", line);
  }
  return 0;
}


static void print_info(const struct bg_model *m) {
  uint32_t i;

  printf("model       %s\n", m->name);
  printf("sha256      %s\n", m->sha256);
  printf("objective   %s\n", m->objective);
  printf("trees       %u\n", m->num_trees);
  printf("outputs     %u\n", m->num_outputs);
  printf("features    %u:", m->num_features);
  for (i = 0; i < m->num_features; i++)
    printf(" %s", m->feature_names[i]);
  printf("\nxgbc        %s\n", m->xgbc_version);
  if (bg_linked_features != NULL)
    printf("spec        %s (%s)\n", bg_linked_features->sha256,
           bg_linked_features->uses_bidder ? "one row per imp x bidder" : "one row per imp");
}


/* Score rows in batches; a bad line stops the run with its line number. */
static int run_predict(const struct bg_model *m, int margin) {
  size_t nf = m->num_features;
  size_t width = margin ? m->num_outputs : m->predict_width;
  float *x = malloc(ROWS_PER_BATCH * nf * sizeof *x);
  float *out = malloc(ROWS_PER_BATCH * (width ? width : 1) * sizeof *out);
  char *line = NULL;
  size_t cap = 0, rows = 0, lineno = 0;
  ssize_t len;
  int status = 0;

  if (x == NULL || out == NULL) {
    fprintf(stderr, "bidgate: out of memory\n");
    status = 1;
    goto out;
  }
  for (;;) {
    len = getline(&line, &cap, stdin);
    if (len >= 0) {
      size_t bad;
      int err;
      lineno++;
      while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
      if (len == 0)
        continue;
      err = bg_csv_parse_row(line, (size_t)len, x + rows * nf, nf, &bad);
      if (err == BG_CSV_EFIELDS) {
        fprintf(stderr, "bidgate: stdin:%zu: %zu cells, the model takes %zu\n", lineno, bad, nf);
        status = 1;
        break;
      }
      if (err != BG_CSV_OK) {
        fprintf(stderr, "bidgate: stdin:%zu: cell %zu is not a number\n", lineno, bad);
        status = 1;
        break;
      }
      rows++;
    }
    if (rows == ROWS_PER_BATCH || (len < 0 && rows > 0)) {
      size_t r, k;
      (margin ? m->predict_margin : m->predict)(x, rows, out);
      for (r = 0; r < rows; r++)
        for (k = 0; k < width; k++)
          printf("%.9g%c", (double)out[r * width + k], k + 1 < width ? ',' : '\n');
      rows = 0;
    }
    if (len < 0)
      break;
  }
out:
  free(line);
  free(x);
  free(out);
  if (fflush(stdout) != 0)
    status = 1;
  return status;
}


int main(int argc, char **argv) {
  const struct bg_model *m = bg_linked_model;

  if (argc >= 2 && (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
                    strcmp(argv[1], "-h") == 0)) {
    print_usage(stdout);
    return 0;
  }
  /* No command, or options first: serve (an image's entrypoint is just the binary). */
  if (argc < 2 || argv[1][0] == '-')
    return serve(argc - 1, argv + 1);
  if (strcmp(argv[1], "serve") == 0)
    return serve(argc - 2, argv + 2);
  if (strcmp(argv[1], "healthcheck") == 0)
    return bg_healthcheck_main(argc - 2, argv + 2);
  if (strcmp(argv[1], "extract") == 0)
    return bg_extract_main(argc - 2, argv + 2, m, bg_linked_features);
  if (strcmp(argv[1], "info") == 0 && argc == 2) {
    print_info(m);
    return 0;
  }
  if (strcmp(argv[1], "predict") == 0 && argc <= 3) {
    int margin = argc == 3 && strcmp(argv[2], "--margin") == 0;
    if (argc == 3 && !margin) {
      fprintf(stderr, "bidgate: predict takes only --margin\n");
      return 2;
    }
    return run_predict(m, margin);
  }
  fprintf(stderr, "bidgate: unknown command or arguments (see bidgate help)\n");
  return 2;
}
