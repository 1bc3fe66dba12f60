// Package podproxy serves the streaming subresources of pods — pods/log,
// pods/exec, pods/attach and pods/portforward — by proxying them to the node
// agent that runs the pod, as kube-apiserver proxies them to the kubelet.
//
// The pod's spec.nodeName names the Node; the Node's status.addresses
// (InternalIP first) and status.daemonEndpoints.kubeletEndpoint.Port give the
// agent's HTTPS address. Requests to the agent carry the shared bearer token
// and do not verify the agent's (self-signed) certificate.
//
//   - pods/log is a GET whose result is the agent's chunked text/plain body.
//   - pods/exec and pods/attach are Connecters: SPDY upgrades are proxied to
//     the agent as they are; websocket upgrades (v5.channel.k8s.io, what
//     kubectl tries first) are translated to SPDY towards the agent.
//   - pods/portforward is a Connecter: SPDY is proxied; websocket tunnelling
//     of SPDY (SPDY/3.1+portforward.k8s.io) is unwrapped and proxied as SPDY.
//
// The option types (PodLogOptions, PodExecOptions, PodAttachOptions,
// PodPortForwardOptions) are decoded from the query string by the API
// server's parameter codec; this package registers those url.Values
// conversions with the berth scheme when it is loaded.
package podproxy
