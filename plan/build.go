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

// Build diffs the manifest against the state and prices the change. It
// returns the plan even when diagnostics hold errors (over budget, an
// unreachable image), so that the caller can show what was refused. ctx
// bounds the output checks and -check-images' requests.
//
// The phases run in the order a reviewer reads a plan («The data's one way»
// in ARCHITECTURE.md): diff the manifest, forget what left it, price each
// change, then gate the total on the budgets.
func Build(ctx context.Context, m *config.Manifest, st *state.State, opts Options) (*Plan, hcl.Diagnostics) {
	if st == nil {
		st = &state.State{}
	}
	b := newBuilder(m, st, opts)
	changes := b.diff(ctx)
	changes = b.forget(changes)
	assumed := b.price(changes)
	// The selectors are asked after forget, which matches them too.
	b.diags = append(b.diags, b.targets.unmatched()...)
	b.diags = append(b.diags, b.replace.unmatched()...)

	p := b.newPlan(changes)
	b.diags = append(b.diags, markReverts(p, m, st.Ledger, b.replace, b.tgt, opts.Unattended)...)
	p.Totals = totals(changes, st, b.tgt.settings, b.tgt.provider)
	p.Totals.AssumedPrices = sortedSet(assumed)
	p.Cost = Cost{Unit: b.tgt.settings.Unit, Total: p.Totals.Cost}
	b.gate(p)
	if opts.CheckImages {
		b.diags = append(b.diags, checkImagesOfPlan(ctx, m, p, opts.HTTPClient)...)
	}
	return p, b.diags
}

// builder holds what every phase of Build reads: the manifest's videos with
// the provider's defaults, the state as the moved blocks re-address it, and
// the -target and -replace selectors. Its diagnostics collect in phase order.
type builder struct {
	m         *config.Manifest
	st        *state.State
	opts      Options
	tgt       target
	prices    Prices
	videos    []*config.Video
	hashes    []string          // each video's input hash, in manifest order
	cur       *state.State      // st after the moved blocks
	movedFrom map[string]string // new address → the address the state had
	targets   *selector
	replace   *selector
	diags     hcl.Diagnostics
}

func newBuilder(m *config.Manifest, st *state.State, opts Options) *builder {
	provider, diags := ProviderOf(m)
	diags = append(diags, unknownStatuses(st)...)
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
	b := &builder{
		m: m, st: st, opts: opts,
		tgt:     target{settings: settings, provider: provider, retryUncertain: opts.RetryUncertain, now: now(), host: host, storage: m.Storage},
		prices:  PricesFor(m, provider),
		videos:  withAPIDefaults(m, provider),
		targets: newSelector("target", "in the manifest or the state", opts.Targets),
		replace: newSelector("replace", "in the manifest", opts.Replace),
	}
	// The moved blocks re-address the state before the diff.
	cur, movedFrom, moveDiags := movedState(m.Moves, st)
	b.cur, b.movedFrom, b.diags = cur, movedFrom, append(diags, moveDiags...)
	return b
}

// diff decides an action for each targeted video of the manifest, then looks
// at the files of those the state calls downloaded.
func (b *builder) diff(ctx context.Context) []Change {
	b.hashes = make([]string, len(b.videos))
	changes := make([]Change, 0, len(b.videos))
	var toCheck []int // indexes into changes of downloaded videos whose file must be looked at
	for i, v := range b.videos {
		req := requestFor(v, b.tgt.provider)
		b.hashes[i] = req.Hash()
		forced := b.replace.match(v.Address)
		if !b.targets.empty() && !b.targets.match(v.Address) {
			continue
		}
		c := b.changeOf(v, req, b.hashes[i], forced)
		if c.Action == actionCheckFile {
			toCheck = append(toCheck, len(changes))
		}
		changes = append(changes, c)
	}
	toCheck = planRenames(b.m.Dir, changes, toCheck)
	checkOutputs(ctx, b.m.Dir, changes, toCheck, b.tgt)
	markMoves(changes)
	b.diags = append(b.diags, unknownOutputs(b.m.Dir, b.videos, changes, b.st)...)
	return changes
}

