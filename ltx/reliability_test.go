package ltx

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ltxform/ltxform/internal/memnet"
)

// Issue 14, finding 4: a download had no deadline of its own; a video host
// that sent the headers and a few bytes and then went silent held apply for
// ever. Before the fix Download waited on ctx alone (the executor passes
// the run's context), so the stalled case below ran into the test's bound.
func TestFinding4DownloadThatGoesSilentIsCut(t *testing.T) {
	synctest.Test(t, testDownloadThatGoesSilentIsCut)
}

// testDownloadThatGoesSilentIsCut runs in virtual time: a byte every 50 ms
// is a live host against a 300 ms idle timeout however busy the machine.
func testDownloadThatGoesSilentIsCut(t *testing.T) {
	mp4Head := []byte("\x00\x00\x00\x18ftypisom")
	release := make(chan struct{})
	defer close(release)
	srv := memnet.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Header().Set("Content-Length", "1000")
		w.Write(mp4Head)
		w.(http.Flusher).Flush()
		if r.URL.Path == "/silent-after-headers" {
			select { // silent until the client gives up
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		// A slow but live host: a byte every 50 ms, well inside the idle timeout.
		for i := len(mp4Head); i < 1000; i += 100 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
			w.Write(bytes.Repeat([]byte{'v'}, 100)[:min(100, 1000-i)])
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	base := memnet.BaseURL
	c := NewClient(Options{BaseURL: base, HTTPClient: srv.Client(), Key: NewKey("k"), DownloadIdleTimeout: 300 * time.Millisecond})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var buf bytes.Buffer
	_, err := c.Download(ctx, base+"/silent-after-headers", &buf)
	if ctx.Err() != nil {
		t.Fatal("the download did not end by itself")
	}
	if !errors.Is(err, ErrDownloadStalled) || !strings.Contains(err.Error(), "300ms") {
		t.Fatalf("err = %v, want ErrDownloadStalled naming the idle timeout", err)
	}

	buf.Reset()
	n, err := c.Download(ctx, base+"/slow", &buf)
	if err != nil || n != 1000 {
		t.Fatalf("a slow but live download: %d bytes, %v", n, err)
	}
}

// The watchdog also covers the wait for the answer's headers.
func TestFinding4DownloadWithoutAnAnswerIsCut(t *testing.T) {
	synctest.Test(t, testDownloadWithoutAnAnswerIsCut)
}

// testDownloadWithoutAnAnswerIsCut runs in virtual time, so that the
// cancellation at 50 ms comes before the 200 ms watchdog on a busy machine.
func testDownloadWithoutAnAnswerIsCut(t *testing.T) {
	release := make(chan struct{})
	srv := memnet.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	base := memnet.BaseURL
	c := NewClient(Options{BaseURL: base, HTTPClient: srv.Client(), Key: NewKey("k"), DownloadIdleTimeout: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.Download(ctx, base+"/v.mp4", &bytes.Buffer{})
	if ctx.Err() != nil || !errors.Is(err, ErrDownloadStalled) {
		t.Fatalf("err = %v (ctx %v), want ErrDownloadStalled", err, ctx.Err())
	}
	// The caller's own cancellation is not reported as a stall.
	cctx, ccancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, ccancel)
	_, err = c.Download(cctx, base+"/v.mp4", &bytes.Buffer{})
	if errors.Is(err, ErrDownloadStalled) || err == nil {
		t.Fatalf("cancelled download: err = %v, want a cancellation, not a stall", err)
	}
}
