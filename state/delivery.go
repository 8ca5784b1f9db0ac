package state

import (
	"strings"
	"time"

	"github.com/ltxform/ltxform/media"
)

// CodeDeliveryMismatch marks a downloaded video that is not what was
// ordered: another size, a shorter clip, no sound.
const CodeDeliveryMismatch = "DELIVERY_MISMATCH"

// Mismatch is how a paid, downloaded file differs from its order: what
// support needs to refund it.
type Mismatch struct {
	Ordered     media.Order `json:"ordered"`
	Arrived     media.Info  `json:"arrived"`
	Differences []string    `json:"differences"`
	TaskID      string      `json:"task_id,omitempty"`
	RequestID   string      `json:"request_id,omitempty"`
	// AcceptedAt is when the user took the file as it is (ltxform accept).
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
}

// Message is the mismatch in one sentence, for results and errors.
func (m *Mismatch) Message() string {
	arrived := "; arrived: " + m.Arrived.String()
	if m.Arrived.Width == 0 {
		arrived = "" // unreadable: the differences say so
	}
	return "delivered " + strings.Join(m.Differences, "; ") + " (ordered: " + m.Ordered.String() + arrived + ")"
}

// DeliveredUnlikeOrder: the entry's file was paid for and kept, but is not
// what was ordered, and the user has neither accepted it nor ordered it
// again. Such a video is not finished business: plan lists it and apply
// keeps telling until ltxform accept or -replace.
func (e *Entry) DeliveredUnlikeOrder() bool {
	return e != nil && e.Status == StatusDownloaded && e.Mismatch != nil && e.Mismatch.AcceptedAt.IsZero()
}
