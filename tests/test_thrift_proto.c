/* test_thrift_proto.c - the binary-protocol decoder and encoders, without sockets.
 *
 * Messages come from python3-thrift (tests/thrift/client.py encode: strict, old-style and
 * accelerated encodings, framed and unframed) and from bytes built here by hand. Checked:
 * the fields decoded equal the fields sent; feeding a message in every possible two pieces,
 * and a byte at a time, gives the same result as all at once, and no prefix of a message is
 * taken for an error; unknown fields of every type and nesting are skipped and fields of the
 * wrong type ignored; both sides of the size, depth and name limits; the encoders' bytes;
 * runtime/thrift_idl.h against what Debian's thrift compiler read in runtime/bidrequest.thrift.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "helpers.h"
#include "thrift_call.h"
#include "thrift_idl.h"
#include "thrift_net.h"
#include "thrift_proto.h"

TestSuite(thrift_proto, .timeout = 60);

extern const struct bg_features bg_features_fxtest; /* tests/features/spec.json: no thrift */

static const struct {
  int id, type;
  const char *name;
} idl[] = {
#define XX(id, name, type) {id, type, #name},
  BG_THRIFT_BIDREQUEST_FIELDS(XX)
#undef XX
};
#define NUM_IDL (sizeof idl / sizeof idl[0])

static char *client(void) {
  return bgt_fmt("%s/client.py", bgt_env("BG_TEST_THRIFT"));
}


Test(thrift_proto, idl_header_matches_the_thrift_compiler) {
  char *argv[] = {"/usr/bin/python3", client(), (char *)bgt_env("BG_TEST_THRIFT_PY"), "spec",
                  NULL};
  char *out, *err, *want = strdup("");
  static const char *const types[] = {[BG_TT_STRING] = "STRING", [BG_TT_I32] = "I32",
                                      [BG_TT_I64] = "I64", [BG_TT_DOUBLE] = "DOUBLE"};
  size_t k;

  cr_assert_eq(bgt_run(argv, NULL, &out, &err), 0, "%s", err);
  for (k = 0; k < NUM_IDL; k++)
    want = bgt_fmt("%sfield %d %s %s\n", want, idl[k].id, types[idl[k].type], idl[k].name);
  want = bgt_fmt("%sargs %d STRUCT request\nresult %d STRUCT success\n"
                 "response %d DOUBLE likelihoodToBid\nservice %s %s\n", want, BG_THRIFT_ARG_ID,
                 BG_THRIFT_RESULT_ID, BG_THRIFT_SCORE_ID, BG_THRIFT_SERVICE, BG_THRIFT_METHOD);
  cr_assert_str_eq(out, want);
  cr_assert_eq(idl[NUM_IDL - 1].id, BG_THRIFT_MAX_ID);
}


/* Calls as JSON objects: every field set, some unset, odd strings. */
static const char *const calls[] = {
  "{\"bidId\":\"b1\",\"dayOfWeek\":2,\"hour\":\"09\",\"regionId\":\"ca\",\"cityId\":\"Seattle\","
  "\"domainId\":\"news.example.com\",\"advertiserId\":\"dsp-alpha\",\"biddingPrice\":300,"
  "\"payingPrice\":-9000000000,\"userAgent\":\"Mozilla/5.0 (iPhone)\",\"deviceTypeId\":0}",
  "{}",
  "{\"hour\":\"\",\"domainId\":\"caf\\u00e9.example\",\"deviceTypeId\":-2147483648}",
  "{\"bidId\":\"x\",\"biddingPrice\":9223372036854775807,\"dayOfWeek\":2147483647}",
};
#define NUM_CALLS (sizeof calls / sizeof calls[0])


