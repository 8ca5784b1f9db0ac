package ltx_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/sim"
)

// The vendor's own contract as a test: every request the lightricks client
// sends to the simulator in these tests, and every answer the simulator
// gives, is checked against Lightricks' OpenAPI description
// (../shared/reference/lightricks-openapi.yml beside the repository, or
// $LTXFORM_LIGHTRICKS_OPENAPI).

// lightricksSpecPath is where the spec is looked for; "" when it is absent.
func lightricksSpecPath() string {
	if p := os.Getenv("LTXFORM_LIGHTRICKS_OPENAPI"); p != "" {
		return p
	}
	p := filepath.Join("..", "..", "shared", "reference", "lightricks-openapi.yml")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

var lightricksSpec = sync.OnceValues(func() ([]byte, error) {
	p := lightricksSpecPath()
	if p == "" {
		return nil, os.ErrNotExist
	}
	return os.ReadFile(p)
})

// specChecker is a RoundTripper that validates each API exchange (not the
// upload PUTs or video downloads, which go to storage URLs outside the spec).
type specChecker struct {
	next http.RoundTripper
	v    validator.Validator
	mu   sync.Mutex
	errs []string
	seen int
}

// newSpecChecker is nil (and the test says why) when the spec is absent.
func newSpecChecker(t testing.TB, next http.RoundTripper) *specChecker {
	t.Helper()
	spec, err := lightricksSpec()
	if err != nil {
		t.Logf("not checked against Lightricks' OpenAPI: ../shared/reference/lightricks-openapi.yml is absent (set LTXFORM_LIGHTRICKS_OPENAPI)")
		return nil
	}
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatalf("lightricks-openapi.yml: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("lightricks-openapi.yml: %v", errs)
	}
	c := &specChecker{next: next, v: v}
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, e := range c.errs {
			t.Errorf("against Lightricks' OpenAPI: %s", e)
		}
	})
	return c
}

// inSpec: the exchanges the spec describes.
func inSpec(req *http.Request) bool {
	p := req.URL.Path
	return strings.HasPrefix(p, "/v2/") || p == "/v1/upload"
}

// documented is whether the spec lists status for the request's operation:
// 404 to a create, 413 (from the infrastructure) and 529 (a newer page's)
// are not in it; they are checked by the client tests, not here.
func documented(req *http.Request, status int) bool {
	switch {
	case status == 413, status == 529, status == 405:
		return false
	case req.Method == http.MethodPost && status == http.StatusNotFound:
		return false
	case req.Method == http.MethodGet && (status == 400 || status == 402 || status == 422 || status == 429 || status == 503):
		return false
	case req.URL.Path == "/v1/upload" && status != 200 && status != 401 && status != 500 && status != 503:
		return false
	}
	return true
}

func (c *specChecker) RoundTrip(req *http.Request) (*http.Response, error) {
	if !inSpec(req) {
		return c.next.RoundTrip(req)
	}
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	check := req.Clone(req.Context())
	check.Body = io.NopCloser(bytes.NewReader(body))
	if ok, errs := c.v.ValidateHttpRequest(check); !ok {
		c.note(req, "request", errs)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	c.mu.Lock()
	c.seen++
	c.mu.Unlock()
	if documented(req, resp.StatusCode) {
		copyResp := *resp
		copyResp.Body = io.NopCloser(bytes.NewReader(answer))
		check.Body = io.NopCloser(bytes.NewReader(body))
		if ok, errs := c.v.ValidateHttpResponse(check, &copyResp); !ok {
			c.note(req, "answer "+resp.Status, errs)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	return resp, nil
}

func (c *specChecker) note(req *http.Request, what string, errs []*verrors.ValidationError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range errs {
		c.errs = append(c.errs, fmt.Sprintf("%s %s, the %s: %s", req.Method, req.URL.Path, what, e.Error()))
	}
}

// TestLightricksTalksItsOpenAPI sends a job through its life (upload,
// text- and image-to-video, pending to completed, a failure) and provokes
// the documented errors; newProviderSim checks every exchange against the
// spec, and this test fails if nothing was checked.
func TestLightricksTalksItsOpenAPI(t *testing.T) {
	if lightricksSpecPath() == "" {
		t.Skip("../shared/reference/lightricks-openapi.yml is absent beside the repository (set LTXFORM_LIGHTRICKS_OPENAPI to check the lightricks contract against it)")
	}
	ctx := context.Background()
	dir := t.TempDir()
	png := []byte("\x89PNG\r\n\x1a\nnot really")
	if err := os.WriteFile(filepath.Join(dir, "first.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(png)
	e := newProviderSim(t, "lightricks", sim.Options{Rules: []sim.Rule{{PromptContains: "broken", Fault: sim.FaultGenerationFailed}}},
		envOptions{key: simKey, imageDir: dir})
	reqs := []ltx.CreateRequest{
		{Prompt: "a fox", Duration: 8, Resolution: "1080p", FPS: 25, CameraMotion: "dolly_in"},
		{Prompt: "a tall fox", Duration: 6, Resolution: "1080p", AspectRatio: "9:16", Model: "ltx-2-3-pro"},
	}
	img := ltx.CreateRequest{Prompt: "the lamp", Duration: 6, Resolution: "1080p", ImageFile: "first.png", ImageSHA256: hex.EncodeToString(sum[:]),
		LastFrameURL: "https://cdn.example/last.png"}
	var tasks []*ltx.Task
	var refs []ltx.TaskRef
	for _, r := range append(reqs, img) {
		task, err := e.client.Create(ctx, r, "")
		if err != nil {
			t.Fatalf("create %q: %v", r.Prompt, err)
		}
		tasks = append(tasks, task)
		refs = append(refs, ltx.TaskRef{ID: task.ID, Mode: r.Mode()})
		e.clock.Advance(time.Minute) // two at once: let each end
	}
	for _, ref := range refs {
		if got, err := e.client.GetTask(ctx, ref); err != nil || got.Status != ltx.StatusCompleted {
			t.Fatalf("poll %s: %+v, %v", ref.ID, got, err)
		}
	}
	broken, err := e.client.Create(ctx, ltx.CreateRequest{Prompt: "broken", Duration: 6, Resolution: "1080p"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.client.GetTask(ctx, ltx.TaskRef{ID: broken.ID}); err != nil || got.Status != ltx.StatusQueued {
		t.Fatalf("pending: %+v, %v", got, err)
	}
	e.clock.Advance(time.Minute)
	if got, err := e.client.GetTask(ctx, ltx.TaskRef{ID: broken.ID}); err != nil || got.Status != ltx.StatusFailed {
		t.Fatalf("failed: %+v, %v", got, err)
	}
	// Documented refusals: a bad duration (400), an unknown job (404).
	if _, err := e.client.Create(ctx, ltx.CreateRequest{Prompt: "p", Duration: 11, Resolution: "1080p"}, ""); err == nil {
		t.Fatal("an 11 s video was accepted")
	}
	if _, err := e.client.GetTask(ctx, ltx.TaskRef{ID: "job_never"}); err == nil {
		t.Fatal("an unknown job was found")
	}
	if e.spec == nil || e.spec.count() < 10 {
		t.Fatalf("only %d exchanges were checked against the spec", e.spec.count())
	}
}

func (c *specChecker) count() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen
}
