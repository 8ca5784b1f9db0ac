package plan

import (
	"encoding/json"
	"fmt"
	"github.com/ltxform/ltxform/internal/money"
	"os"
	"strings"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/internal/atomicfile"
	"github.com/ltxform/ltxform/state"
)

// Save writes p to path as JSON, readable only by its owner, atomically: a
// reader sees the old file or the new one, never half of it. A plan holds no
// secret; the API key is never part of it.
func Save(path string, p *Plan) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the plan: %w", err)
	}
	data = append(data, '\n')
	if err := atomicfile.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("saving the plan to %s: %w", path, err)
	}
	return nil
}

// Load reads a plan saved by Save. It refuses a file that is not a plan and a
// plan written in a format this build does not know.
func Load(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	var head struct {
		FormatVersion json.RawMessage `json:"format_version"`
		ManifestHash  *string         `json:"manifest_hash"`
		Changes       json.RawMessage `json:"changes"`
	}
	notPlan := fmt.Errorf("%s is not an ltxform plan file; make one with \"ltxform plan -out FILE\"", path)
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, notPlan
	}
	var version string
	if err := json.Unmarshal(head.FormatVersion, &version); err != nil || head.ManifestHash == nil || head.Changes == nil {
		if len(head.FormatVersion) > 0 && version == "" {
			// state.json has a numeric format_version
			return nil, fmt.Errorf("%s is not an ltxform plan file (it looks like a state file); make one with \"ltxform plan -out FILE\"", path)
		}
		return nil, notPlan
	}
	if version != FormatVersion {
		return nil, fmt.Errorf("%s is a plan in format %s; this build of ltxform reads format %s only. Run \"ltxform plan -out FILE\" again with this build", path, version, FormatVersion)
	}
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: damaged plan file: %v", path, err)
	}
	if p.Changes == nil {
		p.Changes = []Change{}
	}
	if p.Totals.ByResolution == nil {
		p.Totals.ByResolution = map[string]float64{}
	}
	return &p, nil
}

// StaleError says why a saved plan no longer describes what apply would do.
type StaleError struct {
	Reasons []string
}

func (e *StaleError) Error() string {
	return "the saved plan is stale: " + strings.Join(e.Reasons, "; ") +
		". Run \"ltxform plan -out FILE\" again and review the new plan"
}

// CheckFresh returns a *StaleError when the manifest or the state has changed
// since p was made, and nil when p still holds.
func CheckFresh(p *Plan, m *config.Manifest, st *state.State) error {
	if st == nil {
		st = &state.State{}
	}
	var reasons []string
	if ManifestHash(m) != p.ManifestHash {
		reasons = append(reasons, "the manifest in "+m.Dir+" was edited after the plan was made, or its variables have other values now (give apply the same -var and -var-file as plan)")
	}
	switch {
	case p.StateLineage == "" && st.Lineage != "":
		reasons = append(reasons, fmt.Sprintf("the state has moved on (serial %d, the plan was made before there was any state)", st.Serial))
	case st.Lineage != p.StateLineage:
		reasons = append(reasons, fmt.Sprintf("the state was replaced (lineage %q, the plan was made against %q)", st.Lineage, p.StateLineage))
	case st.Serial != p.StateSerial:
		reasons = append(reasons, fmt.Sprintf("the state has moved on (serial %d, the plan was made at serial %d)", st.Serial, p.StateSerial))
	case p.StateDigest != "" && stateDigest(st) != p.StateDigest:
		reasons = append(reasons, "the state has changed since the plan was made (a run recorded videos after it)")
	}
	if len(reasons) > 0 {
		return &StaleError{Reasons: reasons}
	}
	return nil
}

// OptionsOf are the Options to make p again with.
func OptionsOf(p *Plan) Options {
	o := p.Options
	return Options{Targets: o.Targets, Replace: o.Replace, MaxCost: o.MaxCost,
		Endpoint: o.Endpoint, Simulated: o.Simulated, RetryUncertain: o.RetryUncertain}
}

// AlteredError says that a saved plan is not what its manifest and state
// give: the file was edited after it was made.
type AlteredError struct {
	Detail string
}

func (e *AlteredError) Error() string {
	return "the saved plan does not match what its manifest and state give (" + e.Detail +
		"): the file was altered after it was made. Nothing was sent. Run \"ltxform plan -out FILE\" again and review the new plan"
}

// CheckSame compares a saved plan with the plan made again from the same
// manifest, state and options: every change (its action, request, output
// and cost), the settings and the totals. A plan file is a promise of what
// apply will do; an edited one must not spend anything.
func CheckSame(saved, remade *Plan) error {
	if len(saved.Changes) != len(remade.Changes) {
		return &AlteredError{fmt.Sprintf("%d changes saved, %d made again", len(saved.Changes), len(remade.Changes))}
	}
	for i := range saved.Changes {
		a, b := &saved.Changes[i], &remade.Changes[i]
		switch {
		case a.Address != b.Address:
			return &AlteredError{fmt.Sprintf("change %d is %s, made again it is %s", i+1, a.Address, b.Address)}
		case a.Action != b.Action:
			return &AlteredError{fmt.Sprintf("%s: action %s, made again %s", a.Address, a.Action, b.Action)}
		case a.Request.Hash() != b.Request.Hash() || a.InputHash != b.InputHash:
			return &AlteredError{fmt.Sprintf("%s: the request differs from the manifest's", a.Address)}
		case a.Output != b.Output:
			return &AlteredError{fmt.Sprintf("%s: output %q, the manifest says %q", a.Address, a.Output, b.Output)}
		case money.FromFloat(a.Cost) != money.FromFloat(b.Cost):
			return &AlteredError{fmt.Sprintf("%s: cost %g, made again %g", a.Address, a.Cost, b.Cost)}
		}
	}
	if sumJSON(saved.Settings) != sumJSON(remade.Settings) {
		return &AlteredError{"the api settings differ"}
	}
	if money.FromFloat(saved.Totals.Cost) != money.FromFloat(remade.Totals.Cost) || money.FromFloat(saved.Totals.MaxCost) != money.FromFloat(remade.Totals.MaxCost) {
		return &AlteredError{"the totals or the budget differ"}
	}
	// The directories may differ: a saved plan applies where apply is run
	// (Plan.DirRelative), and the manifest hash and the state say whether
	// it still holds there.
	return nil
}
