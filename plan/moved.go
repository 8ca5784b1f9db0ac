package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"
)

// movedState is the state as the manifest's moved blocks leave it: each
// moved entry under its new address, so that the video is diffed as the
// entry it already is (no-op, resume, download...) instead of create +
// forget. movedFrom maps each new address to its old one. st is not changed.
//
// Instance moves go first, so that video.shot["a"] -> video.hero beside
// video.shot -> video.scene sends "a" to the hero and the rest to the scene.
// An address the state already holds is not moved onto (a warning says so):
// the old entry is then forgotten as any address gone from the manifest.
func movedState(moves []config.Move, st *state.State) (*state.State, map[string]string, hcl.Diagnostics) {
	if len(moves) == 0 || len(st.Entries) == 0 {
		return st, nil, nil
	}
	out := *st
	out.Entries = maps.Clone(st.Entries)
	movedFrom := map[string]string{}
	ordered := slices.Clone(moves)
	slices.SortStableFunc(ordered, func(a, b config.Move) int {
		switch {
		case a.Block == b.Block:
			return 0
		case !a.Block:
			return -1
		default:
			return 1
		}
	})
	addrs := slices.Sorted(maps.Keys(st.Entries))
	var diags hcl.Diagnostics
	for _, mv := range ordered {
		for _, addr := range addrs {
			e, present := out.Entries[addr]
			if !present || !mv.Covers(addr) {
				continue
			}
			to := mv.Target(addr)
			if _, taken := out.Entries[to]; taken {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "Moved object not moved",
					Detail: fmt.Sprintf("The state already has %s, so %s is not moved onto it: %s is forgotten (its file stays) and %s is planned from its own entry. "+
						"To keep %s's video instead, run ltxform state rm %s, then plan again.",
						to, addr, addr, to, addr, shellQuoteAddress(to)),
					Subject: mv.DeclRange.Ptr(),
				})
				continue
			}
			moved := *e
			moved.Address = to
			delete(out.Entries, addr)
			out.Entries[to] = &moved
			movedFrom[to] = addr
		}
	}
	return &out, movedFrom, diags
}

// planRenames takes, among the downloaded videos in idx whose file must be
// looked at, the moved ones whose output path changed and whose old file is
// still on disk: apply renames that file rather than download the video
// again. It returns the indexes left for checkOutputs.
func planRenames(dir string, changes []Change, idx []int) []int {
	left := idx[:0]
	for _, i := range idx {
		c := &changes[i]
		if c.MovedFrom == "" || c.Prior.Output == "" || c.Prior.Output == c.Output || !renamable(dir, c.Prior.Output, c.Output) {
			left = append(left, i)
			continue
		}
		c.Action = ActionMove
		c.RenameFrom = c.Prior.Output
		c.Reason = fmt.Sprintf("%s is renamed to %s (no download)", c.Prior.Output, c.Output)
	}
	return left
}

// renamable: the old file is a regular file and nothing is at the new path.
func renamable(dir, from, to string) bool {
	if _, err := os.Lstat(outputPath(dir, to)); !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	info, err := os.Stat(outputPath(dir, from))
	return err == nil && info.Mode().IsRegular()
}

// markMoves names the move in each moved change's reason; a moved video
// with nothing else to do is a move, which apply makes durable.
func markMoves(changes []Change) {
	for i := range changes {
		c := &changes[i]
		if c.MovedFrom == "" {
			continue
		}
		if c.Action == ActionNoOp {
			c.Action = ActionMove
		}
		reason := "moved from " + c.MovedFrom
		if c.Reason != "" {
			reason += "; " + c.Reason
		}
		c.Reason = reason
	}
}
