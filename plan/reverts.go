package plan

import (
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
)

// markReverts marks each replace, caused by a request that differs from the
// state's, of a video whose create was sent by another host, from a
// manifest that hashed otherwise, after this checkout's manifest files were
// last changed: the checkout is older than the run that made the video, and
// applying would revert a teammate's change and pay for it (ping-pong
// replaces). Unattended, such a replace is refused unless -replace names
// the address (forced replaces are not marked).
func markReverts(p *Plan, m *config.Manifest, forced *selector, t target, unattended bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	edited := lastEdited(m)
	for i := range p.Changes {
		c := &p.Changes[i]
		prior := c.Prior
		if c.Action != ActionReplace || prior == nil || prior.InputHash == c.InputHash || forced.match(c.Address) ||
			prior.MadeBy == "" || prior.MadeBy == t.host || prior.ManifestHash == "" || prior.ManifestHash == p.ManifestHash {
			continue
		}
		made := firstNonZero(prior.CreatedAt, prior.UpdatedAt)
		if !made.IsZero() && !made.After(edited) {
			continue // this checkout was edited after that run: a change, not a revert
		}
		c.Reverts = fmt.Sprintf("made by %s %s from a manifest this checkout does not have", prior.MadeBy, ago(t.now, firstNonZero(prior.CreatedAt, prior.UpdatedAt)))
		asked := c.Reason
		c.Reason += "; " + c.Reverts
		if unattended {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Replace would revert another host's video",
				Detail: fmt.Sprintf("%s was %s (here: %s). An unattended apply does not replace it: update the checkout, or apply -replace %s to replace it knowingly.",
					c.Address, c.Reverts, asked, c.Address),
			})
		}
	}
	return diags
}

// lastEdited is when the newest of the manifest's files was last
// modified; zero when none can be read.
func lastEdited(m *config.Manifest) time.Time {
	var last time.Time
	for name := range m.Files {
		if fi, err := os.Stat(name); err == nil && fi.ModTime().After(last) {
			last = fi.ModTime()
		}
	}
	return last
}

// ago is a short human age: "3 min ago".
func ago(now, at time.Time) string {
	if at.IsZero() || now.IsZero() {
		return "earlier"
	}
	d := now.Sub(at)
	switch {
	case d < time.Minute:
		return "under a minute ago"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}
