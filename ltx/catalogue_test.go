package ltx

import (
	"reflect"
	"testing"
)

// documented is the API's error documentation, code by code, with the class
// each is given (ARCHITECTURE.md, "Error classes", says what a class does).
var documented = map[string]Class{
	"INVALID_API_KEY": ClassRunFatal, "MISSING_API_KEY": ClassRunFatal, "API_KEY_EXPIRED": ClassRunFatal,
	"INVALID_PROMPT": ClassTaskPermanent, "INVALID_DURATION": ClassTaskPermanent, "INVALID_RESOLUTION": ClassTaskPermanent,
	"INVALID_IMAGE_URL": ClassTaskPermanent, "IMAGE_TOO_LARGE": ClassTaskPermanent, "CONTENT_POLICY_VIOLATION": ClassTaskPermanent,
	"INSUFFICIENT_CREDITS": ClassRunStop, "PLAN_LIMIT_REACHED": ClassRunStop,
	"RATE_LIMIT_EXCEEDED": ClassRetry,
	"TASK_NOT_FOUND":      ClassTaskLost,
	"GENERATION_FAILED":   ClassTaskRetry, "TIMEOUT": ClassTaskRetry,
}

func TestCatalogueCoversTheDocumentation(t *testing.T) {
	cat := Catalogue()
	if len(cat) != len(documented) {
		t.Errorf("catalogue has %d codes, the documentation %d", len(cat), len(documented))
	}
	seen := map[string]bool{}
	for _, c := range cat {
		if seen[c.Code] {
			t.Errorf("%s listed twice", c.Code)
		}
		seen[c.Code] = true
		want, ok := documented[c.Code]
		if !ok {
			t.Errorf("%s is not a documented code", c.Code)
			continue
		}
		if c.Class != want {
			t.Errorf("%s: class %s, want %s", c.Code, c.Class, want)
		}
		if c.Meaning == "" || c.Suggestion == "" || c.Status < 400 || c.Status > 599 {
			t.Errorf("%s: incomplete entry %+v", c.Code, c)
		}
		if got, ok := LookupCode(c.Code); !ok || got != c {
			t.Errorf("LookupCode(%s) = %+v, %v", c.Code, got, ok)
		}
	}
	if _, ok := LookupCode("NOT_A_CODE"); ok {
		t.Error("LookupCode found an unknown code")
	}
}

func TestCatalogueOrderIsStableAndACopy(t *testing.T) {
	a := Catalogue()
	a[0].Suggestion = "changed by a caller"
	if b := Catalogue(); b[0].Suggestion == a[0].Suggestion || !reflect.DeepEqual(b, Catalogue()) {
		t.Error("Catalogue() shares its table with callers or changes order")
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		code   string
		status int
		want   Class
	}{
		// The code decides, whatever status a deployment sends it with.
		{"PLAN_LIMIT_REACHED", 403, ClassRunStop},
		{"INSUFFICIENT_CREDITS", 403, ClassRunStop},
		{"GENERATION_FAILED", 400, ClassTaskRetry},
		{"GENERATION_FAILED", 0, ClassTaskRetry},
		{"TIMEOUT", 504, ClassTaskRetry},
		{"TASK_NOT_FOUND", 400, ClassTaskLost},
		{"INVALID_DURATION", 500, ClassTaskPermanent},
		{"RATE_LIMIT_EXCEEDED", 403, ClassRetry},
		{"INVALID_API_KEY", 400, ClassRunFatal},
		// Status only when the code is missing or unknown.
		{"", 401, ClassRunFatal},
		{"", 403, ClassRunFatal},
		{"SOMETHING_NEW", 403, ClassRunFatal},
		{"", 402, ClassRunStop},
		{"", 429, ClassRetry},
		{"", 500, ClassRetry},
		{"", 502, ClassRetry},
		{"", 503, ClassRetry},
		{"", 504, ClassRetry},
		{"SOMETHING_NEW", 507, ClassRetry},
		{"", 404, ClassTaskLost},
		{"", 400, ClassTaskPermanent},
		{"", 409, ClassTaskPermanent},
		{"", 422, ClassTaskPermanent},
	}
	for _, tt := range tests {
		if got := Classify(tt.code, tt.status); got != tt.want {
			t.Errorf("Classify(%q, %d) = %s, want %s", tt.code, tt.status, got, tt.want)
		}
	}
}

func TestAPIErrorMessage(t *testing.T) {
	e := &APIError{StatusCode: 400, Code: "INVALID_DURATION", Message: "Duration must be between 6 and 20 seconds",
		Field: "duration", RequestID: "req_123"}
	want := "INVALID_DURATION (400): Duration must be between 6 and 20 seconds [field duration] (request_id req_123)"
	if e.Error() != want {
		t.Errorf("Error() = %q\nwant      %q", e.Error(), want)
	}
	bare := &APIError{StatusCode: 503, RequestID: "req_9"}
	if got := bare.Error(); got != "HTTP 503 Service Unavailable (request_id req_9)" {
		t.Errorf("Error() without a code = %q", got)
	}
}

func TestSuggestionOrCatalogue(t *testing.T) {
	own := &APIError{Code: "INVALID_DURATION", Suggestion: "use 10"}
	if own.SuggestionOrCatalogue() != "use 10" {
		t.Errorf("server suggestion not preferred: %q", own.SuggestionOrCatalogue())
	}
	info, _ := LookupCode("INVALID_DURATION")
	if got := (&APIError{Code: "INVALID_DURATION"}).SuggestionOrCatalogue(); got != info.Suggestion {
		t.Errorf("catalogue suggestion not used: %q", got)
	}
	if got := (&APIError{Code: "NEW_THING"}).SuggestionOrCatalogue(); got != "" {
		t.Errorf("unknown code got suggestion %q", got)
	}
}

func TestTaskErrorClass(t *testing.T) {
	for code, want := range map[string]Class{"GENERATION_FAILED": ClassTaskRetry, "TIMEOUT": ClassTaskRetry,
		"CONTENT_POLICY_VIOLATION": ClassTaskPermanent, "SOMETHING_ELSE": ClassTaskRetry} {
		if got := (&TaskError{Code: code}).Class(); got != want {
			t.Errorf("TaskError %s class %s, want %s", code, got, want)
		}
	}
}
