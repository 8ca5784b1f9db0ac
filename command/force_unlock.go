package command

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// runForceUnlock removes the lock info a dead run left behind. The store
// refuses when the id does not match or the holder still holds the OS lock.
func runForceUnlock(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "force-unlock", "[-force] [-workspace NAME] ID [DIR]")
	force := fs.Bool("force", false, "do not ask for confirmation")
	workspace := addWorkspaceFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		return &UsageError{Msg: "force-unlock takes the lock ID (from the error that named the holder) and an optional directory"}
	}
	if !*force && env.NoInput {
		return &UsageError{Msg: "force-unlock asks for confirmation and -input=false forbids asking: give -force"}
	}
	id := fs.Arg(0)
	dir := env.ManifestDir(fs.Arg(1))
	if err := checkManifestDir(dir); err != nil {
		return err
	}
	store, err := openStore(ctx, env, dir, *workspace)
	if err != nil {
		return err
	}
	defer store.Close()

	if !*force {
		info := store.ReadLockInfo()
		if info == nil {
			return fmt.Errorf("%s is not locked: there is no lock info", store.Where())
		}
		fmt.Fprintf(env.Stdout, "Do you really want to force-unlock?\n  The lock %s was taken by %s (pid %d on %s) at %s.\n  Unlocking while that run is alive lets two runs interleave.\n  Only 'yes' will be accepted to confirm.\n\n  Enter a value: ",
			info.ID, info.Operation, info.PID, info.Host, info.Created.UTC().Format(time.RFC3339))
		answer, err := bufio.NewReader(env.Stdin).ReadString('\n')
		fmt.Fprintln(env.Stdout)
		if err != nil && answer == "" {
			return errors.New("force-unlock cancelled: no answer (use -force when there is no terminal)")
		}
		if strings.TrimSpace(answer) != "yes" {
			return errors.New("force-unlock cancelled")
		}
	}
	if err := store.ForceUnlock(id); err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Stdout, "The lock %s has been removed; %s is unlocked.\n", id, store.Where())
	return err
}
