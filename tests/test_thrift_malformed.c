/* test_thrift_malformed.c - malformed and unexpected Thrift input, one case per row.
 *
 * Each case starts the real server, sends bytes built here by hand (bad type ids, negative and
 * huge lengths, deep nesting, bad headers and frames, HTTP and TLS on the Thrift port, wrong
 * methods and message types, truncation, a stall) and checks: the answer is the right
 * TApplicationException, or the connection closes cleanly with no answer; a case that leaves
 * the stream intact keeps the connection (a good call on it is then answered); a closed one
 * leaves the server serving (a good call on a new connection is answered); and, once the
 * server has stopped, its counter line shows exactly this case's counter at 1.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "helpers.h"
#include "net.h"
#include "thrift_net.h"

/* TApplicationException types, and what a case expects instead of one. */
#define UNKNOWN_METHOD 1
#define INVALID_MESSAGE_TYPE 2
#define PROTOCOL_ERROR 7
#define INVALID_PROTOCOL 9
#define CLOSE 0   /* no answer; the server closes */
#define SILENT -1 /* no answer; the connection stays */

/* Field and element types. */
enum { T_STOP = 0, T_BYTE = 3, T_I32 = 8, T_I64 = 10, T_STRING = 11, T_STRUCT = 12, T_MAP = 13,
       T_LIST = 15 };

typedef void (*build_fn)(struct bgt_bytes *b);

enum builder {
  B_bad_field_type,
  B_void_field_type,
  B_list_bad_element,
  B_map_bad_types,
  B_negative_string,
  B_huge_string,
  B_huge_string_framed,
  B_huge_list,
  B_huge_map,
  B_negative_list,
  B_deep_structs,
  B_deep_lists,
  B_bad_version,
  B_name_too_long,
  B_negative_name,
  B_http_request,
  B_tls_hello,
  B_unknown_method,
  B_unknown_method_framed,
  B_empty_method,
  B_type_reply,
  B_type_exception,
  B_type_oneway,
  B_half_call,
  B_three_bytes,
  B_frame_zero,
  B_frame_negative,
  B_frame_huge,
  B_frame_extra,
  B_frame_short,
  B_frame_half,
  B_unframed_call,
  B_framed_call,
};


struct bad_case {
  char name[40];
  int framed;        /* the server's transport */
  int build;         /* enum builder: the bytes to send (frames included) */
  int half_close;    /* shut the write side after them */
  int expect;        /* TApplicationException type, CLOSE or SILENT */
  char label[24];    /* the counter that must read 1 ("" for: any one error counter) */
  char message[48];  /* expected in the exception's message */
  int timeout_ms;    /* --request-timeout for the server (0: default) */
};


/* A good call: the header, then BidRequest fields. */
static void good(struct bgt_bytes *b) {
  bgt_bheader(b, 1, "filter", 42);
  bgt_b8(b, T_STRUCT);
  bgt_b16(b, 1);
  bgt_b8(b, T_STRING);
  bgt_b16(b, 3);
  bgt_bstr(b, "09");
  bgt_b8(b, T_I32);
  bgt_b16(b, 11);
  bgt_b32(b, 3);
  bgt_b8(b, T_STOP);
  bgt_b8(b, T_STOP);
}

/* The start of a call, inside the BidRequest struct. */
static void call_open(struct bgt_bytes *b) {
  bgt_bheader(b, 1, "filter", 7);
  bgt_b8(b, T_STRUCT);
  bgt_b16(b, 1);
}

static void field(struct bgt_bytes *b, unsigned type, unsigned id) {
  bgt_b8(b, type);
  bgt_b16(b, id);
}

static void bad_field_type(struct bgt_bytes *b) {
  call_open(b);
  field(b, 19, 3);
  bgt_b32(b, 0);
}

static void void_field_type(struct bgt_bytes *b) {
  bgt_bheader(b, 1, "filter", 7);
  field(b, 1, 1);
}

