# mk/train.mk - the data scientist's path: `make train MODEL=NAME` (synthetic traffic -> labels
# -> features from the serving code -> XGBoost -> model card), and the oracle check that ends
# `make model`.
#
#   make train MODEL=rtb-demo [TRAIN_REQUESTS=8000] [TRAIN_SEED=1]
#   make model MODEL=rtb-demo     # compile, link, then prove compiled == XGBoost on held-out rows

TRAIN_REQUESTS ?= 8000
TRAIN_SEED ?= 1
# Candidate bidders of requests that name none (bidload's default profile has these ten).
TRAIN_BIDDERS ?= appnexus,rubicon,pubmatic,openx,ix,triplelift,sovrn,criteo,sharethrough,medianet
TRAIN_DIR = build/train/$(MODEL)

.PHONY: train train-run oracle-check

# ---- the extractor alone (no model yet): the server's own extract code + the compiled spec ----
EXTRACT_DIR = $(BUILD)/$(MODEL)/extract
EXTRACT_OBJ = $(addprefix $(BUILD)/obj/runtime/,extract.o openrtb.o json_scan.o rows.o arena.o buf.o respond.o \
  metrics.o features_rt.o) $(BUILD)/obj/compiler/sha256.o

generated/$(MODEL)/extract/features.c: $(MODELS_DIR)/$(MODEL)/features.json $(XGBC) $(TEMPLATES)
	$(XGBC) --features $< --name $(NAME) -o $(@D)

$(EXTRACT_DIR)/features.o: generated/$(MODEL)/extract/features.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iruntime -c $< -o $@

$(EXTRACT_DIR)/extract_main.o: runtime/extract_main.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iruntime -Icompiler -DBG_FEATURES_SYMBOL=bg_features_$(NAME) -c $< -o $@

$(BUILD)/$(MODEL)/bidgate-extract: $(EXTRACT_DIR)/extract_main.o $(EXTRACT_DIR)/features.o \
    $(EXTRACT_OBJ) $(BUILD)/libcjson.a
	$(CC) $(CFLAGS) $(filter %.o %.a,$^) -lm -o $@

train: deps
	@test -f $(MODELS_DIR)/$(MODEL)/features.json || { echo "make train: $(MODELS_DIR)/$(MODEL)/features.json not found" >&2; exit 1; }
	@$(MAKE) --no-print-directory train-run

train-run: $(BUILD)/$(MODEL)/bidgate-extract $(BIDLOAD)
	tools/train/train.sh --bidload $(BIDLOAD) --extract $(BUILD)/$(MODEL)/bidgate-extract \
	  --requests $(TRAIN_REQUESTS) --seed $(TRAIN_SEED) --bidders $(TRAIN_BIDDERS) \
	  --work $(TRAIN_DIR) --out $(MODELS_DIR)/$(MODEL) --name $(MODEL)

# ---- make model's last step: compiled predictions == XGBoost's on the model's own rows ----
ORACLE_ROWS = $(firstword $(wildcard $(MODELS_DIR)/$(MODEL)/heldout.csv $(MODELS_DIR)/$(MODEL)/sample.csv))

$(HOST)/$(MODEL)/oracle-check: tests/oracle_check.c $(HOST)/$(MODEL)/model.o $(HOST)/obj/runtime/csv.o
	$(CC) $(ALL_CFLAGS) -Iruntime -DBG_MODEL_SYMBOL=bg_model_$(NAME) $(filter %.c %.o,$^) \
	  -lxgboost -lm -o $@

oracle-check: $(HOST)/$(MODEL)/oracle-check
	@if [ -z "$(ORACLE_ROWS)" ]; then \
	  echo "make model: $(MODELS_DIR)/$(MODEL) has no heldout.csv or sample.csv to check against XGBoost" >&2; \
	  exit 1; fi
	$(HOST)/$(MODEL)/oracle-check $(MODELS_DIR)/$(MODEL)/model.json $(ORACLE_ROWS)

# ---- tests: tests/test_train.c runs make train / make model into a temporary models folder ----
TEST_EXTRA_test_train := $(HOST)/obj/tests/net.o
TEST_DEPS += $(BIDLOAD)
