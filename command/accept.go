package command

import (
	"context"
	"fmt"
	"time"

	"github.com/ltxform/ltxform/state"
)

// acceptArgs are accept's arguments.
type acceptArgs struct {
	Common  commonArgs
	Address string
	Dir     string
	Lock    lockArgs
}

func parseAccept(args []string) (acceptArgs, error) {
	var a acceptArgs
	fs := newFlagSet("accept", "[-lock=false] [-lock-timeout D] [-workspace NAME] ADDR [DIR]", &a.Common)
	addLockFlags(fs, &a.Lock)
	if err := fs.parse(args); err != nil {
		return a, err
	}
	if err := flagsAfterArgs(fs, 1); err != nil {
		return a, err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		return a, &UsageError{Msg: "accept takes one address and an optional directory, e.g. accept video.hero"}
	}
	a.Address = state.NormalizeAddress(fs.Arg(0))
	if !addressPattern.MatchString(a.Address) {
		return a, &UsageError{Msg: fmt.Sprintf("accept: %q is not a video address (video.NAME or video.NAME[KEY])", a.Address)}
	}
	if !a.Lock.Enabled {
		return a, &UsageError{Msg: "accept writes the state, so it always takes the lock"}
	}
	a.Dir = dirOrCurrent(fs.Arg(1))
	return a, nil
}

// runAccept takes a video that arrived unlike its order as it is: the
// state records when, and plan stops listing it. Nothing is sent.
func runAccept(ctx context.Context, env *Env, args []string) error {
	a, err := parseAccept(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	v := newView(env, false)
	store, st, unlock, err := lockedState(ctx, env, v, a.Dir, a.Lock, "accept")
	if err != nil {
		return err
	}
	defer unlock()
	e := st.Get(a.Address)
	switch {
	case e == nil:
		return missingEntry(st, a.Address, "")
	case !e.DeliveredUnlikeOrder():
		return fmt.Errorf("%s has no delivery to accept: only a downloaded video that arrived unlike its order (DELIVERY_MISMATCH) is accepted", a.Address)
	}
	accepted := *e
	m := *e.Mismatch
	m.AcceptedAt = time.Now().UTC()
	accepted.Mismatch = &m
	accepted.ErrorCode, accepted.ErrorMessage = "", ""
	if err := store.Record(ctx, accepted); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if err := store.Checkpoint(ctx); err != nil {
		return err
	}
	if err := unlock(); err != nil {
		return err
	}
	v.accepted(a.Address, m.Arrived, m.RequestID)
	return nil
}
