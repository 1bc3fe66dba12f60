package allocator

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		k        kind
		in       error
		valid    string
		sentinel error
		msg      string
	}{
		{kindIP, ErrAllocated, "10.43.0.0/16", ErrAllocated, "provided IP is already allocated"},
		{kindPort, ErrAllocated, "30000-32767", ErrAllocated, "provided port is already allocated"},
		{kindIP, ErrNotInRange, "10.43.0.0/16", ErrNotInRange, "provided IP is not in the valid range. The range of valid IPs is 10.43.0.0/16"},
		{kindPort, ErrNotInRange, "30000-32767", ErrNotInRange, "provided port is not in the valid range. The range of valid ports is 30000-32767"},
		{kindPort, ErrFull, "30000-32767", ErrFull, "range is full: no free ports left in 30000-32767"},
	}
	for _, tt := range tests {
		err := tt.k.describe(tt.in, tt.valid)
		if err.Error() != tt.msg {
			t.Errorf("message = %q, want %q", err.Error(), tt.msg)
		}
		if !errors.Is(err, tt.sentinel) {
			t.Errorf("%q is not %v", err, tt.sentinel)
		}
	}
	if kindIP.describe(nil, "x") != nil {
		t.Error("nil error described as non-nil")
	}
	other := fmt.Errorf("etcd down")
	if kindIP.describe(other, "x") != other {
		t.Error("unrelated error was rewritten")
	}
}
