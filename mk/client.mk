# mk/client.mk - bidload, the load generator (client/), its tests and its benchmark.
#
#   make bidload             build build/amd64/bidload (part of `make all`)
#   make bench-bidload       bidload vs wrk against nginx's fixed answer (part of `make bench`)
#
# bidload links libuv and libxml2 dynamically (it is a host tool, not shipped in
# an image) and cJSON statically from build/amd64/libcjson.a.

BIDLOAD := $(HOST)/bidload
BIDLOAD_SRC := $(wildcard client/*.c)
BIDLOAD_OBJ := $(BIDLOAD_SRC:%.c=$(HOST)/obj/%.o)
BIDLOAD_LIBS := -luv $(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2) -lpthread -lm
BIDLOAD_CFLAGS := -Iclient $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
BIDLOAD_PROFILE := client/profiles/default.json

.PHONY: bidload bench-bidload
all: bidload
bidload: deps
	@$(MAKE) --no-print-directory $(BIDLOAD)

$(HOST)/obj/client/%.o: client/%.c | $(CJSON_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(BIDLOAD_CFLAGS) -c $< -o $@

# The default profile is assembled into the binary (.incbin), which -MMD cannot see.
$(HOST)/obj/client/profile_default.o: $(BIDLOAD_PROFILE)
$(HOST)/obj/client/profile_default.o: ALL_CFLAGS += -DBL_DEFAULT_PROFILE_PATH='"$(CURDIR)/$(BIDLOAD_PROFILE)"'

$(BIDLOAD): $(BIDLOAD_OBJ) $(CJSON_A)
	$(CC) $(CFLAGS) $(BIDLOAD_OBJ) $(CJSON_A) $(BIDLOAD_LIBS) -o $@

# ---- tests: tests/test_bidload_*.c ----
BL_OBJ = $(addprefix $(HOST)/obj/client/,$(1))
TEST_EXTRA_test_bidload_hist := $(call BL_OBJ,hist.o)
TEST_EXTRA_test_bidload_synth := $(call BL_OBJ,synth.o profile.o profile_default.o buf.o frag.o)
TEST_EXTRA_test_bidload_units := $(call BL_OBJ,url.o cli.o schedule.o answer.o buf.o)
TEST_EXTRA_test_bidload_resp := $(call BL_OBJ,resp.o)
TEST_EXTRA_test_bidload_load := $(HOST)/obj/tests/bidload_server.o
# $^ puts libcjson.a before these objects; name it again after them for the linker.
$(HOST)/tests/test_bidload_units $(HOST)/tests/test_bidload_synth: TEST_LIBS += $(CJSON_A)
# http-parser (the server's parser) is the oracle bidload's own response reader is checked against.
$(HOST)/tests/test_bidload_resp: TEST_LIBS += -lhttp_parser
$(HOST)/tests/test_bidload_load: TEST_LIBS += $(CJSON_A) $(BIDLOAD_LIBS) -lhttp_parser
$(HOST)/obj/tests/test_bidload_%.o $(HOST)/obj/tests/bidload_server.o: ALL_CFLAGS += $(BIDLOAD_CFLAGS)
TEST_DEPS += $(BIDLOAD)
TEST_ENV += BG_TEST_BIDLOAD=$(CURDIR)/$(BIDLOAD)

# ---- benchmark ----
BENCH_TARGETS += bench-bidload
bench-bidload: $(BIDLOAD)
	tools/bench-bidload.sh $(BIDLOAD)
SERIAL_TESTS += test_bidload_load
