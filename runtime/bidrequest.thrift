// bidrequest.thrift - the Thrift interface bidgate answers on --thrift-port.
//
// This is the wire contract of the AWS "RTB intelligence kit" traffic-filtering service that
// bidgate replaces (aws-samples/aws-rtb-intelligence-kit, its api.thrift): the same struct
// names, field ids, field types and names, the same service and method. Clients generated
// from either file talk to either server unchanged. Do not renumber or retype a field: the
// ids and types are what travels on the wire.
//
// bidgate speaks TBinaryProtocol (strict and old-style message headers) over a framed or
// unframed transport (--thrift-transport); docs/thrift.md has the details. How the fields
// become the model's features is the model's feature spec ("thrift" members,
// docs/features.md); runtime/thrift_idl.h mirrors the field list for the C code, and the
// tests check the two agree.

// The original's Java package, so Java clients built from this file are drop-in too.
namespace java com.aik.filterapi

// One bid request, as the sample's clients fill it from the iPinYou logs.
struct BidRequest {
  1: string bidId,        // echoed nowhere; not a feature of the sample model
  2: i32 dayOfWeek,       // Spark dayofweek: 1 = Sunday .. 7 = Saturday
  3: string hour,         // hour of day as two digits, e.g. "09"
  4: string regionId,
  5: string cityId,
  6: string domainId,
  7: string advertiserId,
  8: i64 biddingPrice,
  9: i64 payingPrice,
  10: string userAgent,
  11: i32 deviceTypeId    // woothee category: 0 smartphone .. 5 misc (the kit sends 6 without a user agent)
}

// The answer: the model's score for the request.
struct BidResponse {
  1: double likelihoodToBid
}

service BidRequestFilter {
  // Score one bid request.
  BidResponse filter(1: BidRequest request)
}
