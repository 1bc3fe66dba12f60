// Package allocator hands out the two cluster-wide scarce values a Service
// can hold: its virtual IP (ClusterIP, from --service-cidr) and its NodePorts
// (from --service-node-port-range, 30000-32767 by default).
//
// In the Kubernetes networking picture these are allocated by the API server,
// before the Service is stored, so that kube-proxy (berth's service proxy)
// never sees two Services on one virtual IP or one node port. As in
// Kubernetes, each range is a bitmap kept in a single etcd key, written as a
// core/v1 RangeAllocation (Range + Data) under /registry/ranges/…, and every
// change is an etcd transaction guarded by the key's ModRevision. Several
// allocator instances — in one process or in several API servers sharing
// etcd — therefore never hand out the same value twice: a writer whose view
// is stale loses the compare and retries on the fresh bitmap.
//
// Dynamic allocation follows Kubernetes' split of a range into a small
// "static" lower band and a "dynamic" upper band (KEP-3070 for IPs, KEP-3668
// for NodePorts): AllocateNext takes a random free value from the upper band
// and only falls back to the lower band when the upper one is full, so that
// addresses people pick by hand (10.43.0.10 for DNS, 30080, …) rarely collide
// with ones handed out automatically.
//
// Repair rebuilds a bitmap from the values the stored Services really hold,
// for reconciliation at start-up after a crash between allocation and write.
package allocator