/* python3-thrift's bytes for every call, in one stream. */
static char *encode(const char *transport, const char *protocol, size_t *n) {
  char *dir = bgt_mkdtemp(), *in = bgt_fmt("%s/calls.jsonl", dir), *out = bgt_fmt("%s/b", dir);
  char *argv[] = {"/usr/bin/python3", client(), (char *)bgt_env("BG_TEST_THRIFT_PY"), "encode",
                  (char *)transport, (char *)protocol, out, NULL};
  char *text = strdup(""), *so, *se, *bytes;
  size_t k;

  for (k = 0; k < NUM_CALLS; k++)
    text = bgt_fmt("%s%s\n", text, calls[k]);
  bgt_write_file(in, text, strlen(text));
  cr_assert_eq(bgt_run(argv, in, &so, &se), 0, "%s", se);
  bytes = bgt_read_file(out, n);
  bgt_rmrf(dir);
  return bytes;
}


/* Message k as decoded must hold exactly call k's fields. */
static void check_fields(const struct bg_thrift_msg *m, size_t k) {
  cJSON *j = cJSON_Parse(calls[k]);
  size_t f;

  cr_assert_eq(m->type, 1);
  cr_assert_eq(m->name_len, 6);
  cr_assert(memcmp(m->name, "filter", 6) == 0);
  cr_assert_eq(m->field[0].type, BG_TT_STOP);
  for (f = 0; f < NUM_IDL; f++) {
    const struct bg_tx_value *v = &m->field[idl[f].id];
    cJSON *want = cJSON_GetObjectItem(j, idl[f].name);
    if (want == NULL) {
      cr_assert_eq(v->type, BG_TT_STOP, "call %zu: %s set", k, idl[f].name);
      continue;
    }
    cr_assert_eq(v->type, idl[f].type, "call %zu: %s has type %d", k, idl[f].name, v->type);
    if (v->type == BG_TT_STRING) {
      cr_assert_eq(v->len, strlen(want->valuestring), "call %zu: %s", k, idl[f].name);
      cr_assert(memcmp(v->s, want->valuestring, v->len) == 0, "call %zu: %s", k, idl[f].name);
    } else if (strcmp(idl[f].name, "biddingPrice") == 0 && want->valuedouble > 9e18) {
      cr_assert_eq(v->i, INT64_MAX); /* beyond a double's integers: checked apart */
    } else {
      cr_assert_eq((double)v->i, want->valuedouble, "call %zu: %s = %lld", k, idl[f].name,
                   (long long)v->i);
    }
  }
  cJSON_Delete(j);
}


/* Decode a whole stream; *count messages, each checked. Pieces: first `split` bytes, then
 * the rest (0: all at once); step > 0: a byte at a time from the start. */
static void decode_stream(const uint8_t *p, size_t n, int framed, size_t split, int step) {
  struct bg_thrift_dec d;
  size_t have = split > 0 ? split : n, off = 0, k = 0;

  if (step)
    have = 1;
  bg_thrift_dec_init(&d, 1 << 20, framed);
  while (k < NUM_CALLS) {
    long r = bg_thrift_decode(&d, p + off, have - off);
    cr_assert_geq(r, 0, "split %zu: error %ld: %s", split, r, d.why);
    if (r == 0) {
      cr_assert_lt(have, n, "split %zu: the stream ended inside message %zu", split, k);
      have = step ? have + 1 : n;
      continue;
    }
    check_fields(&d.msg, k++);
    off += (size_t)r;
  }
  cr_assert_eq(off, n);
  cr_assert_eq(bg_thrift_decode(&d, p + off, 0), 0);
}


static void check_encoding(const char *transport, const char *protocol) {
  size_t n, split;
  char *bytes = encode(transport, protocol, &n);
  int framed = strcmp(transport, "framed") == 0;

  for (split = 0; split < n; split++)
    decode_stream((const uint8_t *)bytes, n, framed, split, 0);
  decode_stream((const uint8_t *)bytes, n, framed, 0, 1);
  free(bytes);
}


Test(thrift_proto, python_unframed_strict) {
  check_encoding("unframed", "binary");
}

Test(thrift_proto, python_unframed_old_style) {
  check_encoding("unframed", "old");
}

Test(thrift_proto, python_unframed_accelerated) {
  check_encoding("unframed", "accelerated");
}

