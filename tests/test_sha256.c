/* test_sha256.c - xgbc's SHA-256 agrees with coreutils' sha256sum, on padding edges too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "sha256.h"


static void expect_like_sha256sum(const void *data, size_t len) {
  char *dir = bgt_mkdtemp(), *path = bgt_fmt("%s/data", dir), *out;
  char *argv[] = {"sha256sum", path, NULL};
  char hex[XGBC_SHA256_HEX_LEN + 1];

  bgt_write_file(path, data, len);
  cr_assert_eq(bgt_run(argv, NULL, &out, NULL), 0);
  xgbc_sha256_hex(data, len, hex);
  cr_expect(strncmp(out, hex, 64) == 0, "length %zu: sha256sum %.64s, xgbc %s", len, out, hex);
  bgt_rmrf(dir);
}


Test(sha256, padding_boundaries, .timeout = 60) {
  static const size_t lengths[] = {0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129,
                                   1000, 65536 + 17};
  unsigned char *buf = malloc(70000);
  size_t i;

  for (i = 0; i < 70000; i++)
    buf[i] = (unsigned char)(i * 2654435761u >> 13);
  for (i = 0; i < sizeof lengths / sizeof lengths[0]; i++)
    expect_like_sha256sum(buf, lengths[i]);
  free(buf);
}


Test(sha256, aws_model, .timeout = 30) {
  size_t len;
  char *text = bgt_read_file(bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS")), &len);

  expect_like_sha256sum(text, len);
}
