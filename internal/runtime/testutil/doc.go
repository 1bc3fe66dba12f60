// Package testutil holds helpers for the runtime's root-only tests: skipping
// without root or runc, throw-away network namespaces (never the host's), and
// minimal busybox root filesystems.
//
// It supports testing this part of the picture: "a container joins its pod's
// network namespace by path and is reachable there".
package testutil
