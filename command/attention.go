package command

import (
	"fmt"

	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// deliveredUnlikeOrder says why a state entry holds a video delivered
// unlike its order (another duration, resolution or format than asked),
// or "" when it does not. The delivery check fills it in; until then no
// video is.
var deliveredUnlikeOrder = func(*state.Entry) string { return "" }

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
		if c.Prior == nil {
			continue
		}
		if why := deliveredUnlikeOrder(c.Prior); why != "" {
			out = append(out, decision{c.Address, fmt.Sprintf(
				"%s was delivered unlike its order (%s). Check the file, then run `ltxform apply -replace %s` to buy it again.",
				c.Address, why, c.Address)})
		}
	}
	return out
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
