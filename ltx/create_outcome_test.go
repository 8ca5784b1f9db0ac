package ltx

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// TestClassifyCreate is the money rule for a create's answer: only the
// service's own JSON refusal with a "not created" status says nothing was
// bought; every other answer leaves the video uncertain (issue 18, findings
// 1, 2 and 21), and a failed upload says the create never left (finding 8).
func TestClassifyCreate(t *testing.T) {
	gateway := "<!DOCTYPE html><html><head><title>504 Gateway Time-out</title></head><body>nginx</body></html>"
	tests := []struct {
		name     string
		provider string
		status   int
		ctype    string
		body     string
		want     CreateOutcome
	}{
		{"504 gateway page", DefaultProvider, 504, "text/html", gateway, CreateMaybeMade},
		{"502 gateway page on lightricks", "lightricks", 502, "text/html", gateway, CreateMaybeMade},
		{"429 gateway page", DefaultProvider, 429, "text/html", gateway, CreateMaybeMade},
		{"500 in the service's own words", "lightricks", 500, "application/json", `{"type":"error","error":{"type":"api_error","message":"oops"}}`, CreateMaybeMade},
		{"400 with a code the service does not speak", DefaultProvider, 400, "application/json", `{"error":{"code":"WHATEVER_PROXY","message":"no"}}`, CreateMaybeMade},
		{"200 that is no task", DefaultProvider, 200, "text/html", gateway, CreateMaybeMade},
		{"400 invalid duration", DefaultProvider, 400, "application/json", `{"error":{"code":"INVALID_DURATION","message":"no"}}`, CreateRefused},
		{"402 insufficient funds", "lightricks", 402, "application/json", `{"type":"error","error":{"type":"insufficient_funds_error","message":"no"}}`, CreateRefused},
		{"422 content filtered", "lightricks", 422, "application/json", `{"type":"error","error":{"type":"content_filtered_error","message":"no"}}`, CreateRefused},
		{"429 rate limited", DefaultProvider, 429, "application/json", `{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"slow down"}}`, CreateRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c := NewClient(Options{Provider: MustProvider(tt.provider), BaseURL: srv.URL, Key: NewKey(secret)})
			_, err := c.Create(t.Context(), CreateRequest{Prompt: "a fox", Duration: 6, Resolution: "1080p"}, "k")
			if err == nil {
				t.Fatal("the create succeeded")
			}
			if got := ClassifyCreate(err); got != tt.want {
				t.Errorf("ClassifyCreate(%v) = %s, want %s", err, got, tt.want)
			}
		})
	}
}

// TestCreateRedirectIsNotFollowed: a create answered 302 or 307 is not sent
// on (nor turned into a GET), and its outcome is unknown (finding 21).
func TestCreateRedirectIsNotFollowed(t *testing.T) {
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var elsewhere atomic.Int32
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				elsewhere.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"task_id":"task_elsewhere","status":"queued"}`))
			}))
			defer other.Close()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, status)
			}))
			defer srv.Close()
			c := NewClient(Options{BaseURL: srv.URL, Key: NewKey(secret)})
			task, err := c.Create(t.Context(), CreateRequest{Prompt: "a fox", Duration: 6, Resolution: "1080p"}, "k")
			if err == nil {
				t.Fatalf("the redirect was followed to task %s", task.ID)
			}
			if n := elsewhere.Load(); n != 0 {
				t.Errorf("the redirect's target got %d requests", n)
			}
			if got := ClassifyCreate(err); got != CreateMaybeMade {
				t.Errorf("ClassifyCreate(%v) = %s, want %s", err, got, CreateMaybeMade)
			}
		})
	}
}

// TestUploadFailureIsNotSent: an image upload that fails before any create
// leaves nothing bought (finding 8), even when the upload's POST was sent.
func TestUploadFailureIsNotSent(t *testing.T) {
	var creates atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/upload" {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		creates.Add(1)
	}))
	defer srv.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.png"), []byte("png"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := NewClient(Options{Provider: MustProvider("lightricks"), BaseURL: srv.URL, Key: NewKey(secret), ImageDir: dir})
	_, err := c.Create(t.Context(), CreateRequest{Prompt: "a fox", Duration: 6, Resolution: "1080p", ImageFile: "in.png"}, "")
	if err == nil {
		t.Fatal("the create succeeded")
	}
	if got := ClassifyCreate(err); got != CreateNotSent || creates.Load() != 0 {
		t.Errorf("ClassifyCreate(%v) = %s with %d creates, want %s and none", err, got, creates.Load(), CreateNotSent)
	}
}
