package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sync"
)

// fullSuite says whether the suite runs in full, as CI does: $CI set (.ci/run
// sets CI=true) or $LTXFORM_TEST_FULL. Outside it the crash and chaos tests
// stop fewer applies (crashRuns) and the CLI scripts run a plain ltxform
// (scriptBinDir); nothing is skipped.
func fullSuite() bool {
	return os.Getenv("CI") != "" || os.Getenv(fullSuiteEnv) != ""
}

// fullSuiteEnv, set to anything, runs the suite in full outside CI too.
const fullSuiteEnv = "LTXFORM_TEST_FULL"

// scriptBin is the plain ltxform the scripts run, built once per test binary.
var scriptBin struct {
	once sync.Once
	dir  string
	err  error
}

// scriptBinDir is the directory of the ltxform that the CLI scripts run,
// to put first on their PATH; "" means the test binary that testscript
// installs. Under -race that binary is race-instrumented, and each of the
// scripts' ~600 commands then spends about 0.15 s of CPU starting the race
// runtime: three quarters of the scripts' CPU, and on two cores most of
// the suite's minutes. Outside fullSuite the scripts therefore run an
// ltxform built by go build (a few seconds once; a link when the build
// cache is warm). The race detector still watches the test process, the
// simulator, and every ltxform of the crash, chaos and terminal tests; in
// full (CI) the scripts run the race-instrumented binary too.
func scriptBinDir() (string, error) {
	if fullSuite() || !raceBuild() {
		return "", nil
	}
	scriptBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "ltxform-scripts-")
		if err != nil {
			scriptBin.err = err
			return
		}
		cmd := exec.Command("go", "build", "-buildvcs=false", "-o", filepath.Join(dir, "ltxform"), ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			scriptBin.err = fmt.Errorf("go build of the scripts' ltxform (%s=1 runs the test binary instead): %v\n%s", fullSuiteEnv, err, out)
			return
		}
		scriptBin.dir = dir
	})
	return scriptBin.dir, scriptBin.err
}

// removeScriptBin removes the scripts' ltxform after the tests.
func removeScriptBin() {
	if scriptBin.dir != "" {
		os.RemoveAll(scriptBin.dir)
	}
}

// raceBuild says whether the test binary is race-instrumented.
func raceBuild() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}
