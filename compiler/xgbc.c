/* xgbc.c - the model compiler's command line: read, validate, lower, emit, expand.
 *
 *   xgbc MODEL [--name NAME] -o DIR      writes DIR/model.c and DIR/model.h
 *   xgbc MODEL --features SPEC -o DIR    and DIR/features.c, the compiled feature spec
 *
 * The plan, one step per module: read_any.c picks the reader by content (read_xgb_json.c,
 * read_xgb_ubj.c, read_xgb_dump.c: file -> IR), validate.c (IR is sound),
 * lower.c (IR -> flat node table), emit_defs.c (table -> m4 definitions), m4run.c
 * (definitions + templates -> C, atomically); with a spec, read_features.c and
 * emit_features.c add the extractor. Diagnostics are printed here and only here, as
 * "FILE: WHERE: WHY".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"
#include "fxspec.h"
#include "lower.h"
#include "m4run.h"
#include "read.h"
#include "sha256.h"
#include "validate.h"
#include "xgbc_version.h"

#ifndef XGBC_TEMPLATE_DIR
#define XGBC_TEMPLATE_DIR "templates"
#endif

static const char usage[] =
  "usage: xgbc MODEL [--name NAME] -o DIR [options]\n"
  "       xgbc --features SPEC --name NAME -o DIR     (the feature spec alone)\n"
  "\n"
  "Compile an XGBoost model (the JSON or UBJSON written by Booster.save_model, or a JSON\n"
  "dump with the options below) into branchless C:\n"
  "DIR/model.c and DIR/model.h, exporting `const struct bg_model bg_model_NAME`\n"
  "(runtime/model_abi.h). Nothing in DIR changes unless compilation succeeds.\n"
  "\n"
  "options:\n"
  "  -o, --output DIR     where to write model.c and model.h (created if missing)\n"
  "  -n, --name NAME      C identifier for the model (default: the model file's folder\n"
  "                       name, with every other character turned into '_')\n"
  "  --features SPEC      also compile the feature spec SPEC (docs/features.md) into\n"
  "                       DIR/features.c, exporting bg_features_NAME (runtime/features_abi.h);\n"
  "                       without MODEL.json, only features.c (to extract training data\n"
  "                       before a model exists)\n"
  "  --templates DIR      m4 templates (default: $XGBC_TEMPLATES, else " XGBC_TEMPLATE_DIR ")\n"
  "  --m4 PROGRAM         GNU m4 to run (default: $XGBC_M4, else m4)\n"
  "  --emit KIND          branchless (default): table-driven kernels, scalar and SIMD,\n"
  "                       picked at run time; ifelse: classic nested if/else code, as\n"
  "                       tl2cgen and m2cgen write it (a baseline; same results)\n"
  "  --dump-defs          print the m4 definitions instead of writing files\n"
  "  -h, --help           this text\n"
  "  --version            print the version\n"
  "\n";

static const char usage_exit[] =
  "\n"
  "Exit status: 0 on success, 1 when the model is refused (the reason is printed as\n"
  "FILE: WHERE: WHY), 2 on a usage error.\n";


static void print_usage(FILE *f) {
  fputs(usage, f);
  fputs(xgbc_read_opts_usage, f); /* the options that complete a text dump */
  fputs(usage_exit, f);
}

struct options {
  const char *model, *out_dir, *name, *template_dir, *m4, *features, *emit;
  int dump_defs;
  struct xgbc_read_opts read; /* options that complete a text dump (read.h) */
};


static void on_signal(int sig) {
  xgbc_m4_discard_all_pending();
  signal(sig, SIG_DFL);
  raise(sig);
}


static int is_identifier(const char *s) {
  const char *p;

  if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
    return 0;
  for (p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '_'))
      return 0;
  /* m4_ and bg4_ would read as template macros in the generated code. */
  return p - s <= 64 && strncmp(s, "m4_", 3) != 0 && strncmp(s, "bg4_", 4) != 0;
}


