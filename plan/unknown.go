package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"
)

// maxUnknownListed bounds the files the warning names one by one.
const maxUnknownListed = 10

// unknownOutputs warns of the videos to be created whose output file is
// already on disk although the state knows nothing of them: a state deleted
// to start over, an entry removed with state rm, another checkout's files.
// Apply keeps such a file as a take before writing the new one; the warning
// says so, and how to adopt the file instead of buying the video again.
func unknownOutputs(dir string, videos []*config.Video, changes []Change, st *state.State) hcl.Diagnostics {
	ranges := make(map[string]hcl.Range, len(videos))
	for _, v := range videos {
		ranges[v.Address] = v.DeclRange
	}
	var lines []string
	var first *hcl.Range
	n := 0
	// A fresh plan's outputs are mostly in directories not made yet: one
	// stat of the directory answers for all its files.
	dirExists := map[string]bool{}
	for i := range changes {
		c := &changes[i]
		if c.Action != ActionCreate || c.Prior != nil {
			continue
		}
		p := outputPath(dir, c.Output)
		d := filepath.Dir(p)
		exists, ok := dirExists[d]
		if !ok {
			_, err := os.Stat(d)
			exists = !errors.Is(err, fs.ErrNotExist)
			dirExists[d] = exists
		}
		if !exists {
			continue
		}
		info, err := os.Stat(p)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		if first == nil {
			if r, ok := ranges[c.Address]; ok {
				first = r.Ptr()
			}
		}
		n++
		if len(lines) < maxUnknownListed {
			lines = append(lines, fmt.Sprintf("  %s: ltxform import %s -file %s", c.Output, shellQuoteAddress(c.Address), c.Output))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	whose := "this state"
	if st == nil || (st.Lineage == "" && len(st.Entries) == 0) {
		whose = "this state, which is new (no .ltxform state or workspace yet)"
	}
	detail := fmt.Sprintf("%d output file(s) already on disk are not known to %s: apply buys these videos again and keeps each old file as a take (out/.takes/NAME/). "+
		"If a file was made from the request the manifest now gives, adopt it instead, without a request:\n%s",
		n, whose, strings.Join(lines, "\n"))
	if n > len(lines) {
		detail += fmt.Sprintf("\n  ... and %d more", n-len(lines))
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  "Output files not known to this state",
		Detail:   detail,
		Subject:  first,
	}}
}

// shellQuoteAddress quotes an address with a key for a POSIX shell, so
// that a suggested command can be pasted as it is.
func shellQuoteAddress(addr string) string {
	if !strings.ContainsAny(addr, `["' `) {
		return addr
	}
	return "'" + strings.ReplaceAll(addr, "'", `'\''`) + "'"
}
