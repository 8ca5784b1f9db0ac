package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ltxform/ltxform/internal/money"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"
)

// Charge is one line of the ledger: a task the service billed (or may have
// billed) for this state. The ledger is append-only and never folded into
// the snapshot, so that replaced takes, retries, removed entries and the
// tasks of killed runs stay counted: it answers "what has this state cost?".
//
// A later line for the same task updates its cost (the final figure of a
// poll) but not the run it is credited to: the run whose create made the
// task paid for it, whichever run finished it.
type Charge struct {
	TaskID string `json:"task_id,omitempty"`
	// IdempotencyKey is the key the create was sent with. An uncertain
	// line (no task id) is settled by a later line with the same key.
	IdempotencyKey string  `json:"idempotency_key,omitempty"`
	RunID          string  `json:"run_id"`
	Address        string  `json:"address"`
	Cost           float64 `json:"cost"`
	Unit           string  `json:"unit"` // "credits" or "usd"; "" is credits
	// Estimated: the service gave no figure; Cost is the price table's.
	Estimated bool `json:"estimated,omitempty"`
	// Simulated tasks were made by apply -simulate: never spend.
	Simulated bool `json:"simulated,omitempty"`
	// Uncertain: the create was sent and its answer lost, so it may have
	// been billed. Listed apart, not in the spend.
	Uncertain bool `json:"uncertain,omitempty"`
	// KeyUnconfirmed: the create was sent with its key to a service whose
	// key is not trusted, and the answer did not say it replayed an
	// earlier create: the task does not settle an uncertain line of the
	// same key, which may have been billed as well.
	KeyUnconfirmed bool      `json:"key_unconfirmed,omitempty"`
	Provider       string    `json:"provider,omitempty"`
	Endpoint       string    `json:"endpoint,omitempty"`
	At             time.Time `json:"at"`
}

// ImportRunID is the run a charge is credited to when ltxform import adopted
// its task: bought outside any run (by hand, or from a state since lost),
// and counted so that the ledger holds every task the state's videos cost.
const ImportRunID = "import"

// UnitOrCredits is the charge's unit; lines without one counted credits.
func (c Charge) UnitOrCredits() string {
	if c.Unit == "" {
		return "credits"
	}
	return c.Unit
}

// Ledger is the folded ledger: one charge per task, in the order the tasks
// were first billed.
type Ledger []Charge

// FoldCharges turns ledger lines into one charge per task: a later line of
// a task updates its cost and flags but keeps the run that paid for it; a
// line with a task id settles an uncertain line of the same key (keeping
// its run when it says none), unless its key is unconfirmed.
func FoldCharges(lines []Charge) Ledger {
	var out Ledger
	byTask := map[string]int{}
	uncertainByKey := map[string]int{}
	dropped := map[int]bool{}
	for _, c := range lines {
		if c.TaskID == "" {
			if !c.Uncertain {
				continue
			}
			if i, ok := uncertainByKey[c.IdempotencyKey]; ok && c.IdempotencyKey != "" && !dropped[i] {
				continue // the same create, left uncertain again
			}
			uncertainByKey[c.IdempotencyKey] = len(out)
			out = append(out, c)
			continue
		}
		if i, ok := uncertainByKey[c.IdempotencyKey]; ok && c.IdempotencyKey != "" && !dropped[i] && !c.KeyUnconfirmed {
			dropped[i] = true
			if c.RunID == "" {
				c.RunID = out[i].RunID
			}
		}
		if i, ok := byTask[c.TaskID]; ok {
			prev := out[i]
			c.RunID = prev.RunID
			if c.Address == "" {
				c.Address = prev.Address
			}
			out[i] = c
			continue
		}
		byTask[c.TaskID] = len(out)
		out = append(out, c)
	}
	if len(dropped) == 0 {
		return out
	}
	kept := out[:0:0]
	for i, c := range out {
		if !dropped[i] {
			kept = append(kept, c)
		}
	}
	return kept
}

// Spend is what the ledger says was paid, per unit: billed tasks only,
// never simulated ones, uncertain ones apart.
type Spend struct {
	ByUnit map[string]float64 `json:"by_unit"`
	Tasks  int                `json:"tasks"`
	// Estimated counts the tasks whose cost is the price table's figure.
	Estimated int `json:"estimated,omitempty"`
	// MayHaveBilled are the uncertain creates, per unit at their estimate.
	MayHaveBilled      map[string]float64 `json:"may_have_billed,omitempty"`
	MayHaveBilledTasks int                `json:"may_have_billed_tasks,omitempty"`
}