/* The default name: the model file's folder, e.g. models/aws-rtb/model.json -> aws_rtb. */
static char *default_name(const char *model) {
  char *copy = strdup(model), *slash, *dir, *p;

  if (copy == NULL)
    return NULL;
  slash = strrchr(copy, '/');
  if (slash == NULL) {
    free(copy);
    return strdup("model");
  }
  *slash = '\0';
  dir = strrchr(copy, '/') ? strrchr(copy, '/') + 1 : copy;
  memmove(copy, dir, strlen(dir) + 1);
  for (p = copy; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
      *p = '_';
  if (!is_identifier(copy)) {
    free(copy);
    return strdup("model");
  }
  return copy;
}


static int parse_args(int argc, char **argv, struct options *o) {
  int i;

  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char **slot = NULL;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      print_usage(stdout);
      exit(0);
    } else if (strcmp(a, "--version") == 0) {
      printf("xgbc %s\n", XGBC_VERSION);
      exit(0);
    } else if (strcmp(a, "--dump-defs") == 0) {
      o->dump_defs = 1;
    } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
      slot = &o->out_dir;
    } else if (strcmp(a, "-n") == 0 || strcmp(a, "--name") == 0) {
      slot = &o->name;
    } else if (strcmp(a, "--templates") == 0) {
      slot = &o->template_dir;
    } else if (strcmp(a, "--m4") == 0) {
      slot = &o->m4;
    } else if (strcmp(a, "--emit") == 0) {
      slot = &o->emit;
    } else if (strcmp(a, "--features") == 0) {
      slot = &o->features;
    } else if ((slot = xgbc_read_opt_slot(&o->read, a)) != NULL) {
      /* the value is taken below */
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "xgbc: unknown option %s (see xgbc --help)\n", a);
      return -1;
    } else if (o->model == NULL) {
      o->model = a;
    } else {
      fprintf(stderr, "xgbc: one model at a time (got %s and %s)\n", o->model, a);
      return -1;
    }
    if (slot != NULL) {
      if (i + 1 >= argc) {
        fprintf(stderr, "xgbc: %s needs a value\n", a);
        return -1;
      }
      *slot = argv[++i];
    }
  }
  /* No model: only a feature spec, compiled on its own (training data before any model). */
  if ((o->model == NULL && o->features == NULL) || (o->out_dir == NULL && !o->dump_defs)) {
    print_usage(stderr);
    return -1;
  }
  if (o->emit == NULL)
    o->emit = "branchless";
  if (strcmp(o->emit, "branchless") != 0 && strcmp(o->emit, "ifelse") != 0) {
    fprintf(stderr, "xgbc: --emit %s: expected branchless or ifelse\n", o->emit);
    return -1;
  }
  if (o->name != NULL && !is_identifier(o->name)) {
    fprintf(stderr, "xgbc: --name \"%s\" is not a C identifier of at most 64 characters (nor "
            "may it start with m4_ or bg4_)\n", o->name);
    return -1;
  }
  return 0;
}


static int make_dir(const char *dir, struct xgbc_diag *d) {
  char *copy = strdup(dir), *p;
  int err = 0;

  if (copy == NULL)
    return XGBC_ENOMEM;
  /* mkdir -p: each prefix in turn */
  for (p = copy + 1; err == 0; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    {
      char c = *p;
      *p = '\0';
      if (mkdir(copy, 0755) != 0 && errno != EEXIST)
        err = xgbc_fail(d, XGBC_EIO, dir, "cannot create directory: %s", strerror(errno));
      *p = c;
      if (c == '\0')
        break;
    }
  }
  free(copy);
  return err;
}


/* Expand every template, then publish them all: a failure leaves DIR as it was. */
static int write_outputs(const struct options *o, const char *c_template, const char *defs,
                         size_t defs_len, struct xgbc_diag *d) {
  const char *const templates[] = {"model.h.m4", c_template, "features.c.m4"};
  static const char *const outputs[] = {"model.h", "model.c", "features.c"};
  struct xgbc_m4 cfg = {o->m4, o->template_dir};
  char *targets[3] = {NULL, NULL, NULL}, *tmps[3] = {NULL, NULL, NULL};
  int err, i, first = o->model != NULL ? 0 : 2, n = o->features != NULL ? 3 : 2;

  if ((err = make_dir(o->out_dir, d)))
    return err;
  for (i = first; i < n && err == 0; i++) {
    targets[i] = malloc(strlen(o->out_dir) + strlen(outputs[i]) + 2);
    if (targets[i] == NULL) {
      err = XGBC_ENOMEM;
      break;
    }
    sprintf(targets[i], "%s/%s", o->out_dir, outputs[i]);
    err = xgbc_m4_expand(&cfg, templates[i], defs, defs_len, targets[i], &tmps[i], d);
  }
  for (i = first; i < n; i++) {
    if (err == 0)
      err = xgbc_m4_publish(tmps[i], targets[i], d);
    else
      xgbc_m4_discard(tmps[i]);
    tmps[i] = NULL;
    free(targets[i]);
  }
  return err;
}


