package sim

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// An upload is one file of the lightricks upload flow: POST /v1/upload gives
// a URL to PUT the bytes to within 1 h, and a storage_uri usable as
// image_uri for 24 h (both scaled by TimeScale, counted from the POST).
type upload struct {
	token       string
	putUntil    time.Time
	usableUntil time.Time
	stored      bool
}

const (
	storagePrefix       = "ltx://uploads/"
	uploadTokenHeader   = "X-Ltx-Upload-Token"
	uploadPutWindow     = time.Hour
	uploadUsableWindow  = 24 * time.Hour
	uploadContentType   = "application/octet-stream"
	defaultMaxUploadLen = 100 << 20
)

// maxUploadBytes caps a PUT; a variable so that tests need not send 100 MB.
var maxUploadBytes int64 = defaultMaxUploadLen

// serveUploadStart answers POST /v1/upload.
func (s *Server) serveUploadStart(w http.ResponseWriter, r *http.Request, c call) {
	now := s.opts.Now()
	id := newID("up_")
	u := &upload{token: newID("tok_"), putUntil: now.Add(s.opts.scaled(uploadPutWindow)),
		usableUntil: now.Add(s.opts.scaled(uploadUsableWindow))}
	s.mu.Lock()
	s.uploads[id] = u
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"upload_url":  baseURL(r) + "/uploads/" + id,
		"storage_uri": storagePrefix + id,
		"expires_at":  stamp(u.putUntil),
		"required_headers": map[string]string{
			"Content-Type":       uploadContentType,
			"x-ltx-upload-token": u.token,
		},
	})
}

// serveUploadPut answers the PUT to an upload_url. Its errors are plain
// text, as a storage bucket's would be, not the API's JSON.
func (s *Server) serveUploadPut(w http.ResponseWriter, r *http.Request, _ call) {
	now := s.opts.Now()
	s.mu.Lock()
	u := s.uploads[r.PathValue("id")]
	s.mu.Unlock()
	switch {
	case u == nil:
		http.Error(w, "no such upload", http.StatusNotFound)
		return
	case !now.Before(u.putUntil):
		http.Error(w, "the upload URL has expired", http.StatusForbidden)
		return
	case r.Header.Get(uploadTokenHeader) != u.token:
		http.Error(w, "missing or wrong x-ltx-upload-token header", http.StatusForbidden)
		return
	case !strings.EqualFold(r.Header.Get("Content-Type"), uploadContentType):
		http.Error(w, "Content-Type must be "+uploadContentType, http.StatusBadRequest)
		return
	case r.ContentLength > maxUploadBytes:
		http.Error(w, "the file is larger than 100 MB", http.StatusRequestEntityTooLarge)
		return
	}
	if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, maxUploadBytes)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "the file is larger than 100 MB", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "could not read the file: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	u.stored = true
	s.mu.Unlock()
	s.counters.Uploads.Add(1)
	w.WriteHeader(http.StatusOK)
}
