package agent

import "context"

func (a *Agent) serveStreaming(ctx context.Context) error {
	a.log.Warn("logs/exec/port-forward are not served by this agent yet")
	return nil
}
