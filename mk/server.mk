# mk/server.mk - bidgate's HTTP server: static libraries, `make run` settings, server tests,
# the server benchmark.

RUN_PORT ?= 8080
# The sample model scores each candidate bidder; these serve when a request names none.
RUN_FLAGS ?= --bidders dsp-alpha,dsp-beta,dsp-gamma

$(BUILD)/libhttp_parser.a:
	tools/deps.sh build

# ---- tests: the end-to-end suites run the aws-rtb server binary (whatever MODEL is) ----
.PHONY: aws-rtb-server
aws-rtb-server:
	@$(MAKE) --no-print-directory MODEL=aws-rtb ARCH=amd64 build/amd64/aws-rtb/bidgate

TEST_DEPS += aws-rtb-server
TEST_ENV += BG_TEST_BIDGATE=$(CURDIR)/build/amd64/aws-rtb/bidgate
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
