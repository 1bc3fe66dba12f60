package allocator

import (
	"errors"
	"fmt"
)

// Sentinel errors, to be tested with errors.Is. The errors actually returned
// carry Kubernetes' wording for the kind of value (IP or port) and range.
var (
	// ErrAllocated: the value asked for is already held by someone.
	ErrAllocated = errors.New("already allocated")
	// ErrNotInRange: the value asked for is outside the allocatable range.
	ErrNotInRange = errors.New("not in the valid range")
	// ErrFull: AllocateNext found no free value.
	ErrFull = errors.New("range is full")
	// ErrRangeChanged: etcd holds a bitmap for a different range (the CIDR or
	// port range was reconfigured); Repair must rebuild it before use.
	ErrRangeChanged = errors.New("stored range differs from the configured range")
)

// rangeError is a sentinel with a user-facing message; the API server puts
// the message into the Service's field error, as Kubernetes does.
type rangeError struct {
	sentinel error
	msg      string
}

func (e *rangeError) Error() string { return e.msg }
func (e *rangeError) Unwrap() error { return e.sentinel }

// kind names the value in messages: "IP" or "port".
type kind struct {
	singular string // "IP", "port"
	plural   string // "IPs", "ports"
}

var (
	kindIP   = kind{"IP", "IPs"}
	kindPort = kind{"port", "ports"}
)

// describe turns a sentinel from the range store into the message Kubernetes
// shows for it; other errors pass through unchanged.
func (k kind) describe(err error, validRange string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrAllocated):
		return &rangeError{ErrAllocated, fmt.Sprintf("provided %s is already allocated", k.singular)}
	case errors.Is(err, ErrNotInRange):
		return &rangeError{ErrNotInRange, fmt.Sprintf("provided %s is not in the valid range. The range of valid %s is %s", k.singular, k.plural, validRange)}
	case errors.Is(err, ErrFull):
		return &rangeError{ErrFull, fmt.Sprintf("range is full: no free %s left in %s", k.plural, validRange)}
	}
	return err
}
