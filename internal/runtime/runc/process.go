package runc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// procStartTime reads a process's start time (clock ticks since boot, field
// 22 of /proc/<pid>/stat). Together with the pid it names one process even
// after pids wrap around.
func procStartTime(pid int) (uint64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatStartTime(string(data))
}

// parseStatStartTime extracts the start time from a /proc/<pid>/stat line.
// The command name may hold spaces and parentheses, so fields are counted
// from the last ')'.
func parseStatStartTime(stat string) (uint64, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed stat line")
	}
	fields := strings.Fields(stat[i+1:])
	// fields[0] is field 3 (state), so field 22 is fields[19].
	if len(fields) < 20 {
		return 0, fmt.Errorf("stat line has %d fields after the name", len(fields))
	}
	return strconv.ParseUint(fields[19], 10, 64)
}

// processAlive reports whether the process pid that started at startTime
// still exists (a zombie counts as gone).
func processAlive(pid int, startTime uint64) bool {
	if pid <= 0 {
		return false
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	st, err := parseStatStartTime(string(data))
	if err != nil || st != startTime {
		return false
	}
	i := strings.LastIndexByte(string(data), ')')
	fields := strings.Fields(string(data)[i+1:])
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}
