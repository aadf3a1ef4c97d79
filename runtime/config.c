/* config.c - defaults, environment and flags into struct bg_config (see config.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


static int set_str(char *dst, size_t cap, const char *v) {
  if (strlen(v) >= cap)
    return -1;
  memcpy(dst, v, strlen(v) + 1);
  return 0;
}


static int parse_u64(const char *v, uint64_t max, uint64_t *out) {
  char *end;
  unsigned long long n;

  if (*v < '0' || *v > '9')
    return -1;
  errno = 0;
  n = strtoull(v, &end, 10);
  if (errno != 0 || *end != '\0' || n > max)
    return -1;
  *out = n;
  return 0;
}


static int parse_real(const char *v, double *out) {
  char *end;
  double d;

  errno = 0;
  d = strtod(v, &end);
  if (errno != 0 || end == v || *end != '\0' || !isfinite(d))
    return -1;
  *out = d;
  return 0;
}


static int parse_bool(const char *v, int *out) {
  if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
    *out = 1;
  else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || *v == 0)
    *out = 0;
  else
    return -1;
  return 0;
}

#define SET_str(f, v) set_str(cfg->f, sizeof cfg->f, v)
#define SET_uint(f, v) (parse_u64(v, 0xffffffffu, &u) || (cfg->f = (unsigned)u, 0))
#define SET_size(f, v) (parse_u64(v, (uint64_t)1 << 40, &u) || (cfg->f = (size_t)u, 0))
#define SET_u64(f, v) (parse_u64(v, UINT64_MAX, &u) || (cfg->f = u, 0))
#define SET_real(f, v) parse_real(v, &cfg->f)
#define SET_share(f, v) (parse_real(v, &d) || d < 0 || d > 1 || (cfg->f = d, 0))
#define SET_bool(f, v) parse_bool(v, &cfg->f)
#define SET_optport(f, v)                                                                      \
  (strcmp(v, "off") == 0 || *v == 0 ? (cfg->f = -1, 0)                                         \
                                    : parse_u64(v, 65535, &u) || (cfg->f = (int)u, 0))
#define SET_framing(f, v)                                                                      \
  (strcmp(v, "framed") == 0 ? (cfg->f = 1, 0) : strcmp(v, "unframed") == 0 ? (cfg->f = 0, 0) : -1)
#define SET_secs(f, v) (parse_real(v, &d) || d < 0 || d > 86400 || (cfg->f = d, 0))

/* Set option idx (its row in BG_CONFIG_OPTIONS) from text v. Returns 0 or -1. */
static int set_option(struct bg_config *cfg, int idx, const char *v) {
  uint64_t u;
  double d;
  int k = 0;

  (void)u;
  (void)d;
#define XX(field, flag, env, kind, dflt, help)                                                 \
  if (idx == k++)                                                                              \
    return SET_##kind(field, v) ? -1 : 0;
  BG_CONFIG_OPTIONS(XX)
#undef XX
  return -1;
}


