/* csv.h - feature rows as CSV text: the format of sample.csv, `bidgate predict` and SageMaker's
 * text/csv. One row per line, cells separated by commas; a cell is a decimal number (as strtof
 * reads it: 1, -2.5, 1e-3, nan, inf) or empty for missing (NaN). Whitespace around a cell is
 * ignored; a line may end in \n or \r\n.
 */
#ifndef BG_CSV_H
#define BG_CSV_H

#include <stddef.h>

enum {
  BG_CSV_OK = 0,
  BG_CSV_EFIELDS = -1, /* wrong number of cells */
  BG_CSV_ENUMBER = -2  /* a cell is not a number */
};

/* Parse the line [line, line + len) (no line terminator needed) into exactly n floats.
 * On error returns a negative BG_CSV_E* code and sets *bad_cell to the 1-based cell at fault
 * (for BG_CSV_EFIELDS: the number of cells found). Never reads past len; never allocates. */
int bg_csv_parse_row(const char *line, size_t len, float *out, size_t n, size_t *bad_cell);

#endif /* BG_CSV_H */
