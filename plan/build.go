package plan

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

// BuildContext diffs the manifest against the state and prices the change.
// It returns the plan even when diagnostics hold errors (over budget, an
// unreachable image), so that the caller can show what was refused. ctx
// bounds -check-images' requests.
func BuildContext(ctx context.Context, m *config.Manifest, st *state.State, opts Options) (*Plan, hcl.Diagnostics) {
	if st == nil {
		st = &state.State{}
	}
	provider, diags := ProviderOf(m)
	prices := PricesFor(m, provider)
	settings := settingsFor(m, provider, opts)
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	host := opts.Host
	if host == "" {
		host = state.Hostname()
	}
	tgt := target{settings: settings, provider: provider, retryUncertain: opts.RetryUncertain, now: now(), host: host}
	videos := withAPIDefaults(m, provider)
	// The moved blocks re-address the state before the diff.
	cur, movedFrom, moveDiags := movedState(m.Moves, st)
	diags = append(diags, moveDiags...)
	targets := newSelector("target", "in the manifest or the state", opts.Targets)
	replace := newSelector("replace", "in the manifest", opts.Replace)

	hashes := make([]string, len(videos))
	changes := make([]Change, 0, len(videos))
	var toCheck []int // indexes into changes of downloaded videos whose file must be looked at
	for i, v := range videos {
		req := requestFor(v, provider)
		hashes[i] = req.Hash()
		forced := replace.match(v.Address)
		if !targets.empty() && !targets.match(v.Address) {
			continue
		}
		c := Change{
			Address:   v.Address,
			Mode:      req.Mode(),
			Request:   req,
			InputHash: hashes[i],
			Output:    v.Output,
			Sensitive: sensitiveAttributes(v),
		}
		var prior *state.Entry
		if e := cur.Entries[v.Address]; e != nil {
			copied := *e
			prior = &copied
			c.Prior = prior
			c.MovedFrom = movedFrom[v.Address]
		}
		c.Action, c.Reason = decide(prior, &c, forced, tgt)
		if prior != nil && prior.Request != nil && prior.InputHash != c.InputHash {
			before := *prior.Request
			c.Before = &before
		}
		if c.Action == actionCheckFile {
			toCheck = append(toCheck, len(changes))
		}
		changes = append(changes, c)
	}
	toCheck = planRenames(m.Dir, changes, toCheck)
	checkOutputs(ctx, m.Dir, changes, toCheck, tgt)
	markMoves(changes)
	diags = append(diags, unknownOutputs(m.Dir, videos, changes, st)...)

	inManifest := make(map[string]bool, len(videos))
	for _, v := range videos {
		inManifest[v.Address] = true
	}
	for addr, e := range cur.Entries {
		if inManifest[addr] || (!targets.empty() && !targets.match(addr)) {
			continue
		}
		copied := *e
		changes = append(changes, Change{
			Address:   addr,
			Action:    ActionForget,
			Reason:    "gone from the manifest; the file stays",
			Mode:      ltx.Mode(e.Mode),
			InputHash: e.InputHash,
			Output:    e.Output,
			Prior:     &copied,
		})
	}
	slices.SortFunc(changes, func(a, b Change) int { return strings.Compare(a.Address, b.Address) })

	assumed := map[string]bool{}
	for i := range changes {
		c := &changes[i]
		var key string
		c.Credits, c.CostAssumed, key = costOf(c, prices)
		if c.CostAssumed && c.Action != ActionUncertain {
			assumed[key] = true
		}
	}
	diags = append(diags, targets.unmatched()...)
	diags = append(diags, replace.unmatched()...)

	p := &Plan{
		FormatVersion: FormatVersion,
		Dir:           m.Dir,
		ManifestHash:  manifestHash(m, videos, hashes),
		StateSerial:   st.Serial,
		StateLineage:  st.Lineage,
		StateDigest:   stateDigest(st),
		Settings:      settings,
		Changes:       changes,
		Options: SavedOptions{Targets: opts.Targets, Replace: opts.Replace, MaxCost: opts.MaxCredits,
			Endpoint: opts.Endpoint, Simulated: opts.Simulated, RetryUncertain: opts.RetryUncertain},
	}
	p.Totals = totals(changes, st, settings, provider)
	p.Totals.AssumedPrices = sortedSet(assumed)
	p.Cost = Cost{Unit: settings.Unit, Total: p.Totals.Credits}
	checked := p.Totals.Credits
	if m.Budget != nil && m.Budget.WorstCase {
		checked = p.Totals.WorstCase
		p.Totals.BudgetWorstCase = true
	}
	limit, budgetDiag := checkBudget(m, opts.MaxCredits, checked, settings.Unit, p.Totals.BudgetWorstCase, settings.MaxAttempts)
	p.Totals.MaxCredits = limit
	if budgetDiag != nil {
		diags = append(diags, budgetDiag)
	}
	if opts.CheckImages {
		diags = append(diags, checkImagesOfPlan(ctx, m, p, opts.HTTPClient)...)
	}
	return p, diags
}

