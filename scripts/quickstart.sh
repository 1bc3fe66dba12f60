#!/usr/bin/env bash
# Brings up a one-node berth cluster on this machine and applies the demo.
# Run as root on Debian:
#   sudo scripts/quickstart.sh            # or NODES=3 … for more nodes
# It installs what is missing (apt-get), builds bin/berth, runs
# `berth cluster create berth` (the node is a network namespace on an
# underlay bridge; the `berth-berth` context is merged into ~/.kube/config)
# and applies docs/demo/*.yaml. Remove everything with:
#   sudo bin/berth cluster delete berth
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

scripts/install-deps.sh runtime
echo "== building bin/berth and the demo images"
go build -o bin/berth ./cmd/berth
go run ./images/cmd/build-images -out bin/images >/dev/null

if bin/berth cluster list | awk 'NR>1 {print $1}' | grep -qx berth; then
	echo "== cluster berth exists"
else
	bin/berth cluster create berth --nodes "${NODES:-1}" --images bin/images
fi
kubectl config use-context berth-berth >/dev/null
echo "== applying the demo"
kubectl apply -f docs/demo/
kubectl wait --for=condition=Ready pod/web --timeout=120s
kubectl get nodes -o wide
kubectl get pods,svc -o wide
echo
echo "berth is up (kubectl context berth-berth). Remove it with: sudo bin/berth cluster delete berth"
