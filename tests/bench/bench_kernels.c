/* bench_kernels.c - inference speed: XGBoost's C API vs the if/else code vs each xgbc kernel.
 *
 *   bench_kernels OUT.md DIR NAME...          the benchmark; a Markdown report to OUT.md
 *   bench_kernels --run DIR NAME IMPL BATCH   predict all rows once (for callgrind)
 *
 * DIR/NAME holds model.json (XGBoost), model.so (xgbc, branchless kernels), ifelse.so (xgbc
 * --emit ifelse), x.f32 + meta.txt (the rows) and shape.txt ("TREES NODES STEPS": STEPS is the
 * sum of the trees' depths, the node steps a branchless walk takes per row); see
 * tests/bench/train.py and mk/kernels.mk. Every implementation predicts (transformed output)
 * the same pool of rows in batches of 1, 8, 64 and 4096, cycling through the pool so that
 * branch predictors cannot learn the rows; XGBoost runs with nthread=1 through
 * XGBoosterPredictFromDense (in-place prediction, no DMatrix). Each figure is the min and
 * the median of SAMPLES timed samples of about SAMPLE_NS each, taken round-robin across the
 * implementations. Before timing, every
 * implementation's output on the whole pool must equal XGBoost's bit for bit.
 *
 * Exit status 0, or 1 with a message (bad files, a mismatch, an XGBoost error).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xgboost/c_api.h>

#include "model_abi.h"

#define SAMPLES 21
#define SAMPLE_NS 20e6
#define MAX_IMPLS 8

static const size_t batches[] = {1, 8, 64, 4096};
#define NUM_BATCHES (sizeof batches / sizeof batches[0])

struct model {
  char name[64];
  size_t rows, cols, trees, nodes, steps;
  float *x, *want;
  BoosterHandle xgb;
  void *lib, *lib_ifelse;
  const struct bg_model *m, *m_ifelse;
};

struct impl {
  const char *name;
  void (*predict)(const float *x, size_t n, float *out); /* NULL: XGBoost */
};

struct result {
  double min, median; /* ns per row */
};

static struct model *cur; /* the model XGBoost's predict works on */


static double now_ns(void) {
  struct timespec t;

  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}


static void die(const char *fmt, const char *a, const char *b) {
  fprintf(stderr, "bench_kernels: ");
  fprintf(stderr, fmt, a, b);
  fprintf(stderr, "\n");
  exit(1);
}


static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;

  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
    die("cannot read %s%s", path, "");
  buf = malloc((size_t)n + 1);
  if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
    die("cannot read %s%s", path, "");
  buf[n] = '\0';
  fclose(f);
  if (len != NULL)
    *len = (size_t)n;
  return buf;
}


/* XGBoost in-place prediction of n rows at x into out (transformed). */
static void xgb_predict(const float *x, size_t n, float *out) {
  char values[256];
  static const char config[] = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
                               "\"iteration_end\": 0, \"strict_shape\": false, \"cache_id\": 0, "
                               "\"missing\": NaN}";
  const bst_ulong *shape;
  bst_ulong dim;
  const float *res;

  snprintf(values, sizeof values,
           "{\"data\": [%llu, true], \"shape\": [%zu, %zu], \"typestr\": \"<f4\", \"version\": 3}",
           (unsigned long long)(uintptr_t)x, n, cur->cols);
  if (XGBoosterPredictFromDense(cur->xgb, values, config, NULL, &shape, &dim, &res) != 0)
    die("XGBoosterPredictFromDense: %s%s", XGBGetLastError(), "");
  memcpy(out, res, n * sizeof *out);
}


static const struct bg_model *open_model(const char *path, const char *name, void **lib) {
  char sym[128];
  const struct bg_model *m;

  *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (*lib == NULL)
    die("dlopen %s: %s", path, dlerror());
  snprintf(sym, sizeof sym, "bg_model_%s", name);
  m = dlsym(*lib, sym);
  if (m == NULL || m->abi_version != BG_MODEL_ABI_VERSION)
    die("%s: no bg_model_%s of this ABI version", path, name);
  return m;
}