// SpendOf sums the charges for which keep is true (nil: all of them),
// exactly: in micro-units, turned into figures once at the end.
func (l Ledger) SpendOf(keep func(Charge) bool) Spend {
	s := Spend{}
	spent, maybe := map[string]money.Amount{}, map[string]money.Amount{}
	for _, c := range l {
		if c.Simulated || (keep != nil && !keep(c)) {
			continue
		}
		if c.Uncertain && c.TaskID == "" {
			maybe[c.UnitOrCredits()] += money.FromFloat(c.Cost)
			s.MayHaveBilledTasks++
			continue
		}
		spent[c.UnitOrCredits()] += money.FromFloat(c.Cost)
		s.Tasks++
		if c.Estimated {
			s.Estimated++
		}
	}
	s.ByUnit = Figures(spent)
	if len(maybe) > 0 {
		s.MayHaveBilled = Figures(maybe)
	}
	return s
}

// Figures are exact sums by unit as the float figures Spend carries.
func Figures(byUnit map[string]money.Amount) map[string]float64 {
	out := make(map[string]float64, len(byUnit))
	for u, a := range byUnit {
		out[u] = a.Float()
	}
	return out
}

// Spend is the whole ledger's spend.
func (l Ledger) Spend() Spend { return l.SpendOf(nil) }

// ForRun is the charges credited to run id.
func (l Ledger) ForRun(id string) Ledger {
	var out Ledger
	for _, c := range l {
		if c.RunID == id {
			out = append(out, c)
		}
	}
	return out
}

// Units are the units that occur in s, credits first.
func (s Spend) Units() []string {
	units := make([]string, 0, len(s.ByUnit))
	for u := range s.ByUnit {
		units = append(units, u)
	}
	for u := range s.MayHaveBilled {
		if !slices.Contains(units, u) {
			units = append(units, u)
		}
	}
	sort.Strings(units)
	return units
}

// ledgerName is the local store's ledger file, beside the journal. It is
// never truncated by a checkpoint.
const ledgerName = "ledger.jsonl"

// ledgerMu serialises appends to local ledgers within the process: one line
// per billed task, so contention is low.
var ledgerMu sync.Mutex

func (s *LocalStore) ledgerPath() string { return filepath.Join(s.dir, ledgerName) }

// Charge appends c to .ltxform/ledger.jsonl and fsyncs it before it returns.
func (s *LocalStore) Charge(ctx context.Context, c Charge) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.ensureDir(); err != nil {
		return err
	}
	line, err := json.Marshal(c)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	ledgerMu.Lock()
	defer ledgerMu.Unlock()
	f, err := os.OpenFile(s.ledgerPath(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, fileMode)
	if err != nil {
		return err
	}
	// A line torn by a kill is cut off first, so that this one starts a line.
	// Only the last byte is read on the common path: an append's cost does
	// not grow with the ledger.
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && !endsWithNewline(s.ledgerPath(), fi.Size()) {
		if good, err := goodLedgerPrefix(s.ledgerPath()); err == nil && good < fi.Size() {
			if err := f.Truncate(good); err != nil {
				f.Close()
				return fmt.Errorf("repair %s: %w", s.ledgerPath(), err)
			}
		}
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("append to %s: %w", s.ledgerPath(), err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", s.ledgerPath(), err)
	}
	return f.Close()
}

func endsWithNewline(path string, size int64) bool {
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	var b [1]byte
	if _, err := f.ReadAt(b[:], size-1); err != nil {
		return true
	}
	return b[0] == '\n'
}

// goodLedgerPrefix is the length of the ledger up to its last complete line.
func goodLedgerPrefix(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return int64(bytes.LastIndexByte(data, '\n') + 1), nil
}

// Charges reads the ledger, folded. A torn last line (a kill mid-write) is
// ignored; damage elsewhere is an error naming the line.
func (s *LocalStore) Charges(ctx context.Context) (Ledger, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(s.ledgerPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return parseLedger(s.ledgerPath(), data)
}

func parseLedger(path string, data []byte) (Ledger, error) {
	var lines []Charge
	line := 0
	for off := 0; off < len(data); {
		line++
		nl := bytes.IndexByte(data[off:], '\n')
		if nl < 0 {
			break // torn
		}
		raw := data[off : off+nl]
		off += nl + 1
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		var c Charge
		if err := json.Unmarshal(raw, &c); err != nil {
			if off == len(data) {
				break // torn last line
			}
			return nil, fmt.Errorf("%s:%d: corrupt ledger line: %v", path, line, err)
		}
		lines = append(lines, c)
	}
	return FoldCharges(lines), nil
}
