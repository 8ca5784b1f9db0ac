package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/internal/s3test"
	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/state/s3state"
)

// s3CrashWorld is a manifest directory whose state is a workspace of a
// bucket of the test's S3 server, with a simulator.
type s3CrashWorld struct {
	t         *testing.T
	bin       string
	dir       string
	env       []string // the server's credentials and endpoint
	s3        *s3.Client
	block     *config.Backend
	workspace string
	sim       *sim.Server
	srv       *httptest.Server
}

func newS3CrashWorld(t *testing.T, manifest string, opts sim.Options) *s3CrashWorld {
	t.Helper()
	s3srv := s3test.Start(t)
	bin, err := exec.LookPath("ltxform") // installed on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	w := &s3CrashWorld{t: t, bin: bin, dir: t.TempDir(), env: s3srv.Env(), s3: s3srv.Client(), workspace: "crash-" + hex.EncodeToString(b[:])}
	w.block = &config.Backend{Type: "s3", Bucket: s3srv.Bucket(t), Key: "crash", Endpoint: s3srv.Endpoint, PathStyle: true}
	opts.Keys = []string{simKey}
	w.sim = sim.New(opts)
	w.srv = httptest.NewServer(w.sim)
	t.Cleanup(func() { w.srv.Close() })
	backend := fmt.Sprintf("backend \"s3\" {\n  bucket     = %q\n  key        = \"crash\"\n  workspace  = %q\n  path_style = true\n}\n", w.block.Bucket, w.workspace)
	if err := os.WriteFile(filepath.Join(w.dir, "main.ltx.hcl"), []byte(backend+manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// apply is an `ltxform apply -json` of the world; a killed run's lock
// object names a pid that is gone, which the next run takes over.
func (w *s3CrashWorld) apply() *exec.Cmd {
	cmd := exec.Command(w.bin, "apply", "-auto-approve", "-json", "-lock-timeout=30s", w.dir)
	cmd.Env = append(append(os.Environ(), w.env...), "LTX_API_URL="+w.srv.URL, "LTX_API_KEY="+simKey, "NO_COLOR=1", "LTXFORM_WORKSPACE=")
	return cmd
}

func (w *s3CrashWorld) simulator() *sim.Server { return w.sim }

// load reads the workspace as the next run would (s3state.Open, with the
// server's client instead of the process's environment, so that the test
// can run in parallel with others).
func (w *s3CrashWorld) load() (*state.State, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := s3state.New(w.s3, w.block.Bucket, w.block.Key, w.workspace)
	s.UsePendingJournal(w.dir)
	defer s.Close()
	return s.Load(ctx)
}

func (w *s3CrashWorld) manifestDir() string { return w.dir }

// TestApplySurvivesSIGKILLWithS3Store is TestApplySurvivesSIGKILL with the
// state in an S3 bucket: an apply killed at any moment and run again never
// buys a video twice, the state always loads, and the last run finishes.
func TestApplySurvivesSIGKILLWithS3Store(t *testing.T) {
	t.Parallel()
	skipInShortMode(t, "kills 20 subprocesses")
	w := newS3CrashWorld(t, crashManifest, sim.Options{
		Latency:    300 * time.Millisecond,
		FaultRates: map[sim.Fault]float64{sim.FaultDropAfterCreate: 0.15, sim.FaultUnavailable: 0.05},
		Seed:       7,
	})
	killAndResume(t, w)
	if _, err := os.Stat(filepath.Join(w.dir, state.DirName, "state.json")); err == nil {
		t.Errorf("a local state.json was written beside a backend \"s3\"")
	}
}