static void list_bad_element(struct bgt_bytes *b) {
  call_open(b);
  field(b, T_LIST, 50);
  bgt_b8(b, 0x11);
  bgt_b32(b, 2);
}

static void map_bad_types(struct bgt_bytes *b) {
  call_open(b);
  field(b, T_MAP, 50);
  bgt_b8(b, T_STRING);
  bgt_b8(b, 0);
  bgt_b32(b, 1);
}

static void negative_string(struct bgt_bytes *b) {
  call_open(b);
  field(b, T_STRING, 3);
  bgt_b32(b, 0xfffffffbu);
}

static void huge_string(struct bgt_bytes *b) {
  call_open(b);
  field(b, T_STRING, 10);
  bgt_b32(b, 0x7ffffff0u);
  bgt_bput(b, "Mozilla/5.0", 11); /* and never the rest: the answer must not wait for it */
}

static void huge_list(struct bgt_bytes *b) {
  call_open(b);
  field(b, T_LIST, 50);
  bgt_b8(b, T_I64);
  bgt_b32(b, 0x10000000u);
}

static void huge_map(struct bgt_bytes *b) {
  call_open(b);
  field(b, T_MAP, 50);
  bgt_b8(b, T_I32);
  bgt_b8(b, T_STRING);
  bgt_b32(b, 0x7fffffffu);
}

static void negative_list(struct bgt_bytes *b) {
  call_open(b);
  field(b, T_LIST, 50);
  bgt_b8(b, T_BYTE);
  bgt_b32(b, 0x80000000u);
}

static void deep_structs(struct bgt_bytes *b) {
  int i;

  call_open(b);
  for (i = 0; i < 40; i++)
    field(b, T_STRUCT, 60);
}

static void deep_lists(struct bgt_bytes *b) {
  int i;

  call_open(b);
  field(b, T_LIST, 60);
  for (i = 0; i < 40; i++) {
    bgt_b8(b, T_LIST);
    bgt_b32(b, 1);
  }
}

static void bad_version(struct bgt_bytes *b) {
  bgt_b32(b, 0x80020001u);
  bgt_bstr(b, "filter");
  bgt_b32(b, 1);
  bgt_b8(b, T_STOP);
}

static void name_too_long(struct bgt_bytes *b) {
  bgt_b32(b, 0x80010001u);
  bgt_b32(b, 100000);
  bgt_bput(b, "filter", 6);
}

static void negative_name(struct bgt_bytes *b) {
  bgt_b32(b, 0x80010001u);
  bgt_b32(b, 0xffffffffu);
  bgt_b32(b, 1);
}

static void http_request(struct bgt_bytes *b) {
  static const char req[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";

  bgt_bput(b, req, sizeof req - 1);
}

static void tls_hello(struct bgt_bytes *b) {
  static const unsigned char hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc,
                                        0x03, 0x03};

  bgt_bput(b, hello, sizeof hello);
}

static void unknown_method(struct bgt_bytes *b) {
  bgt_bheader(b, 1, "filterx", 5);
  field(b, T_STRUCT, 1);
  field(b, T_STRING, 3);
  bgt_bstr(b, "09");
  bgt_b8(b, T_STOP);
  bgt_b8(b, T_STOP);
}

static void unknown_method_framed(struct bgt_bytes *b) {
  struct bgt_bytes m = {NULL, 0, 0};

  unknown_method(&m);
  *b = bgt_framed(&m);
}

static void huge_string_framed(struct bgt_bytes *b) {
  struct bgt_bytes m = {NULL, 0, 0};

  huge_string(&m);
  *b = bgt_framed(&m);
}

static void empty_method(struct bgt_bytes *b) {
  bgt_bheader(b, 1, "", 5);
  bgt_b8(b, T_STOP);
}

static void type_reply(struct bgt_bytes *b) {
  bgt_bheader(b, 2, "filter", 5);
  bgt_b8(b, T_STOP);
}

static void type_exception(struct bgt_bytes *b) {
  bgt_bheader(b, 3, "filter", 5);
  field(b, T_STRING, 1);
  bgt_bstr(b, "boom");
  bgt_b8(b, T_STOP);
}

