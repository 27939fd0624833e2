# Thin wrappers over go commands; every tool runs at the version go.mod pins.
GO ?= go
# The README's test command, which .ci/run calls too.
TEST_FLAGS ?= -race -count=1 -timeout 10m

# Spectral, the ecosystem's standard OpenAPI linter, pinned; npx fetches it from the npm registry.
SPECTRAL ?= npx --yes @stoplight/spectral-cli@6.16.3
# Dredd, pinned, for its reading of the contract (make lint-spec): its YAML parser (yaml-js, YAML 1.1)
# refuses what Go's and Spectral's accept, and it needs an example for every required parameter.
DREDD ?= npx --yes dredd@14.1.0
BENCHSTAT ?= $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
BENCH ?= .
BENCH_COUNT ?= 6
# -benchtime for every benchmark: a duration (1s) or a count (200x).
BENCHTIME ?= 1s
BENCH_FLAGS ?= -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) -timeout 60m
FUZZTIME ?= 60s
# Go minimizes each new-coverage input for up to 60 s by default, executions
# unreported meanwhile: a 60 s run could spend itself on one input.
FUZZMINIMIZETIME ?= 10s
LOAD_DURATION ?= 60s
OLD ?= HEAD~1
NEW ?= HEAD

.PHONY: generate check-generated check-generated-files test lint lint-go lint-spec ci bench bench-compare fuzz load proxy-attack secret-scan

## generate: regenerate generated/ from openapi/ (never edit a *.gen.go by hand)
generate:
	$(GO) generate ./...

## check-generated: regenerate, then fail if generated/ holds a file no config produces
## (check-generated-files) or differs from what is committed (hand-written *_test.go aside),
## or atlas/accept.gen.go (the client's Accept per operation) does
check-generated: generate
	@$(MAKE) --no-print-directory check-generated-files
	@changes="$$(git status --porcelain -- generated atlas/accept.gen.go ':(exclude,glob)generated/**/*_test.go')"; \
	if [ -n "$$changes" ]; then \
		echo "generated code is out of date with the contract; run 'make generate' and commit:"; \
		echo "$$changes"; git --no-pager diff --stat -- generated atlas/accept.gen.go; exit 1; \
	fi

