package s3state

import (
	"bytes"
	"context"
	"sync"
	"time"
)

// groupTimeout bounds one object write of a group.
const groupTimeout = 60 * time.Second

// groupWriter makes lines durable as objects under one prefix (journal/ or
// ledger/), several at a time: while one object is being written, the lines
// that arrive wait and go together in the next, as the local journal's
// fsync covers the lines written meanwhile. A transition still costs at
// most one PUT of a small object, and 64 workers do not make 64 PUTs at
// once.
type groupWriter struct {
	s   *Store
	dir string

	mu    sync.Mutex
	queue []*groupLine
	busy  bool
}

type groupLine struct {
	data []byte
	done chan error
}

// write makes line durable before it returns.
func (g *groupWriter) write(ctx context.Context, line []byte) error {
	l := &groupLine{data: line, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, l)
	if g.busy {
		g.mu.Unlock()
		return <-l.done
	}
	// Lead: write groups until none is waiting.
	g.busy = true
	for len(g.queue) > 0 {
		group := g.queue
		g.queue = nil
		g.mu.Unlock()
		err := g.flush(ctx, group)
		for _, w := range group {
			w.done <- err
		}
		g.mu.Lock()
	}
	g.busy = false
	g.mu.Unlock()
	return <-l.done
}

// flush writes the lines of group, in order, as one object.
func (g *groupWriter) flush(ctx context.Context, group []*groupLine) error {
	if g.s.degraded.Load() != nil {
		return errStillDegraded // nothing may overtake what went to the pending journal
	}
	var buf bytes.Buffer
	for _, w := range group {
		buf.Write(w.data)
		buf.WriteByte('\n')
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), groupTimeout)
	defer cancel()
	seq, err := g.s.nextSeq(ctx)
	if err != nil {
		return err
	}
	return g.s.b.put(ctx, g.s.key(g.dir+seq), buf.Bytes(), putMode{})
}

// splitLines is the non-blank lines of an object a groupWriter wrote.
func splitLines(data []byte) [][]byte {
	var out [][]byte
	for _, l := range bytes.Split(data, []byte{'\n'}) {
		if len(bytes.TrimSpace(l)) > 0 {
			out = append(out, l)
		}
	}
	return out
}
