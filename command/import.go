package command

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/executor"
	"github.com/ltxform/ltxform/internal/atomicfile"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

const importUsage = "[-endpoint URL] [-var NAME=VALUE]... [-var-file FILE]... [-lock=false] [-lock-timeout D] [-workspace NAME] ADDR TASK_ID [DIR]\n" +
	"       ltxform import -file PATH [-move] [-var NAME=VALUE]... [-var-file FILE]... [-lock=false] [-lock-timeout D] [-workspace NAME] ADDR [DIR]"

// importArgs are import's arguments.
type importArgs struct {
	Common   commonArgs
	Address  string // normalised
	TaskID   string // "" with -file
	Dir      string // "." when not given
	File     string // -file PATH
	Move     bool   // -move
	Endpoint string // -endpoint
	Vars     varFlags
	Lock     lockArgs
}

// parseImport reads import's command line; its flags may come before,
// between or after the positional arguments (import ADDR -file PATH).
func parseImport(args []string) (importArgs, error) {
	var a importArgs
	fs := newFlagSet("import", importUsage, &a.Common)
	fs.StringVar(&a.File, "file", "", "adopt the video file at `PATH` instead of a task: no request is sent")
	fs.BoolVar(&a.Move, "move", false, "with -file: move the file to the video's output instead of copying it")
	fs.StringVar(&a.Endpoint, "endpoint", "", "API base `URL` where the task lives (default: $LTX_API_URL, else api.base_url, else the provider's public API)")
	addVarFlags(fs, &a.Vars)
	addLockFlags(fs, &a.Lock)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return a, err
	}
	want := 2
	if a.File != "" {
		want = 1
	}
	if len(pos) < want || len(pos) > want+1 {
		return a, &UsageError{Msg: "import takes ADDR TASK_ID [DIR], or -file PATH ADDR [DIR]: e.g. import video.hero task_abc123, or import video.hero -file out/hero.mp4"}
	}
	if a.Move && a.File == "" {
		return a, &UsageError{Msg: "-move goes with -file"}
	}
	if !a.Lock.Enabled {
		return a, &UsageError{Msg: "import writes the state, so it always takes the lock"}
	}
	a.Address = state.NormalizeAddress(pos[0])
	if !addressPattern.MatchString(a.Address) {
		return a, &UsageError{Msg: fmt.Sprintf("import: %q is not a video address (video.NAME or video.NAME[KEY])", pos[0])}
	}
	if want == 2 {
		a.TaskID = pos[1]
	}
	a.Dir = "."
	if len(pos) > want {
		a.Dir = pos[want]
	}
	return a, nil
}

