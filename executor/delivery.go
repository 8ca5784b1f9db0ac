package executor

import (
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/media"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// measure reads the file just downloaded to path and compares it with the
// order, into the entry: its media, and a mismatch when it is not what was
// ordered (the file is kept either way: it was paid for).
func (v *video) measure(path string) {
	v.entry.Media, v.entry.Mismatch = nil, nil
	if v.entry.ErrorCode == state.CodeDeliveryMismatch {
		v.entry.ErrorCode, v.entry.ErrorMessage = "", ""
	}
	p, ok := ltx.LookupProvider(firstNonEmpty(v.entry.Provider, ltx.DefaultProvider))
	if !ok {
		return
	}
	m, err := CheckDelivery(path, p.Ordered(v.ch.Request))
	if err != nil {
		// A file that passed the download's MP4 check but whose index
		// cannot be read: nothing says it is what was paid for.
		m.Mismatch = &state.Mismatch{Ordered: p.Ordered(v.ch.Request), Differences: []string{"a file whose MP4 index cannot be read (" + err.Error() + ")"}}
	}
	if m.Media.Width > 0 {
		v.entry.Media = &m.Media
	}
	if m.Mismatch != nil {
		m.Mismatch.TaskID, m.Mismatch.RequestID = v.entry.TaskID, v.entry.RequestID
		v.entry.Mismatch = m.Mismatch
		v.entry.ErrorCode, v.entry.ErrorMessage = state.CodeDeliveryMismatch, m.Mismatch.Message()
	}
}

// Delivery is what CheckDelivery found.
type Delivery struct {
	Media    media.Info
	Mismatch *state.Mismatch // nil: the file is what was ordered
}

// CheckDelivery measures the MP4 at path against order; the error says why
// its index cannot be read. import uses it as apply does.
func CheckDelivery(path string, order media.Order) (Delivery, error) {
	info, err := media.ReadFile(path)
	if err != nil {
		return Delivery{}, err
	}
	if diffs := order.Differences(info); len(diffs) > 0 {
		return Delivery{Media: info, Mismatch: &state.Mismatch{Ordered: order, Arrived: info, Differences: diffs}}, nil
	}
	return Delivery{Media: info}, nil
}

// mismatched is the row of a video whose file arrived unlike its order:
// kept, recorded, and told with its request id.
func (v *video) mismatched(m *state.Mismatch) {
	v.res.Status = ResultFailed
	v.res.ErrorCode, v.res.ErrorMessage = state.CodeDeliveryMismatch, m.Message()+"; the file is kept: ltxform accept "+v.ch.Address+" to take it as it is, or -replace "+v.ch.Address+" to order it again"
	v.res.RequestID = firstNonEmpty(m.RequestID, v.res.RequestID)
	v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, TaskID: v.entry.TaskID, RequestID: v.res.RequestID, ErrorCode: v.res.ErrorCode, Message: v.res.ErrorMessage})
}

// mismatchRow is a video still waiting for the user's word on a file that
// arrived unlike its order: nothing is sent, and the run keeps telling.
func mismatchRow(ch *plan.Change) Result {
	row := unchangedRow(ch)
	row.Status = ResultFailed
	row.ErrorCode = state.CodeDeliveryMismatch
	row.ErrorMessage = ch.Reason
	return row
}
