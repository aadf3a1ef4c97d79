# Makefile - bidgate's one entry point.
#
#   make run                 install what is missing, build the sample model, run it
#   make test                install what is missing, build everything, run every test
#   make test SANITIZE=1     the same under ASan+UBSan, built in build/amd64-san (mk/sanitize.mk)
#   make model MODEL=NAME    compile models/NAME into build/$(ARCH)/NAME/bidgate
#   make bench               benchmarks into docs/BENCHMARKS.md (BENCH_TARGETS, e.g. bench-server)
#   make clean               remove build/ and generated/
#
# Variables: MODEL (default aws-rtb), MODELS_DIR (models), ARCH (amd64), CC (cc; `make CC=clang test` works too),
# CFLAGS (-O2 -g). Warnings are errors everywhere. Switching CC rebuilds build/amd64 (its .cc).

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:

ARCH ?= amd64
MODEL ?= aws-rtb
MODELS_DIR ?= models
CFLAGS ?= -O2 -g
STATIC := $(if $(SANITIZE),,-static)
PYTHON := /usr/bin/python3

# Model folder name -> C identifier (aws-rtb -> aws_rtb).
NAME = $(shell printf '%s' '$(MODEL)' | tr -c 'A-Za-z0-9_' '_')

# SANITIZE=1 builds and tests everything under ASan+UBSan in build/ARCH-san (mk/sanitize.mk),
# so its objects never mix with the normal ones.
SAN := $(if $(SANITIZE),-san)
BUILD := build/$(ARCH)$(SAN)
HOST := build/amd64$(SAN)
XGBC := $(HOST)/xgbc

# Objects of two compilers never mix: $(HOST) remembers the compiler that built it (.cc), and
# `make CC=clang ...` after a gcc build (or back) starts it over, keeping only what does not
# depend on CC (the Debian-source libraries tools/deps.sh built, the generated Thrift Python).
CC_ID := $(shell readlink -f "$$(command -v $(firstword $(CC)))" 2>/dev/null)$(wordlist 2,99,$(CC))
ifneq ($(MAKECMDGOALS),clean)
ifneq ($(shell cat $(HOST)/.cc 2>/dev/null),$(CC_ID))
$(shell mkdir -p $(HOST) && find $(HOST) -mindepth 1 -maxdepth 1 ! -name 'lib*.a' ! -name 'cJSON*' \
  ! -name 'http_parser.o' ! -name 'thrift-py' -exec rm -rf {} + && printf '%s\n' '$(CC_ID)' > $(HOST)/.cc)
