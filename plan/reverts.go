package plan

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

// markReverts marks each replace, caused by a request that differs from the
// state's, of a video whose create was sent by another host, from a
// manifest that hashed otherwise, when the checkout asks for what an
// earlier take was made from or its manifest files were last changed before
// that run: the checkout is older than the run that made the video, and
// applying would revert a teammate's change and pay for it (ping-pong
// replaces). Unattended, such a replace is refused unless -replace names
// the address (forced replaces are not marked).
func markReverts(p *Plan, m *config.Manifest, ledger state.Ledger, forced *selector, t target, unattended bool) hcl.Diagnostics {
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
		// Asking again for a request this state already bought for the
		// video (or an earlier take was made from) is a revert whatever the
		// files' times say: a fresh clone of an older commit has new files.
		// Otherwise a checkout edited after that run made a change.
		boughtBefore := asksForATake(prior, c.InputHash) || boughtFor(ledger, p.StateLineage, c.Address, c.InputHash)
		if !boughtBefore && !made.IsZero() && !made.After(edited) {
			continue
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

// asksForATake tells whether hash is the request one of the entry's
// earlier takes was made from: the video is being taken back.
func asksForATake(e *state.Entry, hash string) bool {
	for _, t := range e.Takes {
		if t.Request != nil && t.Request.Hash() == hash {
			return true
		}
	}
	return false
}

// boughtFor tells whether the ledger holds a create sent for address with
// the request of hash: its Idempotency-Key, whatever the generation, is
// derived from both (ltx.IdempotencyKey).
func boughtFor(ledger state.Ledger, lineage, address, hash string) bool {
	key := ltx.IdempotencyKey(lineage, address, hash, 0)
	prefix := key[:strings.LastIndex(key, "-")+1]
	for _, c := range ledger {
		if c.Address == address && strings.HasPrefix(c.IdempotencyKey, prefix) {
			return true
		}
	}
	return false
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
