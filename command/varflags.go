package command

import (
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/plan"
)

// varFlags collects -var and -var-file in the order given: as in Terraform,
// a later option overrides an earlier one.
type varFlags struct {
	flags []config.VarFlag
	// workspace is the -workspace flag, for ltxform.workspace.
	workspace string
}

// withWorkspace is vf (nil: no variables) with the -workspace flag ws.
func withWorkspace(vf *varFlags, ws string) *varFlags {
	out := varFlags{workspace: ws}
	if vf != nil {
		out.flags = vf.flags
	}
	return &out
}

type varFlagValue struct {
	vf   *varFlags
	file bool
}

func (v varFlagValue) String() string { return "" }

func (v varFlagValue) Set(s string) error {
	v.vf.flags = append(v.vf.flags, config.VarFlag{File: v.file, Value: s})
	return nil
}

// addVarFlags registers -var and -var-file on fs, collected into vf.
func addVarFlags(fs *flagSet, vf *varFlags) {
	fs.Var(varFlagValue{vf: vf}, "var", "set a variable: `NAME=VALUE` (repeatable)")
	fs.Var(varFlagValue{vf: vf, file: true}, "var-file", "read variables from `FILE` of NAME = VALUE lines (repeatable)")
}

// loadOptions are the variable sources for config.Load.
func (vf *varFlags) loadOptions(env *Env) config.LoadOptions {
	opts := config.LoadOptions{Flags: append([]config.VarFlag{}, vf.flags...), Workspace: vf.workspace}
	if env.Environ != nil {
		opts.Environ = env.Environ()
	}
	return opts
}

// loadManifest loads the manifest in dir and checks the API limits; it
// renders the diagnostics (warnings too) and returns ErrReported when there
// is an error. plan, apply and validate share it.
func loadManifest(v *view, env *Env, dir string, vf *varFlags) (*config.Manifest, error) {
	m, diags := loadAndCheck(env, dir, vf)
	v.Diagnostics(m.Files, diags)
	if diags.HasErrors() {
		return m, ErrReported
	}
	return m, nil
}

// loadAndCheck is loadManifest leaving the diagnostics to the caller.
func loadAndCheck(env *Env, dir string, vf *varFlags) (*config.Manifest, hcl.Diagnostics) {
	if vf == nil {
		vf = &varFlags{}
	}
	m, diags := config.Load(dir, vf.loadOptions(env))
	diags = append(diags, plan.CheckManifest(m, time.Now())...)
	return m, diags
}
