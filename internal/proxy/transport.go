package proxy

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"syscall"

	"github.com/mdlayher/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// batchSender sends a google/nftables batch over a socket of its own.
//
// google/nftables asks the kernel to acknowledge every message of a batch;
// with ~100k services that is hundreds of thousands of acks queued on the
// socket while the kernel runs the transaction, which overflows any sane
// receive buffer (ENOBUFS, and no way to tell whether the batch committed).
// So the Conn is opened with WithTestDial(sender.dial): Flush hands us the
// marshalled batch, we send it with acks requested only for the last
// message, read the kernel's answer, and report the outcome back to Flush.
// Errors are always reported by the kernel, ack or not, and the whole batch
// is still one transaction.
type batchSender struct {
	nsPath  string  // "" = current network namespace
	result  error   // outcome of the last batch, returned on Flush's reads
	batches *uint64 // counts batches sent (tests: one sync, one transaction)
}

// dial is an nltest.Func: called with the batch on send and with nil for
// every acknowledgement Flush then waits for. A failure is reported on the
// first of those reads only, so Flush returns it once rather than once per
// message.
func (s *batchSender) dial(req []netlink.Message) ([]netlink.Message, error) {
	if req != nil {
		s.result = s.send(req)
		return nil, nil
	}
	if err := s.result; err != nil {
		s.result = nil
		return nil, err
	}
	return []netlink.Message{{Header: netlink.Header{Type: netlink.Error}, Data: make([]byte, 4)}}, nil
}

// send writes one batch (BATCH_BEGIN … BATCH_END) and waits for its end.
func (s *batchSender) send(msgs []netlink.Message) error {
	if len(msgs) < 3 {
		return nil
	}
	if s.batches != nil {
		atomic.AddUint64(s.batches, 1)
	}
	fd, err := openNetfilterSocket(s.nsPath)
	if err != nil {
		return err
	}
	defer unix.Close(fd)

	last := len(msgs) - 2 // the message before BATCH_END
	var buf []byte
	kinds := make(map[uint32]netlink.HeaderType, 1)
	for i := range msgs {
		m := msgs[i]
		m.Header.PID = 0
		m.Header.Sequence = uint32(i + 1)
		// No per-message ack, and no echo (google/nftables asks the
		// kernel to echo each new rule back, to learn its handle).
		m.Header.Flags &^= netlink.Acknowledge | netlink.Echo
		if i == last {
			m.Header.Flags |= netlink.Acknowledge
		}
		m.Header.Length = uint32(nlmsgAlign(16 + len(m.Data)))
		b, err := m.MarshalBinary()
		if err != nil {
			return err
		}
		kinds[m.Header.Sequence] = m.Header.Type
		buf = append(buf, b...)
	}
	// The kernel refuses a message larger than the send buffer; root may
	// exceed net.core.wmem_max with SO_SNDBUFFORCE.
	size := len(buf) + 4096
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, size); err != nil {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, size)
	}
	if err := unix.Sendto(fd, buf, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("nftables batch send (%d bytes): %w", len(buf), err)
	}
	return readBatchAnswer(fd, uint32(last+1), kinds)
}

// readBatchAnswer reads until the ack of the last message. The kernel runs
// the whole batch inside sendto, so every answer is already queued.
func readBatchAnswer(fd int, lastSeq uint32, kinds map[uint32]netlink.HeaderType) error {
	buf := make([]byte, 1<<16)
	var errs []error
	for {
		n, _, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if errors.Is(err, unix.EAGAIN) {
			if len(errs) > 0 {
				return errors.Join(errs...)
			}
			return errors.New("nftables batch: no acknowledgement from the kernel")
		}
		if err != nil {
			return fmt.Errorf("nftables batch answer: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return fmt.Errorf("nftables batch answer: %w", err)
		}
		for _, m := range msgs {
			if m.Header.Type != unix.NLMSG_ERROR || len(m.Data) < 4 {
				continue
			}
			code := int32(nativeUint32(m.Data[:4]))
			if code != 0 {
				errs = append(errs, fmt.Errorf("message %d (%s): %w", m.Header.Seq, msgTypeName(kinds[m.Header.Seq]), syscall.Errno(-code)))
			}
			if m.Header.Seq == lastSeq {
				return errors.Join(errs...)
			}
		}
	}
}

func nlmsgAlign(n int) int { return (n + 3) &^ 3 }

func nativeUint32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func msgTypeName(t netlink.HeaderType) string {
	names := map[int]string{
		unix.NFT_MSG_NEWTABLE: "new table", unix.NFT_MSG_DELTABLE: "delete table",
		unix.NFT_MSG_NEWCHAIN: "new chain", unix.NFT_MSG_DELCHAIN: "delete chain",
		unix.NFT_MSG_NEWRULE: "new rule", unix.NFT_MSG_DELRULE: "delete rule",
		unix.NFT_MSG_NEWSET: "new set", unix.NFT_MSG_DELSET: "delete set",
		unix.NFT_MSG_NEWSETELEM: "new element", unix.NFT_MSG_DELSETELEM: "delete element",
	}
	if n, ok := names[int(t)&0xff]; ok {
		return n
	}
	return fmt.Sprintf("type %d", t)
}

// openNetfilterSocket opens a NETLINK_NETFILTER socket in the namespace at
// nsPath (the socket stays bound to it) or in the current one.
func openNetfilterSocket(nsPath string) (int, error) {
	open := func() (int, error) {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
		if err != nil {
			return -1, fmt.Errorf("netlink socket: %w", err)
		}
		if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("netlink bind: %w", err)
		}
		return fd, nil
	}
	if nsPath == "" {
		return open()
	}
	var fd int
	err := inNetNS(nsPath, func() error {
		var err error
		fd, err = open()
		return err
	})
	return fd, err
}

// inNetNS runs fn on a locked OS thread that has joined the namespace at
// path. If the thread cannot return to its namespace it is left locked, so
// the runtime discards it.
func inNetNS(path string, fn func() error) error {
	target, err := netns.GetFromPath(path)
	if err != nil {
		return fmt.Errorf("open netns %s: %w", path, err)
	}
	defer target.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		if err := netns.Set(target); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter netns %s: %w", path, err)
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			errc <- errors.Join(ferr, fmt.Errorf("leave netns %s: %w", path, err))
			return // thread stays locked and dies with the goroutine
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}
