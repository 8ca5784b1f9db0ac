package ltx

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// answer is a hand-written handler that replies with one canned response.
func answer(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

func newTestClient(t *testing.T, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return NewClient(Options{BaseURL: srv.URL, Key: NewKey(secret), HTTPClient: srv.Client()})
}

func float(f float64) *float64 { return &f }

func TestTolerantReader(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]string
		body   string
		want   Task
	}{
		{"contract shape", nil,
			`{"task_id":"t1","status":"completed","progress":100,"video_url":"https://cdn.example/t1.mp4","consumed_credits":32,"request_id":"req_1"}`,
			Task{ID: "t1", Status: StatusCompleted, Progress: float(100), VideoURL: "https://cdn.example/t1.mp4", ConsumedCost: 32, RequestID: "req_1"}},
		{"envelope, SUCCESS, response[0], numbers as strings, request_id from header", map[string]string{"X-Request-Id": "req_h"},
			`{"code":200,"message":"success","data":{"task_id":"t2","status":"SUCCESS","response":["https://cdn.example/t2.mp4","https://cdn.example/alt.mp4"],"consumed_credits":"40","progress":"100"}}`,
			Task{ID: "t2", Status: StatusCompleted, Progress: float(100), VideoURL: "https://cdn.example/t2.mp4", ConsumedCost: 40, RequestID: "req_h"}},
		{"envelope with request_id inside data", nil,
			`{"code":200,"message":"success","data":{"task_id":"t3","status":"IN_PROGRESS","progress":"45%","request_id":"req_3"}}`,
			Task{ID: "t3", Status: StatusProcessing, Progress: float(45), RequestID: "req_3"}},
		{"PENDING is queued", nil, `{"task_id":"t4","status":"PENDING","request_id":"r"}`,
			Task{ID: "t4", Status: StatusQueued, RequestID: "r"}},
		{"QUEUED in any case", nil, `{"task_id":"t4","status":"Queued","request_id":"r"}`,
			Task{ID: "t4", Status: StatusQueued, RequestID: "r"}},
		{"FAILED with error_message only is GENERATION_FAILED", nil,
			`{"code":200,"message":"success","data":{"task_id":"t5","status":"FAILED","error_message":"model crashed"}}`,
			Task{ID: "t5", Status: StatusFailed, Error: &TaskError{Code: "GENERATION_FAILED", Message: "model crashed"}}},
		{"failed with an error object", nil,
			`{"task_id":"t6","status":"failed","error":{"code":"TIMEOUT","message":"took too long"},"consumed_credits":0,"request_id":"r6"}`,
			Task{ID: "t6", Status: StatusFailed, Error: &TaskError{Code: "TIMEOUT", Message: "took too long"}, RequestID: "r6"}},
		{"failed without a reason", nil, `{"task_id":"t7","status":"failed"}`,
			Task{ID: "t7", Status: StatusFailed, Error: &TaskError{Code: "GENERATION_FAILED", Message: "the task failed without giving a reason"}}},
		{"no task_id on a poll: the one asked for", nil, `{"status":"processing","progress":12.5}`,
			Task{ID: "asked", Status: StatusProcessing, Progress: float(12.5)}},
		{"no status but a video", nil, `{"task_id":"t8","video_url":"https://cdn.example/8.mp4"}`,
			Task{ID: "t8", Status: StatusCompleted, VideoURL: "https://cdn.example/8.mp4"}},
		{"progress out of range and wrong types elsewhere", nil,
			`{"task_id":"t9","status":"processing","progress":250,"consumed_credits":{"n":1},"video_url":17}`,
			Task{ID: "t9", Status: StatusProcessing, Progress: float(100), VideoURL: "17"}},
		{"an error in a task that is still running is not a failure", nil,
			`{"task_id":"t10","status":"processing","error":{"code":"","message":""}}`,
			Task{ID: "t10", Status: StatusProcessing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, answer(200, tt.header, tt.body))
			got, err := c.GetTask(context.Background(), TaskRef{ID: "asked"})
			if err != nil {
				t.Fatal(err)
			}
			assertTask(t, got, &tt.want)
		})
	}
}

