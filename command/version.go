package command

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X .../command.Version=v1.2.3".
var Version = "dev"

// versionArgs are version's arguments: only the common flags.
type versionArgs struct{ Common commonArgs }

func parseVersion(args []string) (versionArgs, error) {
	var a versionArgs
	return a, newFlagSet("version", "", &a.Common).parse(args)
}

func runVersion(ctx context.Context, env *Env, args []string) error {
	if _, err := parseVersion(args); err != nil {
		return err
	}
	v := Version
	if v == "dev" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	fmt.Fprintf(env.Stdout, "ltxform %s (%s %s/%s)\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
