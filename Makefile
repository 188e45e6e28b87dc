# regmint: `make demo` runs the whole flow against the local emulated clouds;
# `make test` runs every check CI runs.
SHELL := /bin/bash
GO ?= go
GOBIN := $(shell $(GO) env GOPATH)/bin
STATICCHECK_VERSION := v0.8.2
ACTIONLINT_VERSION := v1.7.12

.PHONY: demo test lint vet fmt-check tools build

demo:
	$(GO) build -o bin/regmint-action ./action
	$(GO) run ./core/cmd/demo -action bin/regmint-action

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
lint: tools fmt-check vet
	$(GOBIN)/staticcheck ./...
	$(GOBIN)/actionlint -ignore 'file "/regmint-action(-post)?" does not exist'

test: lint
	$(GO) test -race -count=1 ./...

build:
	$(GO) build ./...

# The rotation function for AWS Lambda (provided.al2023, arm64, static,
# stripped). `sam build` runs build-RotateFunction (template.yaml:
# BuildMethod: makefile) with ARTIFACTS_DIR set; `make bootstrap` builds the
# same binary into ./bin. For a local cron run, `go build ./functions/rotate`.
LAMBDA_BUILD := GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w'

.PHONY: build-RotateFunction bootstrap

build-RotateFunction:
	$(if $(ARTIFACTS_DIR),,$(error ARTIFACTS_DIR is not set (sam build sets it)))
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/rotate

bootstrap:
	$(LAMBDA_BUILD) -o bin/bootstrap ./functions/rotate
