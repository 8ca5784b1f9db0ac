package command

import (
	"context"
	"sync"

	"github.com/ltxform/ltxform/executor"
)

// interruptFirstSink tells of the interrupt once, and before any event the
// interrupt caused: context.AfterFunc runs the notice on a goroutine of its
// own, which the executor's "in flight" and "skipped" events would
// otherwise overtake, listing videos before the reason they stopped.
type interruptFirstSink struct {
	progressSink
	ctx  context.Context
	once sync.Once
	stop func() bool
}

// interruptFirst wraps s for a run under ctx; Close ends the watch.
func interruptFirst(ctx context.Context, s progressSink) *interruptFirstSink {
	f := &interruptFirstSink{progressSink: s, ctx: ctx}
	f.stop = context.AfterFunc(ctx, f.Interrupted)
	return f
}

func (f *interruptFirstSink) Interrupted() { f.once.Do(f.progressSink.Interrupted) }

func (f *interruptFirstSink) Event(e executor.Event) {
	if f.ctx.Err() != nil {
		f.Interrupted() // waits for the notice if another goroutine gives it
	}
	f.progressSink.Event(e)
}

func (f *interruptFirstSink) Close() {
	f.stop()
	f.progressSink.Close()
}
