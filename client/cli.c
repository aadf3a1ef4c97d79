/* cli.c - parses bidload's flags, checking every value and its range. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

const char bl_cli_usage[] =
  "usage: bidload URL [URL...] [--rate R] [--duration D] [--connections C] [--threads T]\n"
  "               [--pipeline N] [--seed S] [--timeout MS] [--json FILE] [--svg FILE]\n"
  "               [--profile FILE]\n"
  "       bidload --dump N [--seed S] [--profile FILE]\n"
  "\n"
  "Sends synthesised OpenRTB 2.5/2.6 bid requests (POST, JSON) to each URL and reports\n"
  "throughput, errors, latency percentiles and, for bidgate, its decisions.\n"
  "\n"
  "  URL                 http://HOST[:PORT][/PATH]; HOST a numeric IPv4 address or localhost.\n"
  "  -u, --url U[,U...]  more targets (repeatable); connections are spread over all targets\n"
  "  -R, --rate R        open loop: R requests per second in all, latency measured from each\n"
  "                      request's scheduled send time; without --rate: closed loop\n"
  "  -d, --duration D    how long to send: 30, 30s, 500ms, 2m (default 10s); bidload then waits\n"
  "                      up to --timeout for the answers in flight and stops\n"
  "  -c, --connections C keep-alive connections in all (default 10)\n"
  "  -t, --threads T     threads, each with its own event loop (default 1)\n"
  "  -p, --pipeline N    requests in flight per connection (default 1: no pipelining)\n"
  "  -s, --seed S        seed of the request generator (default 1)\n"
  "      --timeout MS    a request unanswered after MS ms is an error (default 2000)\n"
  "      --json FILE     write the report as JSON (docs/bidload.md)\n"
  "      --svg FILE      write a latency-by-percentile plot\n"
  "      --profile FILE  traffic profile (JSON; default: the built-in client/profiles/default.json)\n"
  "      --dump N        write N requests as JSON lines to stdout and exit (no URL needed)\n"
  "  -h, --help          this text\n"
  "\n"
  "Exit status: 0 when at least one request was answered, 1 when none was or a report could\n"
  "not be written, 2 for bad flags or a bad profile.\n";


static int bad(char *err, size_t errlen, const char *flag, const char *val, const char *what) {
  snprintf(err, errlen, "%s: '%s' %s", flag, val, what);
  return BL_CLI_BAD;
}


/* A number in [lo, hi]; integer when integral is set. */
static int number(const char *s, double lo, double hi, int integral, double *out) {
  char *end;
  double v;

  if (!*s)
    return -1;
  v = strtod(s, &end);
  if (*end || !isfinite(v) || v < lo || v > hi || (integral && v != floor(v)))
    return -1;
  *out = v;
  return 0;
}


/* 30, 30s, 500ms, 2m, 1h -> seconds. */
static int duration(const char *s, double *out) {
  char *end;
  double v = strtod(s, &end), scale = 1;

  if (end == s || !isfinite(v) || v <= 0)
    return -1;
  if (strcmp(end, "ms") == 0)
    scale = 0.001;
  else if (strcmp(end, "m") == 0)
    scale = 60;
  else if (strcmp(end, "h") == 0)
    scale = 3600;
  else if (*end && strcmp(end, "s") != 0)
    return -1;
  v *= scale;
  if (v < 0.001 || v > 86400)
    return -1;
  *out = v;
  return 0;
}


/* Adds the comma-separated URLs of list (left unchanged). */
static int add_targets(struct bl_config *cfg, const char *list, char *err, size_t errlen) {
  const char *u = list, *end;

  for (; *u; u = *end ? end + 1 : end) {
    end = strchr(u, ',');
    if (!end)
      end = u + strlen(u);
    if (end == u)
      continue;
    if (cfg->n_targets == BL_MAX_TARGETS) {
      snprintf(err, errlen, "at most %d targets", BL_MAX_TARGETS);
      return BL_CLI_BAD;
    }
    if (bl_url_parse(u, (size_t)(end - u), &cfg->targets[cfg->n_targets], err, errlen))
      return BL_CLI_BAD;
    cfg->n_targets++;
  }
  return 0;
}


