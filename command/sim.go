package command

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ltxform/ltxform/sim"
)

// simArgs are sim's arguments: where to listen and the simulator's knobs.
type simArgs struct {
	Common  commonArgs
	Addr    string // -addr HOST:PORT
	Options sim.Options
}

// parseSim reads sim's command line. A standalone simulator answers after
// a human-scale latency unless -latency or -realistic says otherwise.
func parseSim(args []string) (simArgs, error) {
	var a simArgs
	fs := newFlagSet("sim", "[-addr HOST:PORT] [-key KEY] [knobs]", &a.Common)
	fs.StringVar(&a.Addr, "addr", "127.0.0.1:8787", "listen on `HOST:PORT`")
	build := registerSimFlags(fs.FlagSet)
	if err := fs.parse(args); err != nil {
		return a, err
	}
	if fs.NArg() > 0 {
		return a, &UsageError{Msg: fmt.Sprintf("sim takes no arguments, got %s", strings.Join(fs.Args(), " "))}
	}
	opts, err := build()
	if err != nil {
		return a, &UsageError{Msg: err.Error()}
	}
	latencySet := false
	fs.Visit(func(f *flag.Flag) { latencySet = latencySet || f.Name == "latency" || f.Name == "realistic" })
	if !latencySet {
		opts.Latency = defaultStandaloneLatency
	}
	a.Options = opts
	return a, nil
}

// runSim serves the API simulator until ctx is cancelled (Ctrl-C).
func runSim(ctx context.Context, env *Env, args []string) error {
	a, err := parseSim(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	opts := a.Options
	if len(opts.Keys) == 0 {
		// A key of the simulator only, so that the printed export works.
		opts.Keys = []string{"sk-sim-" + strings.ToLower(rand.Text()[:16])}
	}

	ln, err := net.Listen("tcp", a.Addr)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	s := sim.New(opts)
	// Requests live in ctx, so that a hung request (the hang fault) ends on Ctrl-C.
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}

	url := "http://" + ln.Addr().String()
	v := newView(env, false)
	v.simulatorListening(s.Provider(), url, opts.Keys)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("sim: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	<-served // Serve returns ErrServerClosed once Shutdown begins
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("sim: shutdown: %w", err)
	}
	v.simulatorStopped()
	return nil
}
