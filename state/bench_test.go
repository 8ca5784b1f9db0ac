package state

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkRecord shows that one transition costs the same whatever the size
// of the state: a journal append and an fsync, never a snapshot rewrite.
func BenchmarkRecord(b *testing.B) {
	for _, size := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("state=%d", size), func(b *testing.B) {
			ctx := context.Background()
			dir := b.TempDir()
			s := NewLocalStore(dir)
			defer s.Close()
			st := NewState()
			for i := range size {
				e := entry(fmt.Sprintf(`video.shot["%d"]`, i), StatusDownloaded)
				st.Entries[e.Address] = &e
			}
			data, err := encodeSnapshot(st)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.ensureDir(); err != nil {
				b.Fatal(err)
			}
			if err := writeFileAtomic(s.SnapshotPath(), data); err != nil {
				b.Fatal(err)
			}
			if got, err := s.Load(ctx); err != nil || len(got.Entries) != size {
				b.Fatalf("setup: %v", err)
			}
			e := entry(`video.shot["0"]`, StatusCreated)
			for b.Loop() {
				if err := s.Record(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecordParallel shows workers sharing fsyncs (group commit).
func BenchmarkRecordParallel(b *testing.B) {
	ctx := context.Background()
	s := NewLocalStore(b.TempDir())
	defer s.Close()
	e := entry(`video.shot["0"]`, StatusCreated)
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.Record(ctx, e); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
