package volume

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Capacity enforcement for local-volume filesystems.
//
// Growing a mounted ext4 (resize2fs online) needs CAP_SYS_RESOURCE. Where
// the agent has it, the file is exactly spec.capacity and expansion grows
// it. Where it does not (sandboxes drop it from the bounding set), the
// filesystem is made larger than the claim up front (sparse, so the
// headroom costs no disk) and the claim's size is enforced through ext4's
// reserved clusters (/sys/fs/ext4/<dev>/reserved_clusters), which no
// writer — root included — may use; expansion within the headroom lowers
// the reservation online. Either way writing past the capacity fails with
// ENOSPC, as on a disk of that size.

const capSysResource = 24

// HasCapSysResource reads the effective capability set of the process.
func HasCapSysResource() bool {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err == nil && caps&(1<<capSysResource) != 0
		}
	}
	return false
}

// FSSize is the size of the filesystem made for a claim of capacity
// bytes: the capacity itself when it can be grown online, else four times
// it (at least 64Mi more), whole MiB.
func FSSize(capacity int64, canResizeOnline bool) int64 {
	capacity = RoundUpMiB(capacity)
	if canResizeOnline {
		return capacity
	}
	return max(4*capacity, capacity+64<<20)
}

// ReservedClusters is the reservation that leaves capacity bytes usable
// on a filesystem whose statfs reports usable blocks of blockSize bytes
// (the kernel already excludes its metadata). Never below the kernel's
// own default reservation.
func ReservedClusters(usableBlocks, blockSize, capacity, kernelDefault int64) int64 {
	want := usableBlocks - (capacity+blockSize-1)/blockSize
	return max(want, kernelDefault, 0)
}

// enforceCapacity sets the mounted filesystem's reserved clusters so that
// capacity bytes are usable. dev is the loop device (/dev/loopN).
func enforceCapacity(dir, dev string, capacity int64) error {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return err
	}
	attr := filepath.Join("/sys/fs/ext4", filepath.Base(dev), "reserved_clusters")
	def := int64(0)
	if st.Blocks > 0 {
		// the kernel's default: 2% or 4096 clusters, whichever is less
		def = min(int64(st.Blocks)/50, 4096)
	}
	want := ReservedClusters(int64(st.Blocks), int64(st.Bsize), capacity, def)
	if err := os.WriteFile(attr, []byte(strconv.FormatInt(want, 10)), 0o644); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("cannot enforce capacity: %s missing", attr)
		}
		return fmt.Errorf("setting %s: %w", attr, err)
	}
	return nil
}
