# Thin wrappers over go commands; every tool runs at the version go.mod pins.
GO ?= go
# The README's test command, which .ci/run calls too.
TEST_FLAGS ?= -race -count=1 -timeout 10m

.PHONY: generate check-generated test lint ci

## generate: regenerate generated/ from openapi/ (never edit a *.gen.go by hand)
generate:
	$(GO) generate ./...

## check-generated: regenerate and fail if generated/ differs from what is committed
check-generated: generate
	@changes="$$(git status --porcelain -- generated)"; \
	if [ -n "$$changes" ]; then \
		echo "generated code is out of date with the contract; run 'make generate' and commit:"; \
		echo "$$changes"; git --no-pager diff --stat -- generated; exit 1; \
	fi

## test: the whole test suite
test:
	$(GO) test $(TEST_FLAGS) ./...

## lint: go vet and staticcheck
lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck ./...

## ci: everything CI runs
ci: test check-generated lint