static void type_oneway(struct bgt_bytes *b) {
  bgt_bheader(b, 4, "filter", 5);
  field(b, T_STRUCT, 1);
  bgt_b8(b, T_STOP);
  bgt_b8(b, T_STOP);
}

static void half_call(struct bgt_bytes *b) {
  struct bgt_bytes g = {NULL, 0, 0};

  good(&g);
  bgt_bput(b, g.p, g.len / 2);
}

static void three_bytes(struct bgt_bytes *b) {
  bgt_bput(b, "\x80\x01\x00", 3);
}

static void frame_zero(struct bgt_bytes *b) {
  bgt_b32(b, 0);
}

static void frame_negative(struct bgt_bytes *b) {
  bgt_b32(b, 0xffffffffu);
}

static void frame_huge(struct bgt_bytes *b) {
  bgt_b32(b, 100000000u);
  bgt_b32(b, 0x80010001u);
}

static void frame_extra(struct bgt_bytes *b) {
  struct bgt_bytes g = {NULL, 0, 0};

  good(&g);
  bgt_b32(b, (uint32_t)g.len + 3);
  bgt_bput(b, g.p, g.len);
  bgt_bput(b, "xyz", 3);
}

static void frame_short(struct bgt_bytes *b) {
  struct bgt_bytes g = {NULL, 0, 0};

  good(&g);
  bgt_b32(b, (uint32_t)g.len - 4);
  bgt_bput(b, g.p, g.len - 4);
}

static void frame_half(struct bgt_bytes *b) {
  struct bgt_bytes g = {NULL, 0, 0};

  good(&g);
  bgt_b32(b, (uint32_t)g.len);
  bgt_bput(b, g.p, g.len / 2);
}

static void unframed_call(struct bgt_bytes *b) {
  good(b);
}

static void framed_call(struct bgt_bytes *b) {
  struct bgt_bytes g = {NULL, 0, 0};

  good(&g);
  *b = bgt_framed(&g);
}

/* Builders by enum builder (a case holds an index: Criterion runs each case in a new
 * process, where a function pointer from the table's process would mean nothing). */
static const build_fn builders[] = {
  [B_bad_field_type] = bad_field_type,
  [B_void_field_type] = void_field_type,
  [B_list_bad_element] = list_bad_element,
  [B_map_bad_types] = map_bad_types,
  [B_negative_string] = negative_string,
  [B_huge_string] = huge_string,
  [B_huge_string_framed] = huge_string_framed,
  [B_huge_list] = huge_list,
  [B_huge_map] = huge_map,
  [B_negative_list] = negative_list,
  [B_deep_structs] = deep_structs,
  [B_deep_lists] = deep_lists,
  [B_bad_version] = bad_version,
  [B_name_too_long] = name_too_long,
  [B_negative_name] = negative_name,
  [B_http_request] = http_request,
  [B_tls_hello] = tls_hello,
  [B_unknown_method] = unknown_method,
  [B_unknown_method_framed] = unknown_method_framed,
  [B_empty_method] = empty_method,
  [B_type_reply] = type_reply,
  [B_type_exception] = type_exception,
  [B_type_oneway] = type_oneway,
  [B_half_call] = half_call,
  [B_three_bytes] = three_bytes,
  [B_frame_zero] = frame_zero,
  [B_frame_negative] = frame_negative,
  [B_frame_huge] = frame_huge,
  [B_frame_extra] = frame_extra,
  [B_frame_short] = frame_short,
  [B_frame_half] = frame_half,
  [B_unframed_call] = unframed_call,
  [B_framed_call] = framed_call,
};

