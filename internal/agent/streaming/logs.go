package streaming

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"time"
)

// serveLogs serves GET /containerLogs/{namespace}/{pod}/{container}: the
// container's log as chunked text/plain, flushed line by line when following.
func (s *Server) serveLogs(w http.ResponseWriter, r *http.Request) {
	ref := containerRef(r)
	o, err := parseLogOptions(r.URL.Query(), time.Now())
	if err != nil {
		code := http.StatusBadRequest
		var oe *optionsError
		if errors.As(err, &oe) {
			code = oe.Status
		}
		http.Error(w, err.Error(), code)
		return
	}
	lf, err := s.rt.ContainerLog(r.Context(), ref, o.Previous)
	if err != nil {
		writeRuntimeError(w, err)
		return
	}
	lr, err := openLog(lf, o)
	if errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("log of container %q in pod %q: %w", ref.Container, ref.Name, ErrNotFound)
	}
	if err != nil {
		writeRuntimeError(w, err)
		return
	}
	defer lr.Close()
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	var out io.Writer = w
	if o.Follow {
		out = flushWriter{w: w, rc: http.NewResponseController(w)}
	}
	if err := lr.copyTo(r.Context(), out, s.cfg.LogPollInterval); err != nil {
		slog.Debug("streaming: log request ended", "pod", ref.Namespace+"/"+ref.Name, "container", ref.Container, "err", err)
	}
}

// flushWriter sends every write to the client at once.
type flushWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err != nil {
		return n, err
	}
	return n, f.rc.Flush()
}
