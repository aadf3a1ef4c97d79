/* main.c - the bidgate command: subcommands around the model linked into this binary.
 *
 *   bidgate info                   the model's name, hash, objective and shape
 *   bidgate predict [--margin]     CSV feature rows on stdin -> one prediction per line
 *
 * The HTTP server (DESIGN.md) is the subject of a later change; until then `make run` uses
 * `predict` to show the sample model's scores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "linked_model.h"

#define ROWS_PER_BATCH 256 /* rows scored per predict call */

static const char usage[] =
  "usage: bidgate COMMAND [options]\n"
  "\n"
  "commands:\n"
  "  info                 print the model's name, sha256, objective and shape\n"
  "  predict [--margin]   read CSV feature rows (empty cell = missing) on stdin and print\n"
  "                       one prediction per line (several outputs: comma separated);\n"
  "                       --margin prints the raw margin instead\n"
  "  help                 this text\n";


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

  if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
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
