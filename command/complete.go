package command

import (
	"context"
	"fmt"
	"slices"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"
)

// completeCommand is the hidden command the completion scripts call to
// offer what only the current directory knows, one word a line:
//
//	ltxform __complete addresses   the manifests' videos and the state's entries
//	ltxform __complete runs        the run ids, newest first, and "latest"
//
// As cobra's __complete, it must answer fast and never get in the way of a
// shell: it reads files only (a backend elsewhere is not asked: no network),
// takes no lock, prints nothing on stderr and always exits 0.
const completeCommand = "__complete"

func runComplete(ctx context.Context, env *Env, args []string) error {
	if len(args) != 1 {
		return nil
	}
	var words []string
	switch args[0] {
	case "addresses":
		words = completeAddresses(ctx, env)
	case "runs":
		words = completeRunIDs()
	}
	for _, w := range words {
		fmt.Fprintln(env.Stdout, w)
	}
	return nil
}

// completeAddresses are the addresses of the manifests in the current
// directory, and those of its local state (entries gone from the manifests
// can still be shown, moved or removed), sorted.
func completeAddresses(ctx context.Context, env *Env) []string {
	var environ []string
	if env.Environ != nil {
		environ = env.Environ()
	}
	var addrs []string
	// A manifest with errors still gives the videos it could read.
	if m, _ := config.Load(".", config.LoadOptions{Environ: environ}); m != nil {
		for _, v := range m.Videos {
			addrs = append(addrs, v.Address)
		}
	}
	if localState() {
		lb := state.NewLocalBackend(".")
		defer lb.Close()
		if st, err := lb.Load(ctx); err == nil {
			for addr := range st.Entries {
				addrs = append(addrs, addr)
			}
		}
	}
	slices.Sort(addrs)
	return slices.Compact(addrs)
}

// completeRunIDs are the local run records' ids, newest first, after
// "latest" (runs show latest).
func completeRunIDs() []string {
	if !localState() {
		return nil
	}
	runs, _ := state.ListRuns(".") // the readable ones, whatever the others
	ids := []string{latestRunName}
	for _, r := range runs {
		ids = append(ids, r.ID)
	}
	return ids
}

// localState: the manifests name no backend, so the state is in .ltxform/.
func localState() bool {
	be, _, diags := config.LoadBackend(".")
	return be == nil && !diags.HasErrors()
}
