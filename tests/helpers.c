/* helpers.c - see helpers.h. */
#define _GNU_SOURCE /* vasprintf */
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>


const char *bgt_env(const char *name) {
  const char *v = getenv(name);

  cr_assert(v != NULL && *v != '\0', "%s is not set: run the tests with `make test`", name);
  return v;
}


char *bgt_fmt(const char *fmt, ...) {
  va_list ap;
  char *s = NULL;
  int n;

  va_start(ap, fmt);
  n = vasprintf(&s, fmt, ap);
  va_end(ap);
  cr_assert(n >= 0, "out of memory");
  return s;
}


char *bgt_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;

  cr_assert(f != NULL, "cannot open %s: %s", path, strerror(errno));
  cr_assert(fseek(f, 0, SEEK_END) == 0);
  n = ftell(f);
  cr_assert(n >= 0);
  rewind(f);
  buf = malloc((size_t)n + 1);
  cr_assert(buf != NULL);
  cr_assert(fread(buf, 1, (size_t)n, f) == (size_t)n, "short read of %s", path);
  fclose(f);
  buf[n] = '\0';
  if (len != NULL)
    *len = (size_t)n;
  return buf;
}


void bgt_write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");

  cr_assert(f != NULL, "cannot create %s: %s", path, strerror(errno));
  cr_assert(fwrite(data, 1, len, f) == len);
  cr_assert(fclose(f) == 0);
}


char *bgt_mkdtemp(void) {
  const char *tmp = getenv("TMPDIR");
  char *path = bgt_fmt("%s/bgtest.XXXXXX", tmp && *tmp ? tmp : "/tmp");

  cr_assert(mkdtemp(path) != NULL, "mkdtemp: %s", strerror(errno));
  return path;
}


void bgt_rmrf(const char *path) {
  char *argv[] = {"rm", "-rf", (char *)path, NULL};

  bgt_run(argv, NULL, NULL, NULL);
}


char *bgt_tmp;

void bgt_tmp_init(void) {
  bgt_tmp = bgt_mkdtemp();
}


void bgt_tmp_fini(void) {
  bgt_rmrf(bgt_tmp);
  free(bgt_tmp);
  bgt_tmp = NULL;
}


static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}


char *bgt_list_dir(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char *names[256], *out;
  size_t n = 0, i, total = 1;

  cr_assert(d != NULL, "cannot open directory %s: %s", dir, strerror(errno));
  while ((e = readdir(d)) != NULL && n < 256) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp_str);
  for (i = 0; i < n; i++)
    total += strlen(names[i]) + 1;
  out = calloc(1, total);
  for (i = 0; i < n; i++) {
    strcat(out, names[i]);
    if (i + 1 < n)
      strcat(out, "\n");
    free(names[i]);
  }
  return out;
}


/* Read a temp file's contents back and remove it. */
static char *slurp_fd(int fd) {
  struct stat st;
  char *buf;
  ssize_t got = 0;

  cr_assert(fstat(fd, &st) == 0);
  buf = malloc((size_t)st.st_size + 1);
  cr_assert(buf != NULL);
  lseek(fd, 0, SEEK_SET);
  while (got < st.st_size) {
    ssize_t n = read(fd, buf + got, (size_t)(st.st_size - got));
    cr_assert(n > 0);
    got += n;
  }
  buf[got] = '\0';
  close(fd);
  return buf;
}


