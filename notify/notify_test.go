package notify

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test vector of the Standard Webhooks specification.
func TestSignMatchesTheStandardWebhooksVector(t *testing.T) {
	key, err := ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
	if _, err := ParseSecret("not base64!"); err == nil {
		t.Error("a secret that is not base64 was taken")
	}
}

// receiver is a webhook endpoint that checks each POST's signature and
// answers with the codes given, one per POST (then 204).
type receiver struct {
	t      *testing.T
	key    []byte
	mu     sync.Mutex
	codes  []int
	ids    []string
	bodies [][]byte
	hang   chan struct{} // when set, every POST waits for it or the client
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id, ts, sig := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
	if !hmac.Equal([]byte(sig), []byte(Sign(rc.key, id, ts, body))) {
		rc.t.Errorf("bad signature %q for id %q", sig, id)
	}
	rc.mu.Lock()
	rc.ids = append(rc.ids, id)
	rc.bodies = append(rc.bodies, body)
	code := http.StatusNoContent
	if len(rc.codes) > 0 {
		code, rc.codes = rc.codes[0], rc.codes[1:]
	}
	rc.mu.Unlock()
	if rc.hang != nil {
		select {
		case <-rc.hang:
		case <-r.Context().Done():
		}
		return
	}
	w.WriteHeader(code)
}

func summary() Summary {
	return Summary{RunID: "20261206T020000Z-abcdef", Workspace: "nightly", ExitCode: 4, Events: []Event{Failed},
		Counts: map[string]int{"completed": 5, "failed": 1}, Cost: Cost{Unit: "credits", Total: 120},
		Failed: []Failure{{Address: `video.shot["aurora-01"]`, Code: "CONTENT_POLICY_VIOLATION", RequestID: "req_9", Message: "refused"}}}
}

var fast = Options{Total: 2 * time.Second, Attempt: 500 * time.Millisecond, Backoff: []time.Duration{time.Millisecond, time.Millisecond}}

func TestWebhookIsSignedAndCarriesTheSummary(t *testing.T) {
	key := []byte("a key of the receiver")
	rc := &receiver{t: t, key: key}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	errs := Deliver(context.Background(), []Target{{Kind: "webhook", URL: srv.URL, Secret: key, On: DefaultOn}}, summary(), fast)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(rc.bodies) != 1 {
		t.Fatalf("%d POSTs, want 1", len(rc.bodies))
	}
	var got Summary
	if err := json.Unmarshal(rc.bodies[0], &got); err != nil {
		t.Fatal(err)
	}
	if got.RunID != "20261206T020000Z-abcdef" || got.ExitCode != 4 || got.Counts["failed"] != 1 || got.Cost.Total != 120 ||
		len(got.Failed) != 1 || got.Failed[0].RequestID != "req_9" || got.Failed[0].Code != "CONTENT_POLICY_VIOLATION" {
		t.Errorf("summary %+v", got)
	}
}

func TestNothingIsSentForAnEventNotAskedFor(t *testing.T) {
	rc := &receiver{t: t, key: []byte("k")}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s := summary()
	s.Events = []Event{Completed}
	if errs := Deliver(context.Background(), []Target{{Kind: "webhook", URL: srv.URL, Secret: []byte("k"), On: DefaultOn}}, s, fast); len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(rc.ids) != 0 {
		t.Errorf("%d POSTs for a completed run to a block that did not ask", len(rc.ids))
	}
}

func TestA500IsRetriedAsTheSameMessage(t *testing.T) {
	rc := &receiver{t: t, key: []byte("k"), codes: []int{500, 503}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	if errs := Deliver(context.Background(), []Target{{Kind: "webhook", URL: srv.URL, Secret: []byte("k"), On: DefaultOn}}, summary(), fast); len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(rc.ids) != 3 || rc.ids[0] != rc.ids[1] || rc.ids[1] != rc.ids[2] {
		t.Errorf("POSTs with ids %v, want 3 of one id", rc.ids)
	}
}

func TestAReceiverThatAlwaysFailsIsAnErrorWithinTheBound(t *testing.T) {
	rc := &receiver{t: t, key: []byte("k"), codes: []int{500, 500, 500, 500}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	errs := Deliver(context.Background(), []Target{{Kind: "webhook", Where: "main.ltx.hcl:3", URL: srv.URL, Secret: []byte("k"), On: DefaultOn}}, summary(), fast)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "500") || !strings.Contains(errs[0].Error(), "main.ltx.hcl:3") {
		t.Errorf("errors %v", errs)
	}
	if len(rc.ids) != 3 {
		t.Errorf("%d POSTs, want 3 (one and two retries)", len(rc.ids))
	}
}

func TestAHangingReceiverEndsWithTheTotalBound(t *testing.T) {
	rc := &receiver{t: t, key: []byte("k"), hang: make(chan struct{})}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	defer close(rc.hang)
	opts := Options{Total: 300 * time.Millisecond, Attempt: time.Hour, Backoff: []time.Duration{time.Millisecond}}
	done := make(chan []error)
	go func() {
		done <- Deliver(context.Background(), []Target{{Kind: "webhook", URL: srv.URL, Secret: []byte("k"), On: DefaultOn}}, summary(), opts)
	}()
	select {
	case errs := <-done:
		if len(errs) != 1 {
			t.Errorf("errors %v, want one", errs)
		}
	case <-time.After(time.Minute): // a guard against a hung test, not a timing
		t.Fatal("Deliver did not return after its total bound")
	}
}

func TestSlackGetsTextAndItsURLNeverReachesAnError(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&got)
	}))
	url := srv.URL + "/services/T000/B000/secret-token"
	if errs := Deliver(context.Background(), []Target{{Kind: "slack", URL: url, On: DefaultOn}}, summary(), fast); len(errs) > 0 {
		t.Fatal(errs)
	}
	text := got["text"]
	for _, want := range []string{"run 20261206T020000Z-abcdef", "exit 4", "1 failed", "5 completed", `video.shot["aurora-01"] CONTENT_POLICY_VIOLATION (request_id req_9)`} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in the Slack text:\n%s", want, text)
		}
	}
	srv.Close() // now nothing answers
	errs := Deliver(context.Background(), []Target{{Kind: "slack", URL: url, On: DefaultOn}}, summary(), fast)
	if len(errs) != 1 || strings.Contains(errs[0].Error(), "secret-token") {
		t.Errorf("errors %v: want one, without the webhook URL", errs)
	}
}
