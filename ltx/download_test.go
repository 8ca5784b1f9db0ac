package ltx

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fileServer serves a fixed video and remembers the Authorization headers it saw.
type fileServer struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
}

func newFileServer(t *testing.T, video []byte, extra func(w http.ResponseWriter, r *http.Request) bool) *fileServer {
	t.Helper()
	fs := &fileServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.auths = append(fs.auths, r.Header.Get("Authorization"))
		fs.mu.Unlock()
		if extra != nil && extra(w, r) {
			return
		}
		w.Header().Set("Content-Type", "video/mp4")
		w.Write(video)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fileServer) sawAuth() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]string(nil), fs.auths...)
}

var video = append([]byte("\x00\x00\x00\x18ftypmp42"), bytes.Repeat([]byte{7}, 4000)...)

func TestDownloadSendsTheKeyOnlyToTheAPI(t *testing.T) {
	api := newFileServer(t, video, func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/to-cdn/") {
			http.Redirect(w, r, r.URL.Query().Get("cdn")+"/cdn/v.mp4", http.StatusFound)
			return true
		}
		return false
	})
	cdn := newFileServer(t, video, nil)
	c := NewClient(Options{BaseURL: api.URL, Key: NewKey(secret)})

	tests := []struct {
		name     string
		url      string
		server   *fileServer
		wantAuth bool
	}{
		{"absolute URL on the API host", api.URL + "/files/v.mp4", api, true},
		{"relative URL resolves against the API", "/files/v.mp4", api, true},
		{"another host (another port)", cdn.URL + "/v.mp4?sig=abc", cdn, false},
		{"the API redirects to another host", api.URL + "/to-cdn/x?cdn=" + cdn.URL, cdn, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(tt.server.sawAuth())
			var buf bytes.Buffer
			n, err := c.Download(context.Background(), tt.url, &buf)
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(len(video)) || !bytes.Equal(buf.Bytes(), video) {
				t.Errorf("got %d bytes, want the %d-byte video", n, len(video))
			}
			seen := tt.server.sawAuth()[before:]
			if len(seen) == 0 {
				t.Fatal("the file server was not asked")
			}
			got := seen[len(seen)-1]
			if tt.wantAuth && got != "Bearer "+secret {
				t.Errorf("API host got Authorization %q", got)
			}
			if !tt.wantAuth && got != "" {
				t.Errorf("other host got Authorization %q", got)
			}
		})
	}
}

func TestDownloadTruncated(t *testing.T) {
	cdn := newFileServer(t, nil, func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Length", strconv.Itoa(len(video)))
		w.Write(video[:len(video)/2]) // the server then closes: fewer bytes than announced
		return true
	})
	c := NewClient(Options{BaseURL: "https://api.example", Key: NewKey(secret)})
	var buf bytes.Buffer
	n, err := c.Download(context.Background(), cdn.URL+"/v.mp4?token=s3cr3t", &buf)
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
	if n != int64(len(video)/2) {
		t.Errorf("n = %d, want the %d bytes that arrived", n, len(video)/2)
	}
	if !strings.Contains(err.Error(), cdn.URL+"/v.mp4") || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error %q should name the URL without its query", err)
	}
	if c, ok := ErrorClass(err); !ok || c != ClassRetry {
		t.Errorf("ErrorClass = %s, %v", c, ok)
	}
}

func TestDownloadSizeCap(t *testing.T) {
	const limit = 1000
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request) bool
	}{
		{"announced too large", nil},
		{"streamed without a length", func(w http.ResponseWriter, r *http.Request) bool {
			for i := 0; i < len(video); i += 500 {
				w.Write(video[i:min(i+500, len(video))])
				w.(http.Flusher).Flush() // chunked: no Content-Length to check first
			}
			return true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFileServer(t, video, tt.handler)
			c := NewClient(Options{BaseURL: srv.URL, MaxDownloadBytes: limit})
			var buf bytes.Buffer
			n, err := c.Download(context.Background(), "/v.mp4", &buf)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if n > limit || buf.Len() > limit {
				t.Errorf("wrote %d bytes past a cap of %d", buf.Len(), limit)
			}
			if c, ok := ErrorClass(err); !ok || c != ClassTaskPermanent {
				t.Errorf("ErrorClass = %s, %v; a video over the cap will not shrink on retry", c, ok)
			}
		})
	}
	// Exactly at the cap is fine.
	srv := newFileServer(t, video[:limit], nil)
	c := NewClient(Options{BaseURL: srv.URL, MaxDownloadBytes: limit})
	if n, err := c.Download(context.Background(), "/v.mp4", &bytes.Buffer{}); err != nil || n != limit {
		t.Errorf("a file of exactly the cap: n=%d err=%v", n, err)
	}
}

func TestDownloadErrorFromAnotherHost(t *testing.T) {
	cdn := newFileServer(t, nil, func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("X-Request-Id", "cdn_1")
		http.Error(w, "AccessDenied: Request has expired", http.StatusForbidden)
		return true
	})
	c := NewClient(Options{BaseURL: "https://api.example", Key: NewKey(secret)})
	_, err := c.Download(context.Background(), cdn.URL+"/v.mp4?X-Amz-Signature=abc", &bytes.Buffer{})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !apiErr.Download || apiErr.StatusCode != 403 {
		t.Fatalf("err = %#v", err)
	}
	// An expired CDN link is not a bad API key: the run must not stop.
	if apiErr.Class() != ClassTaskLost {
		t.Errorf("class %s, want %s", apiErr.Class(), ClassTaskLost)
	}
	if apiErr.RequestID != "cdn_1" || strings.Contains(err.Error(), "X-Amz-Signature=abc") {
		t.Errorf("error %q", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestDownloadWriterFailure(t *testing.T) {
	srv := newFileServer(t, video, nil)
	c := NewClient(Options{BaseURL: srv.URL})
	_, err := c.Download(context.Background(), "/v.mp4", failingWriter{})
	if err == nil || errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the writer's error, not a truncation", err)
	}
}

func TestDownloadRejectsOtherSchemes(t *testing.T) {
	c := NewClient(Options{BaseURL: "https://api.example"})
	for _, u := range []string{"file:///etc/passwd", "ftp://x/v.mp4", ""} {
		if _, err := c.Download(context.Background(), u, &bytes.Buffer{}); err == nil {
			t.Errorf("Download(%q) did not fail", u)
		}
	}
}
