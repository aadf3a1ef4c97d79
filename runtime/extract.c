/* extract.c - `bidgate extract` (see extract.h). */
#include "extract.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "http_errors.h"
#include "openrtb.h"
#include "rows.h"
#include "sha256.h"

#define MAX_LINE_BODY (64u << 20) /* a JSON line may be this long */


static int spec_matches(const char *path, const struct bg_features *fx) {
  FILE *f = fopen(path, "rb");
  struct bg_buf b = {0};
  char hex[XGBC_SHA256_HEX_LEN + 1], chunk[65536];
  size_t n;
  int ok;

  if (f == NULL) {
    fprintf(stderr, "bidgate: extract: cannot open %s: %s\n", path, strerror(errno));
    return 0;
  }
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (bg_buf_put(&b, chunk, n) != 0)
      break;
  ok = !ferror(f) && feof(f);
  fclose(f);
  if (!ok) {
    fprintf(stderr, "bidgate: extract: cannot read %s\n", path);
    bg_buf_free(&b);
    return 0;
  }
  xgbc_sha256_hex(b.p ? b.p : "", b.len, hex);
  bg_buf_free(&b);
  if (strcmp(hex, fx->sha256) != 0) {
    fprintf(stderr, "bidgate: extract: %s is not the spec compiled into this binary (its "
            "sha256 is %s, the compiled one's %s); rebuild with `make model`\n", path, hex,
            fx->sha256);
    return 0;
  }
  return 1;
}


static int parse_now(const char *s, int64_t *now) {
  char *end;
  long long v;

  errno = 0;
  v = strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0')
    return -1;
  *now = (int64_t)v;
  return 0;
}


static void put_row(struct bg_buf *o, const float *x, uint32_t nf) {
  uint32_t k;

  for (k = 0; k < nf; k++) {
    if (k > 0)
      bg_buf_put(o, ",", 1);
    if (!isnan(x[k])) {
      char tmp[32];
      int n = snprintf(tmp, sizeof tmp, "%.9g", (double)x[k]);
      bg_buf_put(o, tmp, (size_t)n);
    }
  }
  bg_buf_put(o, "\n", 1);
}


int bg_extract_main(int argc, char **argv, const struct bg_model *m, const struct bg_features *fx) {
  const char *spec = NULL, *list = getenv("BIDGATE_BIDDERS");
  int64_t now = (int64_t)time(NULL);
  int keys = 0, header = 0, status = 0, i;
  struct bg_bidders bidders;
  struct bg_arena arena;
  struct bg_buf out = {0};
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t len;

  (void)m;
  for (i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--keys") == 0) {
      keys = 1;
    } else if (strcmp(argv[i], "--header") == 0) {
      header = 1;
    } else if (i + 1 < argc && strcmp(argv[i], "--features") == 0) {
      spec = argv[++i];
    } else if (i + 1 < argc && strcmp(argv[i], "--bidders") == 0) {
      list = argv[++i];
    } else if (i + 1 < argc && strcmp(argv[i], "--now") == 0) {
      if (parse_now(argv[++i], &now) != 0) {
        fprintf(stderr, "bidgate: extract: --now takes epoch seconds, not \"%s\"\n", argv[i]);
        return 2;
      }
    } else {
      fprintf(stderr, "bidgate: extract: unknown or incomplete option %s (see bidgate help)\n",
              argv[i]);
      return 2;
    }
  }
  if (fx == NULL) {
    fprintf(stderr, "bidgate: extract: this binary was built without a feature spec "
            "(models/<name>/features.json)\n");
    return 1;
  }
  if (spec != NULL && !spec_matches(spec, fx))
    return 1;
  if (bg_bidders_from_list(list ? list : "", &bidders) != 0) {
    fprintf(stderr, "bidgate: extract: out of memory\n");
    return 1;
  }
  bg_arena_init(&arena, 1 << 16, (size_t)64 * MAX_LINE_BODY);
  if (header) {
    uint32_t k;
    if (keys)
      bg_buf_puts(&out, "request_id,imp,bidder,");
    for (k = 0; k < fx->num_features; k++) {
      bg_buf_puts(&out, fx->feature_names[k]);
      bg_buf_puts(&out, k + 1 < fx->num_features ? "," : "\n");
    }
  }
  while ((len = getline(&line, &cap, stdin)) >= 0) {
    struct bg_bidreq br;
    struct bg_rows rows;
    const char *message = NULL;
    uint32_t r;
    int err;

    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    if (strspn(line, " \t") == (size_t)len)
      continue;
    bg_arena_reset(&arena);
    err = bg_openrtb_scan(line, (size_t)len, fx->scan_paths, UINT32_MAX, &arena,
                          (int)fx->uses_bidder, &bidders, &br, &message);
    if (err == 0)
      err = bg_rows_build(&br, fx, 1, now, UINT32_MAX, &arena, &rows);
    if (err != 0) {
      fprintf(stderr, "bidgate: extract: stdin:%zu: %s: %s\n", lineno, bg_http_err_code(err),
              message ? message : bg_http_err_message(err));
      status = 1;
      break;
    }
    for (r = 0; r < rows.n; r++) {
      if (keys) {
        uint32_t b = r % rows.per_imp;
        bg_buf_json_string(&out, br.id, br.id_len);
        bg_buf_puts(&out, ",");
        bg_buf_uint(&out, r / rows.per_imp);
        bg_buf_puts(&out, ",");
        if (fx->uses_bidder)
          bg_buf_json_string(&out, br.bidders.item[b].p, br.bidders.item[b].n);
        bg_buf_puts(&out, ",");
      }
      put_row(&out, rows.x + (size_t)r * rows.nf, rows.nf);
    }
    if (out.len >= (1u << 16)) {
      fwrite(out.p, 1, out.len, stdout);
      out.len = 0;
    }
  }
  if (out.len > 0)
    fwrite(out.p, 1, out.len, stdout);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "bidgate: extract: cannot write the output\n");
    status = 1;
  }
  free(line);
  bg_buf_free(&out);
  bg_arena_free(&arena);
  bg_bidders_free(&bidders);
  return status;
}
