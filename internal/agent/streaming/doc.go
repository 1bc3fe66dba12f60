// Package streaming is the node agent's HTTPS server for the kubelet API the
// Kubernetes API server calls on a node: container logs, exec, attach and
// port-forward.
//
// It serves, on the node's address (port 10250 by default), the paths the
// kubelet serves:
//
//	GET      /containerLogs/{namespace}/{pod}/{container}
//	GET|POST /exec/{namespace}/{pod}[/{uid}]/{container}?command=…&input=1&output=1&error=1&tty=1
//	GET|POST /attach/{namespace}/{pod}[/{uid}]/{container}?input=1&output=1&error=1&tty=1
//	GET|POST /portForward/{namespace}/{pod}[/{uid}]
//
// Every request must carry "Authorization: Bearer <token>" with the shared
// secret the API server was given. Exec, attach and port-forward speak the
// SPDY and websocket protocols of k8s.io/cri-streaming (what the kubelet's
// streaming server speaks); logs are read from CRI-format log files
// ("<RFC3339Nano> stdout|stderr F|P <text>" lines) as the kubelet reads them.
//
// Everything that depends on the container runtime goes through the Runtime
// interface, which the agent implements.
package streaming
