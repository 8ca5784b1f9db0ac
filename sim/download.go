package sim

import (
	"net/http"
	"strconv"
	"strings"
)

// serveDownload answers GET /v1/videos/{id}.mp4 with the task's MP4 once it
// has completed. No key is needed. A task marked for truncation announces
// the full Content-Length on its first download, sends half, and closes.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request, requestID string) {
	s.counters.Downloads.Add(1)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, requestID, http.MethodGet)
		return
	}
	id, isMP4 := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, videosPrefix), ".mp4")
	now := s.opts.Now()

	s.mu.Lock()
	t := s.tasks[id]
	ready := isMP4 && t != nil && !t.lost
	if ready {
		status, _ := t.statusAt(now)
		ready = status == statusCompleted
	}
	truncate := ready && t.truncate > 0 && r.Method == http.MethodGet
	if truncate {
		t.truncate--
	}
	s.mu.Unlock()

	if !ready {
		(&apiError{Status: http.StatusNotFound, Code: codeTaskNotFound, Field: "task_id",
			Message: "no completed video " + id}).send(w, requestID)
		return
	}
	body := mp4For(t)
	h := w.Header()
	h.Set("Content-Type", "video/mp4")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if !truncate {
		_, _ = w.Write(body)
		return
	}
	_, _ = w.Write(body[:len(body)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler) // net/http closes the connection mid-body
}
