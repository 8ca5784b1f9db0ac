package executor

import (
	"fmt"
	"testing"
	"time"

	"github.com/ltxform/ltxform/internal/s3test"
	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/state/s3state"
)

// BenchmarkOrchestrationS3 is BenchmarkOrchestration with the state in an
// S3 bucket (internal/s3test's server on loopback), each run in a workspace
// of its own. Reproduce (BENCHMARKS.md, "State in S3"):
//
//	go test ./executor -run '^$' -bench 'Orchestration(S3)?/1000$' -benchtime 1x -count 5
func BenchmarkOrchestrationS3(b *testing.B) {
	srv := s3test.Start(b)
	bucket := srv.Bucket(b)
	client := srv.Client()
	for _, n := range []int{1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			run := 0
			for b.Loop() {
				run++
				m := benchRunWith(b, n, sim.Options{}, Options{
					Parallelism: 64,
					ScoutStart:  5 * time.Millisecond,
					PollPrior:   func(string, int) time.Duration { return 5 * time.Millisecond },
				}, func(string) state.Store {
					return s3state.New(client, bucket, "bench", fmt.Sprintf("bench-%d-%d", n, run))
				})
				b.ReportMetric(m.wall.Seconds(), "wall-s")
				b.ReportMetric(float64(m.wall.Microseconds())/float64(n), "µs/video")
				b.ReportMetric(float64(m.counters.Requests)/float64(n), "req/video")
			}
		})
	}
}
