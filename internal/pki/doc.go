// Package pki gives a berth cluster its security from the first start, the
// way k3s does: a self-signed cluster CA, the API server's serving
// certificate signed by it, a random admin bearer token, a k3s-style join
// token that lets another node pin the CA, and kubeconfig files for kubectl
// and client-go.
//
// In the Kubernetes picture this is the trust the rest builds on: the serving
// certificate carries the names and addresses the API server is reached by —
// localhost, the node's own addresses, and the in-cluster names and ClusterIP
// of the default/kubernetes Service (kubernetes.default.svc…, 10.43.0.1) —
// so pods using the service-account path and kubectl on the host both verify
// it against one CA.
//
// Everything is created on first use and reused afterwards (Ensure…): files
// holding secrets are written atomically with mode 0600.
package pki
