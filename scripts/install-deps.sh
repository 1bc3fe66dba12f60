#!/usr/bin/env bash
# Installs what berth needs on a Debian machine, with apt-get, only where
# missing. Usage: install-deps.sh [runtime|test]
#   runtime: what a node needs (runc, nftables, iproute2, …)
#   test:    runtime + what the test suite needs (Debian's etcd for the
#            external-etcd tests, kubectl is expected at its pinned path)
set -euo pipefail
what="${1:-runtime}"

need=()
want() { # want COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 || need+=("$2")
}
want ip iproute2
want nft nftables
want runc runc
want mount mount
want losetup mount
want mkfs.ext4 e2fsprogs
want conntrack conntrack
want iptables iptables
want curl curl
# The test and demo images are built from Debian's statically linked busybox
# (the dynamic one cannot run inside a container image).
if ! dpkg -s busybox-static >/dev/null 2>&1; then need+=(busybox-static); fi
if [[ "$what" == "test" ]]; then
	want etcd etcd-server
	want dig dnsutils
fi
if ((${#need[@]})); then
	echo "installing: ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
	export PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null || { echo "Go is required (https://go.dev/dl) — not found in PATH" >&2; exit 1; }
echo "dependencies present"
