# mk/scan.mk - the request scanner's tests (tests/test_json_scan.c): the scanner against the cJSON
# path it replaced, with three compiled specs (tests/features/spec.json from mk/features.mk,
# tests/features/scan_spec.json, the sample model's), once with this machine's SIMD string scan
# and once (test_json_scan_swar) with the portable eight-bytes-a-word one.

SCANTEST := $(HOST)/scantest
SCAN_RUNTIME := $(HOST)/obj/runtime/openrtb.o $(HOST)/obj/runtime/rows.o \
  $(HOST)/obj/runtime/features_rt.o $(HOST)/obj/runtime/thrift_fx.o $(HOST)/obj/runtime/arena.o \
  $(HOST)/obj/runtime/buf.o

$(SCANTEST)/gen/features.c: tests/features/scan_spec.json tests/features/model.json $(XGBC) $(TEMPLATES)
	$(XGBC) tests/features/model.json --name scantest --features tests/features/scan_spec.json -o $(SCANTEST)/gen

$(SCANTEST)/aws/features.c: models/aws-rtb/model.json models/aws-rtb/features.json $(XGBC) $(TEMPLATES)
	$(XGBC) models/aws-rtb/model.json --name aws_rtb --features models/aws-rtb/features.json -o $(SCANTEST)/aws

$(SCANTEST)/%.o: $(SCANTEST)/gen/%.c
	$(CC) $(ALL_CFLAGS) -Iruntime -c $< -o $@

$(SCANTEST)/aws.o: $(SCANTEST)/aws/features.c
	$(CC) $(ALL_CFLAGS) -Iruntime -c $< -o $@

$(SCANTEST)/json_scan_swar.o: runtime/json_scan.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DBG_JS_SWAR -Iruntime -c $< -o $@

# ...and tests/thrift/spec.json (mk/thrift.mk), whose entries may have no OpenRTB path.
SCAN_SPECS := $(SCANTEST)/features.o $(SCANTEST)/aws.o $(FXTEST)/features.o $(HOST)/txtest/features.o
TEST_EXTRA_test_json_scan := $(SCAN_SPECS) $(SCAN_RUNTIME) $(HOST)/obj/runtime/json_scan.o
TEST_EXTRA_test_json_scan_swar := $(SCAN_SPECS) $(SCAN_RUNTIME) $(SCANTEST)/json_scan_swar.o

# The /v1/filter answer end to end (escapes, odd impressions, bidder sources).
TEST_EXTRA_test_filter_answer := $(HOST)/obj/tests/net.o

# Scoring distinct rows only (rows.c), and xgbc's bidder-blind mark.
TEST_EXTRA_test_rows_score := $(HOST)/obj/runtime/rows.o $(HOST)/obj/runtime/arena.o
