/* test_bidload_units.c - bidload's small parts: target URLs, flags, the open-loop schedule and
 * the reading of bidgate's decisions. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "answer.h"
#include "buf.h"
#include "cli.h"
#include "helpers.h"
#include "schedule.h"
#include "url.h"


Test(bidload_units, urls, .timeout = 10) {
  struct bl_target t;
  char err[256];

  cr_assert_eq(bl_url_parse("http://127.0.0.1:8080/v1/filter", (size_t)-1, &t, err, sizeof err), 0, "%s", err);
  cr_expect_eq(ntohs(t.addr.sin_port), 8080);
  cr_expect_eq(t.addr.sin_addr.s_addr, inet_addr("127.0.0.1"));
  cr_expect_str_eq(t.path, "/v1/filter");
  cr_expect_str_eq(t.hostport, "127.0.0.1:8080");
  cr_assert_eq(bl_url_parse("http://localhost", (size_t)-1, &t, err, sizeof err), 0);
  cr_expect_eq(ntohs(t.addr.sin_port), 80);
  cr_expect_eq(t.addr.sin_addr.s_addr, htonl(0x7f000001));
  cr_expect_str_eq(t.path, "/");
  cr_assert_eq(bl_url_parse("http://10.1.2.3:9/a?b=c", (size_t)-1, &t, err, sizeof err), 0);
  cr_expect_str_eq(t.path, "/a?b=c");

  cr_expect_eq(bl_url_parse("https://127.0.0.1/", (size_t)-1, &t, err, sizeof err), -1);
  cr_expect(strstr(err, "https is not supported"));
  cr_expect_eq(bl_url_parse("http://example.com/", (size_t)-1, &t, err, sizeof err), -1);
  cr_expect(strstr(err, "no DNS"));
  cr_expect_eq(bl_url_parse("127.0.0.1:80", (size_t)-1, &t, err, sizeof err), -1);
  cr_expect_eq(bl_url_parse("http://127.0.0.1:0/", (size_t)-1, &t, err, sizeof err), -1);
  cr_expect_eq(bl_url_parse("http://127.0.0.1:65536/", (size_t)-1, &t, err, sizeof err), -1);
  cr_expect_eq(bl_url_parse("http://127.0.0.1:/", (size_t)-1, &t, err, sizeof err), -1);
  cr_expect_eq(bl_url_parse("http://:80/", (size_t)-1, &t, err, sizeof err), -1);
  cr_expect_eq(bl_url_parse("http://256.1.1.1/", (size_t)-1, &t, err, sizeof err), -1);
}


static int parse(struct bl_config *cfg, char *err, const char *a1, const char *a2, const char *a3,
                 const char *a4) {
  char *argv[] = {"bidload", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
  int argc = 1;

  while (argc < 5 && argv[argc])
    argc++;
  return bl_cli_parse(argc, argv, cfg, err, 256);
}


Test(bidload_units, flags, .timeout = 10) {
  struct bl_config *cfg = malloc(sizeof *cfg);
  char err[256];

  cr_assert_eq(parse(cfg, err, "http://127.0.0.1:1/", "--rate", "1500.5", "-d500ms"), BL_CLI_RUN, "%s", err);
  cr_expect_eq(cfg->rate, 1500.5);
  cr_expect_eq(cfg->duration_s, 0.5);
  cr_expect_eq(cfg->connections, 10);
  cr_expect_eq(cfg->threads, 1);
  cr_expect_eq(cfg->pipeline, 1);
  cr_assert_eq(parse(cfg, err, "--url", "http://127.0.0.1:1/,http://localhost:2/x", "-c", "2"), BL_CLI_RUN, "%s", err);
  cr_expect_eq(cfg->n_targets, 2);
  cr_expect_eq(cfg->rate, 0, "closed loop without --rate");
  cr_assert_eq(parse(cfg, err, "http://127.0.0.1:1/", "-d", "2m", NULL), BL_CLI_RUN);
  cr_expect_eq(cfg->duration_s, 120);
  cr_expect_eq(parse(cfg, err, "--help", NULL, NULL, NULL), BL_CLI_HELP);
  cr_expect_eq(parse(cfg, err, "--dump", "5", NULL, NULL), BL_CLI_RUN, "--dump needs no URL");

  cr_expect_eq(parse(cfg, err, "http://127.0.0.1:1/", "--rate", "fast", NULL), BL_CLI_BAD);
  cr_expect(strstr(err, "--rate") && strstr(err, "fast"), "%s", err);
  cr_expect_eq(parse(cfg, err, "http://127.0.0.1:1/", "--rate", "0", NULL), BL_CLI_BAD);
  cr_expect_eq(parse(cfg, err, "http://127.0.0.1:1/", "--duration", "10x", NULL), BL_CLI_BAD);
  cr_expect_eq(parse(cfg, err, "http://127.0.0.1:1/", "--duration", "-1", NULL), BL_CLI_BAD);
  cr_expect_eq(parse(cfg, err, "http://127.0.0.1:1/", "-c", "0", NULL), BL_CLI_BAD);
  cr_expect_eq(parse(cfg, err, "http://127.0.0.1:1/", "-c", "1.5", NULL), BL_CLI_BAD);
  cr_expect_eq(parse(cfg, err, "http://127.0.0.1:1/", "-p", "65", NULL), BL_CLI_BAD);
  cr_expect_eq(parse(cfg, err, "http://127.0.0.1:1/", "-c", "2", "-t3"), BL_CLI_BAD);
  cr_expect(strstr(err, "--threads"), "%s", err);
  cr_expect_eq(parse(cfg, err, "http://127.0.0.1:1/", "--frobnicate", NULL, NULL), BL_CLI_BAD);
  cr_expect(strstr(err, "unknown option --frobnicate"), "%s", err);
  cr_expect_eq(parse(cfg, err, "http://127.0.0.1:1/", "--rate", NULL, NULL), BL_CLI_BAD);
  cr_expect(strstr(err, "needs a value"), "%s", err);
  cr_expect_eq(parse(cfg, err, "--rate", "5", NULL, NULL), BL_CLI_BAD);
  cr_expect(strstr(err, "no target"), "%s", err);
  cr_expect_eq(parse(cfg, err, "http://a.b/", NULL, NULL, NULL), BL_CLI_BAD);
  cr_expect_eq(parse(cfg, err, "--url", "http://127.0.0.1:1/,http://127.0.0.1:2/", "-c", "1"), BL_CLI_BAD);
  free(cfg);
}


Test(bidload_units, binary_exits_2_on_bad_flags, .timeout = 30) {
  const char *bl = bgt_env("BG_TEST_BIDLOAD");
  char *bad[][6] = {
    {(char *)bl, NULL},
    {(char *)bl, "http://127.0.0.1:1/", "--rate", "x", NULL},
    {(char *)bl, "http://127.0.0.1:1/", "--connections", "0", NULL},
    {(char *)bl, "ftp://127.0.0.1/", NULL},
    {(char *)bl, "--dump", "1", "--profile", "/nonexistent/profile.json", NULL},
  };
  char *help[] = {(char *)bl, "--help", NULL}, *out, *err;
  size_t i;

  for (i = 0; i < sizeof bad / sizeof *bad; i++) {
    cr_expect_eq(bgt_run(bad[i], NULL, &out, &err), 2, "case %zu", i);
    cr_expect(strncmp(err, "bidload: ", 9) == 0 && strchr(err, '\n'), "case %zu: %s", i, err);
    cr_expect_str_empty(out);
    free(out);
    free(err);
  }
  cr_expect_eq(bgt_run(help, NULL, &out, &err), 0);
  cr_expect(strstr(out, "usage: bidload URL"));
  cr_expect(strstr(out, "--profile"));
  free(out);
  free(err);
}


Test(bidload_units, schedule_spreads_an_even_pace_over_threads, .timeout = 10) {
  static const double rates[] = {1000, 333.3, 7, 25000};
  size_t r;

  for (r = 0; r < sizeof rates / sizeof *rates; r++) {
    uint64_t start = 5000000000ULL, end = start + 2000000000ULL, expected, total = 0;
    unsigned threads = 3, t;
    char *seen;
    expected = (uint64_t)ceil(rates[r] * 2 - 1e-9);
    seen = calloc(expected + 2, 1);
    for (t = 0; t < threads; t++) {
      struct bl_sched s;
      uint64_t tm, prev = 0, n = 0;
      bl_sched_init(&s, rates[r], threads, t, start, end);
      while ((tm = bl_sched_next(&s)) != UINT64_MAX) {
        /* Each due time is start + g/R for a global index g that no other thread has. */
        double g = (double)(tm - start) * rates[r] / 1e9;
        uint64_t gi = (uint64_t)llround(g);
        cr_assert(fabs(g - (double)gi) < 1e-3, "rate %g: %f", rates[r], g);
        cr_assert(gi % threads == t && gi < expected && !seen[gi]);
        seen[gi] = 1;
        cr_assert(tm >= start && tm < end && (n == 0 || tm > prev));
        prev = tm;
        bl_sched_advance(&s);
        n++;
      }
      bl_sched_init(&s, rates[r], threads, t, start, end);
      cr_expect_eq(bl_sched_total(&s), n, "rate %g thread %u", rates[r], t);
      total += n;
    }
    cr_expect_eq(total, expected, "rate %g: %llu of %llu", rates[r], (unsigned long long)total,
                 (unsigned long long)expected);
    free(seen);
  }
}