# The files the generator writes: the top-level output: line of each openapi/*.cfg.yaml,
# unquoted, without a trailing comment or a leading ./
CONFIG_OUTPUTS = awk '/^output:/ { sub(/^output:[ \t]*/, ""); sub(/[ \t]+\#.*$$/, ""); \
	gsub(/^["\047]|["\047]$$/, ""); sub(/^\.\//, ""); print }' openapi/*.cfg.yaml

## check-generated-files: fail if generated/ holds any file, committed or not, that no
## openapi/*.cfg.yaml names as its output; hand-written *_test.go files are allowed beside them
check-generated-files:
	@expected="$$($(CONFIG_OUTPUTS))"; \
	if [ -z "$$expected" ]; then echo "no output: line in openapi/*.cfg.yaml"; exit 1; fi; \
	stray="$$(find generated ! -type d ! -name '*_test.go' | LC_ALL=C sort | grep -vxF "$$expected")"; \
	if [ -n "$$stray" ]; then \
		echo "these files in generated/ are the output of no openapi/*.cfg.yaml (only config outputs and *_test.go belong there):"; \
		echo "$$stray"; exit 1; \
	fi

## test: the whole test suite
test:
	$(GO) test $(TEST_FLAGS) ./...

## lint: go vet, staticcheck, and Spectral's spectral:oas ruleset on the contract (fails on any warning)
lint: lint-go lint-spec

lint-go:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "not gofmt-ed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck ./...

## lint-spec: the contract through Spectral (spectral:oas), and through Dredd, as tools outside Go read it
lint-spec:
	$(SPECTRAL) lint openapi/linktoken.yaml --ruleset openapi/.spectral.yaml --fail-severity=warn
	@# Dredd's dry run parses the contract as Dredd does (its YAML parser is stricter than most) and
	@# builds every request it would send, which needs an example for each required parameter; it
	@# sends nothing (port 9 on loopback is never dialled), and digest is beyond it, so that is all.
	@log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	$(DREDD) openapi/linktoken.yaml http://127.0.0.1:9/ --dry-run > "$$log" 2>&1 || \
		{ grep -Ei 'error|refus|npm ERR' "$$log" || tail -20 "$$log"; \
		  echo "openapi/linktoken.yaml: Dredd ($(DREDD)) cannot read it or build its requests (above: where and why)"; exit 1; }; \
	echo "openapi/linktoken.yaml: Dredd reads it and builds every request"

## secret-scan: run the suite verbosely, recording every secret the in-memory
## Atlas issued or saw, and fail if any of them appears in what it printed
secret-scan:
	@set -e; tmp=$$(mktemp -d); \
	LINKTOKEN_SECRET_LOG=$$tmp/secrets $(GO) test -count=1 -v -timeout 10m ./... > $$tmp/output 2>&1 || \
		{ grep -E -B30 -A10 -- '--- FAIL|^panic:|^FAIL[[:space:]]' $$tmp/output | head -400; tail -5 $$tmp/output; exit 1; }; \
	$(GO) run ./internal/cmd/secretscan -secrets $$tmp/secrets $$tmp/output; \
	rm -rf $$tmp

## ci: everything CI runs
ci: test check-generated lint secret-scan api-diff go-api-diff

## bench: every benchmark (BENCH regexp, BENCH_COUNT runs, BENCHTIME each), baselines in the same run,
## with allocations, into bench.out; fails when any benchmark fails
bench:
	@rc=$$(mktemp); \
	{ $(GO) test $(BENCH_FLAGS) -count $(BENCH_COUNT) ./... 2>&1; echo $$? > $$rc; } | tee bench.out; \
	status=$$(cat $$rc); rm -f $$rc; exit $$status

## bench-compare: the benchmarks at two revisions (OLD, NEW), run alternately BENCH_COUNT times so that
## drift on the machine hits both alike, compared by benchstat (raw results stay in bench/)
bench-compare:
	@set -e; tmp=$$(mktemp -d); \
	trap 'for side in old new; do git worktree remove --force $$tmp/$$side 2>/dev/null || true; done; rm -rf $$tmp' EXIT; \
	old=$$(git rev-parse --verify '$(OLD)^{commit}'); new=$$(git rev-parse --verify '$(NEW)^{commit}'); \
	git worktree add -q --detach $$tmp/old $$old; git worktree add -q --detach $$tmp/new $$new; \
	mkdir -p bench; : > bench/old.txt; : > bench/new.txt; \
	echo "old = $(OLD) ($$old)"; echo "new = $(NEW) ($$new)"; \
	for i in $$(seq $(BENCH_COUNT)); do \
		for side in old new; do \
			echo "run $$i/$(BENCH_COUNT): $$side"; \
			if ! (cd $$tmp/$$side && $(GO) test $(BENCH_FLAGS) -count 1 ./...) >> bench/$$side.txt 2>&1; then \
				echo "benchmarks failed at $$side; see bench/$$side.txt"; grep -E '^(---|FAIL|panic)' bench/$$side.txt | head -20; exit 1; \
			fi; \
		done; \
	done; \
	cd bench && $(BENCHSTAT) old.txt new.txt

## fuzz: every fuzz target, FUZZTIME each (the suite itself runs only their seeds);
## a failing input is written to <pkg>/testdata/fuzz/<target>/ and the run stops
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$target"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $$pkg; \
		done; \
	done

## load: the load test for LOAD_DURATION (the suite runs a short version)
load:
	LINKTOKEN_LOAD_DURATION=$(LOAD_DURATION) $(GO) test -race -count=1 -run '^TestLoad$$' -v -timeout 30m ./atlas

## proxy-attack: the built proxy under 300 connections that stall after 1 MB of body; fails past 128 MiB RSS
proxy-attack:
	LINKTOKEN_PROXY_ATTACK_CONNS=300 $(GO) test -count=1 -run '^TestBuiltProxyUnderStalledBodies$$' -v ./cmd/linktoken

# api-diff and go-api-diff: oasdiff (v1.37.0) and apidiff (golang.org/x/exp) are not pinned in tools.go
# but each in a module of its own, internal/tools/{oasdiff,apidiff}/go.mod, whose go.sum pins every
# dependency. Pinning them in go.mod would leave kin-openapi (v0.153.0, which oasdiff v1.37.0 requires
# too) and oapi-codegen (v2.8.2) as they are, but raise versions that every importer's build selects
# through our go.mod: golang.org/x/text v0.40.0 -> v0.43.0, go.yaml.in/yaml/v3, spf13/pflag and, for
# apidiff's x/exp, golang.org/x/tools v0.51.0 -> a v0.52.1 pre-release (also what staticcheck builds
# with), and add some twenty modules (viper, cloud.google.com/go, ...) to their module graphs. They are
# not run as `go run MODULE@VERSION` either: that asks the proxy for deprecation notices even when the
# module cache holds everything, so the suite, which may not use the network, could not run it.
# internal/cmd/apicompat builds each from its module (cached after the first build) and runs it.

# The compatibility checks compare with BASE (any revision); empty means the previous release tag.
# A shallow clone fetches the history and tags first, and fails if it cannot; only a complete
# repository without any release tag reports SKIPPED. A break passes only when HEAD is tagged with a
# version that allows it or .ci/accepted-breaks.yaml accepts it with its reason (docs/versioning.md).
BASE ?=
# The version make release records: vMAJOR.MINOR.PATCH.
VERSION ?=

.PHONY: api-diff go-api-diff release

## api-diff: fail on any change to openapi/linktoken.yaml since BASE that breaks existing clients or
## servers (oasdiff, then the contract's x-atlas-* extensions): one line per breaking change, with its place
api-diff:
	$(GO) run ./internal/cmd/apicompat contract $(if $(BASE),-base '$(BASE)')

## go-api-diff: fail on any incompatible change since BASE to the exported API of a public package (apidiff)
go-api-diff:
	$(GO) run ./internal/cmd/apicompat go $(if $(BASE),-base '$(BASE)')

## release: record VERSION (make release VERSION=v0.1.0): on a clean tree, both checks against the
## previous release, then CHANGELOG.md's Unreleased section dated under VERSION, a commit and a tag;
## nothing is pushed
release:
	@test -n '$(VERSION)' || { echo 'usage: make release VERSION=vMAJOR.MINOR.PATCH'; exit 2; }
	$(GO) run ./internal/cmd/apicompat release '$(VERSION)'
