#!/usr/bin/env bash
# Runs berth's whole test suite: vet, unit tests (with -race, no root), then
# the end-to-end tests (they start real servers; the networking ones need root
# and build their own network namespaces). Installs what tests need first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
if [[ $(id -u) == 0 ]]; then
	scripts/install-deps.sh test
fi
echo "== go vet"
go vet ./...
echo "== unit tests (-race)"
go test -race -count=1 $(go list ./... | grep -v /test/e2e)
echo "== end-to-end tests"
# Tests with a NodeWorld run 3 at a time (each in its own namespaces; they
# mostly wait); the ones asserting time bounds run alone first.
go test -count=1 -parallel 3 -timeout 30m ./test/e2e/...
