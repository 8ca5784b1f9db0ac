package sim

import (
	"net/http"
	"strconv"
)

// serveDownload answers a download of task id's MP4 once it has completed
// (and until the retention ends). No key is needed. A task marked for
// truncation announces the full Content-Length on its first download, sends
// half, and closes; one marked html_download answers its first download
// with 200 text/html, as a CDN's error page would.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request, c call, id string, isMP4 bool) {
	s.counters.Downloads.Add(1)
	now := s.opts.Now()

	s.mu.Lock()
	t := s.tasks[id]
	hangs := t != nil && s.fires(FaultHang, t.req.Prompt)
	ready := isMP4 && t != nil && !t.lost && !t.expiredAt(now, s.retention)
	if ready {
		status, _ := t.statusAt(now)
		ready = status == statusCompleted
	}
	isGet := r.Method == http.MethodGet
	htmlPage := ready && !hangs && t.htmlPage > 0 && isGet
	if htmlPage {
		t.htmlPage--
	}
	truncate := ready && !hangs && !htmlPage && t.truncate > 0 && isGet
	if truncate {
		t.truncate--
	}
	s.mu.Unlock()

	switch {
	case hangs:
		hang(r)
		return
	case !ready:
		s.fail(w, c, &apiError{Status: http.StatusNotFound, Code: codeTaskNotFound, Field: "task_id",
			Message: "no completed video " + id})
		return
	case htmlPage:
		page := []byte("<!DOCTYPE html>\n<html><head><title>Error</title></head><body><h1>Something went wrong</h1>" +
			"<p>The file could not be served. Please try again later.</p></body></html>\n")
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(page)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(page)
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
