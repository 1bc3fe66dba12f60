#!/usr/bin/env bash
# Regenerates internal/api/openapi/zz_generated.openapi.go: the OpenAPI
# definitions of every API type berth serves, written by openapi-gen
# (k8s.io/kube-openapi) from the Go types in k8s.io/api and k8s.io/apimachinery,
# the same way Kubernetes produces pkg/generated/openapi.
#
# The generator is built at the kube-openapi version pinned in go.mod, so the
# output depends only on go.mod/go.sum. It is installed into a cache folder
# with `go install pkg@version`, which does not touch our go.mod.
#
#   hack/update-openapi.sh            rewrite the generated file
#   hack/update-openapi.sh --verify   fail if the committed file is stale
#
# API-rule violations (names_match, list_type_missing, …) found in the upstream
# types are reported to $OPENAPI_REPORT (default: a file under /tmp); they are
# Kubernetes' own known exceptions and do not fail the run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

MODULE=$(go list -m)
OUT_PKG="$MODULE/internal/api/openapi"
OUT_DIR="internal/api/openapi"
OUT_FILE="zz_generated.openapi.go"
REPORT=${OPENAPI_REPORT:-/tmp/berth-openapi-violations.report}

# Input packages: the served groups, then the shared apimachinery packages
# their types reference (ObjectMeta, RawExtension, IntOrString, Quantity, Info).
INPUTS=(
  k8s.io/api/core/v1
  k8s.io/api/apps/v1
  k8s.io/api/autoscaling/v1
  k8s.io/api/discovery/v1
  k8s.io/api/storage/v1
  k8s.io/api/networking/v1
  k8s.io/api/coordination/v1
  k8s.io/api/policy/v1
  k8s.io/api/authentication/v1
  k8s.io/apimachinery/pkg/apis/meta/v1
  k8s.io/apimachinery/pkg/runtime
  k8s.io/apimachinery/pkg/util/intstr
  k8s.io/apimachinery/pkg/api/resource
  k8s.io/apimachinery/pkg/version
)

VERSION=$(go list -m -f '{{.Version}}' k8s.io/kube-openapi)
TOOLS=${BERTH_TOOLS_DIR:-"$(go env GOCACHE)/berth-tools/kube-openapi-$VERSION"}
GEN="$TOOLS/openapi-gen"
if [[ ! -x "$GEN" ]]; then
  echo "installing openapi-gen $VERSION into $TOOLS" >&2
  mkdir -p "$TOOLS"
  # Run outside the module so `go install pkg@version` resolves the tool's
  # own dependencies and leaves go.mod alone.
  (cd / && GOBIN="$TOOLS" GOFLAGS=-buildvcs=false go install "k8s.io/kube-openapi/cmd/openapi-gen@$VERSION")
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
HEADER="$WORK/header.txt"
cat >"$HEADER" <<'HDR'
// Generated from the k8s.io/api and k8s.io/apimachinery types by
// hack/update-openapi.sh; run it again after bumping those modules.

HDR

# Generate into a scratch folder first so --verify never rewrites the tree
# and a failed run never leaves a half-written file behind.
"$GEN" \
  --output-dir "$WORK/out" \
  --output-pkg "$OUT_PKG" \
  --output-file "$OUT_FILE" \
  --go-header-file "$HEADER" \
  --report-filename "$REPORT" \
  "${INPUTS[@]}"

if [[ "${1:-}" == "--verify" ]]; then
  if ! diff -q "$WORK/out/$OUT_FILE" "$OUT_DIR/$OUT_FILE" >/dev/null; then
    echo "$OUT_DIR/$OUT_FILE is stale: run hack/update-openapi.sh" >&2
    exit 1
  fi
  echo "$OUT_DIR/$OUT_FILE is up to date" >&2
  exit 0
fi

cp "$WORK/out/$OUT_FILE" "$OUT_DIR/$OUT_FILE"
echo "wrote $OUT_DIR/$OUT_FILE ($(grep -c 'OpenAPIModelName(): ' "$OUT_DIR/$OUT_FILE") definitions); API rule report: $REPORT" >&2