// runImport adopts, for a video of the manifest that the state does not
// know, a task made elsewhere (polled at the manifest's provider and
// endpoint, downloaded, recorded with what the service says it consumed) or
// a file already on disk (copied or moved to the video's output, recorded
// with its sha256). Neither sends a create: it is how a state rm, a deleted
// state or a task made by hand is taken back without buying again. As in
// Terraform, the task or file is taken to be what the manifest asks for.
func runImport(ctx context.Context, env *Env, args []string) error {
	a, err := parseImport(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	addr, dir := a.Address, a.Dir
	v := newView(env, false)
	m, err := loadManifest(v, env, dir, &a.Vars)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(m.Videos, func(v *config.Video) bool { return v.Address == addr }) {
		return fmt.Errorf("%s is not a video of the manifest in %s; import adopts a task or file for a video the manifest declares", addr, m.Dir)
	}
	store, err := openStore(ctx, env, v, dir, a.Lock.Workspace, storeWrite)
	if err != nil {
		return err
	}
	defer store.Close()
	unlock, err := a.Lock.acquire(ctx, store, "import")
	if err != nil {
		return err
	}
	defer unlock()
	st, err := loadState(ctx, store)
	if err != nil {
		return err
	}
	if e := st.Get(addr); e != nil {
		return fmt.Errorf("%s is already in the state (%s); import adopts a video the state does not know: ltxform state rm %s first to replace its record", addr, e.Status, shellQuote(addr))
	}
	opts := plan.Options{Targets: []string{addr}, Endpoint: a.Endpoint}
	if opts.Endpoint == "" {
		opts.Endpoint = env.Getenv(envAPIURL)
	}
	p, diags := plan.Build(ctx, m, st, opts)
	if diags.HasErrors() {
		v.Diagnostics(m.Files, onlyErrors(diags))
		return ErrReported
	}
	var c *plan.Change
	for i := range p.Changes {
		if p.Changes[i].Address == addr && p.Changes[i].Action != plan.ActionForget {
			c = &p.Changes[i]
		}
	}
	if c == nil {
		return fmt.Errorf("%s is not a video of the manifest in %s", addr, m.Dir)
	}
	if c.MovedFrom != "" {
		return fmt.Errorf("%s receives the state of %s by a moved block; apply moves it, no import is needed", addr, c.MovedFrom)
	}
	entry := importedEntry(p, c)
	if a.File != "" {
		return importFile(ctx, v, store, p, c, entry, a.File, a.Move)
	}
	return importTask(ctx, env, v, store, p, c, entry, a.TaskID)
}

// importedEntry is the record of c as if this state had made it.
func importedEntry(p *plan.Plan, c *plan.Change) state.Entry {
	asked := c.Redacted().Request
	return state.Entry{
		Address: c.Address, InputHash: c.InputHash, Request: &asked, RequestSource: state.RequestFromManifestAtImport, Mode: string(c.Mode),
		Provider: p.Settings.Provider, Unit: string(p.Settings.Unit), Attempts: 1,
		Duration: c.Request.Duration, Resolution: c.Request.Resolution, Output: c.Output,
		UpdatedAt: time.Now().UTC(),
	}
}

// importTask polls the task where the manifest's tasks go and, once it is
// known to exist, records it as created and lets the executor follow it to
// the download, as apply resumes a task of its own.
func importTask(ctx context.Context, env *Env, v *view, store stateStore, p *plan.Plan, c *plan.Change, entry state.Entry, taskID string) error {
	client, err := newClient(env, p.Settings, p.Dir)
	if err != nil {
		return err
	}
	// One poll first: a task that is not there (another endpoint, a typo)
	// or that failed leaves the state as it was.
	task, err := client.GetTask(ctx, ltx.TaskRef{ID: taskID, Mode: c.Mode})
	if err != nil {
		return fmt.Errorf("import %s: polling task %s at %s: %w; nothing was recorded", c.Address, taskID, p.Settings.Endpoint, err)
	}
	if task.Status == ltx.StatusFailed {
		why := ""
		if task.Error != nil {
			why = fmt.Sprintf(" with %s: %s", task.Error.Code, task.Error.Message)
		}
		return fmt.Errorf("import %s: task %s failed%s; nothing was recorded", c.Address, taskID, why)
	}
	provider := ltx.MustProvider(p.Settings.Provider)
	diffs := importShapeDifferences(provider, c.Request, task.Reported)
	entry.Status = state.StatusCreated
	entry.TaskID, entry.RequestID = taskID, task.RequestID
	entry.Endpoint, entry.Simulated = p.Settings.Endpoint, p.Settings.Simulated
	entry.CostConsumed = task.ConsumedCost
	// Durable before the wait: an interrupted import is resumed by apply.
	if err := store.Record(ctx, entry); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	// The task was paid for outside any run: the ledger counts it, at the
	// service's figure, or at the plan's estimate until the service gives
	// one. A task this state's ledger already holds is not counted twice.
	charge := state.Charge{TaskID: taskID, RunID: state.ImportRunID, Address: c.Address,
		Cost: task.ConsumedCost, Unit: string(p.Settings.Unit), Simulated: p.Settings.Simulated,
		Provider: p.Settings.Provider, Endpoint: p.Settings.Endpoint, At: time.Now().UTC()}
	if charge.Cost <= 0 {
		charge.Cost, charge.Estimated = c.Cost, true
	}
	if err := store.Charge(ctx, charge); err != nil {
		return fmt.Errorf("writing the ledger: %w", err)
	}
	ch := *c
	ch.Action, ch.Cost, ch.Reason = plan.ActionResume, 0, "imported task "+taskID
	ch.Prior = &entry
	p.Changes = []plan.Change{ch}
	s := p.Settings
	results, runErr := executor.Apply(ctx, p, client, store, executor.Options{
		Parallelism: 1, RequestsPerMinute: s.RequestsPerMinute, MaxAttempts: s.MaxAttempts,
	})
	if err := store.Checkpoint(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("writing the state snapshot: %w", err)
	}
	if runErr != nil {
		return runErr
	}
	r := results[0]
	if r.CostConsumed > 0 && (charge.Estimated || r.CostConsumed != charge.Cost) {
		charge.Cost, charge.Estimated, charge.At = r.CostConsumed, false, time.Now().UTC()
		if err := store.Charge(ctx, charge); err != nil {
			return fmt.Errorf("writing the ledger: %w", err)
		}
	}
	if d := importCostDifference(billedFigure(charge), c.Cost, s.Unit); d != "" {
		diffs = append(diffs, d)
	}
	if len(diffs) > 0 {
		v.Warn(importWarning(c.Address, taskID, diffs))
	}
	if r.ErrorCode == state.CodeDeliveryMismatch {
		return fmt.Errorf("import %s: task %s is downloaded to %s and kept, but %s: %s (request_id %s)", c.Address, taskID, c.Output, r.ErrorCode, r.ErrorMessage, r.RequestID)
	}
	if r.Status != executor.ResultCompleted {
		return fmt.Errorf("import %s: task %s is recorded (%s) but not downloaded: %s", c.Address, taskID, r.Status, r.ErrorMessage)
	}
	v.importedTask(c.Address, taskID, c.Output, charge, s)
	return nil
}

// billedFigure is the service's figure for an imported task; 0 when it
// gave none (the ledger then holds the estimate).
func billedFigure(charge state.Charge) float64 {
	if charge.Estimated {
		return 0
	}
	return charge.Cost
}

// importFile adopts a file on disk: copied (or moved) to the output path
// unless it is there already, hashed, and recorded as downloaded.
func importFile(ctx context.Context, v *view, store stateStore, p *plan.Plan, c *plan.Change, entry state.Entry, src string, move bool) error {
	info, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("import -file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("import -file: %s is not a regular file", src)
	}
	// Checked as a download is: a page saved under a video's name would
	// be recorded as the paid video, and the next plan say "No changes".
	if err := ltx.CheckVideoFile(src); err != nil {
		return fmt.Errorf("import -file: %w; nothing was recorded", err)
	}
	dst := filepath.Join(p.Dir, filepath.FromSlash(c.Output))
	same, err := sameFile(src, dst)
	if err != nil {
		return err
	}
	how := fileAtOutput
	if !same {
		if _, err := os.Lstat(dst); err == nil {
			return fmt.Errorf("import -file: %s already exists; move it away (or import it: ltxform import %s -file %s)", c.Output, shellQuote(c.Address), c.Output)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if move {
			err, how = moveFile(src, dst), fileMoved
		} else {
			err, how = copyFile(src, dst), fileCopied
		}
		if err != nil {
			return fmt.Errorf("import -file: %w", err)
		}
	}
	sum, n, err := hashFile(dst)
	if err != nil {
		return fmt.Errorf("import -file: %w", err)
	}
	if info, err = os.Stat(dst); err != nil {
		return err
	}
	entry.Status = state.StatusDownloaded
	entry.SHA256, entry.Bytes, entry.OutputModTime = sum, n, info.ModTime()
	entry.CompletedAt = entry.UpdatedAt
	mismatch := checkImported(&entry, p, c, dst)
	if err := store.Record(ctx, entry); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if err := store.Checkpoint(ctx); err != nil {
		return fmt.Errorf("writing the state snapshot: %w", err)
	}
	v.importedFile(src, c.Address, how, c.Output, sum)
	if mismatch != nil {
		return fmt.Errorf("import -file: %s is recorded, but %s: %s; ltxform accept %s takes it as it is", c.Address, state.CodeDeliveryMismatch, mismatch.Message(), shellQuote(c.Address))
	}
	return nil
}

// checkImported measures an imported file against the video's order, as
// apply checks every download, into entry; the mismatch, if any.
func checkImported(entry *state.Entry, p *plan.Plan, c *plan.Change, path string) *state.Mismatch {
	provider, ok := ltx.LookupProvider(p.Settings.Provider)
	if !ok {
		return nil
	}
	d, err := executor.CheckDelivery(path, provider.Ordered(c.Request))
	if err != nil {
		return nil // not a readable MP4: adopted as it is, unmeasured
	}
	if d.Media.Width > 0 {
		entry.Media = &d.Media
	}
	if m := d.Mismatch; m != nil {
		entry.Mismatch = m
		entry.ErrorCode, entry.ErrorMessage = state.CodeDeliveryMismatch, m.Message()
	}
	return d.Mismatch
}

// sameFile tells whether a and b are one file; b may not exist.
func sameFile(a, b string) (bool, error) {
	ai, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	bi, err := os.Stat(b)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(ai, bi), nil
}

// copyFile writes src to dst through the one atomic writer: dst is never
// half written, and the copy is durable before it is recorded.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := atomicfile.Create(dst, 0o644)
	if err != nil {
		return err
	}
	defer tmp.Abort()
	if _, err := io.Copy(tmp, in); err != nil {
		return err
	}
	return tmp.Commit()
}

// moveFile renames src to dst and makes the rename durable before the
// state records it.
func moveFile(src, dst string) error {
	if err := os.Rename(src, dst); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(dst))
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// onlyErrors drops warnings: import's plan is a means, not something shown
// (its "file not known to this state" warning is about the file imported).
func onlyErrors(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			out = append(out, d)
		}
	}
	return out
}

// parseInterleaved parses flags given before, between or after the
// positional arguments (import ADDR -file PATH), and returns the latter.
func parseInterleaved(fs *flagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
