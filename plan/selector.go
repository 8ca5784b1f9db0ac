package plan

import (
	"fmt"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
)

// selector is a list of addresses from -target or -replace. A bare block
// address ("video.shot") also selects its instances ("video.shot[\"a\"]"),
// as in Terraform.
type selector struct {
	flag  string
	where string // where the addresses are looked for, for the error
	addrs []string
	used  []bool
	seen  map[string]bool // every address offered to match, for "Did you mean"
}

func newSelector(flag, where string, addrs []string) *selector {
	return &selector{flag: flag, where: where, addrs: addrs, used: make([]bool, len(addrs)), seen: map[string]bool{}}
}

func (s *selector) empty() bool { return len(s.addrs) == 0 }

// match reports whether address is selected, and remembers which entries
// matched so that a typo can be reported.
func (s *selector) match(address string) bool {
	s.seen[address] = true
	hit := false
	for i, a := range s.addrs {
		if address == a || (strings.HasPrefix(address, a) && strings.HasPrefix(address[len(a):], "[")) {
			s.used[i] = true
			hit = true
		}
	}
	return hit
}

// unmatched reports every address that selected nothing: a mistyped
// -target would otherwise plan nothing and look like success.
func (s *selector) unmatched() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i, a := range s.addrs {
		if !s.used[i] {
			hint := ""
			if near := s.nearest(a); near != "" {
				hint = fmt.Sprintf("Did you mean %s? ", near)
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("-%s %s matches no video", s.flag, a),
				Detail:   fmt.Sprintf("%sNo video %s has the address %s. Addresses look like video.NAME or video.NAME[\"KEY\"]; \"ltxform validate\" checks the manifest and \"ltxform state list\" prints the addresses in the state.", hint, s.where, a),
			})
		}
	}
	return diags
}

// nearest is the known address (or block address) closest to a mistyped
// one, within three edits and fewer edits than the name has letters; ""
// when none is that close.
func (s *selector) nearest(typed string) string {
	candidates := map[string]bool{}
	for a := range s.seen {
		candidates[a] = true
		if block, _, ok := strings.Cut(a, "["); ok {
			candidates[block] = true
		}
	}
	best, bestDist := "", min(4, len(strings.TrimPrefix(typed, "video.")))
	for c := range candidates {
		d := levenshtein.Distance(typed, c, nil)
		if d < bestDist || d == bestDist && best != "" && c < best {
			best, bestDist = c, d
		}
	}
	return best
}
