// Package runc runs containers with the runc binary, the way a kubelet's
// container runtime would: detached from the agent, with output captured in
// kubelet-format (CRI) log files and exit codes that outlive the agent.
//
// It implements this part of the picture: "a pod's containers are real
// processes started by runc; they keep running when the node agent restarts,
// `kubectl logs` reads what they wrote, and their exit codes decide restarts".
//
// # How a container is kept (the monitor)
//
// A process's exit status can only be collected by its parent, and runc
// hands a detached container's init process to PID 1. So each started
// container gets a monitor: a tiny POSIX sh script, started with setsid so it
// is in no session or process group of the agent, that runs
//
//	runc run --keep --pid-file <dir>/pid <id>
//
// in the foreground (runc then stays the container's parent and reaper and
// exits with its exit code, 128+signal when killed by a signal) and then
// writes that code to <dir>/exit with an atomic rename. The agent can be
// killed -9 at any time: the monitor and the container carry on, and a new
// agent reads pid, exit and runc's own state from disk (Reattach).
//
// The container's stdout and stderr are two FIFOs in its state directory.
// The monitor holds both open read-write for the container's whole life, so
// a container never gets EPIPE while no agent is reading; the agent reads
// them and writes CRI log lines
//
//	2024-01-02T03:04:05.123456789Z stdout F hello
//
// ("P" marks a piece of a line longer than 16KiB). While no agent reads, the
// pipes buffer (64KiB each) and then block the writer until one reads again.
//
// Create prepares the state directory and FIFOs; Start launches the monitor.
// (runc's own create/start split cannot be used: after `runc create` the
// container's init is no longer a child of anything we control, so its exit
// code would be lost.) Until Start, the container exists only in berth's
// state directory.
//
// Exec runs `runc exec` in the foreground and returns the process's exit
// code; with a TTY it gives runc a pseudo-terminal allocated here, because
// runc's foreground TTY mode needs a controlling terminal.
package runc
