package command

import (
	"context"
	"runtime"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X .../command.Version=v1.2.3".
var Version = "dev"

// versionArgs are version's arguments.
type versionArgs struct {
	Common commonArgs
	JSON   bool // -json
}

func parseVersion(args []string) (versionArgs, error) {
	var a versionArgs
	fs := newFlagSet("version", "[-json]", &a.Common)
	fs.BoolVar(&a.JSON, "json", false, "print the version as a JSON document")
	if err := fs.parse(args); err != nil {
		return a, err
	}
	if fs.NArg() > 0 {
		return a, &UsageError{Msg: "version takes no arguments"}
	}
	return a, nil
}

// versionJSON is version -json's document, for scripts that check which
// ltxform they run before they rely on its output.
type versionJSON struct {
	FormatVersion string `json:"format_version"`
	Version       string `json:"version"`
	GoVersion     string `json:"go_version"`
	Platform      string `json:"platform"` // GOOS_GOARCH, as Terraform's version -json
}

func runVersion(ctx context.Context, env *Env, args []string) error {
	a, err := parseVersion(args)
	if err != nil {
		return err
	}
	v := Version
	if v == "dev" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	if a.JSON {
		return writeJSON(env.Stdout, versionJSON{FormatVersion: uiFormatVersion, Version: v,
			GoVersion: runtime.Version(), Platform: runtime.GOOS + "_" + runtime.GOARCH})
	}
	newView(env, false).version(v)
	return nil
}
