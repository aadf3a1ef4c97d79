# mk/image.mk - release images: one FROM-scratch OCI image per model, multi-arch, pushed with skopeo.
#
#   make image MODEL=NAME                         build/NAME/image (OCI layout: amd64 + arm64 index)
#   make push MODEL=NAME REGISTRY=HOST/REPO [TAG=T]   copy it to a registry, print the digest
#
# The image holds only the static bidgate binary (infra/image.sh); its labels name the model,
# the model's sha256, the xgbc version and the git revision, and every timestamp is the last
# commit's time, so the same sources give the same digest.

IMAGE_ARCHES ?= amd64 arm64
IMAGE_DIR = build/$(MODEL)/image
MODEL_SHA256 = $(shell sha256sum $(MODELS_DIR)/$(MODEL)/model.json 2>/dev/null | cut -c1-64)
GIT_REV = $(shell git rev-parse HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
GIT_TIME = $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
# The layout's own tag, and the tag every push carries: model sha and source revision.
IMAGE_TAG = $(shell printf '%.8s' '$(MODEL_SHA256)')-$(shell printf '%.12s' '$(GIT_REV)')

.PHONY: image image-build push

image: deps
	@$(MAKE) --no-print-directory image-build

image-build: $(XGBC)
	@for a in $(IMAGE_ARCHES); do \
	  $(MAKE) --no-print-directory ARCH=$$a build/$$a/$(MODEL)/bidgate || exit 1; done
	@mkdir -p $(dir $(IMAGE_DIR))
	@infra/image.sh --out $(IMAGE_DIR) --tag $(IMAGE_TAG) --model $(NAME) \
	  --model-sha256 $(MODEL_SHA256) --xgbc "$$($(XGBC) --version | cut -d' ' -f2)" \
	  --revision $(GIT_REV) --created $(GIT_TIME) \
	  $(foreach a,$(IMAGE_ARCHES),$(a)=build/$(a)/$(MODEL)/bidgate) > $(IMAGE_DIR).digest
	@echo "image $(IMAGE_DIR) (oci:$(IMAGE_DIR):$(IMAGE_TAG)) index $$(cat $(IMAGE_DIR).digest)"

push: image
	@infra/push.sh --layout $(IMAGE_DIR) --ref $(IMAGE_TAG) --registry "$(REGISTRY)" \
	  --tag $(IMAGE_TAG) $(if $(TAG),--tag $(TAG))