endif
endif
CJSON_A := $(HOST)/libcjson.a
TEMPLATES := $(wildcard templates/*.m4)

# -ffp-contract=off: a fused multiply-add would change the last bit (xgboost.md).
WARN := -Wall -Wextra -Werror
BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -ffp-contract=off -MMD -MP
ALL_CFLAGS = $(BASE_CFLAGS) $(CFLAGS)

COMPILER_SRC := $(wildcard compiler/*.c)
COMPILER_OBJ := $(COMPILER_SRC:%.c=$(HOST)/obj/%.o)
# Every runtime source of the bidgate binary (model and extractor come from generated/).
RUNTIME_SRC := runtime/main.c runtime/csv.c runtime/config.c runtime/server.c runtime/http.c \
  runtime/router.c runtime/h_filter.c runtime/h_health.c runtime/openrtb.c runtime/rows.c \
  runtime/decide.c runtime/respond.c runtime/buf.c runtime/arena.c runtime/features_rt.c \
  runtime/extract.c runtime/json_scan.c compiler/sha256.c
# The Thrift endpoint (docs/thrift.md) is part of every bidgate binary.
THRIFT_SRC := runtime/thrift_proto.c runtime/thrift_fx.c runtime/thrift_call.c \
  runtime/thrift_server.c
RUNTIME_SRC += $(THRIFT_SRC)
RUNTIME_OBJ := $(RUNTIME_SRC:%.c=$(BUILD)/obj/%.o)
# Static libraries the server links: http-parser and cJSON built from Debian's sources by
# tools/deps.sh, libuv's static archive from libuv1-dev.
RUNTIME_LIBS = $(BUILD)/libhttp_parser.a $(BUILD)/libcjson.a $(shell pkg-config --static --libs libuv-static)

.PHONY: all deps xgbc model run test test-run bench clean help

all: deps
	@$(MAKE) --no-print-directory xgbc model

help:
	@sed -n '2,13s/^# \{0,1\}//p' Makefile

# One idempotent install step: apt for what is missing, static cJSON from Debian's source.
deps:
	@tools/deps.sh build

xgbc: $(XGBC)

$(CJSON_A):
	tools/deps.sh build
	$(if $(SAN),mkdir -p $(@D) && cp build/amd64/libcjson.a $@)

$(HOST)/obj/compiler/%.o: compiler/%.c | $(CJSON_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Icompiler -DXGBC_TEMPLATE_DIR='"$(CURDIR)/templates"' -c $< -o $@

$(XGBC): $(COMPILER_OBJ) $(CJSON_A)
	$(CC) $(CFLAGS) $(COMPILER_OBJ) $(CJSON_A) -lm -o $@

$(BUILD)/obj/runtime/%.o: runtime/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iruntime -Icompiler -c $< -o $@

# ---- one model release: models/NAME -> generated/NAME -> build/ARCH/NAME/bidgate ----

# A model with models/NAME/features.json gets its compiled extractor too (features.c).
SPEC = $(wildcard $(MODELS_DIR)/$(MODEL)/features.json)

GENERATED = generated/$(MODEL)/model.c $(if $(SPEC),generated/$(MODEL)/features.c)

$(GENERATED) &: $(MODELS_DIR)/$(MODEL)/model.json $(SPEC) $(XGBC) $(TEMPLATES)
	$(XGBC) $< --name $(NAME) $(SPEC:%=--features %) -o generated/$(MODEL)

$(BUILD)/$(MODEL)/features.o: generated/$(MODEL)/features.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iruntime -c $< -o $@

$(BUILD)/$(MODEL)/model.o: generated/$(MODEL)/model.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iruntime -c $< -o $@

# models/NAME/serving.json (make train) sets the model's default --threshold.
SERVING = $(wildcard $(MODELS_DIR)/$(MODEL)/serving.json)
THRESHOLD = $(if $(SERVING),$(shell jq -er '.threshold | select(type == "number")' $(SERVING)))

$(BUILD)/$(MODEL)/linked_model.o: runtime/linked_model.c $(SPEC) $(SERVING)
	@mkdir -p $(@D)
	@if [ -n "$(SERVING)" ] && [ -z "$(THRESHOLD)" ]; then \
	  echo "$(SERVING): \"threshold\" must be a number" >&2; exit 1; fi
	$(CC) $(ALL_CFLAGS) -Iruntime -DBG_MODEL_SYMBOL=bg_model_$(NAME) \
	  $(if $(SPEC),-DBG_FEATURES_SYMBOL=bg_features_$(NAME)) \
	  $(if $(THRESHOLD),-DBG_DEFAULT_THRESHOLD='"$(THRESHOLD)"') -c $< -o $@

$(BUILD)/$(MODEL)/bidgate: $(RUNTIME_OBJ) $(BUILD)/$(MODEL)/model.o \
    $(if $(SPEC),$(BUILD)/$(MODEL)/features.o) $(BUILD)/$(MODEL)/linked_model.o \
    $(BUILD)/libhttp_parser.a $(BUILD)/libcjson.a
	$(CC) $(CFLAGS) $(STATIC) $(filter %.o,$^) $(RUNTIME_LIBS) -lm -o $@

model: deps
	@test -f $(MODELS_DIR)/$(MODEL)/model.json || { echo "make model: $(MODELS_DIR)/$(MODEL)/model.json not found" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(BUILD)/$(MODEL)/bidgate
	@if [ "$(ARCH)" = amd64 ]; then $(MAKE) --no-print-directory oracle-check; fi
	@echo "built $(BUILD)/$(MODEL)/bidgate (model $(NAME)); run it with:"
	@echo "  $(BUILD)/$(MODEL)/bidgate --port 8080        # the HTTP server"
	@echo "  $(BUILD)/$(MODEL)/bidgate predict < ROWS.csv       # scores of feature rows"

# `make run` serves the sample model on :8080 in the foreground (mk/server.mk: RUN_FLAGS).
run: model
	@echo "serving $(MODEL) on http://127.0.0.1:$(RUN_PORT) (Ctrl-C stops it); try:"
	@echo "  curl -s localhost:$(RUN_PORT)/healthz"
	@echo "  curl -s -H 'Content-Type: application/json' --data-binary @$(MODELS_DIR)/$(MODEL)/request.json localhost:$(RUN_PORT)/v1/filter"
	@exec $(BUILD)/$(MODEL)/bidgate --port $(RUN_PORT) $(RUN_FLAGS)

# ---- tests ----

ORACLE := build/test/oracle
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(HOST)/tests/%)
TEST_LIBS := -lcriterion -lxgboost -ldl -lm
# Parts add to these in mk/*.mk: more prerequisites of the test run, more environment, more
# benchmarks (each a target that updates its own section of docs/BENCHMARKS.md), and extra
# objects or libraries for one test binary (TEST_EXTRA_test_NAME).
TEST_DEPS :=
BENCH_TARGETS :=
SERIAL_TESTS :=

include $(sort $(wildcard mk/*.mk))

$(ORACLE)/MANIFEST: tests/oracle/train.py models/aws-rtb/model.json models/aws-rtb/sample.csv
	@mkdir -p $(@D)
	$(PYTHON) tests/oracle/train.py $(ORACLE) models

# Every oracle model compiled by xgbc into a shared object the oracle test dlopen()s.
ORACLE_NAMES = $(shell cat $(ORACLE)/MANIFEST 2>/dev/null)
ORACLE_SO = $(ORACLE_NAMES:%=$(HOST)/oracle/%/model.so)

$(HOST)/oracle/%/model.so: $(ORACLE)/%/model.json $(XGBC) $(TEMPLATES)
	$(XGBC) $< --name $* -o $(HOST)/oracle/$*/gen
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Iruntime $(HOST)/oracle/$*/gen/model.c -lm -o $@

$(HOST)/obj/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -Iruntime -Icompiler -c $< -o $@

.SECONDEXPANSION:
$(HOST)/tests/test_%: $(HOST)/obj/tests/test_%.o $(HOST)/obj/tests/helpers.o \
    $(HOST)/obj/runtime/csv.o $(HOST)/obj/compiler/sha256.o $(CJSON_A) $$(TEST_EXTRA_test_$$*)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ $(TEST_LIBS) -o $@

# The environment every test reads; a test that needs one of these fails when it is unset.
TEST_ENV += BG_TEST_XGBC=$(CURDIR)/$(XGBC) BG_TEST_ORACLE=$(CURDIR)/$(ORACLE) \
  BG_TEST_ORACLE_SO=$(CURDIR)/$(HOST)/oracle BG_TEST_TEMPLATES=$(CURDIR)/templates \
  BG_TEST_MODELS=$(CURDIR)/models BG_TEST_CC="$(CC)" BG_TEST_RUNTIME=$(CURDIR)/runtime

test: deps
	@$(MAKE) --no-print-directory $(ORACLE)/MANIFEST
	@$(MAKE) --no-print-directory test-run

# Suites that measure time run their tests one at a time (SERIAL_TESTS, added to in mk/*.mk),
# so two of their own tests never compete for the two cores.
test-run: $(XGBC) $(ORACLE_SO) $(TEST_BIN) $(BUILD)/$(MODEL)/bidgate $(TEST_DEPS)
	@failed=0; for t in $(TEST_BIN); do \
	  case " $(SERIAL_TESTS) " in *" $${t##*/} "*) jobs=1 ;; *) jobs=2 ;; esac; \
	  echo "== $$t"; $(TEST_ENV) $$t --jobs $$jobs || failed=1; \
	done; exit $$failed

bench: deps
	@if [ -z "$(strip $(BENCH_TARGETS))" ]; then \
	  echo "make bench: no benchmarks yet (the SIMD kernel and server issues add them)" >&2; \
	  exit 1; fi
	@$(MAKE) --no-print-directory $(BENCH_TARGETS)

clean:
	rm -rf build generated

-include $(shell find build -name '*.d' 2>/dev/null)
