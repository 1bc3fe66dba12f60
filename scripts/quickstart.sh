#!/usr/bin/env bash
# Brings up berth on this machine and applies the demo. Run as root on Debian:
#   sudo scripts/quickstart.sh
# It installs what is missing (apt-get), builds bin/berth, starts
# `berth server` in the background (data in /var/lib/berth/server, log in
# /var/log/berth-server.log) and applies docs/demo/*.yaml with kubectl.
# Stop it with: sudo scripts/quickstart.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
DATA=/var/lib/berth/server
LOG=/var/log/berth-server.log
PIDFILE=/run/berth-server.pid

if [[ "${1:-}" == "stop" ]]; then
	if [[ -f $PIDFILE ]]; then kill "$(cat $PIDFILE)" 2>/dev/null || true; rm -f $PIDFILE; fi
	echo "berth server stopped (data kept in $DATA)"
	exit 0
fi

scripts/install-deps.sh runtime
echo "== building bin/berth"
go build -o bin/berth ./cmd/berth

if [[ -f $PIDFILE ]] && kill -0 "$(cat $PIDFILE)" 2>/dev/null; then
	echo "== berth server already running (pid $(cat $PIDFILE))"
else
	echo "== starting berth server (log: $LOG)"
	# The node agent (pods under runc) is not built yet: run the control plane alone.
	nohup bin/berth server --disable-agent --data-dir "$DATA" >"$LOG" 2>&1 &
	echo $! >$PIDFILE
fi
for _ in $(seq 1 100); do
	if [[ -f $DATA/admin.kubeconfig ]] && curl -sk https://127.0.0.1:6443/readyz >/dev/null 2>&1; then break; fi
	sleep 0.1
done
export KUBECONFIG=$DATA/admin.kubeconfig
until kubectl get namespace kube-system >/dev/null 2>&1; do sleep 0.2; done
echo "== applying the demo"
kubectl apply -f docs/demo/
kubectl get all -A
echo
echo "berth is up. Use it with:  export KUBECONFIG=$KUBECONFIG"
