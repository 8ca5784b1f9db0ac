package state

import (
	"context"
	"fmt"
)

// Moved is what Copy carried.
type Moved struct {
	Serial  uint64
	Videos  int
	Runs    int
	Charges int // ledger lines the target did not hold yet
}

// Copy makes src's state the whole state of dst and carries its ledger and
// every run record: state push and state pull, between any two backends.
// The ledger goes first and is merged, never replaced: what dst already
// records as billed stays billed, and a charge dst already holds is not
// written twice, so a copy run again changes nothing. The caller holds both
// locks. A run record that cannot be read does not stop the others; it is
// named in the error returned after the copy (runsErr).
func Copy(ctx context.Context, src, dst Backend) (m Moved, runsErr error, err error) {
	st, err := src.Load(ctx)
	if err != nil {
		return m, nil, err
	}
	runs, runsErr := src.ListRuns(ctx)
	if runs == nil && runsErr != nil {
		return m, nil, runsErr
	}
	if m.Charges, err = mergeLedger(ctx, src, dst); err != nil {
		return m, nil, fmt.Errorf("copying the ledger: %w", err)
	}
	if err := dst.Replace(ctx, st); err != nil {
		return m, nil, err
	}
	m.Serial, m.Videos = st.Serial, len(st.Entries)
	for _, r := range runs {
		if err := dst.SaveRun(ctx, r); err != nil {
			return m, nil, fmt.Errorf("the state was copied, but not every run record: %w", err)
		}
		m.Runs++
	}
	return m, runsErr, nil
}

// mergeLedger appends to dst each charge of src's ledger that dst does not
// hold as it is.
func mergeLedger(ctx context.Context, src, dst Backend) (int, error) {
	from, err := src.Charges(ctx)
	if err != nil {
		return 0, err
	}
	to, err := dst.Charges(ctx)
	if err != nil {
		return 0, err
	}
	held := make(map[string]Charge, len(to))
	for _, c := range to {
		held[chargeKey(c)] = c
	}
	n := 0
	for _, c := range from {
		if h, ok := held[chargeKey(c)]; ok && sameCharge(h, c) {
			continue
		}
		if err := dst.Charge(ctx, c); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// chargeKey names the task a folded charge stands for.
func chargeKey(c Charge) string {
	if c.TaskID != "" {
		return "task " + c.TaskID
	}
	return "key " + c.IdempotencyKey + " " + c.RunID + " " + c.Address
}

func sameCharge(a, b Charge) bool {
	return a.RunID == b.RunID && a.Cost == b.Cost && a.UnitOrCredits() == b.UnitOrCredits() &&
		a.Estimated == b.Estimated && a.Uncertain == b.Uncertain && a.Simulated == b.Simulated && a.At.Equal(b.At)
}
