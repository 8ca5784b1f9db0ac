package command

import "github.com/ltxform/ltxform/plan"

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
			Cost: c.Cost, CostAssumed: c.CostAssumed, Unit: string(p.Totals.Unit), Output: c.Output, MovedFrom: c.MovedFrom,
		}})
		if err != nil {
			return err
		}
	}
	return nil
}