static struct bad_case cases[] = {
  {"bad_field_type", 0, B_bad_field_type, 0, PROTOCOL_ERROR, "bad_type", "field type 19", 0},
  {"void_field_type", 0, B_void_field_type, 0, PROTOCOL_ERROR, "bad_type", "field type 1 ", 0},
  {"list_bad_element", 0, B_list_bad_element, 0, PROTOCOL_ERROR, "bad_type", "element type 17",
   0},
  {"map_bad_types", 0, B_map_bad_types, 0, PROTOCOL_ERROR, "bad_type", "(11, 0)", 0},
  {"negative_string", 0, B_negative_string, 0, PROTOCOL_ERROR, "bad_size", "negative length", 0},
  {"huge_string", 0, B_huge_string, 0, PROTOCOL_ERROR, "too_long", "a string at byte", 0},
  {"huge_string_framed", 1, B_huge_string_framed, 0, PROTOCOL_ERROR, "too_long", "a string at", 0},
  {"huge_list", 0, B_huge_list, 0, PROTOCOL_ERROR, "too_long", "a list at byte", 0},
  {"huge_map", 0, B_huge_map, 0, PROTOCOL_ERROR, "too_long", "a map at byte", 0},
  {"negative_list", 0, B_negative_list, 0, PROTOCOL_ERROR, "bad_size", "negative size", 0},
  {"deep_structs", 0, B_deep_structs, 0, PROTOCOL_ERROR, "too_deep", "deeper than 32", 0},
  {"deep_lists", 0, B_deep_lists, 0, PROTOCOL_ERROR, "too_deep", "deeper than 32", 0},
  {"bad_version", 0, B_bad_version, 0, INVALID_PROTOCOL, "bad_header", "0x80020001", 0},
  {"name_too_long", 0, B_name_too_long, 0, INVALID_PROTOCOL, "bad_header", "100000 bytes", 0},
  {"negative_name", 0, B_negative_name, 0, INVALID_PROTOCOL, "bad_header", "-1 bytes", 0},
  {"http_on_thrift_port", 0, B_http_request, 0, INVALID_PROTOCOL, "bad_header", "not a Thrift",
   0},
  {"tls_on_thrift_port", 0, B_tls_hello, 0, INVALID_PROTOCOL, "bad_header", "not a Thrift", 0},
  {"unknown_method", 0, B_unknown_method, 0, UNKNOWN_METHOD, "unknown_method", "'filterx'", 0},
  {"unknown_method_framed", 1, B_unknown_method_framed, 0, UNKNOWN_METHOD, "unknown_method",
   "'filterx'", 0},
  {"empty_method", 0, B_empty_method, 0, UNKNOWN_METHOD, "unknown_method", "''", 0},
  {"message_type_reply", 0, B_type_reply, 0, INVALID_MESSAGE_TYPE, "wrong_message_type",
   "message type 2", 0},
  {"message_type_exception", 0, B_type_exception, 0, INVALID_MESSAGE_TYPE, "wrong_message_type",
   "message type 3", 0},
  {"message_type_oneway", 0, B_type_oneway, 0, SILENT, "wrong_message_type", "", 0},
  {"truncated_call", 0, B_half_call, 1, CLOSE, "truncated", "", 0},
  {"truncated_header", 0, B_three_bytes, 1, CLOSE, "truncated", "", 0},
  {"stalled_call", 0, B_half_call, 0, CLOSE, "timeout", "", 300},
  {"frame_zero", 1, B_frame_zero, 0, PROTOCOL_ERROR, "bad_frame", "frame of 0 bytes", 0},
  {"frame_negative", 1, B_frame_negative, 0, PROTOCOL_ERROR, "bad_frame", "frame of -1", 0},
  {"frame_too_long", 1, B_frame_huge, 0, PROTOCOL_ERROR, "too_long", "100000000 bytes", 0},
  {"frame_extra_bytes", 1, B_frame_extra, 0, PROTOCOL_ERROR, "bad_frame", "3 bytes follow",
   0},
  {"frame_too_short", 1, B_frame_short, 0, PROTOCOL_ERROR, "bad_frame", "past the end of its", 0},
  {"frame_truncated", 1, B_frame_half, 1, CLOSE, "truncated", "", 0},
  {"frame_stalled", 1, B_frame_half, 0, CLOSE, "timeout", "", 300},
  {"unframed_call_to_framed", 1, B_unframed_call, 0, PROTOCOL_ERROR, "bad_frame", "frame of",
   0},
  /* The frame length reads as an old-style header naming a 40-odd-byte method, which then
   * waits for bytes that never come: the request timeout ends it. */
  {"framed_call_to_unframed", 0, B_framed_call, 0, CLOSE, "timeout", "", 300},
};

