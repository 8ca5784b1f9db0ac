package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// noStateMessage is what every read of a directory without state says.
const noStateMessage = "No state yet: run ltxform apply first."

// stateCommands are the subcommands of state, in the order the help lists them.
var stateCommands = []subcommand{
	{"list", runStateList},
	{"show", runStateShow},
	{"rm", runStateRm},
	{"mv", runStateMv},
	{"push", runStatePush},
	{"pull", runStatePull},
}

// runState dispatches `state list|show|rm|mv|push|pull`.
func runState(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return &UsageError{Msg: "state needs a subcommand: " + strings.Join(subcommandNames(stateCommands), ", ") + "; run \"ltxform state -help\" for their usage"}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(env.Stdout, stateUsage(ctx))
		return nil
	}
	for _, sub := range stateCommands {
		if sub.name == args[0] {
			return sub.run(ctx, env, args[1:])
		}
	}
	return unknownCommand("state", args[0], subcommandNames(stateCommands))
}

// stateUsage lists each subcommand's usage line as its own -help prints it,
// so that the overview cannot drift from the flag sets.
func stateUsage(ctx context.Context) string {
	var b strings.Builder
	for i, sub := range stateCommands {
		env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
		var help *helpRequested
		if !errors.As(sub.run(ctx, env, []string{"-help"}), &help) {
			continue
		}
		lead := "       "
		if i == 0 {
			lead = "Usage: "
		}
		fmt.Fprintf(&b, "%s%s\n", lead, help.line())
	}
	b.WriteString("\nRun \"ltxform state SUBCOMMAND -help\" for its options.")
	return b.String()
}

// stateReadArgs are the arguments of state list and state show.
type stateReadArgs struct {
	Common    commonArgs
	Address   string   // state show's ADDR
	Filter    []string // state list's ADDRs: only these (a block address: its instances)
	Dir       string   // "." when not given
	JSON      bool     // -json
	Workspace string   // -workspace
}

func parseStateList(args []string) (stateReadArgs, error) {
	var a stateReadArgs
	fs, err := parseReadFlags("state list", "[-json] [-workspace NAME] [ADDR...] [DIR]", &a.Common, &a.JSON, &a.Workspace, args)
	if err != nil {
		return a, err
	}
	if err := flagsAfterArgs(fs, 1); err != nil {
		return a, err
	}
	addrs, dir := splitAddressesAndDir(fs.Args())
	if len(addrs) > 0 {
		a.Filter = addrs
	}
	a.Dir = dirOrCurrent(dir)
	return a, nil
}

// filterState is st with only the entries the addresses select: an
// address itself, or every instance of a block address (video.shot), as
// -target selects. An address that selects nothing is an error naming the
// nearest one, so that a typo is not an empty list.
func filterState(st *state.State, addrs []string) (*state.State, error) {
	if len(addrs) == 0 {
		return st, nil
	}
	out := *st
	out.Entries = map[string]*state.Entry{}
	var known []string
	for a := range st.Entries {
		known = append(known, a)
	}
	sort.Strings(known)
	for _, f := range addrs {
		norm, hit := state.NormalizeAddress(f), false
		for _, a := range known {
			if a == f || a == norm || strings.HasPrefix(a, norm+"[") {
				out.Entries[a], hit = st.Entries[a], true
			}
		}
		if !hit {
			msg := fmt.Sprintf("no %s in the state", f)
			if near := suggest(f, known); near != "" {
				msg += fmt.Sprintf("; did you mean %s?", near)
			}
			return nil, errors.New(msg + " (ltxform state list shows every address)")
		}
	}
	return &out, nil
}

