package command

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestForceUnlockAsksLikeApply: force-unlock's question follows the rules
// of apply's (IOStreams.CanPrompt and Confirm): asked only on a terminal
// and without -input=false, and only "yes" removes the lock.
func TestForceUnlockAsksLikeApply(t *testing.T) {
	const info = `{"id": "5c1e0a7d", "pid": 4242, "host": "cron-host", "operation": "apply", "created": "2026-11-25T02:30:00Z"}`
	for _, tc := range []struct {
		name       string
		terminal   bool
		args       []string
		answer     string
		asked      bool
		unlocked   bool
		errContain string
	}{
		{"yes on a terminal", true, nil, "yes\n", true, true, ""},
		{"y is not yes", true, nil, "y\n", true, false, "force-unlock cancelled"},
		{"no answer", true, nil, "", true, false, "force-unlock cancelled"},
		{"no terminal", false, nil, "yes\n", false, false, "stdin is not a terminal, so nobody can answer: give -force"},
		{"-input=false", true, []string{"-input=false"}, "yes\n", false, false, "-input=false forbids asking: give -force"},
		{"-force asks nothing", false, []string{"-force"}, "", false, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := lockTestDir(t)
			lock := filepath.Join(dir, ".ltxform", "lock.info")
			if err := os.WriteFile(lock, []byte(info), 0o644); err != nil {
				t.Fatal(err)
			}
			env, out, _ := lockTestEnv()
			env.Stdin, env.StdinIsTerminal = strings.NewReader(tc.answer), tc.terminal
			args := append(append([]string{"force-unlock"}, tc.args...), "5c1e0a7d", dir)
			err := Run(context.Background(), env, args)
			if tc.errContain == "" && err != nil || tc.errContain != "" && (err == nil || !strings.Contains(err.Error(), tc.errContain)) {
				t.Errorf("err = %v, want %q", err, tc.errContain)
			}
			if asked := strings.Contains(out.String(), "Do you really want to force-unlock?"); asked != tc.asked {
				t.Errorf("asked = %v, want %v:\n%s", asked, tc.asked, out.String())
			}
			if _, statErr := os.Stat(lock); (statErr != nil) != tc.unlocked {
				t.Errorf("lock info removed = %v, want %v", statErr != nil, tc.unlocked)
			}
		})
	}
}
