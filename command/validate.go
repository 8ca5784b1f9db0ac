package command

import (
	"context"
)

// validateJSON is validate -json's document, like terraform validate -json.
type validateJSON struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	VideoCount    int              `json:"video_count"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

// validateArgs are validate's arguments.
type validateArgs struct {
	Common commonArgs
	Dir    string // "." when not given
	JSON   bool   // -json
	Vars   varFlags
}

func parseValidate(args []string) (validateArgs, error) {
	var a validateArgs
	fs := newFlagSet("validate", "[-json] [-var NAME=VALUE] [-var-file FILE] [DIR]", &a.Common)
	fs.BoolVar(&a.JSON, "json", false, "print the result as one JSON document on stdout")
	addVarFlags(fs, &a.Vars)
	if err := fs.parse(args); err != nil {
		return a, err
	}
	dir, err := oneOptionalArg(fs)
	a.Dir = dirOrCurrent(dir)
	return a, err
}

// runValidate parses, evaluates and checks every video offline. It reads
// the manifest only: no state, no lock, no file written.
func runValidate(ctx context.Context, env *Env, args []string) (err error) {
	a, err := parseValidate(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	dir, vf := a.Dir, &a.Vars
	view := newView(env, false)
	defer func() { err = view.finish(err) }()

	if !a.JSON {
		m, err := loadManifest(view, env, dir, vf)
		if err != nil {
			return err
		}
		view.manifestValid(len(m.Videos))
		return nil
	}

	m, diags := loadAndCheck(env, dir, vf)
	doc := validateJSON{
		FormatVersion: uiFormatVersion,
		Valid:         !diags.HasErrors(),
		Diagnostics:   diagnosticsInSourceOrder(m.Files, diags),
	}
	if doc.Valid {
		doc.VideoCount = len(m.Videos)
	}
	for _, d := range doc.Diagnostics {
		if d.Severity == "error" {
			doc.ErrorCount++
		} else {
			doc.WarningCount++
		}
	}
	if err := writeJSON(env.Stdout, doc); err != nil {
		return err
	}
	if !doc.Valid {
		return ErrReported
	}
	return nil
}
