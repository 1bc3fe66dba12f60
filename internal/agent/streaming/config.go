package streaming

import (
	"errors"
	"net"
	"time"
)

// DefaultPort is the kubelet's port, where the API server looks for the agent.
const DefaultPort = 10250

// Config is how the streaming server runs.
type Config struct {
	// Address is host:port to listen on (default ":10250").
	Address string
	// CertFile and KeyFile are the serving certificate and key (PEM). When
	// both are empty, a self-signed certificate for Hostnames and IPs is
	// generated at start, as the kubelet does without --tls-cert-file; the
	// API server does not verify agent certificates.
	CertFile, KeyFile string
	Hostnames         []string
	IPs               []net.IP
	// Token is the secret every request must carry as
	// "Authorization: Bearer <Token>". Required.
	Token string
	// StreamIdleTimeout closes exec, attach and port-forward connections
	// idle this long (default 4h, the kubelet's).
	StreamIdleTimeout time.Duration
	// StreamCreationTimeout bounds the wait for a client to open its
	// streams after the upgrade (default 30s).
	StreamCreationTimeout time.Duration
	// LogPollInterval is how often a follow request looks for new log
	// lines (default 250ms).
	LogPollInterval time.Duration
}

// withDefaults fills unset fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.Token == "" {
		return c, errors.New("streaming: a bearer token is required")
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return c, errors.New("streaming: give both a certificate and a key file, or neither")
	}
	if c.Address == "" {
		c.Address = ":10250"
	}
	if c.StreamIdleTimeout <= 0 {
		c.StreamIdleTimeout = 4 * time.Hour
	}
	if c.StreamCreationTimeout <= 0 {
		c.StreamCreationTimeout = 30 * time.Second
	}
	if c.LogPollInterval <= 0 {
		c.LogPollInterval = 250 * time.Millisecond
	}
	return c, nil
}
