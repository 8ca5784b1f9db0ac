package executor

// Regression tests for issue 18 ("Money safety, third pass"), named by the
// finding's number. Each was run against the code before its fix and failed.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
			if r := rows[0]; r.Status != ResultUncertain || r.CreditsConsumed != 0 {
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
		p, diags := plan.BuildContext(context.Background(), m, st, plan.Options{})
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
