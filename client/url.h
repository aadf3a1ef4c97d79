/* url.h - bidload's target URLs: http://HOST[:PORT][/PATH] with a numeric IPv4 HOST or
 * "localhost". No DNS, no TLS: bidload only ever talks to the addresses it is given. */
#ifndef BL_URL_H
#define BL_URL_H

#include <stddef.h>

#include "bidload.h"

/* Fills t from url[0..len) (len (size_t)-1: up to the NUL). Returns 0, or -1 with the reason in
 * err. */
int bl_url_parse(const char *url, size_t len, struct bl_target *t, char *err, size_t errlen);

#endif /* BL_URL_H */
