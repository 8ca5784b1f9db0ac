package executor

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
)

// Reproduce (BENCHMARKS.md, "apply"):
//
//	go test ./executor -run '^$' -bench 'Throughput|Orchestration' -benchtime 1x -count 5

// BenchmarkThroughput: 1,000 videos against a simulator that allows 100
// requests/s and takes 2 s per task. The ideal is 2 requests per video
// (create, one poll) at 100/s: 20 s.
func BenchmarkThroughput(b *testing.B) {
	const n, perSecond = 1000, 100
	for b.Loop() {
		m := benchRun(b, n, sim.Options{RateLimit: perSecond, Latency: 2 * time.Second}, Options{
			Parallelism:       200,
			RequestsPerMinute: perSecond * 60,
		})
		ideal := time.Duration(2*n/perSecond) * time.Second
		b.ReportMetric(float64(m.counters.Requests)/n, "req/video")
		b.ReportMetric(100*float64(m.counters.RateLimited)/float64(m.counters.Requests), "%429")
		b.ReportMetric(m.wall.Seconds(), "wall-s")
		b.ReportMetric(m.wall.Seconds()/ideal.Seconds(), "x-ideal")
		b.ReportMetric(float64(m.maxRSS)/(1<<20), "maxRSS-MiB")
		b.ReportMetric(float64(m.counters.EarlyRequests), "early")
	}
}

// BenchmarkOrchestration: the executor's own cost per video, with a
// simulator that answers at once and does not limit the rate.
func BenchmarkOrchestration(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				m := benchRun(b, n, sim.Options{}, Options{
					Parallelism: 64,
					ScoutStart:  5 * time.Millisecond,
					PollPrior:   func(string, int) time.Duration { return 5 * time.Millisecond },
				})
				b.ReportMetric(m.wall.Seconds(), "wall-s")
				b.ReportMetric(float64(m.wall.Microseconds())/float64(n), "µs/video")
				b.ReportMetric(float64(m.counters.Requests)/float64(n), "req/video")
				b.ReportMetric(float64(m.maxRSS)/(1<<20), "maxRSS-MiB")
			}
		})
	}
}

type benchMeasure struct {
	wall     time.Duration
	counters sim.Counters
	maxRSS   int64 // bytes, of the whole test process (simulator included)
}

// benchRun applies n new videos in a fresh directory and checks that every
// one completed; only Apply is timed.
func benchRun(b *testing.B, n int, so sim.Options, opts Options) benchMeasure {
	return benchRunWith(b, n, so, opts, func(dir string) state.Store {
		store := state.NewLocalStore(dir)
		b.Cleanup(func() { store.Close() })
		return store
	})
}

// benchRunWith is benchRun on the store openStore gives for the run's
// directory (pg_bench_test.go runs it on the pg store).
func benchRunWith(b *testing.B, n int, so sim.Options, opts Options, openStore func(dir string) state.Store) benchMeasure {
	b.StopTimer()
	s := sim.New(so)
	srv := httptest.NewServer(s)
	defer srv.Close()
	dir := b.TempDir()
	store := openStore(dir)
	// As apply does: keep a connection per worker instead of Go's default
	// of two idle connections per host.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = max(opts.Parallelism, 8) + 8
	api := ltx.NewClient(ltx.Options{BaseURL: srv.URL, Key: ltx.NewKey("sk-bench"), HTTPClient: &http.Client{Transport: transport}})
	defer transport.CloseIdleConnections()
	p := &plan.Plan{Dir: dir, Changes: make([]plan.Change, n)}
	for i := range p.Changes {
		req := ltx.CreateRequest{Prompt: fmt.Sprintf("benchmark shot %d", i), Duration: 6, Resolution: "1080p"}
		p.Changes[i] = plan.Change{
			Address: fmt.Sprintf("video.shot[%d]", i), Action: plan.ActionCreate, Mode: req.Mode(),
			Request: req, InputHash: req.Hash(), Output: fmt.Sprintf("out/%d.mp4", i), Cost: 24,
		}
	}
	b.StartTimer()
	start := time.Now()
	rows, err := Apply(context.Background(), p, api, store, opts)
	wall := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range rows {
		if r.Status != ResultCompleted {
			b.Fatalf("%s: %s %s", r.Address, r.Status, r.ErrorMessage)
		}
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	b.StartTimer()
	return benchMeasure{wall: wall, counters: s.Counters(), maxRSS: ru.Maxrss * 1024}
}