Test(thrift_proto, python_framed) {
  check_encoding("framed", "binary");
}


/* Decode one complete message m (unframed); returns the decoder's result. */
static long decode1(struct bg_thrift_dec *d, const struct bgt_bytes *m, size_t limit) {
  bg_thrift_dec_init(d, limit, 0);
  return bg_thrift_decode(d, m->p, m->len);
}


static void field(struct bgt_bytes *b, unsigned type, unsigned id) {
  bgt_b8(b, type);
  bgt_b16(b, id);
}


Test(thrift_proto, unknown_fields_of_every_type_are_skipped) {
  struct bgt_bytes b = {NULL, 0, 0};
  struct bg_thrift_dec d;

  bgt_bheader(&b, 1, "filter", 3);
  field(&b, BG_TT_MAP, 9); /* an unknown argument before the request */
  bgt_b8(&b, BG_TT_STRING);
  bgt_b8(&b, BG_TT_LIST);
  bgt_b32(&b, 2);
  bgt_bstr(&b, "k1");
  bgt_b8(&b, BG_TT_STRUCT);
  bgt_b32(&b, 1);
  field(&b, BG_TT_DOUBLE, 1);
  bgt_b64(&b, 0x3ff0000000000000u);
  bgt_b8(&b, 0);
  bgt_bstr(&b, "k2");
  bgt_b8(&b, BG_TT_SET);
  bgt_b32(&b, 0);
  field(&b, BG_TT_STRUCT, 1);
  field(&b, BG_TT_BOOL, 30);
  bgt_b8(&b, 1);
  field(&b, BG_TT_BYTE, 31);
  bgt_b8(&b, 0xff);
  field(&b, BG_TT_I16, 32);
  bgt_b16(&b, 7);
  field(&b, BG_TT_I32, 3);         /* hour with the wrong type: skipped */
  bgt_b32(&b, 9);
  field(&b, BG_TT_STRING, 2);      /* dayOfWeek as a string: skipped */
  bgt_bstr(&b, "2");
  field(&b, BG_TT_STRING, 0x8005); /* a negative id */
  bgt_bstr(&b, "neg");
  field(&b, BG_TT_STRUCT, 33);     /* a nested struct holding a field of id 4 */
  field(&b, BG_TT_STRING, 4);
  bgt_bstr(&b, "not the region");
  bgt_b8(&b, 0);
  field(&b, BG_TT_STRING, 4);
  bgt_bstr(&b, "ca");
  field(&b, BG_TT_LIST, 34);       /* empty containers may name any element type */
  bgt_b8(&b, 0);
  bgt_b32(&b, 0);
  field(&b, BG_TT_MAP, 35);
  bgt_b8(&b, 0);
  bgt_b8(&b, 99);
  bgt_b32(&b, 0);
  bgt_b8(&b, 0);
  field(&b, BG_TT_I32, 1); /* an i32 where the request struct goes: not the request */
  bgt_b32(&b, 5);
  bgt_b8(&b, 0);

  cr_assert_eq(decode1(&d, &b, 1 << 20), (long)b.len, "%s", d.why);
  cr_assert_eq(d.msg.seqid, 3);
  cr_assert_eq(d.msg.field[3].type, BG_TT_STOP);
  cr_assert_eq(d.msg.field[2].type, BG_TT_STOP);
  cr_assert_eq(d.msg.field[4].type, BG_TT_STRING);
  cr_assert_eq(d.msg.field[4].len, 2);
  cr_assert(memcmp(d.msg.field[4].s, "ca", 2) == 0);
}


