// Package s3state keeps a workspace's state in an S3 bucket (AWS S3 or an
// S3-compatible server): backend "s3" { bucket, key, workspace, region,
// endpoint, path_style }.
//
// Under KEY/WORKSPACE/ it writes
//
//	state.json           the snapshot, with the last journal object it folds
//	journal/SEQ          transitions, a JSON line each, written by Record
//	                     and Remove (those that arrive together share one)
//	ledger.json          the folded ledger lines, with the last object folded
//	ledger/SEQ           ledger lines, written by Charge (likewise)
//	runs/ID.json         the run records
//	lock.json            the lock: created with If-None-Match: *, holding
//	                     the holder's info (Terraform 1.10's use_lockfile)
//
// A transition costs at most one PUT of a small object, whatever the size
// of the state; Checkpoint folds the journal into a new snapshot and the ledger
// lines into ledger.json, then deletes what it folded. Objects at or before
// a watermark are ignored, so a crash between the fold and the delete
// changes nothing.
package s3state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ltxform/ltxform/state"
)

// Store is one workspace of a backend "s3".
type Store struct {
	b         bucket
	prefix    string // KEY/WORKSPACE/
	keyPrefix string // KEY/, under which the workspaces are
	workspace string
	host      string

	// writeMu: Records and Charges hold it shared, Checkpoint and Replace
	// exclusively, so that nothing is written while they fold.
	writeMu sync.RWMutex
	seqOnce sync.Mutex
	seqBase uint64 // first sequence number of this store; 0 until known
	seqNext atomic.Uint64
	id      string // tells this store's objects from another's of the same sequence

	journal, ledger *groupWriter

	// pendingPath is the local journal of the transitions the bucket could
	// not take mid-run ("" when the store has none); see pending.go.
	pendingPath string
	pending     *state.Journal
	degraded    atomic.Pointer[DegradedError]
}

var (
	_ state.Backend        = (*Store)(nil)
	_ state.MultiWorkspace = (*Store)(nil)
)

// snapshot is state.json.
type snapshot struct {
	*state.State
	// JournalThrough is the last journal object folded into this snapshot.
	JournalThrough string `json:"journal_through,omitempty"`
}

// ledgerDoc is ledger.json.
type ledgerDoc struct {
	Lines   []state.Charge `json:"lines"`
	Through string         `json:"through,omitempty"`
}

// New is the store of workspace under key in the bucket c reaches.
func newStore(b bucket, key, workspace string) *Store {
	key = strings.Trim(key, "/")
	keyPrefix := ""
	if key != "" {
		keyPrefix = key + "/"
	}
	s := &Store{b: b, prefix: keyPrefix + workspace + "/", keyPrefix: keyPrefix, workspace: workspace, host: state.Hostname(), id: state.NewRandomID()[:8]}
	s.journal = &groupWriter{s: s, dir: "journal/"}
	s.ledger = &groupWriter{s: s, dir: "ledger/"}
	return s
}

func (s *Store) key(name string) string { return s.prefix + name }

// Where names the workspace, bucket and key for messages.
func (s *Store) Where() string {
	return fmt.Sprintf("workspace %q in s3://%s/%s", s.workspace, s.b.name, strings.TrimSuffix(s.prefix, "/"))
}

// Workspace is the name of the store's workspace.
func (s *Store) Workspace() string { return s.workspace }

// Close releases the pending journal; the lock is released by the unlock
// function.
func (s *Store) Close() error {
	if s.pending != nil {
		return s.pending.Close()
	}
	return nil
}

// readSnapshot reads state.json; a missing one is an empty state.
func (s *Store) readSnapshot(ctx context.Context) (*snapshot, error) {
	data, _, err := s.b.get(ctx, s.key("state.json"))
	if errors.Is(err, errNotFound) {
		return &snapshot{State: state.NewState()}, nil
	}
	if err != nil {
		return nil, err
	}
	snap := &snapshot{}
	if err := json.Unmarshal(data, snap); err != nil || snap.State == nil {
		return nil, fmt.Errorf("the state of %s is corrupt: %v", s.Where(), err)
	}
	if snap.FormatVersion > state.FormatVersion {
		return nil, fmt.Errorf("the state of %s was written by a newer ltxform (format_version %d; this build reads up to %d); upgrade ltxform", s.Where(), snap.FormatVersion, state.FormatVersion)
	}
	if snap.Entries == nil {
		snap.Entries = map[string]*state.Entry{}
	}
	for addr, e := range snap.Entries {
		if e.Address == "" {
			e.Address = addr
		}
	}
	return snap, nil
}

// Load returns the snapshot with the journal objects after it folded in. A
// checkpoint that deletes what it folded while this reads makes it read
// again.
func (s *Store) Load(ctx context.Context) (*state.State, error) {
	for attempt := 0; ; attempt++ {
		snap, keys, err := s.loadSnapshotAndJournal(ctx)
		if errors.Is(err, errNotFound) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, err
		}
		_ = keys
		// What an earlier run could not write to the bucket is newer than
		// the objects: a plan without the lock (which would write it
		// back) sees it too.
		ops, err := s.readPending()
		if err != nil {
			return nil, err
		}
		for _, op := range ops {
			snap.State.Apply(op)
		}
		return snap.State, nil
	}
}