Test(bidload_units, decisions_from_bidgate_answers, .timeout = 10) {
  uint64_t d[BL_DECISIONS] = {0};
  static const char a1[] =
    "{\"id\":\"1\",\"model\":\"m@12345678\",\"imp\":[{\"id\":\"1\",\"bidders\":["
    "{\"bidder\":\"x\",\"score\":0.9,\"pass\":true,\"reason\":\"score\"},"
    "{\"bidder\":\"y\",\"score\":0.1,\"pass\":false,\"reason\":\"score\"},"
    "{\"bidder\":\"z\",\"score\":0.1,\"pass\":true,\"reason\":\"explore\"}]},"
    "{\"id\":\"2\",\"bidders\":[{\"bidder\":\"x\",\"pass\":true,\"reason\":\"fail_open\"},"
    "{\"bidder\":\"y\",\"score\":0.2,\"pass\":false}]}]}";
  static const char nginx[] = "{\"id\":\"1\",\"model\":\"fixed\",\"imp\":[]}\n";

  cr_expect_eq(bl_answer_count(a1, sizeof a1 - 1, d), 5);
  cr_expect_eq(d[BL_PASS], 1);
  cr_expect_eq(d[BL_DROP], 2);
  cr_expect_eq(d[BL_EXPLORE], 1);
  cr_expect_eq(d[BL_FAIL_OPEN], 1);
  cr_expect_eq(bl_answer_count(nginx, sizeof nginx - 1, d), 0);
  cr_expect_eq(bl_answer_count("not json", 8, d), -1);
  cr_expect_eq(bl_answer_count("{\"imp\":5}", 9, d), -1);
  cr_expect_eq(bl_answer_count("{\"imp\":[{\"pass\":true}]", 22, d), -1, "truncated");
  cr_expect_eq(bl_answer_count("{\"imp\":[{\"id\":\"1\",\"pass\":true,\"reason\":\"score\"}]}", 50, d), 1,
               "an impression without bidders is one decision");
  cr_expect_eq(d[BL_PASS], 2);
  cr_expect_eq(d[BL_DROP], 2, "unchanged by bodies that are not answers");
}


