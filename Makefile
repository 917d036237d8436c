# Makefile: the everyday commands. `make test` is the command .ci/run runs.
GO        ?= go
TESTFLAGS ?=

.PHONY: build test serve vet fmt smoke deps ci

## build: build the midonet binary into ./midonet
build:
	$(GO) build -o midonet ./cmd/midonet

## test: all Go tests (unit, integration against the real binary, PostgreSQL,
## MariaDB, Keystone, conformance); installs missing Debian packages first (root)
test: deps
	$(GO) test -count=1 -timeout 40m $(TESTFLAGS) ./...

## serve: the Neutron API on http://127.0.0.1:9696 (noauth, SQLite in ./data)
serve:
	$(GO) run ./cmd/midonet serve

## vet: go vet
vet:
	$(GO) vet ./...

## fmt: list files gofmt would change (fails if any)
fmt:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*')); \
	if [ -n "$$out" ]; then echo "needs gofmt:"; echo "$$out"; exit 1; fi

## smoke: the openstack CLI against a fresh `midonet serve`
smoke:
	bash scripts/smoke-openstack-cli.sh

## deps: the Debian packages the tests use (skips installed ones)
deps:
	@bash scripts/install-test-deps.sh

## ci: everything CI runs
ci:
	bash .ci/run
