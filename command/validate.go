package command

import (
	"context"
	"fmt"
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

// runValidate parses, evaluates and checks every video offline.
func runValidate(ctx context.Context, env *Env, args []string) (err error) {
	fs := newFlagSet(env, "validate", "[-json] [-var NAME=VALUE] [-var-file FILE] [DIR]")
	jsonOut := fs.Bool("json", false, "print the result as one JSON document on stdout")
	vf := addVarFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	arg, err := oneOptionalArg(fs)
	if err != nil {
		return err
	}
	dir := env.ManifestDir(arg)
	view := newView(env, false)
	defer func() { err = view.finish(err) }()

	if !*jsonOut {
		m, err := loadManifest(env, dir, vf, false)
		if err != nil {
			return err
		}
		view.println(view.out().green("Success!") + fmt.Sprintf(" The manifest is valid: %s.", plural(len(m.Videos), "video", "videos")))
		return nil
	}

	m, diags := loadAndCheck(env, dir, vf)
	doc := validateJSON{
		FormatVersion: uiFormatVersion,
		Valid:         !diags.HasErrors(),
		Diagnostics:   diagnosticsJSON(diags),
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