static int is_bool_option(int idx) {
  int k = 0;

#define XX(field, flag, env, kind, dflt, help)                                                 \
  if (idx == k++)                                                                              \
    return strcmp(#kind, "bool") == 0;
  BG_CONFIG_OPTIONS(XX)
#undef XX
  return 0;
}


/* What option idx takes, for the message that refuses a value. */
static const char *expected(int idx) {
  static const struct {
    const char *kind, *text;
  } texts[] = {
    {"str", "text, shorter than the limit"}, {"uint", "a whole number"},
    {"size", "a whole number of bytes"}, {"real", "a number"},
    {"share", "a number from 0 to 1"}, {"bool", "1/0, true/false or yes/no"},
    {"u64", "a whole number"}, {"secs", "seconds: a number from 0 to 86400"},
  };
  const char *kind = "";
  size_t i;
  int k = 0;

#define XX(field, flag, env, kind_, dflt, help)                                                \
  if (idx == k++)                                                                              \
    kind = #kind_;
  BG_CONFIG_OPTIONS(XX)
#undef XX
  for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
    if (strcmp(texts[i].kind, kind) == 0)
      return texts[i].text;
  return "a valid value";
}


int bg_config_load(struct bg_config *cfg, int argc, char **argv, char *err, size_t errsz) {
  static const char *const flags[] = {
#define XX(field, flag, env, kind, dflt, help) flag,
    BG_CONFIG_OPTIONS(XX)
#undef XX
  };
  static const char *const envs[] = {
#define XX(field, flag, env, kind, dflt, help) env,
    BG_CONFIG_OPTIONS(XX)
#undef XX
  };
  static const char *const dflts[] = {
#define XX(field, flag, env, kind, dflt, help) dflt,
    BG_CONFIG_OPTIONS(XX)
#undef XX
  };
  int n = (int)(sizeof flags / sizeof flags[0]), i, k;

  memset(cfg, 0, sizeof *cfg);
  for (k = 0; k < n; k++)
    set_option(cfg, k, dflts[k]);
  for (k = 0; k < n; k++) {
    const char *v = getenv(envs[k]);
    if (v != NULL && set_option(cfg, k, v) != 0) {
      snprintf(err, errsz, "%s=\"%.100s\" is not a valid value (expected %s)", envs[k], v,
               expected(k));
      return -1;
    }
  }
  for (i = 0; i < argc; i++) {
    const char *a = argv[i], *v = NULL, *eq = strchr(a, '=');
    size_t alen = eq ? (size_t)(eq - a) : strlen(a);
    for (k = 0; k < n; k++)
      if (strlen(flags[k]) == alen && strncmp(a, flags[k], alen) == 0)
        break;
    if (k == n) {
      snprintf(err, errsz, "unknown option %.100s (see bidgate --help)", a);
      return -1;
    }
    if (eq != NULL)
      v = eq + 1;
    else if (is_bool_option(k))
      v = "1";
    else if (i + 1 < argc)
      v = argv[++i];
    else {
      snprintf(err, errsz, "%s needs a value", flags[k]);
      return -1;
    }
    if (set_option(cfg, k, v) != 0) {
      snprintf(err, errsz, "%s \"%.100s\" is not a valid value (expected %s)", flags[k], v,
               expected(k));
      return -1;
    }
  }
  if (cfg->port > 65535) {
    snprintf(err, errsz, "port %u is out of range (0..65535)", cfg->port);
    return -1;
  }
  if (cfg->thrift_port > 0 && (unsigned)cfg->thrift_port == cfg->port) {
    /* Both listeners set SO_REUSEPORT: the kernel would split connections between them. */
    snprintf(err, errsz, "--thrift-port %d is also --port: give the Thrift service its own",
             cfg->thrift_port);
    return -1;
  }
  if (cfg->max_rows == 0 || cfg->max_conns == 0 || cfg->request_timeout_ms == 0 ||
      cfg->idle_timeout_ms == 0 || cfg->max_header < 256) {
    snprintf(err, errsz, "limits must be positive (and --max-header at least 256)");
    return -1;
  }
  if (cfg->threads > BG_MAX_THREADS) {
    snprintf(err, errsz, "--threads %u is more than %d", cfg->threads, BG_MAX_THREADS);
    return -1;
  }
  if (cfg->emf_interval > 86400) {
    snprintf(err, errsz, "--emf-interval %u is more than a day (86400 s)", cfg->emf_interval);
    return -1;
  }
  for (i = 0; cfg->emf_service[i] != '\0'; i++)
    if ((unsigned char)cfg->emf_service[i] < 0x20 || cfg->emf_service[i] == 0x7f)
      break;
  if (cfg->emf_service[0] == '\0' || cfg->emf_service[i] != '\0') {
    snprintf(err, errsz, "--emf-service must be a non-empty name without control characters");
    return -1;
  }
  return 0;
}


void bg_config_usage(FILE *out) {
#define XX(field, flag, env, kind, dflt, help)                                                 \
  fprintf(out, "  %-19s %-26s %s (default %s)\n", flag, env, help, *dflt ? dflt : "none");
  BG_CONFIG_OPTIONS(XX)
#undef XX
}
