/* test_json_scan_swar.c - test_json_scan.c again, linked with the scanner built with
 * -DBG_JS_SWAR (mk/scan.mk): the portable string scan (eight bytes in a 64-bit word) that
 * machines without SSE2 or NEON use, on fewer generated bodies. */
#define SCAN_CASES 2000
#define SCAN_SWAR_BUILD
#include "test_json_scan.c"
