# NemRefusion: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

export NR_DATA ?= $(CURDIR)/.data
BIN := $(NR_DATA)/bin
FUNCTIONS := $(patsubst functions/%/main.go,%,$(wildcard functions/*/main.go))
MODULES := events schemas infra tests $(patsubst %/go.mod,%,$(wildcard functions/*/go.mod))
ENV := set -a; . $(NR_DATA)/stack.env; set +a
GO_TEST_FLAGS ?= -race -count=1 -timeout 15m

.PHONY: help deps services stop-services build run test test-go test-standalone k8s-check images bench bench-system test-faults lint fmt fuzz

help:
	@echo "make run    start the whole system on this machine and print where to open it"
	@echo "make test   run every test (installs and starts what is missing)"
	@echo "make bench  benchmarks, as one table of ratios measured in the same run"
	@echo "make k8s-check  validate the Kubernetes manifests with Knative's own code"
	@echo "make images  build every function image with ko (offline) and resolve the overlays to digests"

deps: ## install PostgreSQL, Redis, ClamAV, Chromium (apt) and MinIO (go install) when missing
	@bash infra/stack/deps.sh

services: deps ## start the backing services that do not already answer; writes .data/stack.env
	@bash infra/stack/services.sh start

stop-services:
	@bash infra/stack/services.sh stop

build: ## every function binary plus nrctl and localstack into .data/bin
	@mkdir -p $(BIN)
	@for f in $(FUNCTIONS); do (cd functions/$$f && go build -o $(BIN)/$$f .) || exit 1; done
	@cd infra && go build -o $(BIN)/nrctl ./cmd/nrctl && go build -o $(BIN)/localstack ./cmd/localstack

run: services build ## the whole system; Ctrl-C stops it, a second run keeps the data
	@$(ENV); exec $(BIN)/localstack -manifests k8s/base -data $(NR_DATA) -bin $(BIN)

test: services test-standalone k8s-check test-go ## every test, with -race
	@$(MAKE) --no-print-directory fuzz FUZZ_STRICT=0
	@echo "make test: all passed"

test-go:
	@bash infra/stack/services.sh check
	@$(ENV); go test $(GO_TEST_FLAGS) $$(go list $(addprefix ./,$(addsuffix /...,$(MODULES))) | grep -v -e /k8scheck -e '^nemrefusion.dk/tests/')
	@# Each of these starts a whole local stack: one at a time, so two stacks never share the machine (or Postgres's connections).
	@$(ENV); go test $(GO_TEST_FLAGS) -p 1 $$(go list ./tests/... | grep -v /k8scheck)

test-standalone: ## every function builds alone (GOWORK=off), as for its container image
	@for f in $(FUNCTIONS); do (cd functions/$$f && GOWORK=off go build -o /dev/null .) || exit 1; done
	@for m in events infra; do (cd $$m && GOWORK=off go build ./...) || exit 1; done

k8s-check: ## decode every manifest into Knative's types, run their Validate, kustomize build each overlay (and .data/images/resolved-*.yaml when make images wrote them)
	@cd tests && NR_IMAGES=$(NR_DATA)/images go test -count=1 ./k8scheck/

# Every function image with ko, offline and reproducibly: the base is made here (infra/cmd/baseimage, into
# ko's cache layout, named by digest), the images go to the OCI layout .data/images/oci, and each overlay is
# resolved to .data/images/resolved-<overlay>.yaml with image digests (ko resolve --push=false: no registry).
KO_VERSION := v0.19.1
KO_DOCKER_REPO ?= registry.invalid/nemrefusion
SOURCE_DATE_EPOCH ?= 0
IMAGES := $(NR_DATA)/images
images: ## every function image (ko, no Docker daemon, no registry) into .data/images, and the resolved overlays
	@mkdir -p $(BIN) $(IMAGES)
	@[ -x $(BIN)/ko ] && $(BIN)/ko version 2>/dev/null | grep -qx '$(KO_VERSION)' || (cd / && GOWORK=off GOFLAGS= GOBIN=$(BIN) go install github.com/google/ko@$(KO_VERSION))
	@cd infra && go build -o $(BIN)/baseimage ./cmd/baseimage
	@cd tests && go build -o $(BIN)/kustomizebuild ./k8scheck/kustomizebuild
	@base=$$(SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(BIN)/baseimage -layout $(IMAGES)/kocache/img -digest-file $(IMAGES)/base.digest); \
	  export KOCACHE=$(IMAGES)/kocache KO_DEFAULTBASEIMAGE=nemrefusion.invalid/base@$$base KO_DOCKER_REPO=$(KO_DOCKER_REPO) \
	    SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) CGO_ENABLED=0; \
	  rm -rf $(IMAGES)/oci; \
	  for o in dev prod; do \
	    $(BIN)/kustomizebuild k8s/overlays/$$o > $(IMAGES)/unresolved-$$o.yaml; \
	    $(BIN)/ko resolve --base-import-paths --push=false --oci-layout-path $(IMAGES)/oci -f $(IMAGES)/unresolved-$$o.yaml > /dev/null; \
	    $(BIN)/ko resolve --base-import-paths --push=false -f $(IMAGES)/unresolved-$$o.yaml > $(IMAGES)/resolved-$$o.yaml; \
	  done
	@echo "images: OCI layout $(IMAGES)/oci, resolved manifests $(IMAGES)/resolved-{dev,prod}.yaml (base $$(cat $(IMAGES)/base.digest))"

