# mk/formats.mk - the UBJSON and text-dump variants of the oracle models (issue 11).
#
# tests/oracle/train.py saves every oracle model as model.json and model.ubj, and most tree
# models also as dump.json with the xgbc options that complete it in dump.args (one argument a
# line). Each variant is compiled exactly as the JSON model is (Makefile, ORACLE_SO) into its
# own shared object, which tests/test_oracle.c compares with XGBoost bit for bit; the generated
# sources (gen-ubj/, gen-dump/) are compared with gen/ as well.

ORACLE_UBJ_SO = $(patsubst $(ORACLE)/%/model.ubj,$(HOST)/oracle/%/ubj.so,\
  $(wildcard $(ORACLE)/*/model.ubj))
ORACLE_DUMP_SO = $(patsubst $(ORACLE)/%/dump.json,$(HOST)/oracle/%/dump.so,\
  $(wildcard $(ORACLE)/*/dump.json))
TEST_DEPS += $(ORACLE_UBJ_SO) $(ORACLE_DUMP_SO)

$(ORACLE)/MANIFEST: tests/oracle/fixtures.py models/aws-rtb/model.ubj models/aws-rtb/model.dump.json

$(HOST)/oracle/%/ubj.so: $(ORACLE)/%/model.ubj $(XGBC) $(TEMPLATES)
	$(XGBC) $< --name $* -o $(HOST)/oracle/$*/gen-ubj
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Iruntime $(HOST)/oracle/$*/gen-ubj/model.c -lm -o $@

$(HOST)/oracle/%/dump.so: $(ORACLE)/%/dump.json $(ORACLE)/%/dump.args $(XGBC) $(TEMPLATES)
	mapfile -t args < $(ORACLE)/$*/dump.args && \
	  $(XGBC) $< "$${args[@]}" --name $* -o $(HOST)/oracle/$*/gen-dump
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Iruntime $(HOST)/oracle/$*/gen-dump/model.c -lm -o $@
