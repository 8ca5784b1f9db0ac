package command

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/config"
)

// One table per verb: its defaults, every flag, its positional arguments
// and its errors, parsed alone: no file, stream or Env is touched.

// parseCase is one command line and what its parser must make of it: want
// when err is "", else an error containing err ("-help" for the help).
type parseCase[T any] struct {
	name string
	args []string
	want T
	err  string
}

func checkParse[T any](t *testing.T, parse func([]string) (T, error), cases []parseCase[T]) {
	t.Helper()
	for _, tc := range cases {
		got, err := parse(tc.args)
		var help *helpRequested
		switch {
		case tc.err == "-help":
			if !errors.As(err, &help) {
				t.Errorf("%s: %v, want the help", tc.name, err)
			}
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !reflect.DeepEqual(got, tc.want):
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

var lockOn = lockArgs{Enabled: true}

func vars(flags ...config.VarFlag) varFlags { return varFlags{flags: flags} }

func TestParsePlan(t *testing.T) {
	checkParse(t, parsePlan, []parseCase[planCmdArgs]{
		{name: "defaults", args: nil, want: planCmdArgs{Dir: ".", Plan: planArgs{Lock: lockOn}}},
		{name: "every flag", args: []string{"-out", "p.plan", "-json", "-detailed-exitcode", "-check-images",
			"-target", "video.a", "-target", "video.shot[k]", "-replace", "video.b", "-max-cost", "$1,200",
			"-endpoint", "http://x", "-retry-uncertain", "-var", "a=1", "-var-file", "v.hcl",
			"-lock=false", "-lock-timeout", "5s", "-workspace", "ci", "-no-color", "-input=false", "videos"},
			want: planCmdArgs{Common: commonArgs{NoColor: true, NoInput: true}, Dir: "videos", Out: "p.plan",
				JSON: true, DetailedExitcode: true, CheckImages: true,
				Plan: planArgs{Targets: []string{"video.a", `video.shot["k"]`}, Replace: []string{"video.b"},
					MaxCost: 1200, Endpoint: "http://x", RetryUncertain: true,
					Vars: vars(config.VarFlag{Value: "a=1"}, config.VarFlag{File: true, Value: "v.hcl"}),
					Lock: lockArgs{Enabled: false, Timeout: 5 * time.Second, Workspace: "ci"}}}},
		{name: "-max-credits is -max-cost, and named in refusals", args: []string{"-max-credits", "30"},
			want: planCmdArgs{Dir: ".", Plan: planArgs{MaxCost: 30, MaxCostFlag: "-max-credits", Lock: lockOn}}},
		{name: "flag after the directory", args: []string{"videos", "-json"}, err: "flags come before the directory: plan -json videos"},
		{name: "two directories", args: []string{"a", "b"}, err: "plan takes at most one argument"},
		{name: "not an address", args: []string{"-target", "shot"}, err: "is not a video address"},
		{name: "negative cost", args: []string{"-max-cost", "-3"}, err: "want a cost"},
		{name: "unknown flag", args: []string{"-bogus"}, err: `run "ltxform plan -help"`},
		{name: "help", args: []string{"-help"}, err: "-help"},
	})
}

func TestParseApply(t *testing.T) {
	checkParse(t, parseApply, []parseCase[applyArgs]{
		{name: "defaults", args: nil, want: applyArgs{Plan: planArgs{Lock: lockOn}}},
		{name: "every flag", args: []string{"-auto-approve", "-parallelism", "3", "-json", "-simulate", "-fail-fast",
			"-report", "r.html", "-max-cost", "10", "-retry-uncertain", "-target", "video.a", "-replace", "video.b",
			"-endpoint", "http://x", "-var", "a=1", "-var-file", "v.hcl", "-lock-timeout", "1m", "-workspace", "ci",
			"-no-color", "-input=false", "videos"},
			want: applyArgs{Common: commonArgs{NoColor: true, NoInput: true}, Path: "videos", AutoApprove: true,
				Parallelism: 3, JSON: true, Simulate: true, FailFast: true, Report: "r.html",
				Plan: planArgs{Targets: []string{"video.a"}, Replace: []string{"video.b"}, MaxCost: 10,
					Endpoint: "http://x", RetryUncertain: true,
					Vars: vars(config.VarFlag{Value: "a=1"}, config.VarFlag{File: true, Value: "v.hcl"}),
					Lock: lockArgs{Enabled: true, Timeout: time.Minute, Workspace: "ci"}}}},
		{name: "plan file and directory", args: []string{"tonight.plan", "../checkout"},
			want: applyArgs{Path: "tonight.plan", PlanDir: "../checkout", Plan: planArgs{Lock: lockOn}}},
		{name: "three arguments", args: []string{"a", "b", "c"}, err: "apply takes a directory, or a plan file and an optional directory"},
		{name: "flag after the directory", args: []string{"videos", "-auto-approve"}, err: "flags come before the directory: apply -auto-approve videos"},
		{name: "negative parallelism", args: []string{"-parallelism", "-1"}, err: "-parallelism must be at least 1"},
		{name: "no lock", args: []string{"-lock=false"}, err: "always takes the lock"},
		{name: "json asks nobody", args: []string{"-json"}, err: "-json needs -auto-approve"},
		{name: "help", args: []string{"-h"}, err: "-help"},
	})
	// The view is known even when the line is refused, so that -json tells
	// the refusal as JSON.
	if a, err := parseApply([]string{"-json"}); err == nil || !a.JSON {
		t.Errorf("-json without -auto-approve: JSON %v, err %v", a.JSON, err)
	}
}

func TestParseValidate(t *testing.T) {
	checkParse(t, parseValidate, []parseCase[validateArgs]{
		{name: "defaults", want: validateArgs{Dir: "."}},
		{name: "every flag", args: []string{"-json", "-var", "a=1", "-var-file", "f", "-no-color", "d"},
			want: validateArgs{Common: commonArgs{NoColor: true}, Dir: "d", JSON: true,
				Vars: vars(config.VarFlag{Value: "a=1"}, config.VarFlag{File: true, Value: "f"})}},
		{name: "flag after the directory", args: []string{"d", "-json"}, err: "flags come before the directory"},
		{name: "help", args: []string{"-help"}, err: "-help"},
	})
}

func TestParseShow(t *testing.T) {
	checkParse(t, parseShow, []parseCase[showArgs]{
		{name: "defaults", want: showArgs{}},
		{name: "plan file", args: []string{"-json", "tonight.plan"}, want: showArgs{Path: "tonight.plan", JSON: true}},
		{name: "two", args: []string{"a", "b"}, err: "show takes at most one argument"},
	})
}

func TestParseFmt(t *testing.T) {
	checkParse(t, parseFmt, []parseCase[fmtArgs]{
		{name: "defaults", want: fmtArgs{Path: "."}},
		{name: "every flag", args: []string{"-check", "-diff", "-recursive", "main.ltx.hcl"},
			want: fmtArgs{Path: "main.ltx.hcl", Check: true, Diff: true, Recursive: true}},
		{name: "flag after the file", args: []string{"d", "-check"}, err: "flags come before the directory: fmt -check d"},
	})
}

func TestParseStateList(t *testing.T) {
	checkParse(t, parseStateList, []parseCase[stateReadArgs]{
		{name: "defaults", want: stateReadArgs{Dir: "."}},
		{name: "every flag", args: []string{"-json", "-workspace", "ci", "d"}, want: stateReadArgs{Dir: "d", JSON: true, Workspace: "ci"}},
		{name: "addresses and a directory", args: []string{"video.shot", `video.hero`, "d"},
			want: stateReadArgs{Filter: []string{"video.shot", "video.hero"}, Dir: "d"}},
		{name: "an address alone", args: []string{"video.shot[unboxing]"}, want: stateReadArgs{Filter: []string{"video.shot[unboxing]"}, Dir: "."}},
		{name: "flag after the directory", args: []string{"d", "-json"}, err: "flags come before the directory"},
	})
}

func TestParseStateShow(t *testing.T) {
	checkParse(t, parseStateShow, []parseCase[stateReadArgs]{
		{name: "address", args: []string{"video.a"}, want: stateReadArgs{Address: "video.a", Dir: "."}},
		{name: "every flag", args: []string{"-json", "-workspace", "ci", "video.a", "d"},
			want: stateReadArgs{Address: "video.a", Dir: "d", JSON: true, Workspace: "ci"}},
		{name: "no address", args: nil, err: "state show takes an address"},
		{name: "flag after the address", args: []string{"video.a", "-json"}, err: "flags come before the directory"},
	})
}

func TestParseStateRm(t *testing.T) {
	checkParse(t, parseStateRm, []parseCase[stateRmArgs]{
		{name: "addresses", args: []string{"video.a", "video.b[k]"},
			want: stateRmArgs{Addresses: []string{"video.a", "video.b[k]"}, Dir: ".", Lock: lockOn}},
		{name: "every flag and a directory", args: []string{"-json", "-lock=false", "-lock-timeout", "2s", "-workspace", "ci", "video.a", "d"},
			want: stateRmArgs{Addresses: []string{"video.a"}, Dir: "d", JSON: true, Lock: lockArgs{Timeout: 2 * time.Second, Workspace: "ci"}}},
		{name: "no address", args: []string{"d"}, err: "state rm needs at least one address"},
		{name: "flag after the address", args: []string{"video.a", "-json"}, err: "flags come before the directory"},
	})
}

func TestParseStateMv(t *testing.T) {
	checkParse(t, parseStateMv, []parseCase[stateMvArgs]{
		{name: "two addresses", args: []string{"video.old", "video.shot[a]"},
			want: stateMvArgs{From: "video.old", To: `video.shot["a"]`, Dir: ".", Lock: lockOn}},
		{name: "every flag and a directory", args: []string{"-lock-timeout", "3s", "-workspace", "ci", "video.a", "video.b", "d"},
			want: stateMvArgs{From: "video.a", To: "video.b", Dir: "d", Lock: lockArgs{Enabled: true, Timeout: 3 * time.Second, Workspace: "ci"}}},
		{name: "one address", args: []string{"video.a"}, err: "state mv takes two addresses"},
		{name: "not an address", args: []string{"video.a", "b"}, err: `"b" is not a video address`},
		{name: "the same", args: []string{"video.a", "video.a"}, err: "FROM and TO are the same address"},
		{name: "no lock", args: []string{"-lock=false", "video.a", "video.b"}, err: "always takes the lock"},
		{name: "flag after the addresses", args: []string{"video.a", "video.b", "-lock-timeout", "1s"}, err: "flags come before the directory"},
	})
}

func TestParseStatePushPull(t *testing.T) {
	for _, verb := range []string{"push", "pull"} {
		checkParse(t, func(args []string) (stateMoveArgs, error) { return parseStateMove(verb, args) }, []parseCase[stateMoveArgs]{
			{name: verb + " defaults", want: stateMoveArgs{Dir: "."}},
			{name: verb + " every flag", args: []string{"-force", "-lock-timeout", "4s", "-workspace", "ci", "d"},
				want: stateMoveArgs{Dir: "d", Force: true, LockTimeout: 4 * time.Second, Workspace: "ci"}},
			{name: verb + " two", args: []string{"a", "b"}, err: "state " + verb + " takes at most one argument"},
		})
	}
}

func TestParseImport(t *testing.T) {
	checkParse(t, parseImport, []parseCase[importArgs]{
		{name: "a task", args: []string{"video.hero", "task_1"},
			want: importArgs{Address: "video.hero", TaskID: "task_1", Dir: ".", Lock: lockOn}},
		{name: "a file, flags between and after", args: []string{"video.hero", "-file", "out/hero.mp4", "d", "-move"},
			want: importArgs{Address: "video.hero", Dir: "d", File: "out/hero.mp4", Move: true, Lock: lockOn}},
		{name: "every flag", args: []string{"-endpoint", "http://x", "-var", "a=1", "-lock-timeout", "1s", "-workspace", "ci", "video.a", "t", "d"},
			want: importArgs{Address: "video.a", TaskID: "t", Dir: "d", Endpoint: "http://x", Vars: vars(config.VarFlag{Value: "a=1"}),
				Lock: lockArgs{Enabled: true, Timeout: time.Second, Workspace: "ci"}}},
		{name: "no task", args: []string{"video.a"}, err: "import takes ADDR TASK_ID [DIR]"},
		{name: "move without file", args: []string{"-move", "video.a", "t"}, err: "-move goes with -file"},
		{name: "not an address", args: []string{"hero", "t"}, err: `"hero" is not a video address`},
		{name: "no lock", args: []string{"-lock=false", "video.a", "t"}, err: "always takes the lock"},
	})
}

func TestParseRuns(t *testing.T) {
	checkParse(t, parseRuns, []parseCase[runsArgs]{
		{name: "defaults", want: runsArgs{Dir: "."}},
		{name: "every flag", args: []string{"-json", "-workspace", "ci", "d"}, want: runsArgs{Dir: "d", JSON: true, Workspace: "ci"}},
		{name: "flag after the directory", args: []string{"d", "-json"}, err: "flags come before the directory"},
	})
	checkParse(t, parseRunsShow, []parseCase[runsArgs]{
		{name: "show an id", args: []string{"2026"}, want: runsArgs{RunID: "2026", Dir: "."}},
		{name: "show every flag", args: []string{"-json", "-workspace", "ci", "2026", "d"}, want: runsArgs{RunID: "2026", Dir: "d", JSON: true, Workspace: "ci"}},
		{name: "show no id", err: "runs show takes a run ID"},
	})
}

func TestParseForceUnlock(t *testing.T) {
	checkParse(t, parseForceUnlock, []parseCase[forceUnlockArgs]{
		{name: "an id", args: []string{"abc"}, want: forceUnlockArgs{ID: "abc", Dir: "."}},
		{name: "every flag", args: []string{"-force", "-workspace", "ci", "-input=false", "abc", "d"},
			want: forceUnlockArgs{Common: commonArgs{NoInput: true}, ID: "abc", Dir: "d", Force: true, Workspace: "ci"}},
		{name: "no id", err: "force-unlock takes the lock ID"},
		{name: "flag after the id", args: []string{"abc", "-force"}, err: "flags come before the directory"},
	})
}

func TestParseReport(t *testing.T) {
	checkParse(t, parseReport, []parseCase[reportArgs]{
		{name: "defaults", want: reportArgs{}},
		{name: "every flag", args: []string{"-o", "r.html", "-open", "-state", "d"}, want: reportArgs{Arg: "d", Out: "r.html", Open: true, State: true}},
		{name: "two", args: []string{"a", "b"}, err: "report takes at most one argument"},
	})
}

func TestParseCompletionAndVersion(t *testing.T) {
	checkParse(t, parseCompletion, []parseCase[completionArgs]{
		{name: "a shell", args: []string{"zsh"}, want: completionArgs{Shell: "zsh"}},
		{name: "no shell", err: "completion takes the name of a shell"},
	})
	checkParse(t, parseVersion, []parseCase[versionArgs]{
		{name: "version", want: versionArgs{}},
		{name: "version -no-color", args: []string{"-no-color"}, want: versionArgs{Common: commonArgs{NoColor: true}}},
		{name: "version help", args: []string{"-help"}, err: "-help"},
	})
}

func TestParseSim(t *testing.T) {
	a, err := parseSim(nil)
	if err != nil || a.Addr != "127.0.0.1:8787" || a.Options.Latency != defaultStandaloneLatency {
		t.Errorf("defaults: %+v, %v; want 127.0.0.1:8787 and %v", a.Addr, err, defaultStandaloneLatency)
	}
	a, err = parseSim([]string{"-addr", ":0", "-latency", "0s", "-provider", "lightricks"})
	if err != nil || a.Addr != ":0" || a.Options.Latency != 0 || a.Options.Provider != "lightricks" {
		t.Errorf("flags: %+v %v", a, err)
	}
	if _, err := parseSim([]string{"extra"}); err == nil || !strings.Contains(err.Error(), "sim takes no arguments") {
		t.Errorf("positional: %v", err)
	}
}
