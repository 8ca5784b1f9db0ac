package ltx

import (
	"fmt"
	"testing"
)

// TestTaskFailureClass: a task's reported failure is classified one way,
// whoever asks: a known code by its class (retryable meaning a new task),
// an unknown code as task-retry, like GENERATION_FAILED.
func TestTaskFailureClass(t *testing.T) {
	for _, tt := range []struct {
		code string
		want Class
	}{
		{"GENERATION_FAILED", ClassTaskRetry},
		{"CONTENT_POLICY_VIOLATION", ClassTaskPermanent},
		{"RATE_LIMIT_EXCEEDED", ClassTaskRetry}, // retryable: a new task
		{"TASK_NOT_FOUND", ClassTaskLost},
		{"SOMETHING_NEW", ClassTaskRetry},
		{"", ClassTaskRetry},
	} {
		te := &TaskError{Code: tt.code}
		if got := te.Class(); got != tt.want {
			t.Errorf("TaskError{%q}.Class() = %s, want %s", tt.code, got, tt.want)
		}
		// The executor asks through ErrorClass, wrapped or not.
		if got, ok := ErrorClass(fmt.Errorf("task x: %w", te)); !ok || got != tt.want {
			t.Errorf("ErrorClass(%q) = %s, %v; want %s", tt.code, got, ok, tt.want)
		}
	}
	// The client classifies by its provider's vocabulary, with the same rule.
	for _, p := range Providers() {
		for _, tt := range []struct {
			code string
			want Class
		}{{"SOMETHING_NEW", ClassTaskRetry}, {"", ClassTaskRetry}} {
			info, known := p.LookupCode(tt.code)
			if got := taskClass(info, known); got != tt.want {
				t.Errorf("%s: an unknown task code %q is %s, want %s", p.Name, tt.code, got, tt.want)
			}
		}
	}
}
