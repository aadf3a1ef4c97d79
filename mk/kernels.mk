# mk/kernels.mk - the tree kernels' part of the build (issue 5): the if/else baseline checked
# by the oracle tests, arm64 cross builds tested under qemu, and the inference benchmark.
#
#   make ARCH=arm64            cross-build xgbc's output and bidgate (static) for aarch64
#   make test                  also runs tests/arm64/ under qemu-aarch64 (test-arm64)
#   make bench-kernels         (part of `make bench`) docs/BENCHMARKS.md, section kernels

# ---- if/else baseline: every oracle model also compiled with `xgbc --emit ifelse` ----

# (The main Makefile defines ORACLE_NAMES after including this file, so read the list here.)
# The if/else code depends only on these templates (the t1000 one takes minutes to compile).
IFELSE_TEMPLATES := $(addprefix templates/,prelude.m4 model.c.m4 model.h.m4 kernel_ifelse.m4)
KERNELS_ORACLE_NAMES := $(shell cat $(ORACLE)/MANIFEST 2>/dev/null)
ORACLE_IFELSE_SO := $(KERNELS_ORACLE_NAMES:%=$(HOST)/oracle/%/ifelse.so)

$(HOST)/oracle/%/ifelse.so: $(ORACLE)/%/model.json $(XGBC) $(IFELSE_TEMPLATES)
	$(XGBC) $< --name $* --emit ifelse -o $(HOST)/oracle/$*/gen-ifelse
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Iruntime $(HOST)/oracle/$*/gen-ifelse/model.c -lm -o $@

TEST_DEPS += $(ORACLE_IFELSE_SO)

# ---- arm64: cross compiler, static libraries, qemu ----

# Everything under build/arm64 is built by the cross compiler, whatever CC says (CC=clang
# stays the host compiler). `private`: prerequisites such as xgbc keep the host's CC.
ARM64_CC ?= aarch64-linux-gnu-gcc
A64 := build/arm64
$(A64)/%: private override CC := $(ARM64_CC)
# ...and without SANITIZE's flags: build/arm64 has no -san twin, and the cross toolchain's
# sanitizer runtimes are not in the qemu sysroot (a sanitized .so would not load there).
$(A64)/%: private override CFLAGS := $(filter-out -fsanitize=% -fno-sanitize-recover=% \
  -fno-omit-frame-pointer,$(CFLAGS))

# pkg-config for the target's static libraries: the server's RUNTIME_LIBS for arm64
# (tools/deps-arm64.sh builds build/arm64/libcjson.a and libhttp_parser.a; libuv_a.a comes
# from libuv1-dev:arm64).
ifeq ($(ARCH),arm64)
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig pkg-config
RUNTIME_LIBS = $(BUILD)/libhttp_parser.a $(BUILD)/libcjson.a \
  $(shell $(PKG_CONFIG) --static --libs libuv-static)
else
PKG_CONFIG ?= pkg-config
endif

# Runtime sources outside runtime/ (compiler/sha256.c), for the target.
$(A64)/obj/compiler/%.o: compiler/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Icompiler -c $< -o $@

A64_SYSROOT := build/sysroot-arm64
A64_SYSROOT_LIBS := $(CURDIR)/$(A64_SYSROOT)/usr/lib/aarch64-linux-gnu:$(CURDIR)/$(A64_SYSROOT)/lib/aarch64-linux-gnu
A64_TEST_SRC := $(wildcard tests/arm64/test_*.c)
A64_TEST_BIN := $(A64_TEST_SRC:tests/arm64/%.c=$(A64)/tests/%)
A64_ORACLE_SO := $(KERNELS_ORACLE_NAMES:%=$(A64)/oracle/%/model.so)
XGB_EXPECT := $(HOST)/tests/xgb_expect

# The same generated model.c the host oracle test compiles, cross-compiled. No dependency
# file: it would name gen/model.c, which only the host .so's recipe writes.
$(A64)/oracle/%/model.so: $(HOST)/oracle/%/model.so
	@mkdir -p $(@D)
	$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -fPIC -shared -Iruntime \
	  $(HOST)/oracle/$*/gen/model.c -lm -o $@

$(A64)/obj/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -Iruntime -I$(A64_SYSROOT)/usr/include -c $< -o $@

$(A64)/tests/test_%: $(A64)/obj/tests/arm64/test_%.o $(A64)/obj/tests/helpers.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -L$(A64_SYSROOT)/usr/lib/aarch64-linux-gnu \
	  -Wl,-rpath-link,$(A64_SYSROOT_LIBS) -lcriterion -ldl -lm -o $@

# XGBoost's predictions for every oracle model, written on the host for the arm64 tests.
$(XGB_EXPECT): $(HOST)/obj/tests/oracle/xgb_expect.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -lxgboost -lm -o $@

