package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Journal operations, one JSON line each in journal.jsonl.
const (
	opSet    = "set"
	opRemove = "rm"
)

type journalOp struct {
	Op      string `json:"op"`
	Entry   *Entry `json:"entry,omitempty"`
	Address string `json:"address,omitempty"`
}

// JournalError is a journal line that cannot be read and is not the last one:
// not a torn write but damage, so recovery stops rather than guess.
type JournalError struct {
	Path string
	Line int
	Err  error
}

func (e *JournalError) Error() string {
	return fmt.Sprintf("%s:%d: corrupt journal line (%v); it is not the last line, so it is not a torn write. Move the journal aside to continue from the last snapshot, at the cost of the transitions it holds", e.Path, e.Line, e.Err)
}

// parseJournal reads the operations in data. A last line that is unterminated
// or does not parse is a write torn by a crash and is dropped; validLen is the
// length of the good prefix, where the next append must start.
func parseJournal(path string, data []byte) (ops []journalOp, validLen int, err error) {
	line := 0
	for off := 0; off < len(data); {
		line++
		nl := bytes.IndexByte(data[off:], '\n')
		if nl < 0 {
			return ops, off, nil // unterminated: torn
		}
		raw := data[off : off+nl]
		next := off + nl + 1
		op, perr := decodeOp(raw)
		if perr != nil {
			if next == len(data) {
				return ops, off, nil // last line: torn
			}
			return nil, 0, &JournalError{Path: path, Line: line, Err: perr}
		}
		if op != nil {
			ops = append(ops, *op)
		}
		off = next
	}
	return ops, len(data), nil
}

// decodeOp parses one line; a blank line is no operation.
func decodeOp(raw []byte) (*journalOp, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var op journalOp
	if err := json.Unmarshal(raw, &op); err != nil {
		return nil, err
	}
	switch {
	case op.Op == opSet && op.Entry != nil && op.Entry.Address != "":
	case op.Op == opRemove && op.Address != "":
	default:
		return nil, errors.New("not a set or rm operation with an address")
	}
	return &op, nil
}

// journal appends operations durably. Concurrent appends share fsyncs (group
// commit) with a leader/follower scheme and no goroutine of its own: each
// caller writes its line under mu, then takes syncMu; whoever gets it first
// fsyncs every line written so far, and the callers behind it find their
// line already durable and return without a sync of their own.
type journal struct {
	path string

	syncMu sync.Mutex // held while fsyncing; taken before mu
	synced uint64     // lines known durable; guarded by syncMu
	fsyncs uint64     // fsyncs done by appends; guarded by syncMu (tests see the sharing)

	mu      sync.Mutex // guards the fields below
	f       *os.File   // nil until the first append
	size    int64      // bytes of good lines in f
	written uint64     // lines written to f
	err     error      // sticky: after a failed fsync nothing written can be trusted
}

// append makes one operation durable before it returns.
func (j *journal) append(op journalOp) error {
	line, err := json.Marshal(op)
	if err != nil {
		return err
	}
	line = append(line, '\n')

	j.mu.Lock()
	if err := j.openLocked(); err != nil {
		j.mu.Unlock()
		return err
	}
	if _, err := j.f.Write(line); err != nil {
		// Cut a partial line off so that later lines do not follow damage.
		_ = j.f.Truncate(j.size)
		j.mu.Unlock()
		return fmt.Errorf("append to %s: %w", j.path, err)
	}
	j.size += int64(len(line))
	j.written++
	mine := j.written
	j.mu.Unlock()

	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced >= mine {
		return nil // a leader's fsync already covered this line
	}
	j.mu.Lock()
	upTo, f, sticky := j.written, j.f, j.err
	j.mu.Unlock()
	if sticky != nil {
		return sticky
	}
	if err := f.Sync(); err != nil {
		err = fmt.Errorf("fsync %s: %w", j.path, err)
		j.mu.Lock()
		j.err = err
		j.mu.Unlock()
		return err
	}
	j.synced = upTo
	j.fsyncs++
	return nil
}

// openLocked opens the journal for appending, cutting off a torn last line
// left by a crash so that the next line starts clean.
func (j *journal) openLocked() error {
	if j.err != nil {
		return j.err
	}
	if j.f != nil {
		return nil
	}
	_, statErr := os.Stat(j.path)
	f, err := os.OpenFile(j.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, fileMode)
	if err != nil {
		return err
	}
	if errors.Is(statErr, os.ErrNotExist) {
		// A new file's name must be durable too, or a crash loses the lines.
		if err := syncDir(filepath.Dir(j.path)); err != nil {
			f.Close()
			return err
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return err
	}
	_, valid, err := parseJournal(j.path, data)
	if err != nil {
		f.Close()
		return err
	}
	if valid < len(data) {
		if err := f.Truncate(int64(valid)); err != nil {
			f.Close()
			return err
		}
	}
	j.f, j.size = f, int64(valid)
	return nil
}

// truncate empties the journal once its lines are in a durable snapshot.
// Callers hold syncMu and mu.
func (j *journal) truncateLocked() error {
	if err := j.openLocked(); err != nil {
		return err
	}
	if err := j.f.Truncate(0); err != nil {
		return err
	}
	if err := j.f.Sync(); err != nil {
		return err
	}
	j.size = 0
	j.synced = j.written // everything written is in the snapshot now
	return nil
}

// syncLocked makes every written line durable. Callers hold syncMu and mu.
func (j *journal) syncLocked() error {
	if j.err != nil {
		return j.err
	}
	if j.f == nil || j.synced == j.written {
		return nil
	}
	if err := j.f.Sync(); err != nil {
		j.err = fmt.Errorf("fsync %s: %w", j.path, err)
		return j.err
	}
	j.synced = j.written
	return nil
}

// lockAll takes both of j's locks, the sync lock first as every holder of
// both does, for a step on the whole journal (load, checkpoint, replace,
// close); the func it returns lets them go.
func (j *journal) lockAll() (unlock func()) {
	j.syncMu.Lock()
	j.mu.Lock()
	return func() {
		j.mu.Unlock()
		j.syncMu.Unlock()
	}
}

func (j *journal) close() error {
	defer j.lockAll()()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	j.err = errors.New("state store is closed")
	return err
}