int bl_cli_parse(int argc, char **argv, struct bl_config *cfg, char *err, size_t errlen) {
  enum { O_TIMEOUT = 256, O_JSON, O_SVG, O_PROFILE, O_DUMP };
  static const struct option opts[] = {
    {"url", required_argument, NULL, 'u'},
    {"rate", required_argument, NULL, 'R'},
    {"duration", required_argument, NULL, 'd'},
    {"connections", required_argument, NULL, 'c'},
    {"threads", required_argument, NULL, 't'},
    {"pipeline", required_argument, NULL, 'p'},
    {"seed", required_argument, NULL, 's'},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"json", required_argument, NULL, O_JSON},
    {"svg", required_argument, NULL, O_SVG},
    {"profile", required_argument, NULL, O_PROFILE},
    {"dump", required_argument, NULL, O_DUMP},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
  };
  int opt, seen_threads = 0;
  double v;

  memset(cfg, 0, sizeof *cfg);
  cfg->duration_s = 10;
  cfg->connections = 10;
  cfg->threads = 1;
  cfg->pipeline = 1;
  cfg->seed = 1;
  cfg->timeout_ms = 2000;
  cfg->dump = -1;
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":u:R:d:c:t:p:s:h", opts, NULL)) != -1) {
    const char *name = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
    switch (opt) {
    case 'u':
      if (add_targets(cfg, optarg, err, errlen))
        return BL_CLI_BAD;
      break;
    case 'R':
      if (number(optarg, 0, 1e8, 0, &v) || v <= 0)
        return bad(err, errlen, "--rate", optarg, "is not a rate (requests per second, > 0)");
      cfg->rate = v;
      break;
    case 'd':
      if (duration(optarg, &cfg->duration_s))
        return bad(err, errlen, "--duration", optarg, "is not a duration from 1ms to 24h (e.g. 30s)");
      break;
    case 'c':
      if (number(optarg, 1, 100000, 1, &v))
        return bad(err, errlen, "--connections", optarg, "is not a count from 1 to 100000");
      cfg->connections = (unsigned)v;
      break;
    case 't':
      if (number(optarg, 1, 256, 1, &v))
        return bad(err, errlen, "--threads", optarg, "is not a count from 1 to 256");
      cfg->threads = (unsigned)v;
      seen_threads = 1;
      break;
    case 'p':
      if (number(optarg, 1, BL_MAX_PIPELINE, 1, &v))
        return bad(err, errlen, "--pipeline", optarg, "is not a count from 1 to 64");
      cfg->pipeline = (unsigned)v;
      break;
    case 's':
      if (number(optarg, 0, 9007199254740992.0, 1, &v))
        return bad(err, errlen, "--seed", optarg, "is not a non-negative integer");
      cfg->seed = (uint64_t)v;
      break;
    case O_TIMEOUT:
      if (number(optarg, 1, 3600000, 1, &v))
        return bad(err, errlen, "--timeout", optarg, "is not a time in ms from 1 to 3600000");
      cfg->timeout_ms = (unsigned)v;
      break;
    case O_JSON:
      cfg->json_path = optarg;
      break;
    case O_SVG:
      cfg->svg_path = optarg;
      break;
    case O_PROFILE:
      cfg->profile_path = optarg;
      break;
    case O_DUMP:
      if (number(optarg, 0, 1e12, 1, &v))
        return bad(err, errlen, "--dump", optarg, "is not a count");
      cfg->dump = (long long)v;
      break;
    case 'h':
      return BL_CLI_HELP;
    case ':':
      snprintf(err, errlen, "%s needs a value", name);
      return BL_CLI_BAD;
    default:
      snprintf(err, errlen, "unknown option %s", name);
      return BL_CLI_BAD;
    }
  }
  for (; optind < argc; optind++)
    if (add_targets(cfg, argv[optind], err, errlen))
      return BL_CLI_BAD;
  if (cfg->dump >= 0)
    return BL_CLI_RUN;
  if (cfg->n_targets == 0) {
    snprintf(err, errlen, "no target URL given");
    return BL_CLI_BAD;
  }
  if (cfg->connections < cfg->n_targets) {
    snprintf(err, errlen, "--connections %u is fewer than the %zu targets", cfg->connections,
             cfg->n_targets);
    return BL_CLI_BAD;
  }
  if (cfg->threads > cfg->connections) {
    if (seen_threads) {
      snprintf(err, errlen, "--threads %u is more than --connections %u", cfg->threads,
               cfg->connections);
      return BL_CLI_BAD;
    }
    cfg->threads = cfg->connections;
  }
  return BL_CLI_RUN;
}
