// Package notify tells a run's outcome to the places a team watches: a
// Slack channel (an incoming webhook) or any HTTP receiver (a webhook
// signed as Standard Webhooks). Delivery is bounded, retried, and never
// decides the run's exit code: a failed delivery is the caller's warning.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Event is a kind of outcome a notify block may ask to hear about.
type Event string

const (
	Completed  Event = "completed"   // the run sent something and every video ended well
	Failed     Event = "failed"      // a video failed, or the run could not start or was stopped
	Uncertain  Event = "uncertain"   // a video may have been bought and was not delivered
	BudgetStop Event = "budget_stop" // the budget refused the plan or stopped the run's creates
)

// Events are every event, in the order they are documented.
var Events = []Event{Completed, Failed, Uncertain, BudgetStop}

// DefaultOn are the events of a notify block without `on`: the nights
// that need someone.
var DefaultOn = []Event{Failed, Uncertain, BudgetStop}

// Summary is the run as a notification tells it; the generic webhook's
// body is this, as JSON.
type Summary struct {
	RunID     string         `json:"run_id"`
	Workspace string         `json:"workspace"`
	ExitCode  int            `json:"exit_code"`
	Events    []Event        `json:"events"`
	Counts    map[string]int `json:"counts"`
	Cost      Cost           `json:"cost"`
	Failed    []Failure      `json:"failed"`
	// Message is why the run stopped or could not start, when it did.
	Message string `json:"message,omitempty"`
}

// Cost is what the run consumed, in its unit ("credits" or "usd").
type Cost struct {
	Unit  string  `json:"unit"`
	Total float64 `json:"total"`
}

// Failure is one video that did not complete.
type Failure struct {
	Address   string `json:"address"`
	Code      string `json:"code"`
	RequestID string `json:"request_id"`
	Message   string `json:"message"`
}

// Target is one notify block made ready to send: its secrets read from
// the environment by the caller.
type Target struct {
	Kind string // "slack" or "webhook"
	// Where names the block for warnings (file and line), never its URL:
	// a Slack webhook URL is a secret.
	Where  string
	URL    string
	Secret []byte // the webhook's signing key, decoded (ParseSecret)
	On     []Event
}

// wants is whether t hears about any of events.
func (t Target) wants(events []Event) bool {
	for _, e := range events {
		for _, o := range t.On {
			if e == o {
				return true
			}
		}
	}
	return false
}

// Options bound the delivery; the zero value is the documented bound.
type Options struct {
	// Total bounds the whole delivery, every target and retry (30 s).
	Total time.Duration
	// Attempt bounds one POST (10 s).
	Attempt time.Duration
	// Backoff are the waits before the second and later tries (1 s, 3 s).
	Backoff []time.Duration
	Client  *http.Client
	Now     func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Total <= 0 {
		o.Total = 30 * time.Second
	}
	if o.Attempt <= 0 {
		o.Attempt = 10 * time.Second
	}
	if o.Backoff == nil {
		o.Backoff = []time.Duration{time.Second, 3 * time.Second}
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Deliver sends s to every target that wants one of its events, all at
// once, retrying a failed POST (a 5xx, a 429, a timeout) within the total
// bound; it returns when all are done or the bound is reached, with one
// error per target that was not delivered.
func Deliver(ctx context.Context, targets []Target, s Summary, opts Options) []error {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opts.Total)
	defer cancel()
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for _, t := range targets {
		if !t.wants(s.Events) {
			continue
		}
		wg.Go(func() {
			if err := deliverOne(ctx, t, s, opts); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("notify %q (%s): %w", t.Kind, t.Where, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errs
}

// deliverOne builds t's message once (one webhook-id for all its tries,
// so that a receiver can tell a retry from a new run) and POSTs it until
// it is taken, refused for good, or the time is up.
func deliverOne(ctx context.Context, t Target, s Summary, opts Options) error {
	var body []byte
	var err error
	headers := http.Header{"Content-Type": {"application/json"}, "User-Agent": {"ltxform"}}
	switch t.Kind {
	case "slack":
		body, err = json.Marshal(map[string]string{"text": SlackText(s)})
	case "webhook":
		if body, err = json.Marshal(s); err == nil {
			id := newMessageID()
			ts := strconv.FormatInt(opts.Now().Unix(), 10)
			headers.Set("webhook-id", id)
			headers.Set("webhook-timestamp", ts)
			headers.Set("webhook-signature", Sign(t.Secret, id, ts, body))
		}
	default:
		return fmt.Errorf("unknown kind %q", t.Kind)
	}
	if err != nil {
		return err
	}
	for try := 0; ; try++ {
		retry, err := post(ctx, t, body, headers, opts)
		if err == nil || !retry || try >= len(opts.Backoff) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w; gave up after %d tries", err, try+1)
		case <-time.After(opts.Backoff[try]):
		}
	}
}

// post sends one try; retry says whether another may succeed.
func post(ctx context.Context, t Target, body []byte, headers http.Header, opts Options) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, opts.Attempt)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return false, errors.New("the URL is not valid")
	}
	req.Header = headers.Clone()
	resp, err := opts.Client.Do(req)
	if err != nil {
		// The transport's error names the URL, and a Slack URL is a secret:
		// keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s", opts.Attempt)
		}
		return true, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
		return true, fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return false, fmt.Errorf("the receiver refused it: %s", resp.Status)
}

// ParseSecret decodes a Standard Webhooks secret: "whsec_" and the key in
// base64.
func ParseSecret(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "whsec_"))
	if err != nil || len(key) == 0 {
		return nil, errors.New(`the secret is not a Standard Webhooks secret ("whsec_" and a base64 key)`)
	}
	return key, nil
}

// Sign is the webhook-signature header of a message: "v1," and the base64
// HMAC-SHA256 of "id.timestamp.body" under the key.
func Sign(key []byte, id, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func newMessageID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "msg_" + hex.EncodeToString(b[:])
}
