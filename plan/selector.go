package plan

import (
	"fmt"
	"strings"

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
}

func newSelector(flag, where string, addrs []string) *selector {
	return &selector{flag: flag, where: where, addrs: addrs, used: make([]bool, len(addrs))}
}

func (s *selector) empty() bool { return len(s.addrs) == 0 }

// match reports whether address is selected, and remembers which entries
// matched so that a typo can be reported.
func (s *selector) match(address string) bool {
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
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("-%s %s matches no video", s.flag, a),
				Detail:   fmt.Sprintf("No video %s has the address %s. Addresses look like video.NAME or video.NAME[\"KEY\"]; \"ltxform validate\" checks the manifest and \"ltxform state list\" prints the addresses in the state.", s.where, a),
			})
		}
	}
	return diags
}
