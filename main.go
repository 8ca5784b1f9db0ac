// Command ltxform is a declarative batch runner for the LTX-2 video API.
package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/ltxform/ltxform/command"
)

func main() { os.Exit(realMain()) }

func realMain() int {
	// The first interrupt cancels ctx (apply stops new creates and reports);
	// stop() then restores the default so that a second one exits at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	defer stop()

	env := command.DefaultEnv(term.IsTerminal(int(os.Stdin.Fd())), term.IsTerminal(int(os.Stdout.Fd())))
	err := command.Run(ctx, env, os.Args[1:])
	return exitCode(err, env)
}

// exitCode turns a command's outcome into the exit status
// (command.ExitStatus) and tells an error no view has told.
func exitCode(err error, env *command.Env) int {
	code := command.ExitStatus(err)
	if code == command.ExitRunError && !errors.Is(err, command.ErrReported) {
		// A usage error, or one from before a command had its view.
		command.TellError(env, err)
	}
	return code
}