Test(bidload_units, json_writers_agree_with_cjson_and_printf, .timeout = 30) {
  static const char *const strs[] = {
    "", "plain", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X)", "São Paulo",
    "quote\" in the middle", "back\\slash", "tab\there", "12345678\"", "1234567\x01", "\x1f",
    "exactly8", "sixteen chars!!!", "nl\n", "\"\\\"\\", "Montréal\x7f",
  };
  struct bl_buf b;
  size_t i;
  int64_t ints[] = {0, 1, -1, 9, 10, 99, 100, 101, 12345, -987654321, INT64_MAX, INT64_MIN};
  char want[64];

  bl_buf_init(&b, 0);
  for (i = 0; i < sizeof strs / sizeof *strs; i++) {
    cJSON *v;
    b.len = 0;
    bl_buf_json_str(&b, strs[i]);
    v = cJSON_ParseWithLength(b.data, b.len);
    cr_assert(cJSON_IsString(v), "case %zu: %.*s", i, (int)b.len, b.data);
    cr_expect_str_eq(v->valuestring, strs[i]);
    cJSON_Delete(v);
  }
  for (i = 0; i < sizeof ints / sizeof *ints; i++) {
    b.len = 0;
    bl_buf_int(&b, ints[i]);
    snprintf(want, sizeof want, "%lld", (long long)ints[i]);
    cr_expect(b.len == strlen(want) && memcmp(b.data, want, b.len) == 0, "%s", want);
  }
  for (i = 0; i < 20000; i++) {
    double v = (double)(i * 7919 % 1000003) / 997.0 - 300;
    int d = (int)(i % 5);
    double back;
    b.len = 0;
    bl_buf_fixed(&b, v, d);
    bl_buf_char(&b, 0);
    back = strtod(b.data, NULL);
    /* Rounded to d decimals, and no trailing zeros. */
    cr_assert(fabs(back - v) <= 0.5 * pow(10, -d) + 1e-9, "%g to %d: %s", v, d, b.data);
    cr_assert(!strchr(b.data, '.') || b.data[strlen(b.data) - 1] != '0', "%s", b.data);
  }
  bl_buf_free(&b);
}
