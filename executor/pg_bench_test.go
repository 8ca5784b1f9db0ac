package executor

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/state/pgstate"
	"github.com/ltxform/ltxform/state/pgstate/pgtest"
)

// BenchmarkOrchestrationPG is BenchmarkOrchestration with the state in
// PostgreSQL (LTXFORM_TEST_PG_CONN_STR), each run in a workspace of its own.
// Reproduce (BENCHMARKS.md, "State in PostgreSQL"):
//
//	go test ./executor -run '^$' -bench 'Orchestration' -benchtime 1x -count 5
func BenchmarkOrchestrationPG(b *testing.B) {
	conn := pgtest.ConnStr(b)
	schema := pgtest.Schema(b, conn)
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
					s, err := pgstate.NewPGStore(context.Background(), conn, schema, fmt.Sprintf("bench-%d-%d", n, run))
					if err != nil {
						b.Fatal(err)
					}
					b.Cleanup(func() { s.Close() })
					return s
				})
				b.ReportMetric(m.wall.Seconds(), "wall-s")
				b.ReportMetric(float64(m.wall.Microseconds())/float64(n), "µs/video")
				b.ReportMetric(float64(m.counters.Requests)/float64(n), "req/video")
			}
		})
	}
}
