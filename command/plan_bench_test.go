package command

import (
	"context"
	"io"
	"os"
	"testing"
)

// BenchmarkPlanCommand1k runs the whole plan command in-process on the
// manifest of bench/plan-vs-terraform.sh (1,000 creates): set
// LTXFORM_PLAN_BENCH_DIR to the directory written by
// `bench/plan-vs-terraform.sh -gen DIR -n 1000`, i.e. DIR/ltxform.
func BenchmarkPlanCommand1k(b *testing.B) {
	dir := os.Getenv("LTXFORM_PLAN_BENCH_DIR")
	if dir == "" {
		b.Skip("LTXFORM_PLAN_BENCH_DIR is not set (see the comment)")
	}
	env := &Env{Stdin: eofReader{}, Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }, Environ: os.Environ}
	b.ReportAllocs()
	for b.Loop() {
		if err := Run(context.Background(), env, []string{"-chdir=" + dir, "plan"}); err != nil {
			b.Fatal(err)
		}
	}
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
