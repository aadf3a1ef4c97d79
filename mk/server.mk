# mk/server.mk - bidgate's HTTP server: static libraries, `make run` settings, server tests,
# the server benchmark.

RUN_PORT ?= 8080
# The sample model scores each candidate bidder; these serve when a request names none.
RUN_FLAGS ?= --bidders dsp-alpha,dsp-beta,dsp-gamma

$(BUILD)/libhttp_parser.a:
	tools/deps.sh build
