package executor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/internal/s3test"
	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/videostore"
)

// Reproduce (BENCHMARKS.md, "Videos in object storage"):
//
//	go test ./executor -run '^$' -bench 'ApplyWithStorage' -benchtime 1x -count 5

// BenchmarkApplyWithStorage: an apply of 200 videos (2 s per task, 64 at
// once) with storage "s3" on a loopback server, against the same apply
// without storage, in each iteration. Target: x-without-storage ≤ 1.2.
func BenchmarkApplyWithStorage(b *testing.B) {
	const n = 200
	srv := s3test.Start(b)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		b.Setenv(k, v)
	}
	so := sim.Options{Latency: 2 * time.Second}
	// Polls at the tasks' known latency, so that the wall time is the
	// work's and not the poll schedule's.
	opts := Options{Parallelism: 64, ScoutStart: 200 * time.Millisecond, PollCap: 500 * time.Millisecond,
		PollPrior: func(string, int) time.Duration { return 2 * time.Second }}
	for b.Loop() {
		local := benchRun(b, n, so, opts)
		b.StopTimer()
		vs, err := videostore.Open(context.Background(), config.Storage{Type: "s3", Bucket: srv.Bucket(b), Prefix: "bench/", PathStyle: true})
		if err != nil {
			b.Fatal(err)
		}
		withStorage := opts
		withStorage.Storage = vs
		b.StartTimer()
		stored := benchRunWith(b, n, so, withStorage, func(dir string) state.Store {
			store := state.NewLocalStore(dir)
			b.Cleanup(func() { store.Close() })
			return store
		})
		b.ReportMetric(local.wall.Seconds(), "local-wall-s")
		b.ReportMetric(stored.wall.Seconds(), "s3-wall-s")
		b.ReportMetric(stored.wall.Seconds()/local.wall.Seconds(), "x-without-storage")
		b.ReportMetric(float64((stored.wall-local.wall).Microseconds())/n, "extra-µs/video")
	}
}
