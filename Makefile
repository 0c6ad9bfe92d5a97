# tradectl — build, test and release tasks. `make help` lists them.
GO       ?= go
BIN      ?= bin/tradectl
PKG      := github.com/tradectl/tradectl
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE     ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS  := -s -w -X $(PKG)/internal/build.Version=$(VERSION) -X $(PKG)/internal/build.Commit=$(COMMIT) -X $(PKG)/internal/build.Date=$(DATE)
# goreleaser runs through the Go toolchain at a pinned version: nothing to
# install, and go.mod is not touched. v2.16.0: v2.18 needs Go 1.27, and
# v2.17 depends on a module the Go proxy does not serve.
GORELEASER ?= $(GO) run github.com/goreleaser/goreleaser/v2@v2.16.0
# The linters run the same way, so `make lint` works on a fresh machine (CI)
# with nothing but Go. staticcheck 2026.2.2 and x/tools v0.53.0 build with
# Go 1.26. deadcode always exits 0; lint fails when it prints anything.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
DEADCODE    ?= $(GO) run golang.org/x/tools/cmd/deadcode@v0.53.0
export CGO_ENABLED ?= 0

.PHONY: help build install test test-short lint fmt vet bench bench-ccxt completions man release-check snapshot clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

build: ## build bin/tradectl (static, CGO off)
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/tradectl

install: ## install tradectl into $(go env GOPATH)/bin
	$(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/tradectl

# The race detector needs cgo; the binary we ship does not.
test: ## run every test with the race detector (what CI runs); installs gcc and tmux if missing
	@bash .ci/deps
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 20m ./...

test-short: ## quick test run without the race detector
	$(GO) test -count=1 ./...

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

vet: ## go vet
	$(GO) vet ./...

# Every check runs, so one CI run lists every finding; any finding fails.
# deadcode -test counts what tests use as used: a helper only tests need
# is fine, a function nothing calls is not.
lint: vet ## gofmt check, go vet, staticcheck and deadcode (pinned, fetched by the Go toolchain)
	@status=0; \
	out=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; status=1; fi; \
	echo "staticcheck ./..."; \
	$(STATICCHECK) ./... || status=1; \
	echo "deadcode -test ./..."; \
	out=$$($(DEADCODE) -test ./...) || status=1; \
	if [ -n "$$out" ]; then echo "$$out"; status=1; fi; \
	exit $$status

# BenchmarkVsCCXT (cmd/tradectl) runs with them: one order by tradectl and
# by ccxt (node), against the same fake Binance. It installs the pinned ccxt
# with npm ci into the user cache dir on first use, and skips without node.
# BenchmarkFillsSecondRun (internal/fillcache) is among them: the second
# fill-history sync on 10,000 cached fills, with its requests per run.
bench: ## benchmarks, including whole-process timings against a bare Go binary and ccxt
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

bench-ccxt: ## only the one-order comparison with ccxt (needs node and npm; -v shows where the time goes)
	$(GO) test -run '^$$' -bench 'VsCCXT' -count=1 -v ./cmd/tradectl

completions: build ## regenerate completions/ from the binary (a test fails when they are stale)
	@mkdir -p completions
	./$(BIN) completion bash > completions/tradectl.bash
	./$(BIN) completion zsh > completions/_tradectl
	./$(BIN) completion fish > completions/tradectl.fish
	./$(BIN) completion powershell > completions/tradectl.ps1

man: ## generate the man pages into man/ (not committed; release archives carry them)
	rm -rf man
	$(GO) run -trimpath -ldflags '$(LDFLAGS)' ./cmd/gendocs --man man

release-check: ## check .goreleaser.yaml with the pinned goreleaser
	$(GORELEASER) check

snapshot: ## build every platform's release archive into dist/, without publishing
	$(GORELEASER) release --snapshot --clean

clean: ## remove build output
	rm -rf bin dist man
