package s3state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/ltxform/ltxform/internal/procalive"
	"github.com/ltxform/ltxform/state"
)

// lockPollInterval is how often a waiting Lock tries again: S3 has no way
// to wait for an object to go.
const lockPollInterval = 250 * time.Millisecond

func (s *Store) lockKey() string { return s.key("lock.json") }

// Lock creates lock.json with If-None-Match: *, holding info (completed
// with id, pid, host and time), waiting up to timeout (0: try once). A
// lock left by a dead process of this host (its pid is gone) is taken
// over, as the local store's OS lock would be freed; a holder on another
// host is named in the *state.LockedError, for force-unlock.
func (s *Store) Lock(ctx context.Context, info state.LockInfo, timeout time.Duration) (func() error, error) {
	info = info.Completed()
	data, err := json.MarshalIndent(lockObject{LockInfo: info, PIDScope: pidScope()}, "", "  ")
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		held, err := s.tryLock(ctx, data)
		if err != nil {
			return nil, err
		}
		if held {
			break
		}
		if !time.Now().Before(deadline) {
			return nil, &state.LockedError{Path: s.Where(), Info: s.ReadLockInfo()}
		}
		t := time.NewTimer(min(lockPollInterval, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	// What an earlier run here could not write to the bucket goes in first,
	// under the lock, before anything is planned from it.
	if err := s.replayPending(ctx); err != nil {
		_ = s.release(info.ID)
		return nil, err
	}
	var once sync.Once
	var unlockErr error
	return func() error {
		once.Do(func() { unlockErr = s.release(info.ID) })
		return unlockErr
	}, nil
}

// tryLock creates the lock object, or takes over one a dead process of
// this host left; false when someone else holds it.
func (s *Store) tryLock(ctx context.Context, data []byte) (bool, error) {
	err := s.b.put(ctx, s.lockKey(), data, putMode{ifNoneMatch: true})
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, errPrecondition) {
		return false, err
	}
	cur, etag, err := s.readLockObject(ctx)
	if errors.Is(err, errNotFound) {
		return false, nil // released meanwhile: the next try takes it
	}
	if err != nil || !holderGone(cur) {
		return false, err
	}
	// Only one of several waiters replaces this version of the object.
	err = s.b.put(ctx, s.lockKey(), data, putMode{ifMatch: etag})
	if errors.Is(err, errPrecondition) || errors.Is(err, errNotFound) {
		return false, nil
	}
	return err == nil, err
}

// lockObject is lock.json: the holder's info, and where its pid means
// something.
type lockObject struct {
	state.LockInfo
	// PIDScope names the machine boot and PID namespace the pid belongs
	// to: two containers that share LTXFORM_HOST must not take each
	// other's locks for dead.
	PIDScope string `json:"pid_scope,omitempty"`
}

// holderGone: the holder ran in this machine's boot and PID namespace, and
// its process is gone.
func holderGone(lock *lockObject) bool {
	if lock == nil || lock.PIDScope == "" || lock.PIDScope != pidScope() || lock.PID == os.Getpid() {
		return false
	}
	alive, known := procalive.Alive(lock.PID)
	return known && !alive
}

func (s *Store) readLockObject(ctx context.Context) (*lockObject, string, error) {
	data, etag, err := s.b.get(ctx, s.lockKey())
	if err != nil {
		return nil, "", err
	}
	var lock lockObject
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, etag, nil // unreadable: a holder all the same
	}
	return &lock, etag, nil
}

func (s *Store) readLock(ctx context.Context) (*state.LockInfo, string, error) {
	lock, etag, err := s.readLockObject(ctx)
	if lock == nil {
		return nil, etag, err
	}
	return &lock.LockInfo, etag, err
}

// release deletes the lock object if holder id still owns it.
func (s *Store) release(id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cur, _, err := s.readLock(ctx)
	if errors.Is(err, errNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("releasing the lock of %s: %w", s.Where(), err)
	}
	if cur == nil || cur.ID != id {
		return nil // force-unlocked and taken by another since
	}
	if err := s.b.removeOne(ctx, s.lockKey()); err != nil {
		return fmt.Errorf("releasing the lock of %s: %w", s.Where(), err)
	}
	return nil
}

// ReadLockInfo returns who holds the lock; nil when nobody does (or the
// bucket cannot be read).
func (s *Store) ReadLockInfo() *state.LockInfo {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, _, err := s.readLock(ctx)
	if err != nil {
		return nil
	}
	return info
}

// ForceUnlock deletes the lock object of the holder with lock ID id. A
// holder on this host whose process still runs keeps it; one on another
// host cannot be asked, so the caller's word (force-unlock's confirmation)
// decides, as with Terraform's S3 lock.
func (s *Store) ForceUnlock(id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	info, _, err := s.readLock(ctx)
	if errors.Is(err, errNotFound) {
		return fmt.Errorf("the state is not locked: there is no lock info for %s", s.Where())
	}
	if err != nil {
		return err
	}
	if info == nil {
		return fmt.Errorf("the lock object of %s cannot be read; delete s3://%s/%s by hand once its holder is gone", s.Where(), s.b.name, s.lockKey())
	}
	if info.ID != id {
		return fmt.Errorf("lock ID %q does not match the lock held by %s (lock ID %s, pid %d on %s); nothing was unlocked", id, info.Operation, info.ID, info.PID, info.Host)
	}
	if info.Host == state.Hostname() {
		if alive, known := procalive.Alive(info.PID); alive || !known || info.PID == os.Getpid() {
			return fmt.Errorf("the holder of lock %s (%s, pid %d on %s, since %s) is still running and holds the lock; stop it instead of unlocking",
				info.ID, info.Operation, info.PID, info.Host, since(info.Created))
		}
	}
	return s.b.removeOne(ctx, s.lockKey())
}
