# mk/server_fuzz.mk - the request path under libFuzzer (tests/fuzz_http/), and its corpus
# replayed by `make test`. (After server.mk: it uses SERVER_SRC.)
#
#   make fuzz-http    FUZZ_SECONDS (default 60) of libFuzzer with ASan and UBSan (clang) on HTTP
#                     bytes -> answers; new inputs go to build/fuzz_http/corpus/, a crash to
#                     build/fuzz_http/crashes/ (and the target fails). `make fuzz` runs it too.
#   make test         replays tests/fuzz_http/corpus/ with tests/fuzz_http/replay.c, built by
#                     $(CC) (gcc or clang) with ASan and UBSan (tests/test_fuzz_http.c)
#
# A crash found by fuzzing is fixed, then its input is copied into tests/fuzz_http/corpus/, so
# every `make test` replays it from then on.

FUZZ_SECONDS ?= 60
FUZZ_HTTP_SRC := $(filter-out runtime/main.c,$(RUNTIME_SRC)) $(SERVER_SRC) \
  runtime/linked_model.c tests/fuzz_http/fuzz_request.c
# The aws-rtb model and extractor, made by the aws-rtb-server target (mk/server.mk).
FUZZ_HTTP_MODEL := generated/aws-rtb/model.c generated/aws-rtb/features.c
FUZZ_HTTP_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -ffp-contract=off -Iruntime \
  -Icompiler -DBG_MODEL_SYMBOL=bg_model_aws_rtb -DBG_FEATURES_SYMBOL=bg_features_aws_rtb
FUZZ_HTTP_LIBS = $(BUILD)/libhttp_parser.a $(CJSON_A) $(shell pkg-config --static --libs libuv-static) -lm
FUZZ_HTTP_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

# The replay driver, one per compiler (objects of two compilers never mix).
FUZZ_HTTP_REPLAY := $(HOST)/fuzz_http/replay-$(notdir $(firstword $(CC)))
$(FUZZ_HTTP_REPLAY): $(FUZZ_HTTP_SRC) tests/fuzz_http/replay.c $(BUILD)/libhttp_parser.a \
    $(CJSON_A) | aws-rtb-server
	@mkdir -p $(@D)
	$(CC) $(FUZZ_HTTP_CFLAGS) $(CFLAGS) $(FUZZ_HTTP_SAN) $(filter %.c,$^) $(FUZZ_HTTP_MODEL) \
	  $(FUZZ_HTTP_LIBS) -o $@

TEST_DEPS += $(FUZZ_HTTP_REPLAY)
TEST_ENV += BG_TEST_FUZZ_HTTP_REPLAY=$(CURDIR)/$(FUZZ_HTTP_REPLAY) \
  BG_TEST_FUZZ_HTTP_CORPUS=$(CURDIR)/tests/fuzz_http/corpus

# The libFuzzer binary (clang only).
FUZZ_HTTP_BIN := build/fuzz_http/fuzz_request
$(FUZZ_HTTP_BIN): $(FUZZ_HTTP_SRC) $(BUILD)/libhttp_parser.a $(CJSON_A) | aws-rtb-server
	@mkdir -p $(@D)
	clang $(FUZZ_HTTP_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined $(filter %.c,$^) $(FUZZ_HTTP_MODEL) $(FUZZ_HTTP_LIBS) -o $@

.PHONY: fuzz fuzz-http
fuzz: fuzz-http
fuzz-http: deps
	@$(MAKE) --no-print-directory $(FUZZ_HTTP_BIN)
	@mkdir -p build/fuzz_http/corpus build/fuzz_http/crashes
	$(FUZZ_HTTP_BIN) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 \
	  -max_len=16384 -dict=tests/fuzz_http/http.dict \
	  -artifact_prefix=build/fuzz_http/crashes/ build/fuzz_http/corpus tests/fuzz_http/corpus
	@echo "fuzz-http: no crash in $(FUZZ_SECONDS) s; new inputs in build/fuzz_http/corpus/"