Test(thrift_proto, a_repeated_request_replaces_the_first) {
  struct bgt_bytes b = {NULL, 0, 0};
  struct bg_thrift_dec d;

  bgt_bheader(&b, 1, "filter", 3);
  field(&b, BG_TT_STRUCT, 1);
  field(&b, BG_TT_STRING, 4);
  bgt_bstr(&b, "ca");
  field(&b, BG_TT_I32, 2);
  bgt_b32(&b, 3);
  bgt_b8(&b, 0);
  field(&b, BG_TT_STRUCT, 1);
  field(&b, BG_TT_I32, 2);
  bgt_b32(&b, 6);
  bgt_b8(&b, 0);
  bgt_b8(&b, 0);
  cr_assert_eq(decode1(&d, &b, 1 << 20), (long)b.len, "%s", d.why);
  cr_assert_eq(d.msg.field[4].type, BG_TT_STOP);
  cr_assert_eq(d.msg.field[2].i, 6);
}


/* A call whose message is exactly n bytes (an unknown string field pads it). */
static struct bgt_bytes sized_call(size_t n) {
  struct bgt_bytes b = {NULL, 0, 0};
  size_t pad;

  bgt_bheader(&b, 1, "filter", 1);
  field(&b, BG_TT_STRING, 40);
  pad = n - b.len - 4 - 1;
  bgt_b32(&b, (uint32_t)pad);
  while (pad-- > 0)
    bgt_b8(&b, 'x');
  bgt_b8(&b, 0);
  cr_assert_eq(b.len, n);
  return b;
}


Test(thrift_proto, size_limit_both_sides) {
  struct bg_thrift_dec d;
  struct bgt_bytes at = sized_call(1000), over = sized_call(1001), f;

  cr_assert_eq(decode1(&d, &at, 1000), 1000, "%s", d.why);
  cr_assert_eq(decode1(&d, &over, 1000), -BG_THRIFT_E_TOO_LONG);
  /* Refused as soon as a string's length is read, not when its bytes arrive. */
  f = sized_call(1002);
  bg_thrift_dec_init(&d, 1000, 0);
  cr_assert_eq(bg_thrift_decode(&d, f.p, 30), -BG_THRIFT_E_TOO_LONG);
  bg_thrift_dec_init(&d, 1000, 0);
  cr_assert_eq(bg_thrift_decode(&d, over.p, 30), 0); /* its string fits: wait for the rest */
  /* Framed: the frame counts the same bytes. */
  f = bgt_framed(&at);
  bg_thrift_dec_init(&d, 1000, 1);
  cr_assert_eq(bg_thrift_decode(&d, f.p, f.len), 1004, "%s", d.why);
  f = bgt_framed(&over);
  bg_thrift_dec_init(&d, 1000, 1);
  cr_assert_eq(bg_thrift_decode(&d, f.p, 4), -BG_THRIFT_E_TOO_LONG);
}


/* A call with an unknown field nesting `levels` structs (the arguments count as one more). */
static struct bgt_bytes nested(int levels) {
  struct bgt_bytes b = {NULL, 0, 0};
  int i;

  bgt_bheader(&b, 1, "filter", 1);
  for (i = 0; i < levels; i++)
    field(&b, BG_TT_STRUCT, 50);
  for (i = 0; i <= levels; i++)
    bgt_b8(&b, 0);
  return b;
}


Test(thrift_proto, depth_limit_both_sides) {
  struct bg_thrift_dec d;
  struct bgt_bytes ok = nested(BG_THRIFT_MAX_DEPTH - 1), deep = nested(BG_THRIFT_MAX_DEPTH);

  cr_assert_eq(decode1(&d, &ok, 1 << 20), (long)ok.len, "%s", d.why);
  cr_assert_eq(decode1(&d, &deep, 1 << 20), -BG_THRIFT_E_TOO_DEEP);
}


Test(thrift_proto, name_limit_both_sides) {
  struct bg_thrift_dec d;
  struct bgt_bytes ok = {NULL, 0, 0}, over = {NULL, 0, 0};
  char name[BG_THRIFT_MAX_NAME + 2];

  memset(name, 'n', sizeof name);
  name[BG_THRIFT_MAX_NAME] = '\0';
  bgt_bheader(&ok, 1, name, 1);
  bgt_b8(&ok, 0);
  name[BG_THRIFT_MAX_NAME] = 'n';
  name[BG_THRIFT_MAX_NAME + 1] = '\0';
  bgt_bheader(&over, 1, name, 1);
  bgt_b8(&over, 0);
  cr_assert_eq(decode1(&d, &ok, 1 << 20), (long)ok.len, "%s", d.why);
  cr_assert_eq(d.msg.name_len, BG_THRIFT_MAX_NAME);
  cr_assert_eq(decode1(&d, &over, 1 << 20), -BG_THRIFT_E_BAD_HEADER);
}


