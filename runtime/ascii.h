/* ascii.h - ASCII case folding, eight bytes at a time (header names, vocabularies, user
 * agents). Only 'A'..'Z' change; every other byte, UTF-8 included, is copied. Cannot fail. */
#ifndef BG_ASCII_H
#define BG_ASCII_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* out[0..n) = s[0..n) with ASCII capitals lowered (out may be s). */
static inline void bg_ascii_lower(char *out, const char *s, size_t n) {
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  size_t i = 0;

  for (; i + 8 <= n; i += 8) {
    uint64_t x, low7, upper;
    memcpy(&x, s + i, 8);
    low7 = x & (ones * 0x7f);
    /* per byte: 7 low bits >= 'A' and not > 'Z', and the byte is ASCII */
    upper = (low7 + ones * (0x80 - 'A')) & ~(low7 + ones * (0x7f - 'Z')) & ~x & highs;
    x |= upper >> 2; /* 0x80 >> 2 is the 0x20 that lowers a letter */
    memcpy(out + i, &x, 8);
  }
  for (; i < n; i++)
    out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + ('a' - 'A') : s[i]);
}

#endif /* BG_ASCII_H */