// loadSnapshotAndJournal is Load, returning the snapshot as read (with the
// journal folded in) and the journal keys it folded.
func (s *Store) loadSnapshotAndJournal(ctx context.Context) (*snapshot, []string, error) {
	snap, err := s.readSnapshot(ctx)
	if err != nil {
		return nil, nil, err
	}
	keys, err := s.keysAfter(ctx, "journal", snap.JournalThrough)
	if err != nil {
		return nil, nil, err
	}
	ops, err := readLines[state.Op](ctx, s, "journal", keys)
	if err != nil {
		return nil, nil, err
	}
	for _, op := range ops {
		snap.State.Apply(op)
	}
	return snap, keys, nil
}

// keysAfter lists the objects under dir/ (journal, ledger) written after
// watermark, the last key a fold took in; all of them without one.
func (s *Store) keysAfter(ctx context.Context, dir, watermark string) ([]string, error) {
	prefix := s.key(dir + "/")
	startAfter := ""
	if watermark != "" {
		startAfter = prefix + watermark
	}
	return s.b.list(ctx, prefix, startAfter)
}

// readLines reads the objects of keys under dir/ and decodes each of their
// lines as a T, in the order written. A key that vanished meanwhile (folded
// by a checkpoint) is errNotFound, for the caller to read again.
func readLines[T any](ctx context.Context, s *Store, dir string, keys []string) ([]T, error) {
	objs, err := s.b.getAll(ctx, keys)
	if err != nil {
		return nil, err
	}
	var out []T
	for i, data := range objs {
		for _, line := range splitLines(data) {
			var v T
			if err := json.Unmarshal(line, &v); err != nil {
				return nil, fmt.Errorf("%s object s3://%s/%s is corrupt: %v", dir, s.b.name, keys[i], err)
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// nextSeq is the name of this store's next journal or ledger object: a
// sequence number above every one written before (read once, from the
// watermarks and the objects left), then this store's id. Names sort in the
// order they were taken.
func (s *Store) nextSeq(ctx context.Context) (string, error) {
	s.seqOnce.Lock()
	if s.seqBase == 0 {
		base, err := s.highestSeq(ctx)
		if err != nil {
			s.seqOnce.Unlock()
			return "", err
		}
		s.seqBase = base + 1
		s.seqNext.Store(s.seqBase)
	}
	s.seqOnce.Unlock()
	n := s.seqNext.Add(1) - 1
	return fmt.Sprintf("%020d-%s", n, s.id), nil
}

// highestSeq is the highest sequence number in use in the workspace.
func (s *Store) highestSeq(ctx context.Context) (uint64, error) {
	var names []string
	snap, err := s.readSnapshot(ctx)
	if err != nil {
		return 0, err
	}
	names = append(names, snap.JournalThrough)
	led, err := s.readLedgerDoc(ctx)
	if err != nil {
		return 0, err
	}
	names = append(names, led.Through)
	for _, dir := range []string{"journal/", "ledger/"} {
		keys, err := s.b.list(ctx, s.key(dir), "")
		if err != nil {
			return 0, err
		}
		for _, k := range keys {
			names = append(names, strings.TrimPrefix(k, s.key(dir)))
		}
	}
	var high uint64
	for _, n := range names {
		var v uint64
		if _, err := fmt.Sscanf(n, "%020d-", &v); err == nil && v > high {
			high = v
		}
	}
	return high, nil
}

// Record writes e as one journal object before it returns.
func (s *Store) Record(ctx context.Context, e state.Entry) error {
	if e.Address == "" {
		return errors.New("state: record of an entry without an address")
	}
	return s.writeOp(ctx, state.Op{Op: state.OpSet, Entry: &e})
}

// Remove writes the removal of address as one journal object.
func (s *Store) Remove(ctx context.Context, address string) error {
	return s.writeOp(ctx, state.Op{Op: state.OpRemove, Address: address})
}

func (s *Store) writeOp(ctx context.Context, op state.Op) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := json.Marshal(op)
	if err != nil {
		return err
	}
	if s.degraded.Load() != nil {
		return s.keepLocally(ctx, op, errStillDegraded)
	}
	s.writeMu.RLock()
	err = s.journal.write(ctx, data)
	s.writeMu.RUnlock()
	if err != nil {
		return s.keepLocally(ctx, op, err)
	}
	return nil
}

// Exists tells whether anything was ever recorded in the workspace.
func (s *Store) Exists(ctx context.Context) (bool, error) {
	snap, err := s.readSnapshot(ctx)
	if err != nil {
		return false, err
	}
	if snap.Serial > 0 || len(snap.Entries) > 0 {
		return true, nil
	}
	keys, err := s.keysAfter(ctx, "journal", snap.JournalThrough)
	return len(keys) > 0, err
}

// Checkpoint folds the journal into a new snapshot (serial+1, and the
// lineage on the first) and the ledger lines into ledger.json, then deletes
// the objects folded. With nothing recorded since the last one it keeps
// the serial. The caller holds the lock.
func (s *Store) Checkpoint(ctx context.Context) error {
	if s.degraded.Load() != nil {
		return nil // the pending journal holds the rest; the next Lock writes it back
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.foldLedger(ctx); err != nil {
		return err
	}
	snap, keys, err := s.loadSnapshotAndJournal(ctx)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	snap.Serial++
	if snap.Lineage == "" {
		snap.Lineage = state.NewRandomID()
	}
	snap.FormatVersion = state.FormatVersion
	snap.JournalThrough = strings.TrimPrefix(keys[len(keys)-1], s.key("journal/"))
	if err := s.writeSnapshot(ctx, snap); err != nil {
		return err
	}
	return s.b.remove(ctx, keys)
}

func (s *Store) writeSnapshot(ctx context.Context, snap *snapshot) error {
	data, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return err
	}
	return s.b.put(ctx, s.key("state.json"), data, putMode{})
}

// Replace makes st (serial and lineage included) the whole state: the
// journal objects left are marked folded and deleted. The caller holds the
// lock.
func (s *Store) Replace(ctx context.Context, st *state.State) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, keys, err := s.loadSnapshotAndJournal(ctx)
	if err != nil {
		return err
	}
	snap := &snapshot{State: st.Clone()}
	snap.FormatVersion = state.FormatVersion
	if len(keys) > 0 {
		snap.JournalThrough = strings.TrimPrefix(keys[len(keys)-1], s.key("journal/"))
	} else if old, err := s.readSnapshot(ctx); err == nil {
		snap.JournalThrough = old.JournalThrough
	} else {
		return err
	}
	if err := s.writeSnapshot(ctx, snap); err != nil {
		return err
	}
	return s.b.remove(ctx, keys)
}

// EnsureLineage gives a new state its lineage, durably, and returns it.
// The caller holds the lock.
func (s *Store) EnsureLineage(ctx context.Context) (string, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	snap, err := s.readSnapshot(ctx)
	if err != nil {
		return "", err
	}
	if snap.Lineage != "" {
		return snap.Lineage, nil
	}
	snap.Lineage = state.NewRandomID()
	snap.FormatVersion = state.FormatVersion
	return snap.Lineage, s.writeSnapshot(ctx, snap)
}

// Charge writes c as one ledger object before it returns.
func (s *Store) Charge(ctx context.Context, c state.Charge) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	s.writeMu.RLock()
	defer s.writeMu.RUnlock()
	return s.ledger.write(ctx, data)
}

func (s *Store) readLedgerDoc(ctx context.Context) (*ledgerDoc, error) {
	data, _, err := s.b.get(ctx, s.key("ledger.json"))
	if errors.Is(err, errNotFound) {
		return &ledgerDoc{}, nil
	}
	if err != nil {
		return nil, err
	}
	var doc ledgerDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("the ledger of %s is corrupt: %v", s.Where(), err)
	}
	return &doc, nil
}