bench: services ## benchmarks as one table of ratios against baselines run in the same process
	@$(ENV); go test -p 1 -run '^$$' -bench . -benchtime 2s -timeout 30m ./infra/ledger/ ./infra/runtime/ ./infra/broker/ ./infra/schedule/ ./infra/registers/cache/ ./functions/documents/documents/ ./tests/e2e/ 2>&1 | tee $(NR_DATA)/bench.txt | go run ./infra/cmd/benchtable

test-faults: services ## only the fault tests (make test runs them too): each under load, with its reconciliation
	@$(ENV); cd tests && go test -count=1 -v -timeout 30m ./faults/

# Every fuzz target as package:FuzzName. Plain `go test` runs their seed
# corpora (f.Add and testdata/fuzz/); `make fuzz` also fuzzes each for
# FUZZTIME (go test -fuzz takes one target per run). A failing input is
# written to <package>/testdata/fuzz/<FuzzName>/: fix the bug, commit it.
FUZZ_TARGETS := events/ids:FuzzParseCPR events/ids:FuzzParseCVR events/ids:FuzzParsePNumber \
	events/ids:FuzzParseMunicipality events/ids:FuzzParseRecipient events:FuzzValidateJSON events:FuzzCheckDomain \
	infra/runtime:FuzzReadEvent infra/accept:FuzzCheck infra/broker:FuzzParseISODuration \
	infra/digitalpost:FuzzMeMoBuildParse infra/digitalpost:FuzzMeMoParse \
	functions/intake/intake:FuzzSubmit functions/documents/documents:FuzzUploadTypeDetection
FUZZTIME ?= 5s
# make fuzz fails on a finding; make test reports a new finding loudly but does not fail on it, so a bug the
# fuzzer happens to find in one CI run does not hold back unrelated work (the seed corpora always run in go test).
FUZZ_STRICT ?= 1
fuzz: services ## every fuzz target for FUZZTIME each (bad CloudEvents, blankets, identifiers, uploads, MeMo)
	@bash infra/stack/services.sh check
	@# A run that fails without writing a failing input (the fuzz engine's own "context deadline exceeded"
	@# on a busy machine) is tried once more; a failing input always fails the target.
	@mkdir -p $(NR_DATA)/fuzz; $(ENV); for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; log=$(NR_DATA)/fuzz/$$name.log; \
	  for try in 1 2; do \
	    if go test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 3s -parallel 2 ./$$pkg/ > $$log 2>&1; then ok=1; break; fi; ok=0; \
	    grep -q 'Failing input written to' $$log && break; \
	  done; \
	  if [ $$ok = 1 ] && ! grep -q '^fuzz: elapsed' $$log; then echo "fuzz $$pkg $$name: no such fuzz target (a renamed or moved one? fix FUZZ_TARGETS)"; exit 1; fi; \
	  if [ $$ok = 1 ]; then echo "fuzz $$pkg $$name: $$(grep -o 'execs: [0-9]*' $$log | tail -1)"; \
	  elif [ "$(FUZZ_STRICT)" = 1 ]; then tail -30 $$log; echo "fuzz $$pkg $$name FAILED (log: $$log)"; exit 1; \
	  else tail -30 $$log; echo "FUZZ FINDING (not failing make test; the input is in $$pkg/testdata/fuzz/$$name/ — fix it and commit the seed): $$pkg $$name"; fi; done

BENCH_N ?= 200000
bench-system: services ## the whole stack under load: fastest rate with intake p99 < 200 ms, BENCH_N submissions end to end, raw ledger appends
	@$(ENV); cd tests && NR_BENCH_SYSTEM=1 NR_BENCH_N=$(BENCH_N) go test -count=1 -run 'TestLoadSmoke|TestCPUPerBlanket|TestSystemBench' -v -timeout 4h ./load/ 2>&1 | tee $(NR_DATA)/bench-system.txt

lint:
	@test -z "$$(gofmt -l $(MODULES))" || { gofmt -l $(MODULES); exit 1; }
	@go vet $(addprefix ./,$(addsuffix /...,$(MODULES)))