func assertTask(t *testing.T, got, want *Task) {
	t.Helper()
	if got.ID != want.ID || got.Status != want.Status || got.VideoURL != want.VideoURL ||
		got.ConsumedCost != want.ConsumedCost || got.RequestID != want.RequestID || got.Replayed != want.Replayed {
		t.Errorf("task = %+v\nwant   %+v", *got, *want)
	}
	if (got.Progress == nil) != (want.Progress == nil) || (got.Progress != nil && *got.Progress != *want.Progress) {
		t.Errorf("progress = %v, want %v", deref(got.Progress), deref(want.Progress))
	}
	if (got.Error == nil) != (want.Error == nil) || (got.Error != nil && (got.Error.Code != want.Error.Code || got.Error.Message != want.Error.Message)) {
		t.Errorf("error = %+v, want %+v", got.Error, want.Error)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// A deployment may answer an error with HTTP 200 inside its envelope.
func TestErrorInsideA2xxAnswer(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
		wantClass  Class
	}{
		{"envelope code", `{"code":404,"message":"task not found","data":null,"request_id":"req_e"}`, 404, "", ClassTaskLost},
		{"error object", `{"error":{"code":"TASK_NOT_FOUND","message":"no such task"},"request_id":"req_e"}`, 200, "TASK_NOT_FOUND", ClassTaskLost},
		{"envelope with error code", `{"code":402,"message":"no credits","error_code":"INSUFFICIENT_CREDITS","request_id":"req_e"}`, 402, "INSUFFICIENT_CREDITS", ClassRunStop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, answer(200, nil, tt.body))
			_, err := c.GetTask(context.Background(), TaskRef{ID: "x"})
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.StatusCode != tt.wantStatus || apiErr.Code != tt.wantCode || apiErr.Class() != tt.wantClass || apiErr.RequestID != "req_e" {
				t.Errorf("got %+v (class %s)", apiErr, apiErr.Class())
			}
		})
	}
}

func TestUnreadable2xxIsAnUnknownOutcome(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":          "<html>ok</html>",
		"empty":             "",
		"unknown status":    `{"task_id":"t","status":"exploded"}`,
		"create without id": `{"status":"queued"}`,
	} {
		t.Run(name, func(t *testing.T) {
			c := newTestClient(t, answer(201, map[string]string{"X-Request-Id": "req_m"}, body))
			_, err := c.Create(context.Background(), CreateRequest{Prompt: "p", Duration: 6, Resolution: "1080p"}, "k")
			var re *RequestError
			if !errors.As(err, &re) || !re.Sent || !errors.Is(err, ErrMalformedResponse) || re.RequestID != "req_m" {
				t.Fatalf("err = %#v, want a sent *RequestError wrapping ErrMalformedResponse with the request_id", err)
			}
		})
	}
}

func junk(n int) string {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return string(b)
}

