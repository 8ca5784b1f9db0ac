package command

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestSimServesUntilCancelled runs `ltxform sim` on a free port, uses the
// URL and key it prints, and stops it by cancelling the context.
func TestSimServesUntilCancelled(t *testing.T) {
	outR, outW := io.Pipe()
	var stderr strings.Builder
	env := &Env{Stdout: outW, Stderr: &stderr, Getenv: os.Getenv}
	ctx, cancel := context.WithCancel(context.Background())
	var runErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		runErr = runSim(ctx, env, []string{"-addr", "127.0.0.1:0", "-credits", "30"})
		outW.Close()
	}()
	defer func() { cancel(); <-done }() // also when the test fails early

	vars := map[string]string{}
	lines := bufio.NewScanner(outR)
	for len(vars) < 2 && lines.Scan() {
		if name, value, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(lines.Text()), "export "), "="); ok {
			vars[name] = value
		}
	}
	go io.Copy(io.Discard, outR) // keep the pipe drained until runSim ends
	url, key := vars["LTX_API_URL"], vars["LTX_API_KEY"]
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasPrefix(key, "sk-sim-") {
		t.Fatalf("printed URL %q and key %q", url, key)
	}

	post := func(body string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, url+"/v1/text-to-video", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	// Without -latency the standalone simulator takes its time, so a person
	// can watch the task queue.
	if status, m := post(`{"prompt":"a cat","duration":6}`); status != http.StatusCreated || m["status"] != "queued" {
		t.Errorf("create: %d %v", status, m)
	}
	if status, m := post(`{"prompt":"a dog","duration":6}`); status != http.StatusPaymentRequired {
		t.Errorf("-credits 30 allowed a second 24-credit video: %d %v", status, m)
	}

	cancel()
	<-done
	if runErr != nil {
		t.Fatalf("runSim: %v", runErr)
	}
	if !strings.Contains(stderr.String(), "simulator stopped") {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestSimRefusesBadFlags(t *testing.T) {
	env := &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: os.Getenv}
	for _, args := range [][]string{{"-fault", "nope=1"}, {"extra"}, {"-addr", "256.0.0.1:99999"}} {
		if err := runSim(context.Background(), env, args); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}
