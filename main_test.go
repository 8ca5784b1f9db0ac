package main

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ltxform/ltxform/command"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/sim"
)

func TestMain(m *testing.M) {
	testscript.Main(parallelByDefault{m}, map[string]func(){
		"ltxform": main,
	})
}

// testParallelism is how many parallel tests (each script, the crash and
// chaos tests) run at once unless -parallel says otherwise. They spend most
// of their time waiting for subprocesses and the simulator's clock, not on
// a CPU, so Go's default of one per core would leave two cores idle for
// minutes.
const testParallelism = 8

// parallelByDefault runs the tests with -parallel testParallelism when the
// command line does not set it.
type parallelByDefault struct{ m *testing.M }

func (p parallelByDefault) Run() int {
	quickRaceExit()
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", strconv.Itoa(max(testParallelism, runtime.GOMAXPROCS(0)))); err != nil {
			panic(err)
		}
	}
	defer removeScriptBin()
	return p.m.Run()
}

// simKey is the key the scripts' simulator accepts; scripts see it as $LTX_API_KEY.
const simKey = "sk-test-4f1b2c9e7d"

// TestScripts runs testdata/script/*.txtar. Each script gets its own
// simulator on a loopback port; its URL is $LTX_API_URL. A script may hold a
// file sim.args with `ltxform sim` knob flags (one line) to configure it.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("LTXFORM_UPDATE_SCRIPTS") != "", // rewrite cmp golden files in place
		Setup:               setupScriptSim,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"simcount":   cmdSimCount,
			"simclock":   cmdSimClock,
			"waitfor":    cmdWaitFor,
			"simtask":    cmdSimTask,
			"gfm":        cmdGFM,
			"receiver":   cmdReceiver,
			"actionlint": cmdActionlint,
		},
	})
}

// setupScriptSim gives a script its own simulator on a loopback port,
// configured by the script's sim.args file if it has one, and points
// ltxform at it ($LTX_API_URL, $LTX_API_KEY) with plain, wide output.
func setupScriptSim(env *testscript.Env) error {
	var args []string
	if b, err := os.ReadFile(filepath.Join(env.WorkDir, "sim.args")); err == nil {
		args = strings.Fields(string(b))
	}
	opts, err := command.SimOptionsFromArgs(args)
	if err != nil {
		return fmt.Errorf("sim.args: %w", err)
	}
	if len(opts.Keys) == 0 {
		opts.Keys = []string{simKey}
	}
	clock := &scriptClock{}
	opts.Now = clock.Now
	env.Values["simclock"] = clock
	s := sim.New(opts)
	srv := httptest.NewServer(s)
	env.Defer(func() { srv.Close() })
	env.Values["sim"] = s
	env.Setenv("LTX_API_URL", srv.URL)
	env.Setenv("LTX_API_KEY", simKey)
	env.Setenv("NO_COLOR", "1")
	dir, err := scriptBinDir()
	if err != nil {
		return err
	}
	if dir != "" {
		env.Setenv("PATH", dir+string(os.PathListSeparator)+env.Getenv("PATH"))
	}
	env.Setenv("GORACE", os.Getenv("GORACE")) // see quickRaceExit
	// The scripts read whole tables: a terminal wide enough for every column.
	env.Setenv("COLUMNS", "1000")
	return nil
}

// cmdSimTask makes a task straight at the script's simulator, as another
// tool or a colleague would, and sets VAR to its id:
// `simtask VAR PROMPT DURATION RESOLUTION`.
func cmdSimTask(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: simtask VAR PROMPT DURATION RESOLUTION")
	}
	d, err := strconv.Atoi(args[2])
	if err != nil {
		ts.Fatalf("simtask: duration %q: %v", args[2], err)
	}
	client := ltx.NewClient(ltx.Options{BaseURL: ts.Getenv("LTX_API_URL"), Key: ltx.NewKey(ts.Getenv("LTX_API_KEY"))})
	task, err := client.Create(context.Background(), ltx.CreateRequest{Prompt: args[1], Duration: d, Resolution: args[3]}, "")
	if err != nil {
		ts.Fatalf("simtask: %v", err)
	}
	ts.Setenv(args[0], task.ID)
}

// quickRaceExit tells the race-instrumented ltxform processes that the tests
// start (hundreds of them) not to sleep for the race runtime's default
// atexit_sleep_ms of one second before they exit. A race is still reported
// when it happens; the sleep only gives other goroutines time to run into
// one at exit. An explicit GORACE setting wins.
func quickRaceExit() {
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
}

// scriptClock is the simulator's clock in a script: real time, plus what
// `simclock` moved it on by.
type scriptClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *scriptClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// cmdSimClock moves the simulator's clock on: `simclock 1h` makes the
// tasks of a `-latency 1h` simulator complete now, so that a script decides
// when a command in the background may finish instead of racing it.
func cmdSimClock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: simclock DURATION")
	}
	d, err := time.ParseDuration(args[0])
	if err != nil || d <= 0 {
		ts.Fatalf("bad duration %q", args[0])
	}
	c, _ := ts.Value("simclock").(*scriptClock)
	if c == nil {
		ts.Fatalf("no simulator in this script")
	}
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// cmdSimCount asserts one simulator counter: `simcount Creates 3`, or with an
// operator: `simcount EarlyRequests == 0`, `simcount Requests <= 40`.
func cmdSimCount(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 2 {
		args = []string{args[0], "==", args[1]}
	}
	if len(args) != 3 {
		ts.Fatalf("usage: simcount COUNTER [==|<=|>=] N")
	}
	s, _ := ts.Value("sim").(*sim.Server)
	if s == nil {
		ts.Fatalf("no simulator in this script")
	}
	f := reflect.ValueOf(s.Counters()).FieldByName(args[0])
	if !f.IsValid() {
		ts.Fatalf("no counter %q", args[0])
	}
	want, err := strconv.ParseFloat(args[2], 64)
	if err != nil {
		ts.Fatalf("bad number %q", args[2])
	}
	var got float64
	if f.Kind() == reflect.Float64 {
		got = f.Float() // Spent, in the provider's unit
	} else {
		got = float64(f.Int())
	}
	const cent = 1e-9 // float sums of prices: compare to well below a cent
	var ok bool
	switch args[1] {
	case "==":
		ok = got > want-cent && got < want+cent
	case "<=":
		ok = got <= want+cent
	case ">=":
		ok = got >= want-cent
	default:
		ts.Fatalf("bad operator %q", args[1])
	}
	if ok == neg {
		ts.Fatalf("simulator counter %s = %g, want %s %g", args[0], got, args[1], want)
	}
}

// cmdWaitFor waits until a file holds a match for a pattern, written by a
// command running in the background: `waitfor 'created' .ltxform/journal.jsonl`.
// It gives up after 30 s, so that a script never hangs.
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitfor PATTERN FILE")
	}
	re, err := regexp.Compile(args[0])
	if err != nil {
		ts.Fatalf("bad pattern: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(ts.MkAbs(args[1])); err == nil && re.Match(b) {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("no match for %q in %s after 30 s", args[0], args[1])
		}
		<-tick.C
	}
}