func TestBadErrorBodies(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		want      APIError
		wantClass Class
	}{
		{"empty", 503, map[string]string{"X-Request-Id": "req_hdr"}, "",
			APIError{StatusCode: 503, RequestID: "req_hdr"}, ClassRetry},
		{"HTML from a proxy", 502, nil, "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>",
			APIError{StatusCode: 502, Message: "502 Bad Gateway"}, ClassRetry},
		{"plain text", 500, nil, "upstream connect error\n or disconnect",
			APIError{StatusCode: 500, Message: "upstream connect error or disconnect"}, ClassRetry},
		{"2 MiB of junk", 500, map[string]string{"X-Request-Id": "req_j"}, junk(2 << 20),
			APIError{StatusCode: 500, RequestID: "req_j"}, ClassRetry},
		{"huge JSON cut at the read limit", 400, nil, `{"error":{"code":"INVALID_PROMPT","message":"` + strings.Repeat("a", 2<<20) + `"}}`,
			APIError{StatusCode: 400}, ClassTaskPermanent},
		{"wrong types", 400, nil, `{"error":{"code":42,"message":["x"],"details":"nope"},"request_id":7}`,
			APIError{StatusCode: 400, RequestID: "7"}, ClassTaskPermanent},
		{"error as a code string", 429, map[string]string{"Retry-After": "7"}, `{"error":"RATE_LIMIT_EXCEEDED"}`,
			APIError{StatusCode: 429, Code: "RATE_LIMIT_EXCEEDED", RetryAfter: 7 * time.Second}, ClassRetry},
		{"error as a sentence", 403, nil, `{"error":"Forbidden for this key"}`,
			APIError{StatusCode: 403, Message: "Forbidden for this key"}, ClassRunFatal},
		{"flat shape", 400, nil, `{"code":"INVALID_PROMPT","message":"prompt too long","details":{"field":"prompt"},"request_id":"r"}`,
			APIError{StatusCode: 400, Code: "INVALID_PROMPT", Message: "prompt too long", Field: "prompt", RequestID: "r"}, ClassTaskPermanent},
		{"JSON null", 500, nil, "null", APIError{StatusCode: 500}, ClassRetry},
		{"JSON array", 402, nil, `[1,2]`, APIError{StatusCode: 402}, ClassRunStop},
		{"terminal escapes are stripped", 400, nil, `{"error":{"code":"INVALID_PROMPT","message":"bad\u001b[31m red\u0007"}}`,
			APIError{StatusCode: 400, Code: "INVALID_PROMPT", Message: "bad [31m red"}, ClassTaskPermanent},
		{"the key echoed back is scrubbed", 401, nil, `{"error":{"code":"INVALID_API_KEY","message":"key ` + secret + ` is unknown"},"request_id":"r"}`,
			APIError{StatusCode: 401, Code: "INVALID_API_KEY", Message: "key [REDACTED] is unknown", RequestID: "r"}, ClassRunFatal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, answer(tt.status, tt.header, tt.body))
			_, err := c.Create(context.Background(), CreateRequest{Prompt: "p", Duration: 6, Resolution: "1080p"}, "")
			var got *APIError
			if !errors.As(err, &got) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			tt.want.Method, tt.want.Path = "POST", "/v1/text-to-video"
			public := *got // the provider's verdict is checked through Class below
			public.class, public.throttle, public.knownCode, public.notCreated, public.catalogueSuggestion = "", "", false, false, ""
			if public != tt.want {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
			if got.Class() != tt.wantClass {
				t.Errorf("class %s, want %s", got.Class(), tt.wantClass)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the key: %s", err)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"3", 3 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"1.5", 1500 * time.Millisecond},
		{"0", 0},
		{"-4", 0},
		{"", 0},
		{"soon", 0},
		{"NaN", 0},
		{"99999999999999", 24 * time.Hour},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.Add(1000 * time.Hour).Format(http.TimeFormat), 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestCleanBoundsLength(t *testing.T) {
	long := clean(strings.Repeat("é", 5000))
	if n := len([]rune(long)); n != maxTextRunes+1 || !strings.HasSuffix(long, "…") {
		t.Errorf("clean kept %d runes", n)
	}
	if got := clean(string([]byte{0xff, 'a'})); !bytes.Equal([]byte(got), []byte("\uFFFDa")) {
		t.Errorf("invalid UTF-8 not replaced: %q", got)
	}
}

// TestImplausibleCostIsIgnored: 1e308 twice sums to +Inf, after which no run
// record could be saved; a cost outside any plausible bill is not a cost.
func TestImplausibleCostIsIgnored(t *testing.T) {
	for _, body := range []string{
		`{"task_id":"t","status":"completed","video_url":"/v.mp4","consumed_credits":1e308}`,
		`{"task_id":"t","status":"completed","video_url":"/v.mp4","consumed_credits":-5}`,
		`{"task_id":"t","status":"completed","video_url":"/v.mp4","consumed_credits":"NaN"}`,
	} {
		c := newTestClient(t, answer(200, nil, body))
		got, err := c.GetTask(context.Background(), TaskRef{ID: "t"})
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got.ID != "t" || got.ConsumedCost != 0 {
			t.Errorf("%s: task %+v, want the task with no cost", body, *got)
		}
	}
}
