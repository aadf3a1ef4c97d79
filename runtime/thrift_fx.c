/* thrift_fx.c - transforms of feature-spec entries with a Thrift source (see thrift_fx.h).
 *
 * They mirror runtime/features_rt.c's, so a string means the same whether it came in a JSON
 * BidRequest or a Thrift call: the same vocabulary order and folding, the same FNV-1a, the same
 * user agent rules (bg_fx_devicetype itself, handed the agent as a cJSON string).
 */
#include "thrift_fx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_UA 512     /* as features_rt.c: agents are classified on their first 512 bytes */
#define MAX_NUMBER 64  /* a decimal string longer than this is not a number */


/* Whether s[0..n) is a plain decimal number: [+-] digits [. digits] [e [+-] digits], with at
 * least one digit before the exponent. strtod alone would also take spaces, hex, inf, nan. */
static int is_decimal(const char *s, size_t n) {
  size_t i = 0, digits = 0;

  if (i < n && (s[i] == '+' || s[i] == '-'))
    i++;
  for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
    digits++;
  if (i < n && s[i] == '.')
    for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
      digits++;
  if (digits == 0)
    return 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t exp = 0;
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
      i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
      exp++;
    if (exp == 0)
      return 0;
  }
  return i == n;
}


float bg_tx_number(const struct bg_tx_value *v, float dflt) {
  char buf[MAX_NUMBER + 1];

  if (v == NULL)
    return dflt;
  switch (v->type) {
  case BG_TT_BOOL:
  case BG_TT_BYTE:
  case BG_TT_I16:
  case BG_TT_I32:
  case BG_TT_I64:
    return (float)v->i;
  case BG_TT_DOUBLE:
    return (float)v->d;
  case BG_TT_STRING:
    if (v->len == 0 || v->len > MAX_NUMBER || !is_decimal(v->s, v->len))
      return dflt;
    memcpy(buf, v->s, v->len);
    buf[v->len] = '\0';
    return (float)strtod(buf, NULL);
  default:
    return dflt;
  }
}


float bg_tx_present(const struct bg_tx_value *v) {
  return v != NULL ? 1.0f : 0.0f;
}


float bg_tx_vocab(const struct bg_tx_value *v, const struct bg_fx_word *words, size_t n,
                  float unknown, float dflt, int fold) {
  if (v == NULL || v->type != BG_TT_STRING)
    return dflt;
  return bg_fx_vocab_bytes(v->s, v->len, words, n, unknown, fold);
}


float bg_tx_hash(const struct bg_tx_value *v, uint32_t buckets, float dflt, int fold) {
  uint32_t h = 2166136261u;
  size_t i;

  if (v == NULL || v->type != BG_TT_STRING || buckets == 0)
    return dflt;
  for (i = 0; i < v->len; i++) {
    unsigned char c = (unsigned char)v->s[i];
    if (fold && c >= 'A' && c <= 'Z')
      c = (unsigned char)(c + ('a' - 'A'));
    h = (h ^ c) * 16777619u;
  }
  return (float)(h % buckets);
}


float bg_tx_devicetype(const struct bg_tx_value *v, enum bg_fx_scale scale, float dflt) {
  char buf[MAX_UA + 1];
  cJSON ua;
  size_t n;

  if (v == NULL)
    return dflt;
  if (v->type != BG_TT_STRING)
    return bg_tx_number(v, dflt); /* a code, taken as it is */
  /* The agent as the JSON path would hand it over: a NUL-terminated string. */
  n = v->len < MAX_UA ? v->len : MAX_UA;
  memcpy(buf, v->s, n);
  buf[n] = '\0';
  memset(&ua, 0, sizeof ua);
  ua.type = cJSON_String;
  ua.valuestring = buf;
  return bg_fx_devicetype(NULL, &ua, scale, dflt);
}
