# mk/fuzz.mk - libFuzzer targets for the model readers (JSON, UBJSON, dumps), and their replay.
#
#   make fuzz                 run each target for FUZZ_SECONDS (default 60) with clang's
#                             libFuzzer, ASan and UBSan; new inputs go to build/fuzz/corpus/,
#                             crashes to build/fuzz/crashes/ (make fuzz then fails)
#   make test                 replays tests/fuzz/corpus/ and tests/fuzz/crashers/ with a plain
#                             driver (tests/fuzz/replay.c) built by $(CC) with ASan and UBSan
#                             when $(CC) has them (gcc and clang both do here)
#
# Only the reader, validation, lowering and emission sources are linked (no m4, no files).

FUZZ_TARGETS := json ubj dump
FUZZ_SECONDS ?= 60
FUZZ_LIB_SRC := compiler/diag.c compiler/ir.c compiler/read_any.c compiler/read_xgb_doc.c \
  compiler/read_xgb_dump.c compiler/read_xgb_json.c compiler/read_xgb_ubj.c \
  compiler/validate.c compiler/lower.c compiler/emit_defs.c compiler/emit_linear.c \
  tests/fuzz/fuzz_common.c
FUZZ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -ffp-contract=off -g -O1 \
  -fno-omit-frame-pointer -Icompiler -Itests/fuzz
# cJSON is compiled from Debian's source package (tools/deps.sh unpacks it) with the same
# sanitizers, so they see into it too.
FUZZ_CJSON_SRC = $(firstword $(wildcard build/src/cjson-*/cJSON.c))

# ---- replay, with whatever compiler builds the tests ----
# One object directory per compiler: gcc's and clang's sanitizer runtimes do not mix.
REPLAY_DIR := $(HOST)/fuzz/replay-$(notdir $(lastword $(CC)))
REPLAY_SAN = $(shell printf 'int main(void){return 0;}\n' | \
  $(CC) -x c -fsanitize=address,undefined -o /dev/null - 2>/dev/null && \
  echo -fsanitize=address,undefined -fno-sanitize-recover=all)
REPLAY_OBJ := $(FUZZ_LIB_SRC:%.c=$(REPLAY_DIR)/%.o) $(REPLAY_DIR)/cJSON.o
REPLAY_BIN := $(FUZZ_TARGETS:%=$(REPLAY_DIR)/replay_%)
TEST_DEPS += $(REPLAY_BIN)
TEST_ENV += BG_TEST_REPLAY=$(CURDIR)/$(REPLAY_DIR) BG_TEST_FUZZ=$(CURDIR)/tests/fuzz

$(REPLAY_DIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(FUZZ_CFLAGS) $(REPLAY_SAN) -MMD -MP -c $< -o $@

$(REPLAY_DIR)/cJSON.o: $(CJSON_A)
	@mkdir -p $(@D)
	$(CC) -std=c99 -g -O1 $(REPLAY_SAN) -c $(FUZZ_CJSON_SRC) -o $@

$(REPLAY_DIR)/replay_%: $(REPLAY_DIR)/tests/fuzz/fuzz_%.o $(REPLAY_DIR)/tests/fuzz/replay.o \
    $(REPLAY_OBJ)
	$(CC) $(REPLAY_SAN) $^ -lm -o $@

# ---- libFuzzer, always clang ----
FUZZ_DIR := $(HOST)/fuzz/libfuzzer
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJ := $(FUZZ_LIB_SRC:%.c=$(FUZZ_DIR)/%.o) $(FUZZ_DIR)/cJSON.o
FUZZ_BIN := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(FUZZ_SAN) -MMD -MP -c $< -o $@

$(FUZZ_DIR)/cJSON.o: $(CJSON_A)
	@mkdir -p $(@D)
	clang -std=c99 -g -O1 $(FUZZ_SAN) -c $(FUZZ_CJSON_SRC) -o $@

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/tests/fuzz/fuzz_%.o $(FUZZ_OBJ)
	clang -fsanitize=fuzzer,address,undefined $^ -lm -o $@

.PHONY: fuzz
fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@failed=0; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus/$$t build/fuzz/crashes/$$t; \
	  dict=; [ $$t = ubj ] || dict=-dict=tests/fuzz/json.dict; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 $$dict \
	    -artifact_prefix=build/fuzz/crashes/$$t/ build/fuzz/corpus/$$t tests/fuzz/corpus/$$t \
	    2> build/fuzz/fuzz_$$t.log || failed=1; \
	  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY|==[0-9]+==ERROR)' \
	    build/fuzz/fuzz_$$t.log; \
	done; \
	if [ $$failed != 0 ]; then \
	  echo "make fuzz: a target failed; inputs in build/fuzz/crashes/, logs in build/fuzz/*.log;" \
	    "after the fix, copy each input to tests/fuzz/crashers/TARGET/" >&2; exit 1; fi

-include $(shell find $(HOST)/fuzz -name '*.d' 2>/dev/null)
