# mk/thrift.mk - the Thrift endpoint (runtime/thrift_*.c, docs/thrift.md): its objects in the
# bidgate binary, `make run` with it on :9090, its tests, the fuzz target and the benchmark.
#
#   make fuzz            also fuzzes the Thrift decoder and answers (target thrift, mk/fuzz.mk)
#   make bench-thrift    Thrift calls/s next to HTTP requests/s on one core (part of make bench)

# THRIFT_SRC (runtime/thrift_*.c) is in the Makefile's RUNTIME_SRC.

# The sample system served Thrift on 9090; `make run` does too (RUN_FLAGS in mk/server.mk)
# when the model's spec names Thrift sources (without them --thrift-port refuses to start).
RUN_THRIFT_PORT ?= 9090
RUN_FLAGS += $(if $(shell grep -ls '"thrift"' $(SPEC)),--thrift-port $(RUN_THRIFT_PORT))

# ---- tests: a Python client generated from the IDL by Debian's thrift compiler ----
THRIFT_PY := $(HOST)/thrift-py
$(THRIFT_PY)/bidrequest/ttypes.py: runtime/bidrequest.thrift
	@mkdir -p $(THRIFT_PY)
	thrift --gen py -out $(THRIFT_PY) $<

TEST_DEPS += $(THRIFT_PY)/bidrequest/ttypes.py
TEST_ENV += BG_TEST_THRIFT=$(CURDIR)/tests/thrift BG_TEST_THRIFT_PY=$(CURDIR)/$(THRIFT_PY)
TEST_EXTRA_test_thrift := $(HOST)/obj/tests/net.o $(HOST)/obj/tests/thrift_net.o
TEST_EXTRA_test_thrift_malformed := $(HOST)/obj/tests/net.o $(HOST)/obj/tests/thrift_net.o
TEST_EXTRA_test_thrift_proto := $(HOST)/obj/tests/net.o $(HOST)/obj/tests/thrift_net.o \
  $(addprefix $(HOST)/obj/runtime/,thrift_proto.o thrift_call.o thrift_fx.o features_rt.o json_scan.o \
  arena.o buf.o) \
  $(FXTEST)/features.o
$(HOST)/tests/test_thrift_proto: TEST_LIBS += $(CJSON_A)

# tests/thrift/spec.json (every Thrift source) compiled with tests/features/model.json.
TXTEST := $(HOST)/txtest
$(TXTEST)/gen/features.c: tests/thrift/spec.json tests/features/model.json $(XGBC) $(TEMPLATES)
	$(XGBC) tests/features/model.json --name txtest --features tests/thrift/spec.json -o $(TXTEST)/gen

$(TXTEST)/features.o: $(TXTEST)/gen/features.c
	$(CC) $(ALL_CFLAGS) -Iruntime -c $< -o $@

TEST_EXTRA_test_thrift_features := $(TXTEST)/features.o \
  $(addprefix $(HOST)/obj/runtime/,thrift_fx.o features_rt.o json_scan.o arena.o)
$(HOST)/tests/test_thrift_features: TEST_LIBS += $(CJSON_A)

# ---- fuzzing: tests/fuzz/fuzz_thrift.c, one more target of mk/fuzz.mk ----
# The target links the Thrift runtime and models/aws-rtb compiled for it; mk/fuzz.mk builds it
# both ways (libFuzzer for `make fuzz`, replay_thrift for `make test`) from these objects.
FUZZ_TARGETS += thrift
THRIFT_FUZZ_GEN := $(HOST)/fuzz/thrift-gen
THRIFT_FUZZ_SRC := runtime/thrift_proto.c runtime/thrift_call.c runtime/thrift_fx.c \
  runtime/features_rt.c runtime/json_scan.c runtime/arena.c runtime/buf.c $(THRIFT_FUZZ_GEN)/model.c \
  $(THRIFT_FUZZ_GEN)/features.c

$(THRIFT_FUZZ_GEN)/model.c $(THRIFT_FUZZ_GEN)/features.c &: models/aws-rtb/model.json \
    models/aws-rtb/features.json $(XGBC) $(TEMPLATES)
	$(XGBC) models/aws-rtb/model.json --name aws_rtb --features models/aws-rtb/features.json \
	  -o $(THRIFT_FUZZ_GEN)

$(REPLAY_DIR)/replay_thrift: $(THRIFT_FUZZ_SRC:%.c=$(REPLAY_DIR)/%.o)
$(FUZZ_DIR)/fuzz_thrift: $(THRIFT_FUZZ_SRC:%.c=$(FUZZ_DIR)/%.o)
# Its sources include runtime headers (applies to the objects these targets build).
$(REPLAY_DIR)/replay_thrift $(FUZZ_DIR)/fuzz_thrift: FUZZ_CFLAGS += -Iruntime
# mk/fuzz.mk fixed its lists before this file added the target.
TEST_DEPS += $(REPLAY_DIR)/replay_thrift
fuzz: $(FUZZ_DIR)/fuzz_thrift

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
