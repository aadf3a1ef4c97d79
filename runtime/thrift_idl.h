/* thrift_idl.h - runtime/bidrequest.thrift as C: the service, its method and the fields.
 *
 * One list serves the Thrift decoder (runtime/thrift_proto.c records the fields it names),
 * the feature compiler (compiler/fx_thrift.c checks a spec's "thrift" members against it) and
 * the docs. tests/test_thrift_idl.c compares it with what Debian's thrift compiler makes of
 * bidrequest.thrift, so the two cannot drift apart. Header only; it promises nothing else.
 */
#ifndef BG_THRIFT_IDL_H
#define BG_THRIFT_IDL_H

/* Wire type ids of the binary protocol (Thrift's TType). */
#define BG_TT_STOP 0
#define BG_TT_BOOL 2
#define BG_TT_BYTE 3
#define BG_TT_DOUBLE 4
#define BG_TT_I16 6
#define BG_TT_I32 8
#define BG_TT_I64 10
#define BG_TT_STRING 11
#define BG_TT_STRUCT 12
#define BG_TT_MAP 13
#define BG_TT_SET 14
#define BG_TT_LIST 15

#define BG_THRIFT_SERVICE "BidRequestFilter"
#define BG_THRIFT_METHOD "filter"
#define BG_THRIFT_ARG_ID 1     /* filter(1: BidRequest request) */
#define BG_THRIFT_RESULT_ID 0  /* the success field of a reply's result struct */
#define BG_THRIFT_SCORE_ID 1   /* BidResponse { 1: double likelihoodToBid } */

/* XX(ID, NAME, TYPE): the fields of struct BidRequest, in id order. */
#define BG_THRIFT_BIDREQUEST_FIELDS(XX)                                                       \
  XX(1, bidId, BG_TT_STRING)                                                                  \
  XX(2, dayOfWeek, BG_TT_I32)                                                                 \
  XX(3, hour, BG_TT_STRING)                                                                   \
  XX(4, regionId, BG_TT_STRING)                                                               \
  XX(5, cityId, BG_TT_STRING)                                                                 \
  XX(6, domainId, BG_TT_STRING)                                                               \
  XX(7, advertiserId, BG_TT_STRING)                                                           \
  XX(8, biddingPrice, BG_TT_I64)                                                              \
  XX(9, payingPrice, BG_TT_I64)                                                               \
  XX(10, userAgent, BG_TT_STRING)                                                             \
  XX(11, deviceTypeId, BG_TT_I32)

/* Field ids run 1..BG_THRIFT_MAX_ID; arrays indexed by id have BG_THRIFT_MAX_ID + 1 slots. */
#define BG_THRIFT_MAX_ID 11

#endif /* BG_THRIFT_IDL_H */
