/* csv.c - one CSV line into a row of float features (see csv.h). */
#include "csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}


int bg_csv_parse_row(const char *line, size_t len, float *out, size_t n, size_t *bad_cell) {
  size_t cell = 0, i = 0;

  for (;;) {
    size_t start, end;
    char buf[64];

    start = i;
    while (i < len && line[i] != ',')
      i++;
    end = i;
    while (start < end && is_space(line[start]))
      start++;
    while (end > start && is_space(line[end - 1]))
      end--;
    if (cell >= n) {
      /* Count the cells to report how many there are. */
      size_t count = cell + 1;
      for (; i < len; i++)
        count += line[i] == ',';
      *bad_cell = count;
      return BG_CSV_EFIELDS;
    }
    if (start == end) {
      out[cell] = NAN;
    } else {
      char *stop;
      if (end - start >= sizeof buf) {
        *bad_cell = cell + 1;
        return BG_CSV_ENUMBER;
      }
      memcpy(buf, line + start, end - start);
      buf[end - start] = '\0';
      out[cell] = strtof(buf, &stop);
      if (*stop != '\0') {
        *bad_cell = cell + 1;
        return BG_CSV_ENUMBER;
      }
    }
    cell++;
    if (i >= len)
      break;
    i++; /* the comma */
  }
  if (cell != n) {
    *bad_cell = cell;
    return BG_CSV_EFIELDS;
  }
  return BG_CSV_OK;
}
