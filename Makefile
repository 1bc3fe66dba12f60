# berth — common tasks. The README's two commands are scripts/quickstart.sh
# and scripts/test.sh; these targets are conveniences for developers.
GO ?= go
BIN := bin/berth

.PHONY: build test unit e2e vet bench openapi clean

build:
	$(GO) build -o $(BIN) ./cmd/berth

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v /test/e2e)

e2e:
	$(GO) test -count=1 -timeout 20m ./test/e2e/...

test:
	scripts/test.sh

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./bench/...

openapi:
	hack/update-openapi.sh

clean:
	rm -rf bin