func runStateList(ctx context.Context, env *Env, args []string) error {
	a, err := parseStateList(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	st, exists, err := readStateOf(ctx, env, newView(env, a.JSON), a.Dir, a.Workspace)
	if err != nil {
		return err
	}
	if exists {
		if st, err = filterState(st, a.Filter); err != nil {
			return err
		}
	}
	return newStateView(env, a.JSON).List(st, exists)
}

func parseStateShow(args []string) (stateReadArgs, error) {
	var a stateReadArgs
	fs, err := parseReadFlags("state show", "[-json] [-workspace NAME] ADDR [DIR]", &a.Common, &a.JSON, &a.Workspace, args)
	if err != nil {
		return a, err
	}
	a.Address, a.Dir, err = argAndOptionalDir(fs, "state show takes an address and an optional directory, e.g. state show 'video.shot[\"unboxing\"]'")
	return a, err
}

func runStateShow(ctx context.Context, env *Env, args []string) error {
	a, err := parseStateShow(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	st, exists, err := readStateOf(ctx, env, newView(env, a.JSON), a.Dir, a.Workspace)
	if err != nil {
		return err
	}
	if !exists {
		return errors.New(noStateMessage)
	}
	e, err := findEntry(st, a.Address)
	if err != nil {
		return err
	}
	return newStateView(env, a.JSON).Show(e)
}

// stateRmArgs are state rm's arguments.
type stateRmArgs struct {
	Common    commonArgs
	Addresses []string // as typed; findEntry accepts the shell-mangled forms
	Dir       string   // "." when not given
	JSON      bool     // -json
	Lock      lockArgs
}

func parseStateRm(args []string) (stateRmArgs, error) {
	var a stateRmArgs
	fs := newFlagSet("state rm", "[-lock=false] [-lock-timeout D] [-workspace NAME] [-json] ADDR... [DIR]", &a.Common)
	addLockFlags(fs, &a.Lock)
	fs.BoolVar(&a.JSON, "json", false, "print JSON")
	if err := fs.parse(args); err != nil {
		return a, err
	}
	if err := flagsAfterArgs(fs, 1); err != nil {
		return a, err
	}
	addrs, dir := splitAddressesAndDir(fs.Args())
	if len(addrs) == 0 {
		return a, &UsageError{Msg: "state rm needs at least one address, e.g. state rm 'video.shot[\"unboxing\"]'"}
	}
	a.Addresses, a.Dir = addrs, dirOrCurrent(dir)
	return a, nil
}

func runStateRm(ctx context.Context, env *Env, args []string) error {
	a, err := parseStateRm(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	addrs, jsonOut := a.Addresses, &a.JSON
	store, st, unlock, err := lockedState(ctx, env, newView(env, false), a.Dir, a.Lock, "state rm")
	if err != nil {
		return err
	}
	defer unlock()
	// Check every address before removing any, so that a typo removes nothing.
	var removed []*state.Entry
	for _, a := range addrs {
		e, err := findEntry(st, a)
		if err != nil {
			return fmt.Errorf("%w; nothing was removed", err)
		}
		removed = append(removed, e)
	}
	for _, e := range removed {
		if err := store.Remove(ctx, e.Address); err != nil {
			return err
		}
	}
	if err := store.Checkpoint(ctx); err != nil {
		return err
	}
	if err := unlock(); err != nil {
		return err
	}
	return newStateView(env, *jsonOut).Removed(removed)
}

// addressPattern tells an address from a directory among state rm's
// arguments: video.NAME or video.NAME[KEY].
var addressPattern = regexp.MustCompile(`^video\.[^.\[\]]+(\[.*\])?$`)

// splitAddressesAndDir takes a last argument that is not an address as the
// manifest directory.
func splitAddressesAndDir(args []string) (addrs []string, dir string) {
	if n := len(args); n > 0 && !addressPattern.MatchString(args[n-1]) {
		return args[:n-1], args[n-1]
	}
	return args, ""
}

// readStateOf loads the state of dir without locking: a read-only look.
func readStateOf(ctx context.Context, env *Env, v *view, dir, workspace string) (st *state.State, exists bool, err error) {
	store, err := openStore(ctx, env, v, dir, workspace, storeRead)
	if err != nil {
		return nil, false, err
	}
	defer store.Close()
	if exists, err = store.Exists(ctx); err != nil {
		return nil, false, err
	}
	if st, err = store.Load(ctx); err != nil {
		return nil, false, err
	}
	return st, exists, nil
}

// findEntry looks addr up, accepting the shell-mangled forms of a key.
func findEntry(st *state.State, addr string) (*state.Entry, error) {
	if e := st.Get(addr); e != nil {
		return e, nil
	}
	if e := st.Get(state.NormalizeAddress(addr)); e != nil {
		return e, nil
	}
	return nil, missingEntry(st, addr, "")
}

// missingEntry is the error for an address the state lacks, with the
// nearest one it has if it is near enough to be a typo; tail ends it.
func missingEntry(st *state.State, addr, tail string) error {
	msg := fmt.Sprintf("no %s in the state", addr)
	known := make([]string, 0, len(st.Entries))
	for a := range st.Entries {
		known = append(known, a)
	}
	sort.Strings(known)
	if near := suggest(state.NormalizeAddress(addr), known); near != "" {
		msg += fmt.Sprintf("; did you mean %s?", near)
	}
	return errors.New(msg + "; ltxform state list shows the addresses" + tail)
}

// stateView is the output of the state subcommands, human or JSON.
type stateView interface {
	List(st *state.State, exists bool) error
	Show(e *state.Entry) error
	Removed(es []*state.Entry) error
}

func newStateView(env *Env, jsonOut bool) stateView {
	if jsonOut {
		return &stateJSONView{w: env.Stdout}
	}
	return &stateHumanView{w: env.Stdout}
}

type stateHumanView struct{ w io.Writer }

func (v *stateHumanView) List(st *state.State, exists bool) error {
	if !exists {
		_, err := fmt.Fprintln(v.w, noStateMessage)
		return err
	}
	entries := st.Sorted()
	if len(entries) == 0 {
		_, err := fmt.Fprintln(v.w, "The state is empty.")
		return err
	}
	rows := make([][]string, 0, len(entries))
	for _, e := range entries {
		rows = append(rows, []string{e.Address, string(e.Status), e.Output})
	}
	return renderTable(v.w, []string{"address", "status", "output"}, rows)
}

func (v *stateHumanView) Show(e *state.Entry) error {
	rows := [][]string{
		{"address", e.Address},
		{"status", string(e.Status)},
		{"mode", e.Mode},
		{"task_id", e.TaskID},
		{"request_id", e.RequestID},
		{"attempts", strconv.Itoa(e.Attempts)},
		{"duration", stateSeconds(e.Duration)},
		{"resolution", e.Resolution},
		{"credits_estimated", plan.FormatCredits(e.CreditsEstimated)},
		{"credits_consumed", plan.FormatCredits(e.CreditsConsumed)},
		{"output", e.Output},
		{"sha256", e.SHA256},
		{"bytes", stateBytes(e.Bytes)},
		{"input_hash", e.InputHash},
		{"idempotency_key", e.IdempotencyKey},
		{"video_url", e.VideoURL},
		{"error_code", e.ErrorCode},
		{"error_message", e.ErrorMessage},
		{"created_at", stateTime(e.CreatedAt)},
		{"updated_at", stateTime(e.UpdatedAt)},
		{"completed_at", stateTime(e.CompletedAt)},
	}
	if e.Provider != "" {
		rows = append(rows, []string{"provider", e.Provider}, []string{"endpoint", e.Endpoint})
	}
	for _, u := range [][2]string{{"status", e.TaskURLs.Status}, {"result", e.TaskURLs.Result}, {"cancel", e.TaskURLs.Cancel}} {
		if u[1] != "" {
			rows = append(rows, []string{"task_urls." + u[0], u[1]})
		}
	}
	if e.Simulated {
		rows = append(rows, []string{"simulated", "true (made by apply -simulate)"})
	}
	if e.RequestSource != "" {
		rows = append(rows, []string{"request_source", e.RequestSource})
	}
	if e.Media != nil {
		rows = append(rows, []string{"media", e.Media.String()})
	}
	if m := e.Mismatch; m != nil {
		rows = append(rows, []string{"ordered", m.Ordered.String()})
		if !m.AcceptedAt.IsZero() {
			rows = append(rows, []string{"accepted_at", stateTime(m.AcceptedAt) + " (delivered unlike the order: " + strings.Join(m.Differences, "; ") + ")"})
		}
	}
	if e.Request != nil {
		// The request that made the file: which prompt made out/hero.mp4.
		for _, a := range plan.RequestAttributes(*e.Request) {
			rows = append(rows, []string{"request." + a[0], a[1]})
		}
	}
	for i, t := range e.Takes {
		rows = append(rows, []string{fmt.Sprintf("take[%d]", i), fmt.Sprintf("%s (task %s, kept %s: %s)", t.Path, t.TaskID, stateTime(t.KeptAt), t.Reason)})
	}
	return renderTable(v.w, []string{"attribute", "value"}, rows)
}

func (v *stateHumanView) Removed(es []*state.Entry) error {
	for _, e := range es {
		if e.Output != "" {
			fmt.Fprintf(v.w, "Removed %s from the state; its file %s stays.\n", e.Address, e.Output)
		} else {
			fmt.Fprintf(v.w, "Removed %s from the state.\n", e.Address)
		}
		if undo := undoRemove(e); undo != "" {
			fmt.Fprintf(v.w, "  To undo: %s\n", undo)
		}
	}
	_, err := fmt.Fprintf(v.w, "Removed %s.\n", plural(len(es), "address", "addresses"))
	return err
}

// undoRemove is the import command that takes a removed entry back
// without buying it again: its downloaded file as it is, else its task.
func undoRemove(e *state.Entry) string {
	addr := shellQuote(e.Address)
	var ways []string
	if e.Status == state.StatusDownloaded && e.Output != "" {
		ways = append(ways, fmt.Sprintf("ltxform import %s -file %s", addr, e.Output))
	}
	if e.TaskID != "" {
		ways = append(ways, fmt.Sprintf("ltxform import %s %s", addr, e.TaskID))
	}
	return strings.Join(ways, "  (or, to fetch the task again: ") + strings.Repeat(")", max(len(ways)-1, 0))
}

type stateJSONView struct{ w io.Writer }

type stateListJSON struct {
	FormatVersion string          `json:"format_version"`
	Exists        bool            `json:"exists"`
	Serial        uint64          `json:"serial"`
	Lineage       string          `json:"lineage"`
	Entries       []stateListItem `json:"entries"`
}

type stateListItem struct {
	Address string       `json:"address"`
	Status  state.Status `json:"status"`
	Output  string       `json:"output"`
}

func (v *stateJSONView) List(st *state.State, exists bool) error {
	out := stateListJSON{FormatVersion: uiFormatVersion, Exists: exists, Serial: st.Serial, Lineage: st.Lineage, Entries: []stateListItem{}}
	for _, e := range st.Sorted() {
		out.Entries = append(out.Entries, stateListItem{e.Address, e.Status, e.Output})
	}
	return writeJSON(v.w, out)
}

func (v *stateJSONView) Show(e *state.Entry) error {
	return writeJSON(v.w, struct {
		FormatVersion string     `json:"format_version"`
		Entry         *jsonEntry `json:"entry"`
	}{uiFormatVersion, entryJSON(e)})
}

func (v *stateJSONView) Removed(es []*state.Entry) error {
	addrs := make([]string, 0, len(es))
	for _, e := range es {
		addrs = append(addrs, e.Address)
	}
	return writeJSON(v.w, struct {
		FormatVersion string   `json:"format_version"`
		Removed       []string `json:"removed"`
	}{uiFormatVersion, addrs})
}

func stateSeconds(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n) + "s"
}

func stateBytes(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// stateTime is a UTC RFC 3339 time, or empty for a time never set.
func stateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// lockedState opens the state of dir for an edit (state rm, state mv):
// the store, under its lock, and what it holds now. A directory with no
// state yet is an error: there is nothing to edit. The func unlocks and
// closes, once however often it is called, and reports the unlock's error.
func lockedState(ctx context.Context, env *Env, v *view, dir string, lock lockArgs, operation string) (stateStore, *state.State, func() error, error) {
	store, err := openStore(ctx, env, v, dir, lock.Workspace, storeWrite)
	if err != nil {
		return nil, nil, nil, err
	}
	unlock, err := lock.acquire(ctx, store, operation)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	var once sync.Once
	var unlockErr error
	release := func() error {
		once.Do(func() { unlockErr = unlock(); store.Close() })
		return unlockErr
	}
	exists, err := store.Exists(ctx)
	if err == nil && !exists {
		err = errors.New(noStateMessage)
	}
	var st *state.State
	if err == nil {
		st, err = store.Load(ctx)
	}
	if err != nil {
		release()
		return nil, nil, nil, err
	}
	return store, st, release, nil
}
