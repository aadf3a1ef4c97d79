/* test_csv.c - CSV feature rows: cells, missing values, and malformed lines. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "csv.h"

static int parse(const char *line, float *out, size_t n, size_t *bad) {
  return bg_csv_parse_row(line, strlen(line), out, n, bad);
}


Test(csv, numbers_as_strtof_reads_them) {
  const char *cells[] = {"2", "0", "-0.0", "7.0", "1e-45", "3.4028235e38", "0x1p-3"};
  float out[7];
  size_t bad, i;

  cr_assert_eq(parse("2,0,-0.0,7.0,1e-45,3.4028235e38,0x1p-3", out, 7, &bad), BG_CSV_OK);
  for (i = 0; i < 7; i++) {
    float want = strtof(cells[i], NULL);
    cr_expect(memcmp(&out[i], &want, sizeof want) == 0, "cell %zu", i);
  }
}


Test(csv, empty_cells_are_missing) {
  float out[4];
  size_t bad;

  cr_assert_eq(parse(",1, ,", out, 4, &bad), BG_CSV_OK);
  cr_expect(isnan(out[0]));
  cr_expect_eq(out[1], 1.0f);
  cr_expect(isnan(out[2]));
  cr_expect(isnan(out[3]));
}


Test(csv, whitespace_and_crlf) {
  float out[2];
  size_t bad;

  cr_assert_eq(parse(" 1.5 ,\t2\r\n", out, 2, &bad), BG_CSV_OK);
  cr_expect_eq(out[0], 1.5f);
  cr_expect_eq(out[1], 2.0f);
}


Test(csv, too_few_and_too_many_cells) {
  float out[3];
  size_t bad;

  cr_expect_eq(parse("1,2", out, 3, &bad), BG_CSV_EFIELDS);
  cr_expect_eq(bad, 2);
  cr_expect_eq(parse("1,2,3,4,5", out, 3, &bad), BG_CSV_EFIELDS);
  cr_expect_eq(bad, 5);
}


Test(csv, not_a_number) {
  float out[3];
  size_t bad;

  cr_expect_eq(parse("1,abc,3", out, 3, &bad), BG_CSV_ENUMBER);
  cr_expect_eq(bad, 2);
  cr_expect_eq(parse("1,2,3x", out, 3, &bad), BG_CSV_ENUMBER);
  cr_expect_eq(bad, 3);
}
