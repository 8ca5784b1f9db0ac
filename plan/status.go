package plan

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/state"
)

// knownStatuses are the entry statuses this build knows how to continue.
var knownStatuses = map[state.Status]bool{
	state.StatusPending: true, state.StatusCreated: true, state.StatusCompleted: true,
	state.StatusDownloaded: true, state.StatusFailed: true,
}

// unknownStatuses stops a plan over a state whose entries carry a status
// this build does not know (a newer ltxform wrote it): guessing what such
// an entry means could buy its video again (issue 18, finding 6).
func unknownStatuses(st *state.State) hcl.Diagnostics {
	var addrs []string
	for addr, e := range st.Entries {
		if e != nil && !knownStatuses[e.Status] {
			addrs = append(addrs, addr)
		}
	}
	sort.Strings(addrs)
	var diags hcl.Diagnostics
	for _, addr := range addrs {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "State entry this ltxform does not understand",
			Detail: fmt.Sprintf("%s has status %q in the state, which this build of ltxform does not know: a newer version probably wrote it. "+
				"Upgrade ltxform and plan again; nothing is bought until then.", addr, st.Entries[addr].Status),
		})
	}
	return diags
}
