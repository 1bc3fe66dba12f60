package agent

import "context"

// startStreaming serves logs, exec, attach and port-forward for the API
// server (see streamingruntime.go).
func (a *Agent) startStreaming(ctx context.Context) error {
	return a.serveStreaming(ctx)
}
