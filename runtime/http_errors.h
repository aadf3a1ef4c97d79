/* http_errors.h - every way bidgate refuses a request: one table, status and code name per row.
 *
 * Each step of the request path returns 0 or a negative BG_HTTP_ERR_*; the first error goes to
 * the one error writer (respond.c), which answers
 *
 *     HTTP/1.1 <status> ...    {"error": {"code": "<code>", "message": "<what went wrong>"}}
 *
 * The table is the single source of the status, the code string (stable: clients and metrics
 * key on it) and a default message.
 */
#ifndef BG_HTTP_ERRORS_H
#define BG_HTTP_ERRORS_H

/* XX(NAME, STATUS, CODE, DEFAULT MESSAGE) */
#define BG_HTTP_ERRORS(XX)                                                                     \
  XX(BAD_REQUEST, 400, "bad_request", "the request is not valid HTTP/1.1")                     \
  XX(BAD_JSON, 400, "bad_json", "the body is not valid JSON (UTF-8)")                          \
  XX(NOT_BIDREQUEST, 400, "not_bidrequest", "the body is not an OpenRTB BidRequest")           \
  XX(BAD_CSV, 400, "bad_csv", "the body is not CSV rows of the model's features")              \
  XX(BAD_TENSOR, 400, "bad_tensor", "the inference request does not fit the model's input")    \
  XX(NO_BIDDERS, 400, "no_bidders", "no candidate bidders: send ext.bidders or start bidgate " \
                                    "with --bidders")                                          \
  XX(NOT_FOUND, 404, "not_found", "no such route")                                             \
  XX(MODEL_NOT_FOUND, 404, "model_not_found", "no model of that name (and version) here")      \
  XX(METHOD, 405, "method_not_allowed", "this route does not take that method")                \
  XX(NOT_ACCEPTABLE, 406, "not_acceptable", "the Accept header names no type this route "      \
                                            "answers with")                                    \
  XX(TIMEOUT, 408, "request_timeout", "the request did not arrive in time")                    \
  XX(LENGTH_REQUIRED, 411, "length_required", "a body needs Content-Length or chunked "        \
                                              "Transfer-Encoding")                             \
  XX(TOO_LARGE, 413, "body_too_large", "the body is larger than the limit")                    \
  XX(TOO_MANY_ROWS, 413, "too_many_rows", "impressions x bidders exceed the limit")            \
  XX(URI_TOO_LONG, 414, "uri_too_long", "the request target is too long")                      \
  XX(MEDIA_TYPE, 415, "unsupported_media_type", "the body must be application/json")           \
  XX(HEADERS_TOO_LARGE, 431, "headers_too_large", "the request headers are larger than the "   \
                                                  "limit")                                     \
  XX(INTERNAL, 500, "internal", "the server could not handle the request")                     \
  XX(NOT_IMPLEMENTED, 501, "not_implemented", "unsupported Transfer-Encoding")                 \
  XX(UNAVAILABLE, 503, "unavailable", "this binary has no feature extractor")

enum {
  BG_HTTP_OK = 0,
  BG_HTTP__ERR_FIRST = -200,
#define XX(name, status, code, msg) BG_HTTP_ERR_##name,
  BG_HTTP_ERRORS(XX)
#undef XX
  BG_HTTP__ERR_END
};

/* Status, code and default message of err (a BG_HTTP_ERR_*); anything else reads as INTERNAL. */
int bg_http_err_status(int err);
const char *bg_http_err_code(int err);
const char *bg_http_err_message(int err);

#endif /* BG_HTTP_ERRORS_H */
