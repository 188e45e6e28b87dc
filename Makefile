# regmint: `make demo` runs the whole flow against the local emulated clouds;
# `make test` runs every check CI runs.
SHELL := /bin/bash
GO ?= go
GOBIN := $(shell $(GO) env GOPATH)/bin
STATICCHECK_VERSION := v0.8.2
ACTIONLINT_VERSION := v1.7.12

.PHONY: demo sandbox test lint vet fmt-check tools build

demo:
	$(GO) build -o bin/regmint-action ./action
	$(GO) build -o bin/docker-credential-regmint ./cmd/docker-credential-regmint
	$(GO) run ./cmd/demo -action bin/regmint-action -helper-dir bin

# Every emulated cloud on loopback until interrupted, with an environment
# file and a rotation config in SANDBOX_DIR; it prints what to run.
SANDBOX_DIR ?= /tmp/regmint-sandbox
sandbox:
	$(GO) run ./cmd/regmint-sandbox -dir $(SANDBOX_DIR)

# Pinned linters; `go install` is a no-op when they are current.
tools:
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	$(GO) mod tidy -diff

# actionlint looks for a container action's entrypoints in the repo; ours are
# paths inside the image (see Dockerfile), so that one message is ignored.
# It checks only .github/workflows unless given files, so the example
# workflows users copy (examples/) are named with them.
lint: tools fmt-check vet
	$(GOBIN)/staticcheck ./...
	$(GOBIN)/actionlint -ignore 'file "/regmint-action(-post)?" does not exist' .github/workflows/*.yml examples/*.yml examples/consume/*.yml

test: lint
	$(GO) test -race -count=1 ./...

build:
	$(GO) build ./...

# Every native fuzz target for FUZZTIME each (default 5s; see .ci/fuzz).
# Their seed corpora (testdata/fuzz) also run in every `make test`.
FUZZTIME ?= 5s
.PHONY: fuzz
fuzz:
	FUZZTIME=$(FUZZTIME) .ci/fuzz

# The rotation function for AWS Lambda (provided.al2023, arm64, static,
# stripped). `sam build` runs build-RotateFunction (template.yaml:
# BuildMethod: makefile) with ARTIFACTS_DIR set; `make bootstrap` builds the
# same binary into ./bin. For a local cron run, `go build ./cmd/regmint-rotate`.
LAMBDA_BUILD := GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w'

# CONFIG (or REGMINT_CONFIG_FILE, from the environment sam build passes on):
# a config file to bundle into the package, for configs beyond what an SSM
# parameter holds. A path relative to this directory keeps its place in the
# package; an absolute one, or one with "..", goes to the top under its own
# name. Deploy with the template parameter ConfigFile set to the path the
# build prints: the function reads it from LAMBDA_TASK_ROOT.
CONFIG ?= $(REGMINT_CONFIG_FILE)

.PHONY: build-RotateFunction bootstrap

build-RotateFunction:
	$(if $(ARTIFACTS_DIR),,$(error ARTIFACTS_DIR is not set (sam build sets it)))
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/rotate
	@src='$(strip $(CONFIG))'; [ -n "$$src" ] || exit 0; \
	if [ ! -f "$$src" ]; then echo "CONFIG=$$src: no such file" >&2; exit 1; fi; \
	case "$$src" in /*|..|../*|*/..|*/../*) dst=$$(basename "$$src") ;; *) dst=$${src#./} ;; esac; \
	mkdir -p "$$(dirname "$(ARTIFACTS_DIR)/$$dst")" && cp "$$src" "$(ARTIFACTS_DIR)/$$dst" && chmod 0644 "$(ARTIFACTS_DIR)/$$dst"; \
	echo "bundled $$src as $$dst: deploy with ConfigFile=$$dst (REGMINT_CONFIG_FILE)"

bootstrap:
	$(LAMBDA_BUILD) -o bin/bootstrap ./functions/rotate

# Performance against the physical floor (BENCHMARKS.md): the stripped
# Action binary and a bootstrap for this machine, run against the loopback
# emulators next to curl making the same HTTP calls, and the sizes of the
# Action (linux/amd64) and of the bootstrap as deployed (make bootstrap).
# It installs nothing: without curl it says so and skips the floor.
.PHONY: bench

STRIPPED_BUILD := CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w'

bench: bootstrap
	$(STRIPPED_BUILD) -o bin/regmint-action ./action
	GOOS=linux GOARCH=amd64 $(STRIPPED_BUILD) -o bin/regmint-action-linux-amd64 ./action
	$(STRIPPED_BUILD) -tags lambda.norpc -o bin/bootstrap-host ./functions/rotate
	$(STRIPPED_BUILD) -o bin/docker-credential-regmint ./cmd/docker-credential-regmint
	$(GO) build -o bin/bench-spawn ./cmd/bench/spawn
	$(GO) run ./cmd/bench -action bin/regmint-action -action-amd64 bin/regmint-action-linux-amd64 -helper bin/docker-credential-regmint \
		-bootstrap bin/bootstrap-host -bootstrap-arm64 bin/bootstrap -spawn bin/bench-spawn
