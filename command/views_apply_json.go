package command

import "github.com/ltxform/ltxform/plan"

// jsonPlannedChange is apply -json's line for each change it is about to
// carry out or leave for a decision, after the plan line, as Terraform's
// planned_change: a bot sees what the run does, not only its totals.
type jsonPlannedChange struct {
	jsonEnvelope
	Change jsonPlannedChangeBody `json:"change"`
}

type jsonPlannedChangeBody struct {
	Address     string  `json:"address"`
	Action      string  `json:"action"`
	Reason      string  `json:"reason,omitempty"`
	Mode        string  `json:"mode,omitempty"`
	Cost        float64 `json:"cost"`
	CostAssumed bool    `json:"cost_assumed,omitempty"`
	Unit        string  `json:"unit"`
	Output      string  `json:"output,omitempty"`
	MovedFrom   string  `json:"moved_from,omitempty"`
}

// plannedChanges writes one planned_change line per change that is not a
// no-op, in the plan's order.
func (v *applyView) plannedChanges(p *plan.Plan) error {
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Action == plan.ActionNoOp && c.MovedFrom == "" {
			continue
		}
		err := v.jsonLine(jsonPlannedChange{envelope("planned_change"), jsonPlannedChangeBody{
			Address: c.Address, Action: string(c.Action), Reason: c.Reason, Mode: string(c.Mode),
			Cost: c.Credits, CostAssumed: c.CostAssumed, Unit: string(p.Totals.Unit), Output: c.Output, MovedFrom: c.MovedFrom,
		}})
		if err != nil {
			return err
		}
	}
	return nil
}
