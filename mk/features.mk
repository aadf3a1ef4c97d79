# mk/features.mk - feature spec tests: tests/features/spec.json (every transform) compiled by
# xgbc with its 20-feature model and linked into test_features as bg_features_fxtest.

FXTEST := $(HOST)/fxtest

$(FXTEST)/gen/features.c: tests/features/spec.json tests/features/model.json $(XGBC) $(TEMPLATES)
	$(XGBC) tests/features/model.json --name fxtest --features tests/features/spec.json -o $(FXTEST)/gen

$(FXTEST)/features.o: $(FXTEST)/gen/features.c
	$(CC) $(ALL_CFLAGS) -Iruntime -c $< -o $@

TEST_EXTRA_test_features := $(FXTEST)/features.o $(HOST)/obj/runtime/features_rt.o \
  $(HOST)/obj/runtime/json_scan.o $(HOST)/obj/runtime/arena.o
TEST_ENV += BG_TEST_FEATURES=$(CURDIR)/tests/features