ParameterizedTestParameters(thrift_malformed, cases) {
  return cr_make_param_array(struct bad_case, cases, sizeof cases / sizeof cases[0]);
}


/* A good call on fd is answered with a reply of seqid 42. */
static void expect_good(int fd, int framed, const char *when) {
  struct bgt_bytes g = {NULL, 0, 0}, f;
  struct bgt_tanswer a;

  good(&g);
  f = framed ? bgt_framed(&g) : g;
  cr_assert_eq(bgt_send(fd, f.p, f.len), 0, "%s: the good call could not be sent", when);
  a = bgt_tread(fd, framed);
  cr_assert_eq(a.kind, 1, "%s: the good call got no reply (%d: %s)", when, a.kind, a.message);
  cr_assert_eq(a.seqid, 42);
  cr_assert(a.score > 0 && a.score < 1);
}


ParameterizedTest(struct bad_case *c, thrift_malformed, cases, .timeout = 60) {
  const char *args[8] = {"--thrift-transport", c->framed ? "framed" : "unframed", NULL};
  struct bgt_bytes b = {NULL, 0, 0};
  struct bgt_tserver s;
  struct bgt_tanswer a;
  char *err;
  long errors;
  int fd, good_calls = 1;

  if (c->timeout_ms > 0) {
    args[2] = "--request-timeout";
    args[3] = bgt_fmt("%d", c->timeout_ms);
    args[4] = NULL;
  }
  builders[c->build](&b);
  s = bgt_tserver_start(args);
  fd = bgt_connect(s.thrift_port);
  cr_assert_eq(bgt_send(fd, b.p, b.len), 0);
  if (c->half_close)
    shutdown(fd, SHUT_WR);
  if (c->expect == SILENT) {
    expect_good(fd, c->framed, c->name); /* the first answer on the connection is the good one */
    good_calls++;
  } else {
    a = bgt_tread(fd, c->framed);
    if (c->expect == CLOSE) {
      cr_assert_eq(a.kind, 0, "%s: expected a close, got an answer (%s)", c->name, a.message);
    } else {
      cr_assert_eq(a.kind, 2, "%s: expected an exception, got kind %d", c->name, a.kind);
      cr_assert_eq(a.tae, c->expect, "%s: exception type %d (%s), expected %d", c->name, a.tae,
                   a.message, c->expect);
      cr_assert(strstr(a.message, c->message) != NULL, "%s: message \"%s\" lacks \"%s\"",
                c->name, a.message, c->message);
      if (c->expect == UNKNOWN_METHOD || c->expect == INVALID_MESSAGE_TYPE) {
        cr_assert_eq(a.seqid, 5, "%s: the exception must carry the call's seqid", c->name);
        expect_good(fd, c->framed, c->name);
        good_calls++;
      } else {
        cr_assert(bgt_closed(fd, 5000), "%s: the server kept the connection open", c->name);
      }
    }
  }
  close(fd);
  /* The server goes on serving others. */
  fd = bgt_connect(s.thrift_port);
  expect_good(fd, c->framed, "a new connection");
  close(fd);
  err = bgt_tserver_stop(&s);
  errors = bgt_tcount(err, "errors");
  cr_assert_eq(errors, 1, "%s: %ld errors counted: %s", c->name, errors, err);
  if (c->label[0] != '\0')
    cr_assert_eq(bgt_tcount(err, c->label), 1, "%s: counter %s: %s", c->name, c->label, err);
  cr_assert_eq(bgt_tcount(err, "calls"), good_calls, "%s: %s", c->name, err);
  free(err);
}