int main(int argc, char **argv) {
  struct options o = {0};
  struct xgbc_diag d = {{0}, {0}, NULL};
  struct xgbc_model m;
  struct xgbc_flat f = {0};
  struct xgbc_features fs = {0};
  char sha[XGBC_SHA256_HEX_LEN + 1], *text = NULL, *name = NULL, *defs = NULL;
  char fx_sha[XGBC_SHA256_HEX_LEN + 1], *fx_text = NULL;
  const char *blame = NULL; /* the file a diagnostic is about */
  size_t len = 0, defs_len = 0, fx_len = 0;
  FILE *mem;
  int err;

  memset(&m, 0, sizeof m);
  if (parse_args(argc, argv, &o) != 0)
    return 2;
  blame = o.model;
  if (o.template_dir == NULL)
    o.template_dir = getenv("XGBC_TEMPLATES") ? getenv("XGBC_TEMPLATES") : XGBC_TEMPLATE_DIR;
  if (o.m4 == NULL)
    o.m4 = getenv("XGBC_M4") ? getenv("XGBC_M4") : "m4";
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGHUP, on_signal);

  name = o.name ? strdup(o.name) : default_name(o.model ? o.model : o.features);
  if (name == NULL) {
    err = XGBC_ENOMEM;
    goto out;
  }
  if (o.model != NULL) {
    if ((err = xgbc_read_file(o.model, &text, &len, &d)))
      goto out;
    xgbc_sha256_hex(text, len, sha);
    if ((err = xgbc_read_model(text, len, &o.read, &m, &d)) ||
        (err = xgbc_validate(&m, &d)) || (!m.linear && (err = xgbc_lower(&m, &f, &d))))
      goto out;
  }
  if (o.features != NULL) {
    blame = o.features;
    if ((err = xgbc_read_file(o.features, &fx_text, &fx_len, &d)))
      goto out;
    xgbc_sha256_hex(fx_text, fx_len, fx_sha);
    if ((err = xgbc_read_features(fx_text, fx_len, &fs, &d)) ||
        (o.model != NULL && (err = xgbc_features_check(&fs, &m, o.model, &d))))
      goto out;
    blame = o.model;
  }

  mem = open_memstream(&defs, &defs_len);
  if (mem == NULL) {
    err = XGBC_ENOMEM;
    goto out;
  }
  if (o.model != NULL) {
    struct xgbc_emit_info info = {name, o.model, sha, XGBC_VERSION, o.emit};
    err = xgbc_emit_defs(mem, &info, &m, &f);
  } else {
    err = xgbc_emit_name_defs(mem, name, XGBC_VERSION);
  }
  if (err == 0 && o.features != NULL)
    err = xgbc_emit_features(mem, o.features, fx_sha, &fs);
  if (fclose(mem) != 0 && err == 0)
    err = XGBC_ENOMEM;
  if (err)
    goto out;
  if (o.dump_defs) {
    fwrite(defs, 1, defs_len, stdout);
    err = fflush(stdout) == 0 ? 0 : XGBC_EIO;
    goto out;
  }
  err = write_outputs(&o, m.linear ? "model_linear.c.m4" : "model.c.m4", defs, defs_len, &d);

out:
  if (err) {
    if (d.why[0] == '\0')
      xgbc_fail(&d, err, "", "%s", err == XGBC_ENOMEM ? "out of memory" : xgbc_err_name(err));
    fprintf(stderr, "%s: %s: %s\n", err == XGBC_ETOOL ? "xgbc" : d.file ? d.file : blame,
            d.where[0] ? d.where : blame == o.model ? "(model)" : "(spec)", d.why);
  }
  xgbc_features_free(&fs);
  free(fx_text);
  xgbc_flat_free(&f);
  xgbc_model_free(&m);
  free(text);
  free(defs);
  free(name);
  return err ? 1 : 0;
}
