package streaming

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// LogOptions are what a containerLogs request asks for.
type LogOptions struct {
	Previous   bool      // the last terminated instance's log
	Follow     bool      // keep streaming as the log grows
	Timestamps bool      // prefix every line with its time
	Since      time.Time // skip lines written before; zero: none skipped
	TailLines  int64     // only the last N lines; negative: all
	LimitBytes int64     // stop after N bytes; zero: no limit
}

// optionsError is a bad request: Status is the HTTP status the kubelet
// answers (400 for what does not parse, 422 for what is invalid).
type optionsError struct {
	Status int
	Err    error
}

func (e *optionsError) Error() string { return e.Err.Error() }

// parseLogOptions reads the kubelet's containerLogs query parameters (the
// PodLogOptions fields; "tail" is the legacy name of tailLines, "all" meaning
// no limit) and validates them as Kubernetes does. now anchors sinceSeconds.
func parseLogOptions(q url.Values, now time.Time) (LogOptions, error) {
	o := LogOptions{TailLines: -1}
	bad := func(format string, a ...any) error {
		return &optionsError{Status: http.StatusBadRequest, Err: fmt.Errorf(format, a...)}
	}
	invalid := func(format string, a ...any) error {
		return &optionsError{Status: http.StatusUnprocessableEntity, Err: fmt.Errorf(format, a...)}
	}
	o.Previous = queryBool(q, "previous")
	o.Follow = queryBool(q, "follow")
	o.Timestamps = queryBool(q, "timestamps")

	tail, hasTail := q["tailLines"]
	if legacy := q.Get("tail"); legacy != "" {
		tail, hasTail = []string{legacy}, legacy != "all"
	}
	if hasTail && len(tail) > 0 {
		n, err := strconv.ParseInt(tail[0], 10, 64)
		if err != nil {
			return o, bad("tailLines: %v", err)
		}
		if n < 0 {
			return o, invalid("tailLines: must be greater than or equal to 0")
		}
		o.TailLines = n
	}
	if v := q.Get("limitBytes"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return o, bad("limitBytes: %v", err)
		}
		if n < 1 {
			return o, invalid("limitBytes: must be greater than 0")
		}
		o.LimitBytes = n
	}
	secs, hasSecs := q.Get("sinceSeconds"), q.Has("sinceSeconds")
	since, hasSince := q.Get("sinceTime"), q.Has("sinceTime")
	if hasSecs && hasSince {
		return o, invalid("at most one of sinceTime or sinceSeconds may be specified")
	}
	if hasSecs {
		n, err := strconv.ParseInt(secs, 10, 64)
		if err != nil {
			return o, bad("sinceSeconds: %v", err)
		}
		if n < 1 {
			return o, invalid("sinceSeconds: must be greater than 0")
		}
		o.Since = now.Add(-time.Duration(n) * time.Second)
	}
	if hasSince && since != "" {
		t, err := time.Parse(time.RFC3339, since)
		if err != nil {
			return o, bad("sinceTime: %v", err)
		}
		o.Since = t
	}
	return o, nil
}

// queryBool reads a boolean query parameter as Kubernetes' parameter codec
// does: absent, "0" and "false" are false, anything else (even "") is true.
func queryBool(q url.Values, key string) bool {
	v, ok := q[key]
	if !ok || len(v) == 0 {
		return false
	}
	return v[0] != "0" && !strings.EqualFold(v[0], "false")
}
