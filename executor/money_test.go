package executor

// Regression tests for issue 18 ("Money safety, third pass"), named by the
// finding's number. Each was run against the code before its fix and failed.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
)

// postCounter counts the creates that reach the simulator's handler.
func postCounter(n *atomic.Int32) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				n.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Findings 1, 2 and 21: a create the service made, answered by a gateway's
// 504 page, by a 307, or never (cut by the request timeout), on the default
// provider whose key is only assumed. Before the fix the 504 was retried
// max_attempts times (three tasks) and reported failed; the hanging create
// was re-sent; the 307 was a task-permanent failure that the next apply
// bought again. Now each is uncertain after one POST, and the next plan
// says so.
func TestFinding1CreateAnsweredByAGatewayIsUncertain(t *testing.T) {
	for _, fault := range []sim.Fault{sim.FaultGatewayTimeout, sim.FaultHangAfterCommit, sim.FaultRedirectCreate} {
		t.Run(string(fault), func(t *testing.T) {
			var posts atomic.Int32
			f := newRelFixture(t, sim.Options{Rules: []sim.Rule{{PromptContains: "gated", Fault: fault}}}, postCounter(&posts), "a gated shot")
			f.trustKey = false // the default: ltx2api-v1's key is only assumed
			opts := fastOptions()
			opts.RequestTimeout = 300 * time.Millisecond
			rows, err := f.applyBounded(f.planWith(plan.Options{}), opts, 20*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if r := rows[0]; r.Status != ResultUncertain || r.CostConsumed != 0 {
				t.Errorf("row %+v, want uncertain", r)
			}
			if n, c := posts.Load(), f.sim.Counters(); n != 1 || c.Creates != 1 {
				t.Errorf("%d POSTs and %d tasks, want one of each: never re-sent in the run", n, c.Creates)
			}
			if e := f.entry("video.a"); e == nil || e.Status != state.StatusPending {
				t.Errorf("state %+v, want pending", e)
			}
			if a := f.action(f.planWith(plan.Options{}), "video.a"); a != plan.ActionUncertain {
				t.Errorf("next plan: %s, want uncertain", a)
			}
			l, err := f.store.Charges(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if s := l.Spend(); s.MayHaveBilledTasks != 1 {
				t.Errorf("ledger %+v, want the create listed as maybe billed", s)
			}
		})
	}
}

// Finding 2: with api { idempotency_key = true } the same answers are
// re-sent in the run with the same key, and the one task is found.
func TestFinding2TrustedKeyResendsWithTheSameKey(t *testing.T) {
	var posts atomic.Int32
	f := newRelFixture(t, sim.Options{Rules: []sim.Rule{{PromptContains: "gated", Fault: sim.FaultGatewayTimeout, Times: 1}}}, postCounter(&posts), "a gated shot")
	rows, err := f.applyBounded(f.planWith(plan.Options{}), fastOptions(), 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Status != ResultCompleted {
		t.Errorf("row %+v, want completed", r)
	}
	if n, c := posts.Load(), f.sim.Counters(); n != 2 || c.Creates != 1 || c.Replays != 1 {
		t.Errorf("%d POSTs, counters %+v: want the create re-sent once and replayed", n, c)
	}
}

// Finding 7: -retry-uncertain on a service that ignores the key bought a
// second task, and the ledger settled the lost create with it: the plan
// showed one task where the service billed two. The lost create now stays
// as maybe billed.
func TestFinding7RetryUncertainKeepsTheLostCreateInTheLedger(t *testing.T) {
	f := newRelFixture(t, sim.Options{IgnoreIdempotencyKey: true,
		Rules: []sim.Rule{{PromptContains: "lost", Fault: sim.FaultDropAfterCreate, Times: 1}}}, nil, "a lost answer")
	f.trustKey = false
	if rows, err := f.applyBounded(f.planWith(plan.Options{}), fastOptions(), 20*time.Second); err != nil || rows[0].Status != ResultUncertain {
		t.Fatalf("first apply: %v %+v, want uncertain", err, rows)
	}
	rows, err := f.applyBounded(f.planWith(plan.Options{RetryUncertain: true}), fastOptions(), 20*time.Second)
	if err != nil || rows[0].Status != ResultCompleted {
		t.Fatalf("apply -retry-uncertain: %v %+v, want completed", err, rows)
	}
	if c := f.sim.Counters(); c.Creates != 2 {
		t.Fatalf("counters %+v, want two billed tasks", c)
	}
	l, err := f.store.Charges(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s := l.Spend(); s.Tasks != 1 || s.MayHaveBilledTasks != 1 {
		t.Errorf("ledger %+v: want the new task billed and the lost create still maybe billed", s)
	}
}

// Finding 8: an image_file upload that fails before any create is sent.
// Before the fix the upload's sent POST made the video uncertain, with a
// maybe-billed ledger line; now it is a failure the next apply retries.
func TestFinding8UploadFailureIsNotUncertain(t *testing.T) {
	s := sim.New(sim.Options{Provider: sim.ProviderLightricks, Keys: []string{testKey}, Latency: 60 * time.Millisecond})
	var broken atomic.Bool
	broken.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() && r.URL.Path == "/v1/upload" {
			dropConnection(w)
			return
		}
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "first.png"), []byte("\x89PNG\r\n\x1a\nnot really"), 0o644); err != nil {
		t.Fatal(err)
	}
	store := state.NewLocalStore(dir)
	t.Cleanup(func() { store.Close() })
	api := ltx.NewClient(ltx.Options{Provider: ltx.MustProvider("lightricks"), BaseURL: srv.URL, Key: ltx.NewKey(testKey), ImageDir: dir})
	video := &config.Video{Address: "video.a", Name: "a", Prompt: "a framed shot", Duration: 6, Resolution: "1080p",
		Output: "out/a.mp4", ImageFile: "first.png"}
	planNow := func() *plan.Plan {
		st, err := store.Load(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		m := &config.Manifest{Dir: dir, API: config.API{Provider: "lightricks", Parallelism: 1, MaxAttempts: 2}, Videos: []*config.Video{video}}
		p, diags := plan.Build(context.Background(), m, st, plan.Options{})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return p
	}
	rows, err := Apply(context.Background(), planNow(), api, store, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Status != ResultFailed {
		t.Errorf("row %+v, want failed (not uncertain)", r)
	}
	st, err := store.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if e := st.Entries["video.a"]; e != nil {
		t.Errorf("state %+v, want no entry: nothing was bought", e)
	}
	l, err := store.Charges(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 0 {
		t.Errorf("ledger %+v, want no line", l)
	}
	broken.Store(false)
	p := planNow()
	if p.Changes[0].Action != plan.ActionCreate {
		t.Fatalf("next plan: %s, want create", p.Changes[0].Action)
	}
	if rows, err := Apply(context.Background(), p, api, store, fastOptions()); err != nil || rows[0].Status != ResultCompleted {
		t.Errorf("next apply: %v %+v, want completed", err, rows)
	}
}

// dropConnection closes the connection without an answer, after the
// request was read.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

// Finding 2: ltx2api-v1's key is only assumed, and it was trusted by
// default: a create that hung was sent again until max_attempts (and apply
// waited a request timeout for each). Now the default plan does not trust
// it: one POST, cut by the request timeout, and the video is uncertain.
func TestFinding2AssumedKeyIsNotTrustedByDefault(t *testing.T) {
	var posts atomic.Int32
	f := newRelFixture(t, sim.Options{Rules: []sim.Rule{{PromptContains: "hung", Fault: sim.FaultHangAfterCommit}}}, postCounter(&posts), "a hung shot")
	p := f.plan() // no api { idempotency_key }
	if p.Settings.IdempotencyKey {
		t.Errorf("the default plan trusts %s's assumed key", p.Settings.Provider)
	}
	opts := fastOptions()
	opts.RequestTimeout = 200 * time.Millisecond
	rows, err := f.applyBounded(p, opts, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Status != ResultUncertain || posts.Load() != 1 {
		t.Errorf("row %+v after %d POSTs, want uncertain after one", r, posts.Load())
	}
}

// Finding 10: a video host answering 429 with Retry-After: 86400. Before
// the fix each try waited the 10-minute cap, 50 times; now, as for an API
// call, a wait over the cap ends the attempt and the next apply downloads.
func TestFinding10DownloadRetryAfterOverTheCapEndsTheAttempt(t *testing.T) {
	var asked atomic.Int32
	f := newRelFixture(t, sim.Options{}, onPath(http.MethodGet, "/v1/videos/", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		asked.Add(1)
		w.Header().Set("Retry-After", "86400")
		w.WriteHeader(http.StatusTooManyRequests)
	}), "a popular video")
	rows, err := f.applyBounded(f.planWith(plan.Options{}), fastOptions(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Status != ResultFailed || !strings.Contains(r.ErrorMessage, "Retry-After 24h0m0s") {
		t.Errorf("row %+v, want failed naming the Retry-After", r)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("%d download requests, want 1", n)
	}
	if e := f.entry("video.a"); e.Status != state.StatusCompleted {
		t.Errorf("state %s, want completed: the next apply downloads it", e.Status)
	}
}

// Finding 11: a download that drips a byte every few milliseconds is never
// idle, and before the fix it never ended. Now one deadline (task_timeout)
// covers the whole download.
func TestFinding11DrippingDownloadEnds(t *testing.T) {
	f := newRelFixture(t, sim.Options{}, onPath(http.MethodGet, "/v1/videos/", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Header().Set("Content-Length", "100000000")
		w.Write([]byte("\x00\x00\x00\x18ftypisom"))
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				w.Write([]byte{0})
				w.(http.Flusher).Flush()
			}
		}
	}), "a slow video")
	opts := fastOptions()
	opts.TaskTimeout = 700 * time.Millisecond
	rows, err := f.applyBounded(f.planWith(plan.Options{}), opts, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Status != ResultFailed || !strings.Contains(r.ErrorMessage, "task_timeout") {
		t.Errorf("row %+v, want failed by the download's deadline", r)
	}
	if e := f.entry("video.a"); e.Status != state.StatusCompleted {
		t.Errorf("state %s, want completed: the next apply downloads it", e.Status)
	}
}

// Finding 14: a completed task whose video URL is file:// was tried as a
// download on every apply, for ever. Now it fails the video once, naming
// the provider, the task and the request id.
func TestFinding14NonHTTPVideoURLFailsOnce(t *testing.T) {
	f := newRelFixture(t, sim.Options{}, onPath(http.MethodGet, "/v1/tasks/", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := regexp.MustCompile(`"video_url":"[^"]*"`).ReplaceAll(rec.Body.Bytes(), []byte(`"video_url":"file:///etc/passwd"`))
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(body)
	}), "a local video")
	rows, err := f.applyBounded(f.planWith(plan.Options{}), fastOptions(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r := rows[0]
	if r.Status != ResultFailed || r.ErrorCode != "BAD_VIDEO_URL" {
		t.Fatalf("row %+v, want failed with BAD_VIDEO_URL", r)
	}
	for _, want := range []string{"ltx2api-v1", r.TaskID, r.RequestID} {
		if want == "" || !strings.Contains(r.ErrorMessage, want) {
			t.Errorf("message %q does not name %q", r.ErrorMessage, want)
		}
	}
	if a := f.action(f.planWith(plan.Options{}), "video.a"); a == plan.ActionDownload {
		t.Errorf("next plan downloads it again")
	}
}

// Finding 15: a 250-character task id made the take's file name too long,
// and the replace's paid video was not saved.
func TestFinding15LongTaskIDStillKeepsTheTake(t *testing.T) {
	f := newRelFixture(t, sim.Options{}, nil, "a replaced video")
	req := plan.RequestFor(f.videos[0], ltx.MustProvider(ltx.DefaultProvider))
	path := filepath.Join(f.dir, "out", "a.mp4")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("the old take"), 0o644); err != nil {
		t.Fatal(err)
	}
	longID := "task_" + strings.Repeat("x", 245)
	sum := sha256.Sum256([]byte("the old take"))
	if err := f.store.Record(context.Background(), state.Entry{Address: "video.a", InputHash: req.Hash(), Mode: string(req.Mode()),
		Status: state.StatusDownloaded, TaskID: longID, Output: "out/a.mp4", Request: &req, SHA256: hex.EncodeToString(sum[:]), Bytes: 12, Duration: req.Duration, Resolution: req.Resolution,
		Provider: "ltx2api-v1", Endpoint: f.api.BaseURL()}); err != nil {
		t.Fatal(err)
	}
	rows, err := f.applyBounded(f.planWith(plan.Options{Replace: []string{"video.a"}, Endpoint: f.api.BaseURL()}), fastOptions(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Status != ResultCompleted {
		t.Fatalf("row %+v, want completed", r)
	}
	e := f.entry("video.a")
	if len(e.Takes) != 1 || e.Takes[0].TaskID != longID {
		t.Fatalf("takes %+v, want the old file kept under its task", e.Takes)
	}
	if got, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(e.Takes[0].Path))); err != nil || string(got) != "the old take" {
		t.Errorf("take %s: %q, %v", e.Takes[0].Path, got, err)
	}
}

// Finding 9: a replace whose new video failed to download once; the next
// apply moved the OLD file aside as a take labelled with the NEW task and
// prompt. A take carries the task and request that made that file.
func TestFinding9TakeKeepsTheTaskThatMadeIt(t *testing.T) {
	var broken atomic.Bool
	f := newRelFixture(t, sim.Options{}, onPath(http.MethodGet, "/v1/videos/", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if broken.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	}), "the first prompt")
	if rows, err := f.applyBounded(f.planWith(plan.Options{}), fastOptions(), 10*time.Second); err != nil || rows[0].Status != ResultCompleted {
		t.Fatalf("first apply: %v %+v", err, rows)
	}
	first := f.entry("video.a").TaskID
	f.videos[0].Prompt = "the second prompt"
	broken.Store(true)
	if rows, err := f.applyBounded(f.planWith(plan.Options{}), fastOptions(), 10*time.Second); err != nil || rows[0].Status != ResultFailed {
		t.Fatalf("replace: %v %+v, want its download failed", err, rows)
	}
	broken.Store(false)
	rows, err := f.applyBounded(f.planWith(plan.Options{}), fastOptions(), 10*time.Second)
	if err != nil || rows[0].Status != ResultCompleted {
		t.Fatalf("next apply: %v %+v", err, rows)
	}
	e := f.entry("video.a")
	if len(e.Takes) != 1 {
		t.Fatalf("takes %+v, want one", e.Takes)
	}
	if tk := e.Takes[0]; tk.TaskID != first || tk.Request == nil || tk.Request.Prompt != "the first prompt" {
		t.Errorf("take %+v (prompt %v), want task %s and the first prompt", tk, tk.Request, first)
	}
	if e.TaskID == first {
		t.Errorf("entry task %s, want the new task", e.TaskID)
	}
}
