package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ltxform/ltxform/ltx"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// lockPollInterval is how often a waiting Lock retries. It waits on another
// process, so a poll is the only way to notice the lock coming free.
const lockPollInterval = 100 * time.Millisecond

// LockedError is a lock held by someone else when the wait ran out.
type LockedError struct {
	Path string    // the lock file
	Info *LockInfo // nil when the holder left no readable lock info
}

func (e *LockedError) Error() string {
	if e.Info == nil {
		return fmt.Sprintf("the state is locked (%s) by another process that left no lock info; wait for it to finish", e.Path)
	}
	i := e.Info.Printable()
	return fmt.Sprintf("the state is locked by %s (lock ID %s, pid %d on %s, since %s); wait for it to finish, or use -lock-timeout to wait longer. If that process is gone, run: ltxform force-unlock %s",
		i.Operation, i.ID, i.PID, i.Host, i.Created.UTC().Format(time.RFC3339), i.ID)
}

// Printable is the lock info with the text another process wrote (its
// host, id, operation) made safe to print, as server strings are.
func (info LockInfo) Printable() LockInfo {
	info.ID, info.Host, info.Operation = ltx.CleanText(info.ID), ltx.CleanText(info.Host), ltx.CleanText(info.Operation)
	return info
}

// NewLockInfo describes this process about to hold the lock for operation.
func NewLockInfo(operation string) LockInfo {
	host := Hostname()
	return LockInfo{
		ID:        newRandomID(),
		PID:       os.Getpid(),
		Host:      host,
		Operation: operation,
		Created:   time.Now().UTC().Truncate(time.Second),
	}
}

// completed is info with this process's id, pid, host and time where they
// are empty: what every store writes as its lock's holder.
func (info LockInfo) completed() LockInfo {
	def := NewLockInfo(info.Operation)
	if info.ID == "" {
		info.ID = def.ID
	}
	if info.PID == 0 {
		info.PID = def.PID
	}
	if info.Host == "" {
		info.Host = def.Host
	}
	if info.Created.IsZero() {
		info.Created = def.Created
	}
	return info
}

// locker is the OS lock on .ltxform/lock plus the lock.info file beside it.
// flock locks belong to an open file description, so two stores in one
// process contend exactly as two processes do.
type locker struct {
	dir string
}

func (l *locker) lockPath() string { return filepath.Join(l.dir, lockName) }
func (l *locker) infoPath() string { return filepath.Join(l.dir, lockInfoName) }

// Lock takes the exclusive lock, waiting up to timeout (0: try once), and
// writes info (completed with id, pid, host and time where empty).
func (s *LocalStore) Lock(ctx context.Context, info LockInfo, timeout time.Duration) (func() error, error) {
	return s.locker.lock(ctx, info, timeout)
}

func (l *locker) lock(ctx context.Context, info LockInfo, timeout time.Duration) (func() error, error) {
	if err := os.MkdirAll(l.dir, dirMode); err != nil {
		return nil, err
	}
	info = info.completed()

	fl := flock.New(l.lockPath(), flock.SetPermissions(fileMode))
	got, err := fl.TryLock()
	if err == nil && !got && timeout > 0 {
		wctx, cancel := context.WithTimeout(ctx, timeout)
		got, err = fl.TryLockContext(wctx, lockPollInterval)
		cancel()
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			err = nil // our timeout, not the caller's cancellation
		}
	}
	if err != nil {
		_ = fl.Close()
		return nil, fmt.Errorf("lock %s: %w", l.lockPath(), err)
	}
	if !got {
		_ = fl.Close()
		return nil, &LockedError{Path: l.lockPath(), Info: l.readInfo()}
	}
	if err := writeLockInfo(l.infoPath(), info); err != nil {
		_ = fl.Unlock()
		return nil, err
	}
	var once sync.Once
	var unlockErr error
	unlock := func() error {
		once.Do(func() {
			// Remove the info first: once the OS lock is free, a new holder
			// may write its own, which must not be deleted.
			if cur := l.readInfo(); cur != nil && cur.ID == info.ID {
				if err := os.Remove(l.infoPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
					unlockErr = err
				}
			}
			if err := fl.Unlock(); err != nil && unlockErr == nil {
				unlockErr = err
			}
		})
		return unlockErr
	}
	return unlock, nil
}

// ReadLockInfo returns who holds, or last held, the lock; nil if nobody
// left lock info.
func (s *LocalStore) ReadLockInfo() *LockInfo { return s.locker.readInfo() }

func (l *locker) readInfo() *LockInfo {
	data, err := os.ReadFile(l.infoPath())
	if err != nil {
		return nil
	}
	var info LockInfo
	if json.Unmarshal(data, &info) != nil {
		return nil
	}
	return &info
}

func writeLockInfo(path string, info LockInfo) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// ForceUnlock removes the lock info left by the holder with lock ID id, once
// that holder is gone. The OS lock of a dead process is already free; a
// holder that still holds it is alive, and the lock is not taken from it.
func (s *LocalStore) ForceUnlock(id string) error {
	l := &s.locker
	info := l.readInfo()
	if info == nil {
		return fmt.Errorf("the state is not locked: there is no lock info in %s", l.dir)
	}
	if info.ID != id {
		return fmt.Errorf("lock ID %q does not match the lock held by %s (lock ID %s, pid %d on %s); nothing was unlocked", id, info.Printable().Operation, info.Printable().ID, info.PID, info.Printable().Host)
	}
	fl := flock.New(l.lockPath(), flock.SetPermissions(fileMode))
	got, err := fl.TryLock()
	if err != nil {
		_ = fl.Close()
		return fmt.Errorf("lock %s: %w", l.lockPath(), err)
	}
	if !got {
		_ = fl.Close()
		return fmt.Errorf("the holder of lock %s (%s, pid %d on %s, since %s) is still running and holds the lock; stop it instead of unlocking",
			info.ID, info.Operation, info.PID, info.Host, info.Created.UTC().Format(time.RFC3339))
	}
	defer fl.Close()
	if err := os.Remove(l.infoPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return syncDir(l.dir)
}
