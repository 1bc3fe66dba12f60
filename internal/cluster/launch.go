package cluster

import (
	"encoding/pem"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/berth-project/berth/internal/pki"
)

// APIPort is the API server's port on node 0.
const APIPort = 6443

// APIServerURL is the API URL on node 0's underlay address.
func APIServerURL(node0IP string) string { return "https://" + node0IP + ":" + strconv.Itoa(APIPort) }

// serverArgs are the arguments of `berth server` on node 0; podNetwork is
// the cluster's --pod-network ("" for clusters made before it existed:
// the default).
func serverArgs(p Paths, n Node, noAgent bool, podNetwork string) []string {
	args := []string{"server",
		"--data-dir", p.ServerDir(n.Index),
		"--listen", "0.0.0.0:" + strconv.Itoa(APIPort),
		"--advertise-address", n.IP,
		"--node-name", n.Name,
		"--node-ip", n.IP,
		"--agent-root-dir", p.AgentRoot(n.Index),
		"--agent-run-dir", p.AgentRunDir(n.Index),
		"--lb-pool", LBPool(n.IP),
	}
	if noAgent {
		args = append(args, "--disable-agent")
	}
	return append(args, podNetworkArgs(podNetwork)...)
}

// LBPool is the LoadBalancer address pool of a cluster whose node 0 has
// address node0IP: the top of its underlay /24 (.200-.250), far above the
// nodes' addresses (.10 + i), so LoadBalancer addresses are on the node
// network and one node can answer ARP for each.
func LBPool(node0IP string) string {
	ip, err := netip.ParseAddr(node0IP)
	if err != nil || !ip.Is4() {
		return ""
	}
	b := ip.As4()
	return fmt.Sprintf("%d.%d.%d.200-%d.%d.%d.250", b[0], b[1], b[2], b[0], b[1], b[2])
}

// agentArgs are the arguments of `berth agent` on the other nodes; the join
// token goes in the environment (BERTH_TOKEN), not on the command line. The
// agent trusts the server's CA by checking the token's hash against the
// chain the server presents, as a k3s agent does.
func agentArgs(p Paths, n Node, apiURL, podNetwork string) []string {
	args := []string{"agent",
		"--server", apiURL,
		"--node-name", n.Name,
		"--node-ip", n.IP,
		"--root-dir", p.AgentRoot(n.Index),
		"--run-dir", p.AgentRunDir(n.Index),
	}
	return append(args, podNetworkArgs(podNetwork)...)
}

func podNetworkArgs(mode string) []string {
	if mode == "" {
		return nil
	}
	return []string{"--pod-network", mode}
}

// proxyArgs are the service-proxy flags create was given, for every node's
// server or agent; unset ones are left to the node's default.
func (st *State) proxyArgs() []string {
	var args []string
	if st.ProxyMode != "" {
		args = append(args, "--proxy-mode", st.ProxyMode)
	}
	if st.ProxyBalance != "" {
		args = append(args, "--proxy-balance", st.ProxyBalance)
	}
	return args
}

// nodeProcess is a node's detached process, as started by create.
type nodeProcess struct {
	Pid  int
	Done <-chan struct{} // closed when it exits (while create still runs)
}

// startNode starts bin with args in the node's network namespace and pinned
// mount namespace, detached (own session, no parent death signal), output
// to the node's log, and records its pid in the node's pid file.
func startNode(p Paths, n Node, bin string, args []string, env []string) (*nodeProcess, error) {
	logf, err := os.OpenFile(p.NodeLog(n.Index), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	full := append([]string{"--mount=" + p.MountNSPin(n.Index), "--net=" + netnsPath(n.NetNS), "--", bin}, args...)
	cmd := exec.Command("nsenter", full...)
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", n.Name, err)
	}
	// nsenter execs the program after joining: the pid is berth's.
	if err := writeFileAtomic(p.PIDFile(n.Index), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o600); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	return &nodeProcess{Pid: cmd.Process.Pid, Done: done}, nil
}

// nodeArgs are the arguments of node n's berth process: server or agent,
// with the cluster's extra arguments.
func nodeArgs(p Paths, st *State, n Node) []string {
	if n.Index == 0 {
		return append(append(serverArgs(p, n, st.NoAgent, st.PodNetwork), st.proxyArgs()...), st.ServerArgs...)
	}
	return append(append(agentArgs(p, n, st.APIServer, st.PodNetwork), st.proxyArgs()...), st.AgentArgs...)
}

// joinToken builds the K10 join token of the server whose data directory
// is dir: the SHA-256 of its CA, as the server presents it, and its token.
func joinToken(dir string) (string, error) {
	caFile := filepath.Join(dir, "tls", "ca.crt")
	data, err := os.ReadFile(caFile)
	if err != nil {
		return "", err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return "", fmt.Errorf("%s holds no certificate", caFile)
	}
	tok, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		return "", err
	}
	secret := strings.TrimSpace(string(tok))
	if secret == "" {
		return "", errors.New("the server's token file is empty")
	}
	// agents hash the CA re-encoded from the TLS handshake; so do we
	return pki.JoinToken(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: block.Bytes}), secret), nil
}

// tailFile returns the last n lines of a file, for error messages.
func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