static void load(struct model *md, const char *dir, const char *name) {
  char path[4096], objective[64], *meta, *shape;
  size_t len;

  snprintf(md->name, sizeof md->name, "%s", name);
  snprintf(path, sizeof path, "%s/%s/meta.txt", dir, name);
  meta = read_file(path, NULL);
  if (sscanf(meta, "%zu %zu %63s", &md->rows, &md->cols, objective) != 3)
    die("bad %s%s", path, "");
  snprintf(path, sizeof path, "%s/%s/shape.txt", dir, name);
  shape = read_file(path, NULL);
  if (sscanf(shape, "%zu %zu %zu", &md->trees, &md->nodes, &md->steps) != 3)
    die("bad %s%s", path, "");
  snprintf(path, sizeof path, "%s/%s/x.f32", dir, name);
  md->x = (float *)read_file(path, &len);
  if (len != md->rows * md->cols * sizeof(float))
    die("%s: wrong size%s", path, "");
  snprintf(path, sizeof path, "%s/%s/model.so", dir, name);
  md->m = open_model(path, name, &md->lib);
  snprintf(path, sizeof path, "%s/%s/ifelse.so", dir, name);
  md->m_ifelse = open_model(path, name, &md->lib_ifelse);
  if (md->m->predict_width != 1)
    die("%s: the benchmark expects one output per row%s", name, "");
  if (XGBoosterCreate(NULL, 0, &md->xgb) != 0)
    die("XGBoosterCreate: %s%s", XGBGetLastError(), "");
  snprintf(path, sizeof path, "%s/%s/model.json", dir, name);
  if (XGBoosterLoadModel(md->xgb, path) != 0 || XGBoosterSetParam(md->xgb, "nthread", "1") != 0)
    die("%s: %s", path, XGBGetLastError());
  free(meta);
  free(shape);
  cur = md;
  md->want = malloc(md->rows * sizeof *md->want);
  xgb_predict(md->x, md->rows, md->want);
}


/* The implementations of one model: XGBoost, if/else, then every kernel this CPU runs. */
static size_t impls_of(const struct model *md, struct impl *im) {
  size_t n = 0, k;

  im[n++] = (struct impl){"xgboost", xgb_predict};
  im[n++] = (struct impl){"ifelse", md->m_ifelse->kernels[0].predict};
  for (k = 0; k < md->m->num_kernels && n < MAX_IMPLS; k++)
    if (md->m->kernels[k].available())
      im[n++] = (struct impl){md->m->kernels[k].name, md->m->kernels[k].predict};
  return n;
}


static void verify(const struct model *md, const struct impl *im) {
  float *got = malloc(md->rows * sizeof *got);
  size_t r;

  for (r = 0; r < md->rows; r += 64)
    im->predict(md->x + r * md->cols, md->rows - r < 64 ? md->rows - r : 64, got + r);
  if (memcmp(got, md->want, md->rows * sizeof *got) != 0)
    die("%s: %s differs from XGBoost", md->name, im->name);
  free(got);
}


/* Predict `total` rows in batches, cycling through the pool from row *at. */
static void run(const struct model *md, const struct impl *im, size_t batch, size_t total,
                size_t *at, float *out) {
  size_t done;

  for (done = 0; done < total; done += batch) {
    im->predict(md->x + *at * md->cols, batch, out);
    *at = (*at + batch) % md->rows;
  }
}


static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}


/* Rows per sample for im at this batch size, so that a sample takes about SAMPLE_NS. */
static size_t calibrate(const struct model *md, const struct impl *im, size_t batch, float *out) {
  size_t at = 0, total;
  double t0, one;

  run(md, im, batch, batch, &at, out);
  t0 = now_ns();
  run(md, im, batch, batch * 4, &at, out);
  one = (now_ns() - t0) / (double)(batch * 4);
  total = (size_t)(SAMPLE_NS / (one > 0.1 ? one : 0.1));
  return total < batch ? batch : total / batch * batch;
}


/* Time the n implementations at one batch size. Samples are taken round-robin (one of each
 * implementation in turn, SAMPLES times), so that load from other processes on a shared
 * machine falls on all of them alike and the ratios stay fair. */
static void measure(const struct model *md, const struct impl *im, size_t n, size_t batch,
                    struct result *res) {
  static double t[MAX_IMPLS][SAMPLES];
  size_t total[MAX_IMPLS], at[MAX_IMPLS], i, s;
  float *out = malloc(batch * sizeof *out);

  for (i = 0; i < n; i++) {
    total[i] = calibrate(md, &im[i], batch, out);
    at[i] = 0;
  }
  for (s = 0; s < SAMPLES; s++)
    for (i = 0; i < n; i++) {
      double t0 = now_ns();
      run(md, &im[i], batch, total[i], &at[i], out);
      t[i][s] = (now_ns() - t0) / (double)total[i];
    }
  for (i = 0; i < n; i++) {
    qsort(t[i], SAMPLES, sizeof t[i][0], cmp_double);
    res[i].min = t[i][0];
    res[i].median = t[i][SAMPLES / 2];
  }
  free(out);
}


/* Cycles per nanosecond, from a chain of dependent decrements (one per cycle): the best of
 * many short runs, so that time slices lost to other processes do not count. */