// changeOf is one manifest video's change against its state entry, if any.
func (b *builder) changeOf(v *config.Video, req ltx.CreateRequest, hash string, forced bool) Change {
	c := Change{
		Address:   v.Address,
		Mode:      req.Mode(),
		Request:   req,
		InputHash: hash,
		Output:    v.Output,
		Sensitive: sensitiveAttributes(v),
	}
	var prior *state.Entry
	if e := b.cur.Entries[v.Address]; e != nil {
		copied := *e
		prior = &copied
		c.Prior = prior
		c.MovedFrom = b.movedFrom[v.Address]
	}
	c.Action, c.Reason = decide(prior, &c, forced, b.tgt)
	if prior != nil && prior.Request != nil && prior.InputHash != c.InputHash {
		before := *prior.Request
		c.Before = &before
	}
	if c.Action == ActionReplace && OutputMoves(&c) {
		c.Reason += fmt.Sprintf("; output %s → %s: the old file %s is kept as a take", prior.Output, c.Output, prior.Output)
	}
	return c
}

// forget adds a change for each targeted state entry the manifest no longer
// has, and sorts all changes by address.
func (b *builder) forget(changes []Change) []Change {
	inManifest := make(map[string]bool, len(b.videos))
	for _, v := range b.videos {
		inManifest[v.Address] = true
	}
	for addr, e := range b.cur.Entries {
		if inManifest[addr] || (!b.targets.empty() && !b.targets.match(addr)) {
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
	return changes
}

// price sets each change's cost and returns the set of assumed prices that
// decide a purchase (an uncertain video's price is only a possibility).
func (b *builder) price(changes []Change) map[string]bool {
	assumed := map[string]bool{}
	for i := range changes {
		c := &changes[i]
		var key string
		c.Cost, c.CostAssumed, key = costOf(c, b.prices)
		if c.CostAssumed && c.Action != ActionUncertain {
			assumed[key] = true
		}
	}
	return assumed
}

// newPlan is the plan of changes, with what apply needs to notice that the
// manifest or the state moved since.
func (b *builder) newPlan(changes []Change) *Plan {
	opts := b.opts
	return &Plan{
		FormatVersion: FormatVersion,
		Dir:           b.m.Dir,
		ManifestHash:  manifestHash(b.m, b.videos, b.hashes),
		StateSerial:   b.st.Serial,
		StateLineage:  b.st.Lineage,
		StateDigest:   stateDigest(b.st),
		Settings:      b.tgt.settings,
		Changes:       changes,
		Options: SavedOptions{Targets: opts.Targets, Replace: opts.Replace, MaxCost: opts.MaxCost,
			Endpoint: opts.Endpoint, Simulated: opts.Simulated, RetryUncertain: opts.RetryUncertain},
	}
}

// gate checks the plan's total (or its worst case, when the budget asks)
// against -max-cost, the manifest's budget and the ledger's budgets.
func (b *builder) gate(p *Plan) {
	m, unit := b.m, b.tgt.settings.Unit
	checked := p.Totals.Cost
	if m.Budget != nil && m.Budget.WorstCase {
		checked = p.Totals.WorstCase
		p.Totals.BudgetWorstCase = true
	}
	limit, budgetDiag := checkBudget(m, budgetFlag{b.opts.MaxCost, b.opts.MaxCostFlag}, checked, unit, p.Totals.BudgetWorstCase, b.tgt.settings.MaxAttempts)
	p.Totals.MaxCost = limit
	if budgetDiag != nil {
		b.diags = append(b.diags, budgetDiag)
	}
	p.Totals.LedgerBudgets = ledgerBudgets(m.Budget, b.st.Ledger, unit, b.tgt.now)
	b.diags = append(b.diags, checkLedgerBudgets(m, p.Totals.LedgerBudgets, checked, unit)...)
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
			uncertain += money.FromFloat(c.Cost)
			continue
		}
		countAction(&t, c.Action)
		if c.Cost > 0 {
			sum += money.FromFloat(c.Cost)
			byResolution[firstNonEmpty(provider.ResolutionName(c.Request.Resolution), c.Request.Resolution)] += money.FromFloat(c.Cost)
		}
	}
	t.Cost, t.UncertainCost = sum.Float(), uncertain.Float()
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
		if e.Simulated || e.CostConsumed == 0 {
			continue
		}
		spent[string(unitOf(e))] += money.FromFloat(e.CostConsumed)
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
