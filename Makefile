# minqing — the targets say what they do. `make help` lists them.

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
GO      ?= go
# Pinned here rather than in go.mod's tool block: a tool block would pull
# golang.org/x/exp at the version goose requires, which the module proxy
# does not serve.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: help build build-bench run test test-race ci lint bench bench-go bench-webhook docker clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## build bin/minqing
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/minqing ./cmd/minqing

build-bench: ## build bin/minqing-bench (the load tester and the echo baseline)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/minqing-bench ./cmd/minqing-bench

run: ## run the service on the embedded default (SQLite + in-process state, dev simulator)
	$(GO) run ./cmd/minqing

test: ## run the tests (MySQL/Redis tests run when MINQING_TEST_MYSQL_DSN / MINQING_TEST_REDIS_URL are set)
	$(GO) test ./...

test-race: ## run the tests with the race detector
	$(GO) test -race ./...

ci: ## what CI runs: start MariaDB and Redis if needed, tests with -race, vet, gofmt
	CI=true ./.ci/run

lint: ## go vet, gofmt and staticcheck
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...

bench: bench-go bench-webhook ## all benchmarks

bench-go: ## Go micro-benchmarks (crypto, XML, state)
	$(GO) test -run '^$$' -bench . -benchmem ./handlers/... ./storage/... ./cmd/minqing-bench/...

bench-webhook: ## webhook vs bare SDK echo (minqing-bench): throughput, p99, statements, Redis commands, CPU per message (needs MySQL + Redis; BENCH_MIX=1, BENCH_OPINIONS=1, BENCH_EMBEDDED=1)
	./scripts/bench-webhook.sh

docker: ## build the container image minqing:$(VERSION)
	docker build --build-arg VERSION=$(VERSION) -t minqing:$(VERSION) .

clean: ## remove build output
	rm -rf bin