$(ORACLE)/EXPECTED: $(XGB_EXPECT) $(ORACLE)/MANIFEST
	$(XGB_EXPECT) $(ORACLE)
	@touch $@

# Criterion re-executes its binary for each test, so arm64 ELF files must run directly:
# binfmt_misc mounted and qemu-aarch64 enabled (toolchain.md §2; not kept across machines).
binfmt-arm64:
	@[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	@[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64

# The Criterion suites in tests/arm64/, then the static arm64 bidgate itself: its predictions
# for the sample rows must be the amd64 binary's, byte for byte.
test-arm64: binfmt-arm64 $(A64_TEST_BIN) $(A64_ORACLE_SO) $(ORACLE)/EXPECTED
	@failed=0; for t in $(A64_TEST_BIN); do \
	  echo "== $$t (aarch64, qemu)"; \
	  LD_LIBRARY_PATH=$(A64_SYSROOT_LIBS) BG_TEST_ORACLE=$(CURDIR)/$(ORACLE) \
	    BG_TEST_ORACLE_SO=$(CURDIR)/$(A64)/oracle $$t --jobs 2 || failed=1; \
	done; exit $$failed
	@$(MAKE) --no-print-directory ARCH=arm64 $(A64)/$(MODEL)/bidgate
	@$(MAKE) --no-print-directory ARCH=amd64 build/amd64/$(MODEL)/bidgate
	@echo "== $(A64)/$(MODEL)/bidgate predict (aarch64, qemu) vs build/amd64/$(MODEL)/bidgate"
	@file $(A64)/$(MODEL)/bidgate | grep -q 'ARM aarch64.*statically linked' \
	  || { echo "$(A64)/$(MODEL)/bidgate is not a static aarch64 binary" >&2; exit 1; }
	@for flag in "" --margin; do \
	  cmp <($(A64)/$(MODEL)/bidgate predict $$flag < models/$(MODEL)/sample.csv) \
	      <(build/amd64/$(MODEL)/bidgate predict $$flag < models/$(MODEL)/sample.csv) || exit 1; \
	done; echo "same predictions and margins for models/$(MODEL)/sample.csv"

# `make ARCH=arm64` also builds the arm64 test binaries (running them needs the oracle models:
# `make test` does both).
ifeq ($(ARCH),arm64)
all: $(A64_TEST_BIN)
endif

.PHONY: binfmt-arm64 test-arm64 bench-kernels
TEST_DEPS += test-arm64

# test_branchless.c disassembles the arm64 builds of the oracle models too.
TEST_ENV += BG_TEST_ORACLE_SO_ARM64=$(CURDIR)/$(A64)/oracle

# ---- the inference benchmark (make bench-kernels; not part of make test) ----
# Models are trained once into build/bench (rm -rf build/bench to retrain), compiled with both
# emitters, and timed by tests/bench/bench_kernels.c; tools/bench-kernels.sh writes the report.

BENCH_DIR := build/bench
BENCH_MODELS := aws_rtb t100_d6_f30 t500_d8_f100 t1000_d8_f100
BENCH_BIN := $(HOST)/bench/bench_kernels
BENCH_SO := $(BENCH_MODELS:%=$(BENCH_DIR)/%/model.so) $(BENCH_MODELS:%=$(BENCH_DIR)/%/ifelse.so)

$(BENCH_DIR)/.trained: tests/bench/train.py models/aws-rtb/model.json
	@mkdir -p $(@D)
	$(PYTHON) tests/bench/train.py $(BENCH_DIR) models
	@touch $@

$(BENCH_DIR)/%/model.so: $(BENCH_DIR)/.trained $(XGBC) $(TEMPLATES)
	$(XGBC) $(BENCH_DIR)/$*/model.json --name $* -o $(BENCH_DIR)/$*/gen
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Iruntime $(BENCH_DIR)/$*/gen/model.c -lm -o $@

$(BENCH_DIR)/%/ifelse.so: $(BENCH_DIR)/.trained $(XGBC) $(IFELSE_TEMPLATES)
	$(XGBC) $(BENCH_DIR)/$*/model.json --name $* --emit ifelse -o $(BENCH_DIR)/$*/gen-ifelse
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Iruntime $(BENCH_DIR)/$*/gen-ifelse/model.c -lm -o $@

$(BENCH_BIN): tests/bench/bench_kernels.c runtime/model_abi.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iruntime $< -lxgboost -ldl -lm -o $@

bench-kernels: $(BENCH_BIN) $(BENCH_SO)
	BENCH_CC="$(CC)" BENCH_CFLAGS="$(ALL_CFLAGS)" tools/bench-kernels.sh $(BENCH_BIN) \
	  $(BENCH_DIR) $(BENCH_MODELS)

BENCH_TARGETS += bench-kernels
