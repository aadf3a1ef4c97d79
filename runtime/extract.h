/* extract.h - `bidgate extract`: the compiled feature extractor offline, for training data.
 *
 *   bidgate extract [--features FILE] [--now EPOCH] [--bidders LIST] [--keys] [--header]
 *           < requests.jsonl > features.csv
 *
 * One BidRequest per input line (blank lines skipped); one CSV row per impression, or per
 * impression x bidder when the model scores bidders, in the order the server scores them;
 * cells in the model's feature order, %.9g (reads back as the same float32), NaN as an empty
 * cell: exactly what `bidgate predict` reads. Rows come from rows.c, the server's own code.
 * --now fixes the clock (epoch seconds) for hour/day-of-week entries without a timestamp field
 * (default: the time at start, one value for the whole run). --features FILE refuses to run
 * unless FILE is the spec compiled into this binary (same SHA-256). --keys prefixes each row
 * with the request id, impression index and bidder; --header prints the column names first.
 */
#ifndef BG_EXTRACT_H
#define BG_EXTRACT_H

#include "features_abi.h"
#include "model_abi.h"

/* Run the command on argv[0..argc) (its options). Returns the exit status: 0, 1 for bad
 * input (a message naming the line is printed on stderr), 2 for a usage error. */
int bg_extract_main(int argc, char **argv, const struct bg_model *m, const struct bg_features *fx);

#endif /* BG_EXTRACT_H */
