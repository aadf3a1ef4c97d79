/* fuzz.h - what the fuzz targets share: the libFuzzer entry point and the compile steps after
 * reading.
 *
 * Each target (fuzz_json.c, fuzz_ubj.c, fuzz_dump.c) defines LLVMFuzzerTestOneInput for one
 * reader. Built with clang -fsanitize=fuzzer it is a libFuzzer binary (`make fuzz`); linked with
 * replay.c instead it replays saved inputs (`make test`), under ASan and UBSan when the
 * compiler has them. Either way an input may be refused, never crash, hang or leak.
 */
#ifndef BG_FUZZ_H
#define BG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "ir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* After a reader accepted m: validate, lower and write the m4 definitions (to memory), as
 * xgbc does, then free m. Returns 0 or the first step's error code. */
int bg_fuzz_compile(struct xgbc_model *m);

#endif /* BG_FUZZ_H */
