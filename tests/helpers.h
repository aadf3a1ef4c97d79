/* helpers.h - small utilities the Criterion suites share: files, temp dirs, child processes.
 * Each helper fails the calling test (cr_assert) instead of returning an error it would have
 * to check, so tests read as what they check. */
#ifndef BGT_HELPERS_H
#define BGT_HELPERS_H

#include <stddef.h>

struct criterion_test_params; /* <criterion/parameterized.h> */

/* The value of environment variable name; the test fails if it is unset (the Makefile sets
 * every BG_TEST_* variable, so an unset one means the test was run the wrong way). */
const char *bgt_env(const char *name);

/* The whole file, NUL-terminated (the NUL is not counted in *len, which may be NULL). */
char *bgt_read_file(const char *path, size_t *len);

void bgt_write_file(const char *path, const void *data, size_t len);

/* A new empty directory under $TMPDIR (or /tmp); remove it with bgt_rmrf. */
char *bgt_mkdtemp(void);

void bgt_rmrf(const char *path);

/* A suite's scratch directory: .init = bgt_tmp_init makes bgt_tmp, .fini = bgt_tmp_fini
 * removes it with everything in it. */
extern char *bgt_tmp;
void bgt_tmp_init(void);
void bgt_tmp_fini(void);

/* Names in dir (not . or ..), newline separated, sorted; "" when empty. */
char *bgt_list_dir(const char *dir);

/* Run argv[0] (looked up on PATH) with stdin from in_path (or /dev/null), capture stdout and
 * stderr into malloc'd strings (NULL pointers to discard); returns the exit status, or 128 +
 * signal number when it was killed. */
int bgt_run(char *const argv[], const char *in_path, char **out, char **err);

/* printf into a new string. */
char *bgt_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One oracle model as a Criterion parameter (tests/oracle/train.py writes the models). */
struct bgt_model_case {
  char name[128];
};

/* The models named in $BG_TEST_ORACLE/MANIFEST, in order, in Criterion's memory; only those
 * whose directory holds file `needs` when it is not NULL. *n gets the count: 0 without a
 * manifest, which each suite's own manifest check reports. Free with bgt_free_cases. */
struct bgt_model_case *bgt_oracle_cases(const char *needs, size_t *n);
void bgt_free_cases(struct criterion_test_params *p);

/* Run a kernel fn over x (rows of cols features), batch rows per call (each call checked not
 * to write past its rows), and compare its width outputs per row with want bit for bit; with
 * any_nan, a NaN matches any NaN (the arm64 build: a NaN the arithmetic makes carries the CPU's
 * default sign). The first difference fails the test, with its row printed on stderr. */
void bgt_check_kernel(const char *model, const char *kernel, const char *what,
                      void (*fn)(const float *, size_t, float *), const float *x, size_t rows,
                      size_t cols, size_t batch, size_t width, const float *want, int any_nan);

#endif /* BGT_HELPERS_H */
