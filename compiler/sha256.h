/* sha256.h - SHA-256 (FIPS 180-4) of a buffer, as lowercase hex: names a model's source file. */
#ifndef XGBC_SHA256_H
#define XGBC_SHA256_H

#include <stddef.h>

#define XGBC_SHA256_HEX_LEN 64

/* Write the 64 hex digits and a NUL to hex (at least 65 bytes). Cannot fail. */
void xgbc_sha256_hex(const void *data, size_t len, char hex[XGBC_SHA256_HEX_LEN + 1]);

#endif /* XGBC_SHA256_H */