// outputPath is where a change's file lives on disk.
func outputPath(dir, output string) string {
	return filepath.Join(dir, filepath.FromSlash(output))
}

// totals counts the actions and sums the estimates. Spend to date is the
// ledger's: every task billed from this state, retries, replaced takes and
// killed runs' tasks included, never the simulator's; a state from before
// the ledger counts its entries.
func totals(changes []Change, st *state.State, s Settings, provider *ltx.Provider) Totals {
	t := Totals{ByResolution: map[string]float64{}, Unit: s.Unit, MaxAttempts: max(s.MaxAttempts, 1)}
	for i := range changes {
		c := &changes[i]
		switch c.Action {
		case ActionCreate:
			t.Create++
		case ActionReplace:
			t.Replace++
		case ActionDownload:
			t.Download++
		case ActionResume:
			t.Resume++
		case ActionRetry:
			t.Retry++
		case ActionNoOp:
			t.NoOp++
		case ActionForget:
			t.Forget++
		case ActionElsewhere:
			t.Elsewhere++
		case ActionMove:
			t.Move++
		case ActionUncertain:
			t.Uncertain++
			t.UncertainCost += c.Credits
			continue
		case ActionAltered:
			t.Altered++
		case ActionParked:
			t.Parked++
		case ActionMismatch:
			t.Mismatch++
		}
		if c.Credits > 0 {
			t.Credits += c.Credits
			t.WorstCase += c.Credits * float64(max(s.MaxAttempts, 1))
			t.ByResolution[firstNonEmpty(provider.ResolutionName(c.Request.Resolution), c.Request.Resolution)] += c.Credits
		}
	}
	if len(st.Ledger) > 0 {
		spend := st.Ledger.Spend()
		t.Consumed = spend.ByUnit[string(s.Unit)]
		t.SpendByUnit = spend.ByUnit
		t.MayHaveBilled, t.MayHaveBilledTasks = spend.MayHaveBilled, spend.MayHaveBilledTasks
		return t
	}
	// Summed in address order: float addition in map order could change the
	// last digit between runs, and plans must be byte-identical.
	addrs := make([]string, 0, len(st.Entries))
	for addr := range st.Entries {
		addrs = append(addrs, addr)
	}
	slices.Sort(addrs)
	for _, addr := range addrs {
		e := st.Entries[addr]
		if e.Simulated || e.CreditsConsumed == 0 {
			continue
		}
		if unitOf(e) == s.Unit {
			t.Consumed += e.CreditsConsumed
		}
		if t.SpendByUnit == nil {
			t.SpendByUnit = map[string]float64{}
		}
		t.SpendByUnit[string(unitOf(e))] += e.CreditsConsumed
	}
	return t
}

// unitOf is the unit an entry's cost is in; entries from before providers
// counted credits.
func unitOf(e *state.Entry) ltx.Unit {
	if e.Unit == "" {
		return ltx.UnitCredits
	}
	return ltx.Unit(e.Unit)
}

func sortedSet(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// HasChanges reports whether applying the plan would do anything.
func (p *Plan) HasChanges() bool {
	for i := range p.Changes {
		// A move changes the state even where the video needs nothing.
		if a := p.Changes[i].Action; a != ActionNoOp && a != ActionUncertain && a != ActionAltered && a != ActionParked && a != ActionElsewhere && a != ActionMismatch || p.Changes[i].MovedFrom != "" {
			return true
		}
	}
	return false
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
