package command

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
)

// uiFormatVersion versions the machine-readable output of the commands:
// every -json line and document. It is not the plan file's or the state's
// version, which move on their own.
// 2.0: apply -json names amounts cost, max_cost, cost_estimated and
// cost_consumed, in the unit it names, where 1.0 said credits for dollars.
const uiFormatVersion = "2.0"

// view is what every command's view shares: the streams with their colour
// decisions, and the way diagnostics, warnings and the final error are told.
// Under -json everything goes to stdout as JSON lines of one envelope,
// {"format_version": "1.0", "type": ..., ...}, and nothing to stderr.
type view struct {
	s    *IOStreams
	json bool
	mu   sync.Mutex // JSON lines come from the run's goroutines too

	// What -json's final error line says for an error already told in
	// other lines: why the run stopped, when it did.
	stopped   string
	errorTold bool
}

func newView(env *Env, jsonOut bool) *view {
	return &view{s: newIOStreams(env), json: jsonOut}
}

func (v *view) out() palette { return palette(v.s.OutColor) }
func (v *view) err() palette { return palette(v.s.ErrColor) }

// println writes one line to stdout, wrapped to the terminal's width.
func (v *view) println(s string) { v.printWrapped(s, "") }

// printWrapped writes s to stdout wrapped to the width, continuation lines
// indented.
func (v *view) printWrapped(s, indent string) {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		for _, l := range wrapLine(line, v.s.Width, indent) {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	fmt.Fprint(v.s.Out, b.String())
}

// printf writes to stdout as it is, not wrapped, for the named methods of
// the views (views_*.go) that print file names, diffs, exports and the
// one-line reports of the commands that change the state. A command calls
// such a method, never printf: views_layout_test.go keeps it so.
func (v *view) printf(format string, a ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.s.Out, format, a...)
}

// eprintf writes a note to stderr as it is, off the output a script reads;
// like printf, for the views' named methods only.
func (v *view) eprintf(format string, a ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.s.Err, format, a...)
}

// jsonEnvelope starts every JSON line.
type jsonEnvelope struct {
	FormatVersion string `json:"format_version"`
	Type          string `json:"type"`
}

func envelope(typ string) jsonEnvelope {
	return jsonEnvelope{FormatVersion: uiFormatVersion, Type: typ}
}

// jsonLine writes v, which embeds a jsonEnvelope, as one line on stdout.
func (v *view) jsonLine(x any) error {
	data, err := json.Marshal(x)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	_, err = v.s.Out.Write(append(data, '\n'))
	return err
}

// jsonDiagnosticLine is a diagnostic under -json.
type jsonDiagnosticLine struct {
	jsonEnvelope
	jsonDiagnostic
}

// Diagnostics tells the manifest's problems: HCL's own writer (file:line,
// the source, the detail) on stderr, coloured only when stderr is a
// terminal; under -json one line each on stdout.
func (v *view) Diagnostics(files map[string]*hcl.File, diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	if v.json {
		for _, d := range diagnosticsJSON(diags) {
			_ = v.jsonLine(jsonDiagnosticLine{envelope("diagnostic"), d})
		}
		return
	}
	// Paragraphs wider than 100 columns are hard to read, even on a wide
	// terminal.
	wr := hcl.NewDiagnosticTextWriter(v.s.Err, files, uint(max(v.s.within(100), 40)), v.s.ErrColor)
	_ = wr.WriteDiagnostics(diags)
}

// jsonMessageLine is a message under -json: an error, a warning, a notice.
type jsonMessageLine struct {
	jsonEnvelope
	Message string `json:"message"`
}

// Error tells the error the command ends with: "Error: ..." on stderr, or
// under -json an "error" line on stdout.
func (v *view) Error(err error) {
	if v.json {
		v.errorTold = true
		_ = v.jsonLine(jsonMessageLine{envelope("error"), errorText(err)})
		return
	}
	fmt.Fprintf(v.s.Err, "%s %s\n", v.err().paint(ansiBold+ansiRed, "Error:"), errorText(err))
}

// Warn tells a warning on stderr, or as a "warning" line under -json.
func (v *view) Warn(msg string) {
	if v.json {
		_ = v.jsonLine(jsonMessageLine{envelope("warning"), msg})
		return
	}
	fmt.Fprintf(v.s.Err, "%s %s\n", v.err().paint(ansiBold+ansiYellow, "Warning:"), msg)
}

// TellError is how main tells an error that no command's view has told:
// a usage error (with its hints) or one from before a view existed.
func TellError(env *Env, err error) {
	newView(env, false).Error(err)
}

func errorText(err error) string {
	var usage *UsageError
	if errors.As(err, &usage) {
		return usage.Msg
	}
	return err.Error()
}

// finish is the last word of a command: an error not yet told is told
// through the view (so that -json's stdout stays JSON lines and the human
// view keeps its colours), and becomes ErrReported, whose exit status is
// the same 1; under -json an error told by other lines still gets its
// final error line. The other outcomes pass through, and so does a usage error
// of the human view.
func (v *view) finish(err error) error {
	if errors.Is(err, ErrReported) && v.json && !v.errorTold {
		// -json ends a failed command with an error line in every case.
		if v.stopped != "" {
			v.Error(errors.New(v.stopped))
		} else {
			v.Error(errors.New("the command failed: the lines above say why"))
		}
	}
	var usage *UsageError
	if !untold(err) || errors.As(err, &usage) && !v.json {
		return err // main tells a usage error, with its hints
	}
	v.Error(err)
	return ErrReported
}

// untold is whether err still has to be told: an error that ends the
// command, not an outcome (ErrPlanHasChanges, ErrSomeVideosFailed,
// ErrFormatNeeded) nor one a view has told (ErrReported).
func untold(err error) bool {
	return err != nil && !errors.Is(err, ErrReported) && !errors.Is(err, ErrSomeVideosFailed) &&
		!errors.Is(err, ErrPlanHasChanges) && !errors.Is(err, ErrFormatNeeded)
}
