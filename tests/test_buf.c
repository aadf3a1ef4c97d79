/* test_buf.c - the response writer's scalars: floats print as printf("%.9g") does and read
 * back as the same float32; JSON strings escape what JSON requires. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"

TestSuite(buf, .timeout = 60);


static float from_bits(uint32_t u) {
  float f;

  memcpy(&f, &u, 4);
  return f;
}


static void check(float f) {
  struct bg_buf b = {0};
  char want[40], *got;
  float back;
  uint32_t x, y;

  cr_assert_eq(bg_buf_float(&b, f), 0);
  cr_assert_eq(bg_buf_put(&b, "", 1), 0);
  got = b.p;
  snprintf(want, sizeof want, "%.9g", (double)f);
  cr_assert_str_eq(got, want, "float %a (0x%08x): printf says %s", (double)f,
                   (memcpy(&x, &f, 4), x), want);
  back = strtof(got, NULL);
  memcpy(&x, &f, 4);
  memcpy(&y, &back, 4);
  cr_assert_eq(x, y, "%s reads back as %a, not %a", got, (double)back, (double)f);
  bg_buf_free(&b);
}


Test(buf, floats_print_like_printf_and_round_trip) {
  uint64_t s = 88172645463325252u;
  uint32_t i;
  static const float special[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 1e-4f, 9.99999975e-05f,
                                  123456789.0f, 999999999.0f, 1e9f, 3.40282347e38f,
                                  1.17549435e-38f, 1.4e-45f, 0.000847571762f, 0.961662591f};

  for (i = 0; i < sizeof special / sizeof special[0]; i++)
    check(special[i]);
  /* Random bit patterns (every exponent), and scores in (0, 1). */
  for (i = 0; i < 300000; i++) {
    float f;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    f = from_bits((uint32_t)s);
    if (isfinite(f))
      check(f);
    check((float)((s >> 11) * 0x1.0p-53));
  }
}


Test(buf, non_finite_is_null) {
  struct bg_buf b = {0};

  bg_buf_float(&b, NAN);
  bg_buf_float(&b, INFINITY);
  cr_assert_eq(b.len, 8);
  cr_assert(memcmp(b.p, "nullnull", 8) == 0);
  bg_buf_free(&b);
}


Test(buf, json_strings_escape_quotes_backslashes_and_controls) {
  struct bg_buf b = {0};
  static const char in[] = "a\"b\\c\n\x01\x7f\xc3\xa9";

  cr_assert_eq(bg_buf_json_string(&b, in, sizeof in - 1), 0);
  cr_assert_eq(bg_buf_put(&b, "", 1), 0);
  cr_assert_str_eq(b.p, "\"a\\\"b\\\\c\\u000a\\u0001\\u007f\xc3\xa9\"");
  bg_buf_free(&b);
}
