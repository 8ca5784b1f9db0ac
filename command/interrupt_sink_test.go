package command

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/ltxform/ltxform/executor"
)

// recordingSink keeps what a progress view was told, in order.
type recordingSink struct {
	mu   sync.Mutex
	told []string
}

func (r *recordingSink) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.told = append(r.told, s)
}
func (r *recordingSink) Event(e executor.Event) { r.add(string(e.Kind)) }
func (r *recordingSink) Interrupted()           { r.add("interrupted") }
func (r *recordingSink) Close()                 { r.add("closed") }

// The interrupt is told once, and before the first event after it: the
// videos it left in flight are not listed above the reason they stopped.
func TestInterruptIsToldBeforeTheEventsItCauses(t *testing.T) {
	ctx, interrupt := context.WithCancel(context.Background())
	rec := &recordingSink{}
	sink := interruptFirst(ctx, rec)
	sink.Event(executor.Event{Kind: executor.EventCreated, Address: "video.a"})
	interrupt()
	sink.Event(executor.Event{Kind: executor.EventInFlight, Address: "video.a"})
	sink.Event(executor.Event{Kind: executor.EventInFlight, Address: "video.b"})
	sink.Close()
	want := []string{"created", "interrupted", "in_flight", "in_flight", "closed"}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if !slices.Equal(rec.told, want) {
		t.Errorf("the view was told %q, want %q", rec.told, want)
	}
}

// A run that ends without an interrupt never tells of one.
func TestNoInterruptNoticeAfterTheRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rec := &recordingSink{}
	sink := interruptFirst(ctx, rec)
	sink.Event(executor.Event{Kind: executor.EventDone})
	sink.Close()
	cancel() // after Close: the watch has ended
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if slices.Contains(rec.told, "interrupted") {
		t.Errorf("told of an interrupt after the run: %q", rec.told)
	}
}
