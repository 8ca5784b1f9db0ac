package ltx

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// recorded is what a hand-written server saw of one request.
type recorded struct {
	method, uri string
	header      http.Header
	body        []byte
}

func recorder(t *testing.T, status int, respHeader map[string]string, respBody string) (*httptest.Server, func() recorded) {
	t.Helper()
	var mu sync.Mutex
	var last recorded
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = recorded{r.Method, r.RequestURI, r.Header.Clone(), b}
		mu.Unlock()
		answer(status, respHeader, respBody)(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() recorded { mu.Lock(); defer mu.Unlock(); return last }
}

func TestCreateSendsTheContract(t *testing.T) {
	seed := int64(42)
	tests := []struct {
		name         string
		req          CreateRequest
		wantPath     string
		wantMode     Mode
		wantAspect   bool
		status       int
		replayHeader string
	}{
		{"text to video", CreateRequest{Prompt: "a fox", Duration: 8, Resolution: "1080p", AspectRatio: "9:16", Seed: &seed},
			"/v1/text-to-video", TextToVideo, true, 201, ""},
		{"image to video never sends aspect_ratio", CreateRequest{Prompt: "a fox", Duration: 8, Resolution: "4K", AspectRatio: "9:16",
			ImageURL: "https://cdn.example/fox.png"}, "/v1/image-to-video", ImageToVideo, false, 200, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, last := recorder(t, tt.status, map[string]string{"Idempotent-Replayed": tt.replayHeader},
				`{"task_id":"task_1","status":"queued","consumed_credits":32,"request_id":"req_c"}`)
			c := NewClient(Options{BaseURL: srv.URL + "/", Key: NewKey(secret), UserAgent: "ltxform/test"})
			task, err := c.Create(context.Background(), tt.req, "idem-1")
			if err != nil {
				t.Fatal(err)
			}
			assertTask(t, task, &Task{ID: "task_1", Status: StatusQueued, ConsumedCost: 32, RequestID: "req_c", Replayed: tt.replayHeader == "true"})

			got := last()
			if got.method != "POST" || got.uri != tt.wantPath {
				t.Errorf("sent %s %s, want POST %s", got.method, got.uri, tt.wantPath)
			}
			for h, want := range map[string]string{"Authorization": "Bearer " + secret, "Idempotency-Key": "idem-1",
				"Content-Type": "application/json", "User-Agent": "ltxform/test"} {
				if got.header.Get(h) != want {
					t.Errorf("header %s = %q, want %q", h, got.header.Get(h), want)
				}
			}
			var sent map[string]any
			if err := json.Unmarshal(got.body, &sent); err != nil {
				t.Fatalf("body %s: %v", got.body, err)
			}
			if _, has := sent["aspect_ratio"]; has != tt.wantAspect {
				t.Errorf("aspect_ratio sent = %v, want %v: %s", has, tt.wantAspect, got.body)
			}
			if sent["prompt"] != tt.req.Prompt || sent["duration"] != float64(tt.req.Duration) || sent["resolution"] != tt.req.Resolution {
				t.Errorf("body %s does not carry the request", got.body)
			}
			sum := sha256.Sum256(got.body)
			if tt.req.Hash() != hex.EncodeToString(sum[:]) {
				t.Errorf("Hash() is not the sha256 of the bytes sent")
			}
			if tt.req.Mode() != tt.wantMode {
				t.Errorf("Mode() = %s", tt.req.Mode())
			}
		})
	}
}

