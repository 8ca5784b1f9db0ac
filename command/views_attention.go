package command

import (
	"fmt"
	"strings"

	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// decision is a video that waits on someone: it keeps every apply exiting
// 4 and plan -detailed-exitcode exiting 2 until it is settled, so that a
// nightly job does not go quiet after the first night.
type decision struct {
	Address string
	// Line says what is wrong and what to do.
	Line string
}

// awaitingDecision lists the plan's videos that wait on a decision: the
// uncertain ones (maybe paid, not delivered) and those delivered unlike
// their order. Parked refusals are not among them: they wait on a change
// of the manifest, and plan lists them.
func awaitingDecision(p *plan.Plan) []decision {
	var out []decision
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Action == plan.ActionUncertain {
			out = append(out, decision{c.Address, fmt.Sprintf(
				"%s is uncertain: its create may have been bought and no video was delivered. Check the service, then run `ltxform apply -retry-uncertain` (or -replace %s) to buy it knowingly.",
				c.Address, c.Address)})
			continue
		}
		if c.Action == plan.ActionMismatch {
			out = append(out, decision{c.Address, fmt.Sprintf(
				"%s was delivered unlike its order (%s). Check the file, then run `ltxform accept %s` to keep it as it is, or `ltxform apply -replace %s` to order it again (the file is kept as a take).",
				c.Address, mismatchWhy(c.Prior), c.Address, c.Address)})
		}
	}
	return out
}

// mismatchWhy is what differs from the order, with the request id that
// support needs.
func mismatchWhy(e *state.Entry) string {
	if e == nil || e.Mismatch == nil {
		return "see ltxform state show"
	}
	why := strings.Join(e.Mismatch.Differences, "; ")
	if e.Mismatch.RequestID != "" {
		why += ", request_id " + e.Mismatch.RequestID
	}
	return why
}

// tellDecisions prints what each waiting video needs, and that apply exits
// 4 until then: on stdout, or as warning lines under -json.
func (v *view) tellDecisions(ds []decision, exit int) {
	for _, d := range ds {
		if v.json {
			v.Warn(d.Line)
			continue
		}
		v.println(v.out().yellow("Decision needed: ") + d.Line)
	}
	if len(ds) > 0 && !v.json {
		v.println(fmt.Sprintf("Exit %d until %s settled.", exit, map[bool]string{true: "it is", false: "they are"}[len(ds) == 1]))
	}
}
