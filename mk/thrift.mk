# mk/thrift.mk - the Thrift endpoint (runtime/thrift_*.c, docs/thrift.md): its objects in the
# bidgate binary, `make run` with it on :9090, its tests, the fuzz target and the benchmark.
#
#   make fuzz            libFuzzer (clang) on the Thrift decoder for FUZZ_SECONDS (default 60)
#   make bench-thrift    Thrift calls/s next to HTTP requests/s on one core (part of make bench)

THRIFT_SRC := runtime/thrift_proto.c runtime/thrift_fx.c runtime/thrift_call.c \
  runtime/thrift_server.c
THRIFT_OBJ = $(THRIFT_SRC:%.c=$(BUILD)/obj/%.o)

# The runtime list in the Makefile is fixed when it is read; the objects join the link here.
$(BUILD)/$(MODEL)/bidgate: $(THRIFT_OBJ)

# The sample system served Thrift on 9090; `make run` does too (RUN_FLAGS in mk/server.mk).
RUN_THRIFT_PORT ?= 9090
RUN_FLAGS += --thrift-port $(RUN_THRIFT_PORT)

# ---- tests: a Python client generated from the IDL by Debian's thrift compiler ----
THRIFT_PY := $(HOST)/thrift-py
$(THRIFT_PY)/bidrequest/ttypes.py: runtime/bidrequest.thrift
	@mkdir -p $(THRIFT_PY)
	thrift --gen py -out $(THRIFT_PY) $<

TEST_DEPS += $(THRIFT_PY)/bidrequest/ttypes.py
TEST_ENV += BG_TEST_THRIFT=$(CURDIR)/tests/thrift BG_TEST_THRIFT_PY=$(CURDIR)/$(THRIFT_PY)
TEST_EXTRA_test_thrift := $(HOST)/obj/tests/net.o $(HOST)/obj/tests/thrift_net.o
TEST_EXTRA_test_thrift_malformed := $(HOST)/obj/tests/net.o $(HOST)/obj/tests/thrift_net.o
TEST_EXTRA_test_thrift_proto := $(HOST)/obj/tests/thrift_net.o \
  $(addprefix $(HOST)/obj/runtime/,thrift_proto.o thrift_call.o thrift_fx.o features_rt.o buf.o) \
  $(FXTEST)/features.o
$(HOST)/tests/test_thrift_proto: TEST_LIBS += $(CJSON_A)

# tests/thrift/spec.json (every Thrift source) compiled with tests/features/model.json.
TXTEST := $(HOST)/txtest
$(TXTEST)/gen/features.c: tests/thrift/spec.json tests/features/model.json $(XGBC) $(TEMPLATES)
	$(XGBC) tests/features/model.json --name txtest --features tests/thrift/spec.json -o $(TXTEST)/gen

$(TXTEST)/features.o: $(TXTEST)/gen/features.c
	$(CC) $(ALL_CFLAGS) -Iruntime -c $< -o $@

TEST_EXTRA_test_thrift_features := $(TXTEST)/features.o \
  $(addprefix $(HOST)/obj/runtime/,thrift_fx.o features_rt.o)
$(HOST)/tests/test_thrift_features: TEST_LIBS += $(CJSON_A)

# ---- fuzzing: tests/fuzz/fuzz_thrift.c on the decoder and answers, with models/aws-rtb ----
FUZZ_DIR := $(HOST)/fuzz
FUZZ_GEN := $(FUZZ_DIR)/gen
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_CORPUS := tests/fuzz/thrift_corpus
FUZZ_RUNTIME := runtime/thrift_proto.c runtime/thrift_call.c runtime/thrift_fx.c \
  runtime/features_rt.c runtime/buf.c

$(FUZZ_GEN)/model.c $(FUZZ_GEN)/features.c &: models/aws-rtb/model.json \
    models/aws-rtb/features.json $(XGBC) $(TEMPLATES)
	$(XGBC) models/aws-rtb/model.json --name aws_rtb --features models/aws-rtb/features.json \
	  -o $(FUZZ_GEN)

$(FUZZ_DIR)/%.o: $(FUZZ_GEN)/%.c
	$(CC) $(ALL_CFLAGS) -Iruntime -c $< -o $@

$(FUZZ_DIR)/fuzz_thrift.o $(FUZZ_DIR)/replay_main.o: $(FUZZ_DIR)/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iruntime -c $< -o $@

# The plain driver (any compiler): `make test` replays the corpus with it.
$(FUZZ_DIR)/thrift-replay: $(FUZZ_DIR)/replay_main.o $(FUZZ_DIR)/fuzz_thrift.o \
    $(FUZZ_DIR)/model.o $(FUZZ_DIR)/features.o \
    $(addprefix $(HOST)/obj/,$(FUZZ_RUNTIME:.c=.o)) $(CJSON_A)
	$(CC) $(CFLAGS) $^ -lm -o $@

# The libFuzzer build: clang, with address and undefined-behaviour sanitizers.
$(FUZZ_DIR)/thrift-fuzz: tests/fuzz/fuzz_thrift.c $(FUZZ_RUNTIME) $(FUZZ_GEN)/model.c \
    $(FUZZ_GEN)/features.c $(CJSON_A)
	$(FUZZ_CC) $(BASE_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -Iruntime $(filter %.c %.a,$^) -lm -o $@

.PHONY: fuzz
# Bounded: FUZZ_SECONDS of fuzzing. New inputs go to build/amd64/fuzz/corpus (copy the
# interesting ones into tests/fuzz/thrift_corpus); a crash leaves build/amd64/fuzz/crash-*,
# which `build/amd64/fuzz/thrift-fuzz FILE` replays with the sanitizers (thrift-replay FILE
# without them, e.g. under gdb).
fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_DIR)/thrift-fuzz $(FUZZ_DIR)/thrift-replay
	@mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/thrift-fuzz -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/thrift.dict \
	  -max_len=4096 -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus $(FUZZ_CORPUS)

TEST_DEPS += $(FUZZ_DIR)/thrift-replay
TEST_ENV += BG_TEST_THRIFT_REPLAY=$(CURDIR)/$(FUZZ_DIR)/thrift-replay \
  BG_TEST_THRIFT_CORPUS=$(CURDIR)/$(FUZZ_CORPUS)

# ---- benchmark: Thrift calls/s next to HTTP requests/s, the server on one core ----
THRIFT_LOAD := $(HOST)/thrift-load
$(THRIFT_LOAD): tests/bench/thrift_load.c
	$(CC) $(ALL_CFLAGS) $< -o $@

.PHONY: bench-thrift
BENCH_TARGETS += bench-thrift
bench-thrift: aws-rtb-server $(THRIFT_LOAD)
	@mkdir -p build/bench
	tools/bench-thrift.sh build/amd64/aws-rtb/bidgate $(THRIFT_LOAD) build/bench/thrift.md
	tools/bench-section.sh thrift build/bench/thrift.md
	@echo "bench-thrift: docs/BENCHMARKS.md updated"