func TestHashChangesWithWhatIsSent(t *testing.T) {
	base := CreateRequest{Prompt: "a fox", Duration: 8, Resolution: "1080p"}
	seed := int64(1)
	changed := []CreateRequest{
		{Prompt: "a fox ", Duration: 8, Resolution: "1080p"},
		{Prompt: "a fox", Duration: 9, Resolution: "1080p"},
		{Prompt: "a fox", Duration: 8, Resolution: "4K"},
		{Prompt: "a fox", Duration: 8, Resolution: "1080p", Seed: &seed},
		{Prompt: "a fox", Duration: 8, Resolution: "1080p", AspectRatio: "9:16"},
		{Prompt: "a fox", Duration: 8, Resolution: "1080p", ImageURL: "https://x/y.png"},
		{Prompt: "a fox", Duration: 8, Resolution: "1080p", WebhookURL: "https://x/hook"},
	}
	for _, r := range changed {
		if r.Hash() == base.Hash() {
			t.Errorf("%+v hashes like %+v", r, base)
		}
	}
	same := base
	if same.Hash() != base.Hash() || len(base.Hash()) != 64 {
		t.Error("Hash is not a stable hex sha256")
	}
	// aspect_ratio is not sent for image-to-video, so it cannot change the hash.
	i2v := CreateRequest{Prompt: "a", Duration: 6, Resolution: "1080p", ImageURL: "https://x/y.png"}
	i2vAspect := i2v
	i2vAspect.AspectRatio = "16:9"
	if i2v.Hash() != i2vAspect.Hash() {
		t.Error("aspect_ratio changed an image-to-video hash although it is never sent")
	}
}

func TestIdempotencyKey(t *testing.T) {
	k := IdempotencyKey("lin", `video.shot["a \"quoted\" key/with spaces"]`, strings.Repeat("f", 64), 0)
	if k != IdempotencyKey("lin", `video.shot["a \"quoted\" key/with spaces"]`, strings.Repeat("f", 64), 0) {
		t.Error("not deterministic")
	}
	if len(k) > 64 || strings.Trim(k, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		t.Errorf("key %q is not a short header-safe token", k)
	}
	if len(IdempotencyKey("lin", "video.x", "h", 1<<62)) > 64 {
		t.Error("a large generation makes the key too long")
	}
	// Two states (another lineage) never share a key for the same video.
	distinct := map[string]bool{}
	for _, args := range []struct {
		lineage, addr, hash string
		gen                 int
	}{{"l1", "video.a", "h1", 0}, {"l1", "video.a", "h1", 1}, {"l1", "video.a", "h2", 0}, {"l1", "video.b", "h1", 0},
		{"l1", "video.a\x00h", "1", 0}, {"l2", "video.a", "h1", 0}, {"", "video.a", "h1", 0}, {"l1\x00video.a", "", "h1", 0}} {
		distinct[IdempotencyKey(args.lineage, args.addr, args.hash, args.gen)] = true
	}
	if len(distinct) != 8 {
		t.Errorf("keys collide: %v", distinct)
	}
}

func TestGetTaskEscapesTheID(t *testing.T) {
	srv, last := recorder(t, 200, nil, `{"task_id":"a/b c?d","status":"queued"}`)
	c := NewClient(Options{BaseURL: srv.URL + "/prefix", Key: NewKey(secret)})
	if _, err := c.GetTask(context.Background(), TaskRef{ID: "a/b c?d"}); err != nil {
		t.Fatal(err)
	}
	if got := last(); got.method != "GET" || got.uri != "/prefix/v1/tasks/a%2Fb%20c%3Fd" {
		t.Errorf("sent %s %s", got.method, got.uri)
	}
}

func TestNoKeyMeansNoAuthorizationHeader(t *testing.T) {
	srv, last := recorder(t, 200, nil, `{"task_id":"t","status":"queued"}`)
	c := NewClient(Options{BaseURL: srv.URL})
	if _, err := c.GetTask(context.Background(), TaskRef{ID: "t"}); err != nil {
		t.Fatal(err)
	}
	if _, has := last().header["Authorization"]; has {
		t.Error("Authorization sent without a key")
	}
}

func TestBadBaseURL(t *testing.T) {
	for _, base := range []string{"api.ltx-2api.com", "ftp://host", "http://", "://x"} {
		c := NewClient(Options{BaseURL: base, Key: NewKey(secret)})
		_, err := c.Create(context.Background(), CreateRequest{Prompt: "p"}, "")
		if err == nil || !strings.Contains(err.Error(), "base URL") {
			t.Errorf("base %q: err = %v", base, err)
		}
	}
	if got := NewClient(Options{}).BaseURL(); got != DefaultBaseURL {
		t.Errorf("default base URL = %q", got)
	}
}

func TestRequestNotSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: the connection is refused

	c := NewClient(Options{BaseURL: "http://" + addr, Key: NewKey(secret)})
	_, err = c.Create(context.Background(), CreateRequest{Prompt: "p", Duration: 6, Resolution: "1080p"}, "k")
	var re *RequestError
	if !errors.As(err, &re) || re.Sent {
		t.Fatalf("err = %#v, want an unsent *RequestError", err)
	}
	if re.Method != "POST" || !strings.HasSuffix(re.URL, "/v1/text-to-video") {
		t.Errorf("RequestError names %s %s", re.Method, re.URL)
	}
	if c, ok := ErrorClass(err); !ok || c != ClassRetry {
		t.Errorf("ErrorClass = %s, %v", c, ok)
	}
}

// The server reads the whole create, then drops the connection: the task may
// exist, and the error must say so.
func TestRequestSentThenDropped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	c := NewClient(Options{BaseURL: srv.URL, Key: NewKey(secret)})
	_, err := c.Create(context.Background(), CreateRequest{Prompt: "p", Duration: 6, Resolution: "1080p"}, "k")
	var re *RequestError
	if !errors.As(err, &re) || !re.Sent {
		t.Fatalf("err = %#v, want a sent *RequestError", err)
	}
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "after the request was sent") {
		t.Errorf("error message %q", err)
	}
}

func TestCancelledContext(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithCancel(context.Background())
	c := NewClient(Options{BaseURL: srv.URL, Key: NewKey(secret), HTTPClient: &http.Client{
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			cancel() // the run is cancelled while the request is on its way
			return srv.Client().Transport.RoundTrip(r)
		})}})
	_, err := c.GetTask(ctx, TaskRef{ID: "t"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, ok := ErrorClass(err); ok {
		t.Error("a cancelled run was classified as an API failure")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// On a kept-alive connection that breaks after the create was written,
// net/http would resend a request with an Idempotency-Key on its own. The
// client must not let it: the real API may ignore the key.
func TestBrokenReusedConnectionIsNotResentSilently(t *testing.T) {
	var mu sync.Mutex
	creates := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			answer(200, nil, `{"task_id":"t","status":"queued"}`)(w, r)
			return
		}
		io.ReadAll(r.Body)
		mu.Lock()
		creates++
		mu.Unlock()
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	c := NewClient(Options{BaseURL: srv.URL, Key: NewKey(secret), HTTPClient: srv.Client()})
	if _, err := c.GetTask(context.Background(), TaskRef{ID: "t"}); err != nil { // leaves an idle connection to reuse
		t.Fatal(err)
	}
	_, err := c.Create(context.Background(), CreateRequest{Prompt: "p", Duration: 6, Resolution: "1080p"}, "idem")
	var re *RequestError
	if !errors.As(err, &re) || !re.Sent {
		t.Fatalf("err = %v, want a sent *RequestError", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if creates != 1 {
		t.Errorf("the server received %d creates, want 1", creates)
	}
}

// TestCreateAtAWrongBaseURLIsRunFatal: a 404 to a create names no task, so
// it is the endpoint that is missing; every other create would meet it too.
func TestCreateAtAWrongBaseURLIsRunFatal(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	c := NewClient(Options{BaseURL: srv.URL + "/wrong", Key: NewKey("k")})
	_, err := c.Create(context.Background(), CreateRequest{Prompt: "p", Duration: 6, Resolution: "1080p"}, "")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Class() != ClassRunFatal {
		t.Fatalf("err = %v, want a run-fatal *APIError", err)
	}
	if !strings.Contains(apiErr.Error(), srv.URL+"/wrong") || !strings.Contains(apiErr.Error(), "base URL") {
		t.Errorf("error %q should name the base URL", apiErr)
	}
	// A poll's 404 is still the task's: lost, not fatal.
	_, err = c.GetTask(context.Background(), TaskRef{ID: "t"})
	if !errors.As(err, &apiErr) || apiErr.Class() != ClassTaskLost {
		t.Errorf("poll: err = %v, want task-lost", err)
	}
}
