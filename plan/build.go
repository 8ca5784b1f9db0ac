package plan

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/internal/money"
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
	diags = append(diags, unknownStatuses(st)...)
	prices := PricesFor(m, provider)
	settings := settingsFor(m, provider, opts)
	settings.Storage = m.Storage
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	host := opts.Host
	if host == "" {
		host = state.Hostname()
	}
	tgt := target{settings: settings, provider: provider, retryUncertain: opts.RetryUncertain, now: now(), host: host, storage: m.Storage}
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
		if c.Action == ActionReplace && OutputMoves(&c) {
			c.Reason += fmt.Sprintf("; output %s → %s: the old file %s is kept as a take", prior.Output, c.Output, prior.Output)
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
	diags = append(diags, markReverts(p, m, st.Ledger, replace, tgt, opts.Unattended)...)
	p.Totals = totals(changes, st, settings, provider)
	p.Totals.AssumedPrices = sortedSet(assumed)
	p.Cost = Cost{Unit: settings.Unit, Total: p.Totals.Credits}
	checked := p.Totals.Credits
	if m.Budget != nil && m.Budget.WorstCase {
		checked = p.Totals.WorstCase
		p.Totals.BudgetWorstCase = true
	}
	limit, budgetDiag := checkBudget(m, budgetFlag{opts.MaxCredits, opts.MaxCostFlag}, checked, settings.Unit, p.Totals.BudgetWorstCase, settings.MaxAttempts)
	p.Totals.MaxCredits = limit
	if budgetDiag != nil {
		diags = append(diags, budgetDiag)
	}
	p.Totals.LedgerBudgets = ledgerBudgets(m.Budget, st.Ledger, settings.Unit, tgt.now)
	diags = append(diags, checkLedgerBudgets(m, p.Totals.LedgerBudgets, checked, settings.Unit)...)
	if opts.CheckImages {
		diags = append(diags, checkImagesOfPlan(ctx, m, p, opts.HTTPClient)...)
	}
	return p, diags
}

// OutputMoves tells whether a change's video now goes to another output
// than the file the state has for it: a replace then keeps that file as a
// take, and the plan shows the path change.
func OutputMoves(c *Change) bool {
	return c.Prior != nil && c.Prior.Status == state.StatusDownloaded && c.Prior.Output != "" && c.Prior.Output != c.Output
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
	t := Totals{Unit: s.Unit, MaxAttempts: max(s.MaxAttempts, 1)}
	var sum, uncertain money.Amount
	byResolution := map[string]money.Amount{}
	for i := range changes {
		c := &changes[i]
		if c.Action == ActionUncertain {
			t.Uncertain++
			uncertain += money.FromFloat(c.Credits)
			continue
		}
		countAction(&t, c.Action)
		if c.Credits > 0 {
			sum += money.FromFloat(c.Credits)
			byResolution[firstNonEmpty(provider.ResolutionName(c.Request.Resolution), c.Request.Resolution)] += money.FromFloat(c.Credits)
		}
	}
	t.Credits, t.UncertainCost = sum.Float(), uncertain.Float()
	t.WorstCase = sum.Times(t.MaxAttempts).Float()
	t.ByResolution = make(map[string]float64, len(byResolution))
	for res, a := range byResolution {
		t.ByResolution[res] = a.Float()
	}
	if len(st.Ledger) > 0 {
		spend := st.Ledger.Spend()
		t.Consumed = spend.ByUnit[string(s.Unit)]
		t.SpendByUnit = spend.ByUnit
		t.MayHaveBilled, t.MayHaveBilledTasks = spend.MayHaveBilled, spend.MayHaveBilledTasks
		return t
	}
	spent := map[string]money.Amount{}
	for _, e := range st.Entries {
		if e.Simulated || e.CreditsConsumed == 0 {
			continue
		}
		spent[string(unitOf(e))] += money.FromFloat(e.CreditsConsumed)
	}
	t.Consumed = spent[string(s.Unit)].Float()
	for unit, a := range spent {
		if t.SpendByUnit == nil {
			t.SpendByUnit = map[string]float64{}
		}
		t.SpendByUnit[unit] = a.Float()
	}
	return t
}

// countAction counts one change of action a in t.
func countAction(t *Totals, a Action) {
	switch a {
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
	case ActionFetch:
		t.Fetch++
	case ActionStore:
		t.Store++
	case ActionAltered:
		t.Altered++
	case ActionParked:
		t.Parked++
	case ActionMismatch:
		t.Mismatch++
	}
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