static int temp_fd(void) {
  const char *tmp = getenv("TMPDIR");
  char *path = bgt_fmt("%s/bgout.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  int fd = mkstemp(path);

  cr_assert(fd >= 0, "mkstemp: %s", strerror(errno));
  unlink(path);
  free(path);
  return fd;
}


int bgt_run(char *const argv[], const char *in_path, char **out, char **err) {
  int fd_out = temp_fd(), fd_err = temp_fd(), status;
  pid_t pid;

  fflush(NULL);
  pid = fork();
  cr_assert(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    int in = open(in_path ? in_path : "/dev/null", O_RDONLY);
    if (in < 0)
      _exit(126);
    dup2(in, 0);
    dup2(fd_out, 1);
    dup2(fd_err, 2);
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  while (waitpid(pid, &status, 0) < 0)
    cr_assert(errno == EINTR);
  if (out != NULL)
    *out = slurp_fd(fd_out);
  else
    close(fd_out);
  if (err != NULL)
    *err = slurp_fd(fd_err);
  else
    close(fd_err);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}


/* Under LeakSanitizer (make test SANITIZE=1) a test process, which allocates freely and exits,
 * is not checked for leaks: the checks are for the programs under test (bidgate, xgbc, bidload),
 * which it runs as child processes. Unused in other builds. */
int __lsan_is_turned_off(void);

int __lsan_is_turned_off(void) {
  return 1;
}


struct bgt_model_case *bgt_oracle_cases(const char *needs, size_t *n) {
  const char *dir = getenv("BG_TEST_ORACLE");
  struct bgt_model_case *found = NULL, *cases;
  size_t cap = 0;
  char line[sizeof found->name];
  FILE *f = dir ? fopen(bgt_fmt("%s/MANIFEST", dir), "r") : NULL;

  *n = 0;
  while (f != NULL && fgets(line, sizeof line, f) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '\0' ||
        (needs != NULL && access(bgt_fmt("%s/%s/%s", dir, line, needs), R_OK) != 0))
      continue;
    if (*n == cap) {
      cap = cap ? 2 * cap : 64;
      found = realloc(found, cap * sizeof *found);
      cr_assert(found != NULL, "out of memory");
    }
    snprintf(found[(*n)++].name, sizeof found->name, "%s", line);
  }
  if (f != NULL)
    fclose(f);
  /* Criterion's parameters live in its own shared memory, which has no realloc to rely on. */
  cases = cr_calloc(*n ? *n : 1, sizeof *cases);
  cr_assert(cases != NULL, "out of memory");
  if (*n)
    memcpy(cases, found, *n * sizeof *cases);
  free(found);
  return cases;
}


void bgt_free_cases(struct criterion_test_params *p) {
  cr_free(p->params);
}


static uint32_t float_bits(float f) {
  uint32_t u;

  memcpy(&u, &f, sizeof u);
  return u;
}


void bgt_check_kernel(const char *model, const char *kernel, const char *what,
                      void (*fn)(const float *, size_t, float *), const float *x, size_t rows,
                      size_t cols, size_t batch, size_t width, const float *want, int any_nan) {
  float *got = malloc(rows * width * sizeof *got + 1);
  size_t r, i, k;

  cr_assert(got != NULL, "out of memory");
  /* A canary after the batch's last value: kernels write exactly batch * width values. */
  for (r = 0; r < rows; r += batch) {
    size_t n = rows - r < batch ? rows - r : batch;
    if (r + n < rows)
      got[(r + n) * width] = 12345.0f;
    fn(x + r * cols, n, got + r * width);
    if (r + n < rows)
      cr_assert_eq(got[(r + n) * width], 12345.0f, "%s %s %s batch %zu wrote past its rows",
                   model, kernel, what, batch);
  }
  for (i = 0; i < rows * width; i++) {
    if (float_bits(want[i]) == float_bits(got[i]) ||
        (any_nan && want[i] != want[i] && got[i] != got[i]))
      continue;
    r = i / width;
    fprintf(stderr, "%s kernel %s %s batch %zu: row %zu output %zu: xgboost %a (0x%08x) got %a "
            "(0x%08x)\nfeatures:", model, kernel, what, batch, r, i % width, (double)want[i],
            float_bits(want[i]), (double)got[i], float_bits(got[i]));
    for (k = 0; k < cols; k++)
      fprintf(stderr, " %a", (double)x[r * cols + k]);
    fprintf(stderr, "\n");
    cr_assert_fail("%s: kernel %s %s (batch %zu) differs from XGBoost at row %zu", model, kernel,
                   what, batch, r);
  }
  free(got);
}
