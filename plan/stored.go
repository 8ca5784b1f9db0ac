package plan

import (
	"fmt"

	"github.com/ltxform/ltxform/state"
)

// StorageKey is where a change's file lives in storage: prefix + output.
func StorageKey(s *Settings, output string) string {
	if s.Storage == nil {
		return ""
	}
	return s.Storage.Prefix + output
}

// storedAsPlanned: storage holds the entry's current file where this plan
// keeps it (same bucket, same key), so a host without it fetches it.
func storedAsPlanned(c *Change, t target) bool {
	p, st := c.Prior, t.storage
	return st != nil && p.Stored != nil && p.Stored.SHA256 == p.SHA256 &&
		p.Stored.Bucket == st.Bucket && p.Stored.Key == st.Prefix+c.Output
}

func fetchReason(c *Change, t target) string {
	who := ""
	if h := c.Prior.Host; h != "" && h != t.host {
		who = ", made by host " + h
	}
	return fmt.Sprintf("fetch from storage s3://%s/%s%s: free, no create, no provider download", c.Prior.Stored.Bucket, c.Prior.Stored.Key, who)
}

// storeIfNeeded turns an unchanged file that storage does not hold yet
// (a run whose upload failed, or storage added to a populated state) into
// an upload: "downloaded, not stored" is retried by every run until it is.
func storeIfNeeded(c *Change, t target, a Action, why string) (Action, string) {
	if a != ActionNoOp || t.storage == nil || storedAsPlanned(c, t) || c.Prior.Simulated {
		return a, why
	}
	return ActionStore, fmt.Sprintf("downloaded, not stored: %s is uploaded to s3://%s/%s%s", c.Output, t.storage.Bucket, t.storage.Prefix, c.Output)
}

// hasTakeOfSize: the file may be an earlier take of the video, to be
// hashed before it is called altered.
func hasTakeOfSize(e *state.Entry, n int64) bool {
	for _, tk := range e.Takes {
		if tk.Bytes == n {
			return true
		}
	}
	return false
}

// replacedElsewhere: a file whose sha256 is an earlier take's was not
// changed by hand here; the video was replaced (by -replace on another
// host, or by a run that lacked this file) after this file was written.
// The new take is fetched for free, from storage, or from the provider
// while it still serves it; the file here is kept as a take. Never
// altered, never bought again.
func replacedElsewhere(c *Change, sum string, t target) (Action, string, bool) {
	prior := c.Prior
	var take *state.Take
	for i := range prior.Takes {
		if prior.Takes[i].SHA256 == sum {
			take = &prior.Takes[i]
		}
	}
	if take == nil {
		return "", "", false
	}
	by := "replaced"
	if prior.Host != "" && prior.Host != t.host {
		by = "replaced on host " + prior.Host
	}
	if prior.TaskID != "" {
		by += " (task " + prior.TaskID + ")"
	}
	kept := fmt.Sprintf("; %s here is an earlier take, kept as a take", c.Output)
	switch {
	case storedAsPlanned(c, t):
		return ActionFetch, fmt.Sprintf("%s: the new take is fetched from storage s3://%s/%s, free%s", by, prior.Stored.Bucket, prior.Stored.Key, kept), true
	case !expired(firstNonZero(prior.CompletedAt, prior.CreatedAt), t) && prior.VideoURL != "":
		return ActionDownload, fmt.Sprintf("%s: the new take is downloaded while %s still serves it, free%s", by, t.provider.Name, kept), true
	}
	return ActionElsewhere, fmt.Sprintf("%s; %s no longer serves the new take and storage does not hold it: copy it from %s, or -replace %s to buy it again",
		by, t.provider.Name, firstNonEmpty(prior.Host, "the host that made it"), c.Address), true
}
