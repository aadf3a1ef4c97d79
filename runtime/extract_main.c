/* extract_main.c - bidgate-extract: `bidgate extract` for a feature spec that has no model yet.
 *
 * Training data must come from the serving code (so the two never disagree), but before the
 * first model exists there is no bidgate binary to run. xgbc compiles the spec alone
 * (`xgbc --features SPEC --name NAME -o DIR`), and this main links it with the very same
 * extract.c, openrtb.c and rows.c the server uses. The build names the extractor with
 * -DBG_FEATURES_SYMBOL=bg_features_<name>.
 */
#include "extract.h"

#ifndef BG_FEATURES_SYMBOL
#error "compile with -DBG_FEATURES_SYMBOL=bg_features_<name>"
#endif

extern const struct bg_features BG_FEATURES_SYMBOL;

int main(int argc, char **argv) {
  return bg_extract_main(argc - 1, argv + 1, NULL, &BG_FEATURES_SYMBOL);
}