static double clock_ghz(void) {
#if defined(__x86_64__)
  double best = 0;
  int k;

  for (k = 0; k < 200; k++) {
    uint64_t n = 2000000;
    double t0 = now_ns(), g;
    __asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n));
    g = 2e6 / (now_ns() - t0);
    best = g > best ? g : best;
  }
  return best;
#else
  return 0;
#endif
}


static int report(FILE *out, int argc, char **argv) {
  struct model md;
  struct impl im[MAX_IMPLS];
  struct result res[MAX_IMPLS][NUM_BATCHES];
  double ghz = clock_ghz();
  size_t i, b, n;
  int a, major, minor, patch;

  XGBoostVersion(&major, &minor, &patch);
  fprintf(out, "XGBoost %d.%d.%d (C API, nthread=1, XGBoosterPredictFromDense); clock "
          "estimated at %.2f GHz (dependent-decrement loop).\n\n", major, minor, patch, ghz);
  for (a = 3; a < argc; a++) {
    load(&md, argv[2], argv[a]);
    n = impls_of(&md, im);
    for (i = 0; i < n; i++)
      verify(&md, &im[i]);
    fprintf(stderr, "bench_kernels: %s: %zu trees, %zu nodes; all %zu implementations equal "
            "XGBoost on %zu rows\n", md.name, md.trees, md.nodes, n, md.rows);
    for (b = 0; b < NUM_BATCHES; b++) {
      struct result r[MAX_IMPLS];
      measure(&md, im, n, batches[b], r);
      for (i = 0; i < n; i++) {
        res[i][b] = r[i];
        fprintf(stderr, "  %-8s batch %4zu: %10.1f ns/row (min %.1f)\n", im[i].name, batches[b],
                r[i].median, r[i].min);
      }
    }

    fprintf(out, "### %s: %zu trees, %zu nodes, %zu features, %zu node steps per row\n\n",
            md.name, md.trees, md.nodes, md.cols, md.steps);
    fprintf(out, "| code | batch | ns/row median | ns/row min | ns/(row x tree) | x XGBoost | "
            "x if/else | cycles/node step |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (b = 0; b < NUM_BATCHES; b++)
      for (i = 0; i < n; i++) {
        const struct result *r = &res[i][b];
        fprintf(out, "| %s | %zu | %.1f | %.1f | %.3f | %.1f | %.2f | ", im[i].name, batches[b],
                r->median, r->min, r->median / (double)md.trees, res[0][b].median / r->median,
                res[1][b].median / r->median);
        if (i >= 2 && ghz > 0)
          fprintf(out, "%.2f |\n", r->median * ghz / (double)md.steps);
        else
          fprintf(out, "- |\n");
      }
    fprintf(out, "\n");
    for (i = 2; i < n; i++)
      fprintf(out, "@%s %s %.3f %.3f %.3f %.3f %.3f %.3f %.3f %.3f\n", md.name, im[i].name,
              res[0][0].median / res[i][0].median, res[1][0].median / res[i][0].median,
              res[0][NUM_BATCHES - 1].median / res[i][NUM_BATCHES - 1].median,
              res[1][NUM_BATCHES - 1].median / res[i][NUM_BATCHES - 1].median,
              res[0][0].min / res[i][0].min, res[1][0].min / res[i][0].min,
              res[0][NUM_BATCHES - 1].min / res[i][NUM_BATCHES - 1].min,
              res[1][NUM_BATCHES - 1].min / res[i][NUM_BATCHES - 1].min);
    fprintf(out, "\n");
    fflush(out);
  }
  return 0;
}


int main(int argc, char **argv) {
  FILE *out;

  if (argc == 6 && strcmp(argv[1], "--run") == 0) {
    struct model md;
    struct impl im[MAX_IMPLS];
    size_t i, n, at = 0, batch = (size_t)atol(argv[5]);
    float *o;

    load(&md, argv[2], argv[3]);
    n = impls_of(&md, im);
    o = malloc((batch ? batch : 1) * sizeof *o);
    for (i = 0; i < n; i++)
      if (strcmp(im[i].name, argv[4]) == 0 && batch > 0 && md.rows % batch == 0) {
        run(&md, &im[i], batch, md.rows, &at, o);
        return 0;
      }
    die("--run: no implementation %s (or bad batch %s)", argv[4], argv[5]);
  }
  if (argc < 4) {
    fprintf(stderr, "usage: bench_kernels OUT.md DIR NAME...\n"
                    "       bench_kernels --run DIR NAME IMPL BATCH\n");
    return 2;
  }
  out = fopen(argv[1], "w");
  if (out == NULL)
    die("cannot write %s%s", argv[1], "");
  report(out, argc, argv);
  return fclose(out) == 0 ? 0 : 1;
}