Test(thrift_proto, header_known_after_an_error_in_the_body) {
  struct bgt_bytes b = {NULL, 0, 0};
  struct bg_thrift_dec d;

  bgt_bheader(&b, 1, "filter", 77);
  field(&b, 0x42, 1);
  cr_assert_eq(decode1(&d, &b, 1 << 20), -BG_THRIFT_E_BAD_TYPE);
  cr_assert(d.msg.have_header);
  cr_assert_eq(d.msg.seqid, 77);
  cr_assert_eq(d.msg.name_len, 6);
  cr_assert(memcmp(d.msg.name, "filter", 6) == 0);
  cr_assert(strstr(d.why, "field type 66") != NULL, "%s", d.why);
}


static uint32_t get32(const char *p) {
  const unsigned char *u = (const unsigned char *)p;

  return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}


Test(thrift_proto, reply_bytes) {
  static const unsigned char want[] = {
    0x80, 0x01, 0x00, 0x02, 0, 0, 0, 6, 'f', 'i', 'l', 't', 'e', 'r', 0xff, 0xff, 0xff, 0xfe,
    12, 0, 0, 4, 0, 1, 0x3f, 0xd0, 0, 0, 0, 0, 0, 0, 0, 0};
  struct bg_buf out = {NULL, 0, 0};

  cr_assert_eq(bg_thrift_put_reply(&out, 0, "filter", 6, -2, 0.25), 0);
  cr_assert_eq(out.len, sizeof want);
  cr_assert(memcmp(out.p, want, sizeof want) == 0);
  out.len = 0;
  cr_assert_eq(bg_thrift_put_reply(&out, 1, "filter", 6, -2, 0.25), 0);
  cr_assert_eq(out.len, sizeof want + 4);
  cr_assert_eq(get32(out.p), sizeof want);
  cr_assert(memcmp(out.p + 4, want, sizeof want) == 0);
  bg_buf_free(&out);
}


Test(thrift_proto, exception_bytes_are_ascii) {
  struct bg_buf out = {NULL, 0, 0};
  size_t at;

  cr_assert_eq(bg_thrift_put_exception(&out, 0, "f", 1, 9, 7, "bad \xc3\xa9\n!"), 0);
  /* header (4 + 4 + 1 + 4), STRING 1, length, message, I32 2 type, STOP */
  at = 13;
  cr_assert_eq(out.len, at + 3 + 4 + 8 + 3 + 4 + 1);
  cr_assert_eq(get32(out.p), 0x80010003u);
  cr_assert_eq((unsigned char)out.p[at], BG_TT_STRING);
  cr_assert_eq(get32(out.p + at + 3), 8);
  cr_assert(memcmp(out.p + at + 7, "bad ?\?\?!", 8) == 0);
  cr_assert_eq((unsigned char)out.p[at + 15], BG_TT_I32);
  cr_assert_eq(get32(out.p + at + 18), 7);
  cr_assert_eq(out.p[out.len - 1], 0);
  bg_buf_free(&out);
}


Test(thrift_proto, a_spec_without_thrift_sources_cannot_serve) {
  struct bg_thrift_svc s;
  char err[256];

  cr_assert_null(bg_features_fxtest.extract_thrift);
  cr_assert_eq(bg_thrift_svc_init(&s, NULL, &bg_features_fxtest, 0, err, sizeof err), -1);
  cr_assert(strstr(err, "no \"thrift\" sources") != NULL, "%s", err);
  cr_assert_eq(bg_thrift_svc_init(&s, NULL, NULL, 0, err, sizeof err), -1);
}