// ledgerLines is ledger.json's lines and those of the objects after it,
// in the order written, with the keys of those objects.
func (s *Store) ledgerLines(ctx context.Context) (*ledgerDoc, []string, error) {
	for attempt := 0; ; attempt++ {
		doc, err := s.readLedgerDoc(ctx)
		if err != nil {
			return nil, nil, err
		}
		keys, err := s.keysAfter(ctx, "ledger", doc.Through)
		if err != nil {
			return nil, nil, err
		}
		lines, err := readLines[state.Charge](ctx, s, "ledger", keys)
		if errors.Is(err, errNotFound) && attempt < 5 {
			continue // folded meanwhile
		}
		if err != nil {
			return nil, nil, err
		}
		doc.Lines = append(doc.Lines, lines...)
		return doc, keys, nil
	}
}

// Charges returns the workspace's ledger, folded.
func (s *Store) Charges(ctx context.Context) (state.Ledger, error) {
	doc, _, err := s.ledgerLines(ctx)
	if err != nil {
		return nil, err
	}
	return state.FoldCharges(doc.Lines), nil
}

// foldLedger moves the ledger objects into ledger.json. The caller holds
// writeMu.
func (s *Store) foldLedger(ctx context.Context) error {
	doc, keys, err := s.ledgerLines(ctx)
	if err != nil || len(keys) == 0 {
		return err
	}
	doc.Through = strings.TrimPrefix(keys[len(keys)-1], s.key("ledger/"))
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if err := s.b.put(ctx, s.key("ledger.json"), data, putMode{}); err != nil {
		return err
	}
	return s.b.remove(ctx, keys)
}

// sortRuns orders runs newest first, as the local store does.
func sortRuns(runs []*state.Run) {
	slices.SortStableFunc(runs, func(a, b *state.Run) int {
		if c := b.Started.Compare(a.Started); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
}

// since formats a lock's age for messages.
func since(t time.Time) string { return t.UTC().Format(time.RFC3339) }
