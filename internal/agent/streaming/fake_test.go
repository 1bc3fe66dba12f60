package streaming

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
)

// fakeRuntime is an in-memory Runtime: one pod "ns/web" with a container
// "app", whose log is at logPath; exec understands "echo ARGS…", "cat" (stdin
// to stdout), "err TEXT" (to stderr) and "exit N"; port-forward dials
// forwardTo (whatever port is asked), recording the ports asked for.
type fakeRuntime struct {
	logPath   string
	logDone   chan struct{}
	forwardTo string

	mu    sync.Mutex
	ports []int32
}

func (f *fakeRuntime) find(c ContainerRef) error {
	if c.Namespace != "ns" || c.Name != "web" || (c.Container != "" && c.Container != "app") {
		return fmt.Errorf("container %s/%s/%s: %w", c.Namespace, c.Name, c.Container, ErrNotFound)
	}
	return nil
}

func (f *fakeRuntime) ContainerLog(ctx context.Context, c ContainerRef, previous bool) (LogFile, error) {
	if err := f.find(c); err != nil {
		return LogFile{}, err
	}
	if previous {
		return LogFile{}, fmt.Errorf("previous terminated container %q in pod %q not found", c.Container, c.Name)
	}
	return LogFile{Path: f.logPath, Done: f.logDone}, nil
}

func (f *fakeRuntime) Exec(ctx context.Context, c ContainerRef, cmd []string, stdin io.Reader, stdout, stderr io.WriteCloser, tty bool, resize <-chan TerminalSize) error {
	if err := f.find(c); err != nil {
		return err
	}
	switch cmd[0] {
	case "echo":
		_, err := fmt.Fprintln(stdout, strings.Join(cmd[1:], " "))
		return err
	case "cat":
		_, err := io.Copy(stdout, stdin)
		return err
	case "err":
		_, err := fmt.Fprintln(stderr, strings.Join(cmd[1:], " "))
		return err
	case "exit":
		code, _ := strconv.Atoi(cmd[1])
		return ExitError{Code: code}
	case "size":
		if !tty {
			return fmt.Errorf("no tty")
		}
		size := <-resize
		_, err := fmt.Fprintf(stdout, "%dx%d\n", size.Width, size.Height)
		return err
	}
	return fmt.Errorf("%s: command not found", cmd[0])
}

func (f *fakeRuntime) Attach(ctx context.Context, c ContainerRef, stdin io.Reader, stdout, stderr io.WriteCloser, tty bool, resize <-chan TerminalSize) error {
	if err := f.find(c); err != nil {
		return err
	}
	_, err := fmt.Fprintln(stdout, "attached")
	return err
}

func (f *fakeRuntime) PortForward(ctx context.Context, p PodRef, port int32, stream io.ReadWriteCloser) error {
	if err := f.find(ContainerRef{PodRef: p}); err != nil {
		return err
	}
	f.mu.Lock()
	f.ports = append(f.ports, port)
	f.mu.Unlock()
	conn, err := net.Dial("tcp", f.forwardTo)
	if err != nil {
		return err
	}
	defer conn.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(conn, stream); conn.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	go func() { io.Copy(stream, conn); done <- struct{}{} }()
	<-done
	<-done
	return nil
}
