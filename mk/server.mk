# mk/server.mk - bidgate's HTTP server: static libraries, `make run` settings, server tests,
# the server benchmark.

RUN_PORT ?= 8080
# The sample model scores each candidate bidder; these serve when a request names none.
RUN_FLAGS ?= --bidders dsp-alpha,dsp-beta,dsp-gamma

$(BUILD)/libhttp_parser.a:
	tools/deps.sh build
	$(if $(SAN),mkdir -p $(@D) && cp build/amd64/libhttp_parser.a $@)

# ---- tests: the end-to-end suites run the aws-rtb server binary (whatever MODEL is) ----
.PHONY: aws-rtb-server
aws-rtb-server:
	@$(MAKE) --no-print-directory MODEL=aws-rtb ARCH=amd64 $(HOST)/aws-rtb/bidgate

TEST_DEPS += aws-rtb-server
TEST_ENV += BG_TEST_BIDGATE=$(CURDIR)/$(HOST)/aws-rtb/bidgate
TEST_EXTRA_test_server := $(HOST)/obj/tests/net.o
TEST_EXTRA_test_http_errors := $(HOST)/obj/tests/net.o

# ---- benchmark: bidgate vs nginx's fixed answer (tools/bench-server.sh) ----
.PHONY: bench-server
BENCH_TARGETS += bench-server
bench-server: aws-rtb-server bidload
	@mkdir -p build/bench
	tools/bench-server.sh build/amd64/aws-rtb/bidgate $(BIDLOAD) build/bench/server.md
	tools/bench-section.sh server build/bench/server.md
	@echo "bench-server: docs/BENCHMARKS.md updated"
TEST_EXTRA_test_buf := $(HOST)/obj/runtime/buf.o

# ---- production: SageMaker and KServe routes, metrics, EMF, health check (docs/server.md) ----
# The bidgate binary links these besides the Makefile's RUNTIME_SRC (an extra prerequisite
# line: the link takes every object among its prerequisites).
SERVER_SRC := runtime/metrics.c runtime/emf.c runtime/h_metrics.c runtime/h_sagemaker.c \
  runtime/h_kserve.c runtime/jsonbody.c runtime/healthcheck.c
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/obj/%.o)
$(BUILD)/$(MODEL)/bidgate: $(SERVER_OBJ)
TEST_EXTRA_test_sagemaker := $(HOST)/obj/tests/net.o $(HOST)/obj/tests/xgb.o
TEST_EXTRA_test_kserve := $(HOST)/obj/tests/net.o $(HOST)/obj/tests/xgb.o
TEST_EXTRA_test_metrics := $(HOST)/obj/tests/net.o
TEST_EXTRA_test_config := $(HOST)/obj/tests/net.o
TEST_EXTRA_test_drain := $(HOST)/obj/tests/net.o
TEST_EXTRA_test_idle_conns := $(HOST)/obj/tests/net.o
SERIAL_TESTS += test_idle_conns test_drain

# ---- benchmark: one loop vs two, per second of server CPU (tools/bench-threads.sh) ----
.PHONY: bench-threads
BENCH_TARGETS += bench-threads
bench-threads: aws-rtb-server $(BIDLOAD)
	@mkdir -p build/bench
	tools/bench-threads.sh $(HOST)/aws-rtb/bidgate $(BIDLOAD) build/bench/threads.md
	tools/bench-section.sh threads build/bench/threads.md
	@echo "bench-threads: docs/BENCHMARKS.md updated"

# ---- soak: 5 minutes at 70% of peak, RSS flat, no errors (outside make test) ----
.PHONY: soak
soak: aws-rtb-server $(BIDLOAD)
	@mkdir -p build/bench
	tools/soak.sh $(HOST)/aws-rtb/bidgate $(BIDLOAD) build/bench/soak.md
	tools/bench-section.sh soak build/bench/soak.md
	@echo "soak: passed; docs/BENCHMARKS.md updated"
TEST_EXTRA_test_limits := $(HOST)/obj/tests/net.o
