package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/internal/atomicfile"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/report"
	"github.com/ltxform/ltxform/state"
)

// defaultReportName is where report writes without -o, in the manifest
// directory, so that the videos' relative paths stay short.
const defaultReportName = "ltxform-report.html"

// reportArgs are report's arguments.
type reportArgs struct {
	Common commonArgs
	// Arg is a run id or a directory, told apart at run time by what exists.
	Arg   string
	Out   string // -o FILE
	Open  bool   // -open
	State bool   // -state
	// Workspace is -workspace: the state of a backend's other workspace.
	Workspace string
}

func parseReport(args []string) (reportArgs, error) {
	var a reportArgs
	fs := newFlagSet("report", "[-o FILE] [-open] [-state] [-workspace NAME] [RUN_ID | DIR]", &a.Common)
	fs.StringVar(&a.Out, "o", "", "write the report to `FILE` (default: DIR/"+defaultReportName+")")
	fs.BoolVar(&a.Open, "open", false, "open the report in the default browser")
	fs.BoolVar(&a.State, "state", false, "show every video in the state instead of one run")
	addWorkspaceFlag(fs, &a.Workspace)
	if err := fs.parse(args); err != nil {
		return a, err
	}
	var err error
	a.Arg, err = oneOptionalArg(fs)
	return a, err
}

// runReport writes the HTML report of the latest run, of a given run, or
// (with -state) of every video in the state.
func runReport(ctx context.Context, env *Env, args []string) error {
	a, err := parseReport(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	arg, out, open, wholeState := a.Arg, &a.Out, &a.Open, &a.State
	// The argument is a directory when one of that name exists, else a run id.
	runID := ""
	if arg != "" {
		if fi, serr := os.Stat(arg); serr != nil || !fi.IsDir() {
			runID, arg = arg, ""
		}
	}
	dir := dirOrCurrent(arg)
	if err := checkManifestDir(dir, false); err != nil {
		return err
	}
	if runID != "" && *wholeState {
		return &UsageError{Msg: "report takes a run id or -state, not both"}
	}

	store, err := openStore(ctx, env, newView(env, false), dir, a.Workspace, storeRead)
	if err != nil {
		return err
	}
	defer store.Close()
	st, err := store.Load(ctx)
	if err != nil {
		return fmt.Errorf("reading the state: %w", err)
	}
	var run *state.Run
	switch {
	case *wholeState:
	case runID != "":
		if run, err = store.LoadRun(ctx, runID); err != nil {
			return err
		}
	default:
		runs, listErr := store.ListRuns(ctx)
		if len(runs) == 0 {
			if listErr != nil {
				return listErr
			}
			return fmt.Errorf("%s has no runs yet: run \"ltxform apply\" first, or use -state for the videos in the state", store.Where())
		}
		run = latestRun(runs) // the latest that did something
	}

	file := *out
	if file == "" {
		file = filepath.Join(dir, defaultReportName)
	}
	n, err := writeReport(dir, run, st, file, manifestRequests(env, dir, st))
	if err != nil {
		return err
	}
	v := newView(env, false)
	v.reportWritten(run, n, file)
	if *open {
		if err := openInBrowser(file); err != nil {
			v.Warn(fmt.Sprintf("could not open a browser (%v); open %s yourself.", err, file))
		}
	}
	return nil
}

// writeReport is apply -report: the page of run (nil: of the whole
// state), from the state the run left, and a line saying where it went.
func (r *applyRun) writeReport(ctx context.Context, run *state.Run) error {
	st, err := r.store.Load(ctx)
	n := 0
	if err == nil {
		n, err = writeReport(r.dir, run, st, r.args.Report, manifestRequests(r.env, r.dir, st))
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	r.view.ReportWritten(run, n, r.args.Report)
	return nil
}

// writeReport renders the report of run (nil: the whole state) to file,
// atomically, and returns the number of videos in it.
func writeReport(dir string, run *state.Run, st *state.State, file string, requests map[string]any) (int, error) {
	page, err := report.Build(report.Input{Run: run, State: st, ManifestDir: dir, OutputFile: file,
		Generated: time.Now(), Requests: requests, StoredURLs: storedURLs(dir, st)})
	if err != nil {
		return 0, err
	}
	f, err := atomicfile.Create(file, 0o644)
	if err != nil {
		return 0, fmt.Errorf("writing the report: %w", err)
	}
	defer f.Abort()
	werr := page.WriteHTML(f)
	if werr == nil {
		werr = f.Commit()
	}
	if werr != nil {
		return 0, fmt.Errorf("writing the report %s: %w", file, werr)
	}
	return len(page.Cards), nil
}

// manifestRequests gives the report the prompt of each video whose state
// entry does not record its request: taken from the manifest as it is now,
// but only where that request's hash is the entry's input hash, so that the
// prompt shown is the one that made the video. A manifest that does not load
// (a variable without a value, say) just leaves prompts out.
func manifestRequests(env *Env, dir string, st *state.State) map[string]any {
	if st == nil || len(st.Entries) == 0 {
		return nil
	}
	m, diags := config.Load(dir, (&varFlags{}).loadOptions(env))
	if m == nil || diags.HasErrors() {
		return nil
	}
	provider, pdiags := plan.ProviderOf(m)
	if pdiags.HasErrors() {
		return nil
	}
	out := map[string]any{}
	for _, v := range m.Videos {
		e := st.Get(v.Address)
		if e == nil {
			continue
		}
		req := plan.RequestFor(v, provider)
		if req.Hash() != e.InputHash {
			continue
		}
		out[v.Address] = plan.Change{Request: req, Sensitive: sensitiveNames(v.Sensitive)}.Redacted().Request
	}
	return out
}

func sensitiveNames(m map[string]bool) []string {
	var names []string
	for n, s := range m {
		if s {
			names = append(names, n)
		}
	}
	return names
}

// openInBrowser hands file to the desktop's opener without waiting for it.
func openInBrowser(file string) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", abs)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", abs)
	default:
		cmd = exec.Command("xdg-open", abs)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	// The opener returns at once (it hands the file to the browser); reap
	// it so that no goroutine or zombie outlives the command.
	if err := cmd.Wait(); err != nil {
		return errors.New("the opener " + cmd.Path + " failed: " + err.Error())
	}
	return nil
}
