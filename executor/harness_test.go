package executor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/internal/memnet"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
)

// fixture is one manifest directory, its state, and a simulator reached
// through the real client.
type fixture struct {
	t      *testing.T
	dir    string
	sim    *sim.Server
	api    *ltx.Client
	store  *state.LocalStore
	videos []*config.Video
	// keyTrusted plans with api { idempotency_key = true }: ltx2api-v1's
	// key is only assumed, so it is not trusted by default.
	keyTrusted bool
}

const testKey = "sk-test-executor"

func newFixture(t *testing.T, opts sim.Options, prompts ...string) *fixture {
	t.Helper()
	s := newTestSim(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close() })
	// A connection per worker, as apply keeps.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 16
	t.Cleanup(transport.CloseIdleConnections)
	return fixtureOn(t, s, srv.URL, &http.Client{Transport: transport}, prompts)
}

// newVirtualFixture is newFixture for a test inside a synctest bubble: the
// simulator is reached over in-memory connections, so that its latency, its
// Retry-After and the executor's backoff pass in virtual time, exactly as
// long as they say however busy the machine is.
func newVirtualFixture(t *testing.T, opts sim.Options, prompts ...string) *fixture {
	t.Helper()
	s := newTestSim(opts)
	srv := memnet.NewServer(s)
	t.Cleanup(srv.Close)
	return fixtureOn(t, s, memnet.BaseURL, srv.Client(), prompts)
}

func newTestSim(opts sim.Options) *sim.Server {
	if opts.Latency == 0 {
		opts.Latency = 60 * time.Millisecond
	}
	if len(opts.Keys) == 0 {
		opts.Keys = []string{testKey}
	}
	return sim.New(opts)
}

func fixtureOn(t *testing.T, s *sim.Server, baseURL string, hc *http.Client, prompts []string) *fixture {
	dir := t.TempDir()
	store := state.NewLocalStore(dir)
	t.Cleanup(func() { store.Close() })
	f := &fixture{t: t, dir: dir, sim: s, store: store,
		api: ltx.NewClient(ltx.Options{BaseURL: baseURL, Key: ltx.NewKey(testKey), HTTPClient: hc})}
	for i, p := range prompts {
		name := string(rune('a' + i))
		f.videos = append(f.videos, &config.Video{
			Address: "video." + name, Name: name, Prompt: p,
			Duration: 6, Resolution: "1080p", Output: "out/" + name + ".mp4",
		})
	}
	return f
}

// plan diffs the videos against the stored state, as `apply` does.
func (f *fixture) plan() *plan.Plan {
	f.t.Helper()
	st, err := f.store.Load(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	m := &config.Manifest{Dir: f.dir, API: config.API{RequestsPerMinute: 0, Parallelism: 4, MaxAttempts: 3}, Videos: f.videos}
	if f.keyTrusted {
		m.API.IdempotencyKey = &f.keyTrusted
	}
	p, diags := plan.Build(context.Background(), m, st, plan.Options{})
	if diags.HasErrors() {
		f.t.Fatal(diags)
	}
	return p
}

func (f *fixture) apply(ctx context.Context, p *plan.Plan, opts Options) ([]Result, error, *recorder) {
	f.t.Helper()
	rec := &recorder{}
	opts.Sink = rec
	res, err := Apply(ctx, p, f.api, f.store, opts)
	if len(res) != len(p.Changes) {
		f.t.Fatalf("%d result rows for %d changes", len(res), len(p.Changes))
	}
	return res, err, rec
}

func (f *fixture) entry(addr string) *state.Entry {
	f.t.Helper()
	st, err := f.store.Load(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return st.Entries[addr]
}

// fastOptions keep a test's run well under a second.
func fastOptions() Options {
	return Options{
		Parallelism: 4,
		MaxAttempts: 3,
		PollPrior:   func(string, int) time.Duration { return 100 * time.Millisecond },
		ScoutStart:  30 * time.Millisecond,
		PollCap:     100 * time.Millisecond,
		BackoffBase: 2 * time.Millisecond,
		BackoffCap:  20 * time.Millisecond,
	}
}

// statuses maps address → status of the rows.
func statuses(rows []Result) map[string]ResultStatus {
	m := map[string]ResultStatus{}
	for _, r := range rows {
		m[r.Address] = r.Status
	}
	return m
}

func row(t *testing.T, rows []Result, addr string) Result {
	t.Helper()
	for _, r := range rows {
		if r.Address == addr {
			return r
		}
	}
	t.Fatalf("no row for %s", addr)
	return Result{}
}

// assertDownloaded checks the file on disk against the state's checksum.
func (f *fixture) assertDownloaded(addr string) {
	f.t.Helper()
	e := f.entry(addr)
	if e == nil || e.Status != state.StatusDownloaded {
		f.t.Fatalf("%s: state %+v, want downloaded", addr, e)
	}
	path := filepath.Join(f.dir, filepath.FromSlash(e.Output))
	data, err := os.ReadFile(path)
	if err != nil {
		f.t.Fatal(err)
	}
	// The next plan trusts the sha256 while size and time are unchanged.
	if info, err := os.Stat(path); err != nil || !info.ModTime().Equal(e.OutputModTime) {
		f.t.Errorf("%s: the state records the file's time as %v, the file has %v", addr, e.OutputModTime, info.ModTime())
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != e.SHA256 || int64(len(data)) != e.Bytes || len(data) == 0 {
		f.t.Errorf("%s: file of %d bytes does not match the state's %d bytes / %s", addr, len(data), e.Bytes, e.SHA256)
	}
}

// recorder is a Sink that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) Event(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) kinds(addr string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if e.Address == addr {
			out = append(out, string(e.Kind))
		}
	}
	return out
}

func (r *recorder) count(kind EventKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func sortedKeys(m map[string]ResultStatus) []string {
	var k []string
	for a := range m {
		k = append(k, a)
	}
	sort.Strings(k)
	return k
}
