package plan

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

// imageServer answers like an image host: /ok.png is small, /big.png is
// over 10 MB, /gone.png is 404, /nohead.png refuses HEAD but serves GET.
func imageServer(t *testing.T, requests *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch r.URL.Path {
		case "/ok.png":
			w.Header().Set("Content-Length", "2048")
		case "/big.png":
			w.Header().Set("Content-Length", strconv.Itoa(MaxImageBytes+1))
		case "/nohead.png":
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			w.Header().Set("Content-Length", "2048")
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func imageVideo(name, url string) *config.Video {
	v := video(name, "", "animate "+name, 6, "1080p")
	v.ImageURL = url
	v.Ranges["image_url"] = hcl.Range{Filename: "main.ltx.hcl", Start: hcl.Pos{Line: 10, Column: 15}, End: hcl.Pos{Line: 10, Column: 40}}
	return v
}

func TestCheckImages(t *testing.T) {
	var requests atomic.Int64
	srv := imageServer(t, &requests)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close() // nothing listens there any more

	tests := []struct {
		path     string
		url      string
		wantCode string // "" = accepted
		wantText string
	}{
		{path: "ok", url: srv.URL + "/ok.png"},
		{path: "nohead", url: srv.URL + "/nohead.png"},
		{path: "big", url: srv.URL + "/big.png", wantCode: "IMAGE_TOO_LARGE", wantText: "over the API's limit of 10 MB"},
		{path: "gone", url: srv.URL + "/gone.png", wantCode: "INVALID_IMAGE_URL", wantText: "404 Not Found"},
		{path: "unreachable", url: closedURL + "/x.png", wantCode: "INVALID_IMAGE_URL", wantText: "cannot be fetched"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			v := imageVideo(tt.path, tt.url)
			diags := CheckImages(context.Background(), []*config.Video{v}, srv.Client())
			if tt.wantCode == "" {
				if len(diags) > 0 {
					t.Fatalf("unexpected diagnostics: %v", diags)
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("diagnostics = %v, want one %s", diags, tt.wantCode)
			}
			d := diags[0]
			if !strings.Contains(d.Summary, tt.wantCode) || !strings.Contains(d.Detail, tt.wantText) || !strings.Contains(d.Detail, "video."+tt.path) {
				t.Errorf("diagnostic = %q / %q, want %s with %q naming the address", d.Summary, d.Detail, tt.wantCode, tt.wantText)
			}
			if info, ok := ltx.LookupCode(tt.wantCode); !ok || !strings.Contains(d.Detail, info.Suggestion) {
				t.Errorf("detail = %q, want the catalogue's suggestion for %s", d.Detail, tt.wantCode)
			}
			if d.Subject == nil || *d.Subject != v.Ranges["image_url"] {
				t.Errorf("subject = %v, want the image_url attribute's range", d.Subject)
			}
		})
	}
}

func TestCheckImagesAsksOncePerURLAndNamesEachVideo(t *testing.T) {
	var requests atomic.Int64
	srv := imageServer(t, &requests)
	videos := []*config.Video{
		imageVideo("a", srv.URL+"/gone.png"),
		imageVideo("b", srv.URL+"/gone.png"),
		imageVideo("c", srv.URL+"/ok.png"),
	}
	diags := CheckImages(context.Background(), videos, srv.Client())
	if requests.Load() != 2 {
		t.Errorf("requests = %d, want 2 (one per distinct URL)", requests.Load())
	}
	if len(diags) != 2 || !strings.Contains(diags[0].Detail, "video.a") || !strings.Contains(diags[1].Detail, "video.b") {
		t.Errorf("diagnostics = %v, want one for video.a and one for video.b", diags)
	}
}

func TestBuildChecksImagesOnlyOfVideosItWillBuy(t *testing.T) {
	var requests atomic.Int64
	srv := imageServer(t, &requests)
	dir := t.TempDir()
	buying := imageVideo("new", srv.URL+"/big.png")
	done := imageVideo("done", srv.URL+"/gone.png")
	e := entry(done, state.StatusDownloaded)
	writeOutput(t, dir, done, e, "made last week")

	_, diags := Build(context.Background(), manifest(dir, buying, done), stateOf(e), Options{CheckImages: true, HTTPClient: srv.Client()})
	if len(diags) != 1 || !strings.Contains(diags[0].Summary, "IMAGE_TOO_LARGE") {
		t.Errorf("diagnostics = %v, want only video.new's IMAGE_TOO_LARGE", diags)
	}
	if requests.Load() != 1 {
		t.Errorf("requests = %d, want 1: an unchanged video's image is not fetched", requests.Load())
	}

	requests.Store(0)
	if _, diags := Build(context.Background(), manifest(dir, buying), nil, Options{HTTPClient: srv.Client()}); len(diags) > 0 || requests.Load() > 0 {
		t.Errorf("without CheckImages: %d requests, diagnostics %v; want none", requests.Load(), diags)
	}
}
