// Package e2e holds berth's end-to-end tests: they build the real binary,
// start real servers on loopback or in network namespaces they create, and
// drive them with the real kubectl (pinned to kubectl.1.33) and client-go.
// Every test removes what it made — processes, directories, namespaces —
// also when it fails.
package e2e
