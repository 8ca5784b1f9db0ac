package executor

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
)

// degradingStore loses its database, as the pg store does, once the first
// task is recorded as created; it keeps every transition all the same.
type degradingStore struct {
	*state.LocalStore
	lost atomic.Bool
}

var errLostDatabase = errors.New("the state database was lost mid-run")

func (s *degradingStore) Record(ctx context.Context, e state.Entry) error {
	if e.Status == state.StatusCreated {
		s.lost.Store(true)
	}
	return s.LocalStore.Record(ctx, e)
}

func (s *degradingStore) Degraded() error {
	if s.lost.Load() {
		return errLostDatabase
	}
	return nil
}

// A store that lost its database stops new creates, but the task in flight
// is followed to its file, recorded as downloaded by this host.
func TestDegradedStoreStopsCreatesButFinishesTasksInFlight(t *testing.T) {
	f := newFixture(t, sim.Options{}, "one", "two", "three", "four")
	p := f.plan()
	store := &degradingStore{LocalStore: f.store}
	opts := fastOptions()
	opts.Parallelism = 1
	opts.Host = "cron-a"
	rows, err := Apply(context.Background(), p, f.api, store, opts)
	var re *RunError
	if !errors.As(err, &re) || re.Kind != "state" || !errors.Is(err, errLostDatabase) {
		t.Fatalf("Apply error = %v; want the state RunError of the lost database", err)
	}
	if c := f.sim.Counters(); c.Creates != 1 {
		t.Fatalf("%d creates; want only the one sent before the database was lost", c.Creates)
	}
	st := statuses(rows)
	if st["video.a"] != ResultCompleted {
		t.Errorf("the task in flight: %s; want completed", st["video.a"])
	}
	for _, r := range rows[1:] {
		if r.Status != ResultSkipped || !strings.Contains(r.ErrorMessage, errLostDatabase.Error()) {
			t.Errorf("%s: %s %q; want skipped for the lost database", r.Address, r.Status, r.ErrorMessage)
		}
	}
	if e := f.entry("video.a"); e == nil || e.Status != state.StatusDownloaded || e.Host != "cron-a" {
		t.Errorf("video.a in the state: %+v; want downloaded by cron-a", e)
	}
}
