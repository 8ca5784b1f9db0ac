package ltx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultBaseURL is the default provider's public API.
const DefaultBaseURL = "https://api.ltx-2api.com"

// DefaultMaxDownloadBytes caps a video download unless Options say otherwise.
const DefaultMaxDownloadBytes int64 = 2 << 30

// DefaultDownloadIdleTimeout is how long a download may go without a byte.
const DefaultDownloadIdleTimeout = 60 * time.Second

// maxBodyBytes bounds every API answer the client reads into memory.
const maxBodyBytes = 1 << 20

// Options configure a Client. Only Key is required for real use.
type Options struct {
	// Provider is the service's contract; nil is DefaultProvider.
	Provider *Provider
	BaseURL  string // default: the provider's DefaultBaseURL
	Key      Key
	// ImageDir is the manifest directory, where a request's ImageFile is
	// read (confined to it) before it is uploaded.
	ImageDir         string
	HTTPClient       *http.Client // default: a client of its own, without a global timeout (use contexts)
	MaxDownloadBytes int64        // default DefaultMaxDownloadBytes
	// DownloadIdleTimeout ends a download when no byte (nor the answer's
	// headers) arrives for this long; default DefaultDownloadIdleTimeout.
	// A download has no overall deadline: a large file on a slow link may
	// take long, but a silent connection is dead.
	DownloadIdleTimeout time.Duration
	UserAgent           string // default "ltxform"
	// TaskTimeout is the run's per-task deadline; a provider that takes one
	// on the create (fal's X-Fal-Request-Timeout, Replicate's Cancel-After)
	// is sent it, so that the service gives up rather than bill late.
	TaskTimeout time.Duration
}

// Client speaks the LTX-2 API. It is safe for concurrent use.
type Client struct {
	p           *Provider
	imageDir    string
	base        *url.URL
	baseErr     error
	key         Key
	hc          *http.Client
	maxDownload int64
	idle        time.Duration
	userAgent   string
	taskTimeout time.Duration
	now         func() time.Time
}

// NewClient returns a client. A BaseURL that is not an absolute http(s) URL
// makes every call fail with an error that says so.
func NewClient(o Options) *Client {
	c := &Client{p: o.Provider, imageDir: o.ImageDir, key: o.Key, maxDownload: o.MaxDownloadBytes, userAgent: o.UserAgent, taskTimeout: o.TaskTimeout, now: time.Now}
	if c.p == nil {
		c.p = MustProvider(DefaultProvider)
	}
	if c.maxDownload <= 0 {
		c.maxDownload = DefaultMaxDownloadBytes
	}
	c.idle = o.DownloadIdleTimeout
	if c.idle <= 0 {
		c.idle = DefaultDownloadIdleTimeout
	}
	if c.userAgent == "" {
		c.userAgent = "ltxform"
	}
	base := o.BaseURL
	if strings.TrimSpace(base) == "" {
		base = c.p.DefaultBaseURL
	}
	c.base, c.baseErr = parseBaseURL(base)

	hc := &http.Client{}
	if o.HTTPClient != nil {
		copied := *o.HTTPClient
		hc = &copied
	}
	// Go already drops Authorization on a redirect to a different domain,
	// but it keeps it for subdomains and scheme downgrades; the contract is
	// stricter: the key goes to the API's own scheme and host only.
	next := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if via[0].Method == http.MethodPost {
			// A create is never sent on to another place (nor turned into
			// a GET): the first place may have made the task already.
			return fmt.Errorf("%w (to %s)", ErrPostRedirected, shortURL(req.URL.String()))
		}
		if !c.isAPIOrigin(req.URL) {
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	c.hc = hc
	return c
}

func parseBaseURL(s string) (*url.URL, error) {
	if strings.TrimSpace(s) == "" {
		s = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("API base URL %q: %v", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("API base URL %q: want an absolute http(s) URL such as %s", s, DefaultBaseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u, nil
}

// Provider is the contract the client speaks.
func (c *Client) Provider() *Provider { return c.p }

// BaseURL is the API base URL the client sends to.
func (c *Client) BaseURL() string {
	if c.base == nil {
		return ""
	}
	return c.base.String()
}

// isAPIOrigin compares scheme and host (default ports made explicit).
func (c *Client) isAPIOrigin(u *url.URL) bool {
	if c.base == nil {
		return false
	}
	return origin(u) == origin(c.base)
}

func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + host + ":" + port
}

// Create starts a task. An ImageFile is uploaded first where the provider
// takes uploads (a failed upload is an *UploadError: no create was sent).
// ClassifyCreate tells from an error whether the task may exist; resend
// such a create only with the same idempotencyKey, and only where that key
// is trusted. A redirect is never followed.
func (c *Client) Create(ctx context.Context, req CreateRequest, idempotencyKey string) (*Task, error) {
	imageURI := ""
	if req.ImageFile != "" {
		uri, err := c.upload(ctx, req.ImageFile, req.ImageSHA256)
		if err != nil {
			return nil, err
		}
		imageURI = uri
	}
	path, body, err := c.p.wire.create(req, imageURI)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if c.p.wire.createHeaders != nil {
		h = c.p.wire.createHeaders(c.taskTimeout)
	}
	h.Set("Content-Type", "application/json")
	if idempotencyKey != "" && c.p.Capabilities.IdempotencyKey {
		h.Set("Idempotency-Key", idempotencyKey)
	}
	t, err := c.call(ctx, http.MethodPost, path, h, body)
	var apiErr *APIError
	if errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusNotFound || apiErr.StatusCode == http.StatusMethodNotAllowed) && !apiErr.knownCode {
		// No task is named in a create: the endpoint itself is not there.
		// Every other create would meet the same answer.
		apiErr.class = ClassRunFatal
		apiErr.Message = fmt.Sprintf("%s answered %d to POST %s: is the base URL right for provider %s? %s",
			c.BaseURL(), apiErr.StatusCode, path, c.p.Name, apiErr.Message)
		return nil, apiErr
	}
	if err != nil {
		return nil, err
	}
	if t.task.ID == "" {
		return nil, &RequestError{Method: http.MethodPost, URL: c.endpoint(path), Sent: true, RequestID: t.task.RequestID,
			Err: fmt.Errorf("%w: the answer to a create has no task id", ErrMalformedResponse)}
	}
	return t.task, nil
}

// GetTask polls one task where its provider keeps it: at the status URL the
// create returned, else at the provider's path for it. A provider with a
// result step is asked a second time once the task is completed.
func (c *Client) GetTask(ctx context.Context, ref TaskRef) (*Task, error) {
	if ref.ID == "" {
		return nil, errors.New("ltx: GetTask needs a task ID")
	}
	t, err := c.callAt(ctx, http.MethodGet, ref.URLs.Status, c.p.wire.poll(ref), nil, nil)
	if err != nil {
		return nil, err
	}
	if t.task.ID == "" {
		t.task.ID = ref.ID
	}
	if c.p.wire.result != nil && t.task.Status == StatusCompleted && t.task.VideoURL == "" {
		return c.getResult(ctx, ref, t.task)
	}
	return t.task, nil
}

// getResult is the result step: the video's URL, or the failure the service
// reports only there (an error answer to the result is the task's failure,
// not the poll's).
func (c *Client) getResult(ctx context.Context, ref TaskRef, status *Task) (*Task, error) {
	r, err := c.callAt(ctx, http.MethodGet, ref.URLs.Result, c.p.wire.result(ref), nil, nil)
	var apiErr *APIError
	if errors.As(err, &apiErr) && (apiErr.class == ClassTaskPermanent || apiErr.class == ClassTaskRetry) {
		code := apiErr.Code
		if code == "" {
			code = fmt.Sprintf("http_%d", apiErr.StatusCode)
		}
		info, known := c.p.LookupCode(code)
		status.Status = StatusFailed
		status.Error = &TaskError{Code: code, Message: apiErr.Message, class: taskClass(info, known)}
		return status, nil
	}
	if err != nil {
		return nil, err
	}
	t := r.task
	t.ID, t.URLs = ref.ID, status.URLs
	if t.RequestID == "" {
		t.RequestID = status.RequestID
	}
	if t.Status == StatusCompleted && t.VideoURL == "" {
		return nil, &RequestError{Method: http.MethodGet, URL: c.target(ref.URLs.Result, c.p.wire.result(ref)), Sent: true, RequestID: t.RequestID,
			Err: fmt.Errorf("%w: the result of a completed task has no video URL", ErrMalformedResponse)}
	}
	return t, nil
}

// Cancel asks the service to cancel a task. A task that had not started is
// then never billed; one already running may be billed anyway (a cancel is
// a request, not a refund). A provider that cancels nothing answers
// ErrNoCancel.
func (c *Client) Cancel(ctx context.Context, ref TaskRef) error {
	if c.p.wire.cancel == nil {
		return ErrNoCancel
	}
	method, path := c.p.wire.cancel(ref)
	target, path, err := c.resolve(method, ref.URLs.Cancel, path)
	if err != nil {
		return err
	}
	resp, _, err := c.send(ctx, method, target, nil, nil, true)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(resp, method, path, data)
	}
	return nil
}

// ErrNoCancel: the provider documents no way to cancel a task.
var ErrNoCancel = errors.New("ltx: the provider cannot cancel a task")

// target is url when the service gave one, else path on the base URL.
func (c *Client) target(url, path string) string {
	if url != "" {
		return url
	}
	return c.endpoint(path)
}

// callAt is call at a URL the service returned, or at path when it gave
// none. The key goes only to the API's own origin: a returned URL elsewhere
// is refused, not followed.
func (c *Client) callAt(ctx context.Context, method, rawURL, path string, h http.Header, body []byte) (taskAnswer, error) {
	target, path, err := c.resolve(method, rawURL, path)
	if err != nil {
		return taskAnswer{}, err
	}
	return c.callTarget(ctx, method, target, path, h, body)
}

// resolve is the absolute target of a returned URL (checked to be on the
// API's origin) or of path, and the path that names it in errors.
func (c *Client) resolve(method, rawURL, path string) (target, name string, err error) {
	if c.baseErr != nil {
		return "", "", c.baseErr
	}
	if rawURL == "" {
		return c.endpoint(path), path, nil
	}
	u, perr := url.Parse(rawURL)
	if perr != nil || !c.isAPIOrigin(u) {
		return "", "", &RequestError{Method: method, URL: rawURL,
			Err: fmt.Errorf("%w: the task's URL is not on the API's origin %s, so the key is not sent there", ErrMalformedResponse, c.BaseURL())}
	}
	return rawURL, u.Path, nil
}

func (c *Client) endpoint(path string) string {
	if c.base == nil {
		return path
	}
	return c.base.String() + path
}

// call sends one API request and reads its answer: a task, or an *APIError
// for any non-2xx answer (and for an error a deployment wraps in a 2xx).
func (c *Client) call(ctx context.Context, method, path string, h http.Header, body []byte) (taskAnswer, error) {
	if c.baseErr != nil {
		return taskAnswer{}, c.baseErr
	}
	return c.callTarget(ctx, method, c.endpoint(path), path, h, body)
}

// callTarget is call at an absolute URL; path names it in errors.
func (c *Client) callTarget(ctx context.Context, method, target, path string, h http.Header, body []byte) (taskAnswer, error) {
	if c.baseErr != nil {
		return taskAnswer{}, c.baseErr
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	resp, sent, err := c.send(ctx, method, target, h, rd, true)
	if err != nil {
		return taskAnswer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Whatever arrived before a read error is still worth reading.
		return taskAnswer{}, c.apiError(resp, method, path, data)
	}
	if err != nil {
		return taskAnswer{}, &RequestError{Method: method, URL: target, Sent: sent, RequestID: c.scrub(clean(resp.Header.Get("X-Request-Id"))), Err: unwrapURLError(err)}
	}
	if len(data) > maxBodyBytes {
		return taskAnswer{}, &RequestError{Method: method, URL: target, Sent: true, RequestID: c.scrub(clean(resp.Header.Get("X-Request-Id"))),
			Err: fmt.Errorf("%w: the answer is larger than %d bytes", ErrMalformedResponse, maxBodyBytes)}
	}
	ans, err := c.p.wire.decode(resp.StatusCode, resp.Header, data, c.now())
	if err != nil {
		return taskAnswer{}, &RequestError{Method: method, URL: target, Sent: true, RequestID: c.scrub(clean(resp.Header.Get("X-Request-Id"))), Err: err}
	}
	if ans.apiErr != nil {
		return taskAnswer{}, c.finishAPIError(ans.apiErr, method, path)
	}
	if te := ans.task.Error; te != nil {
		info, known := c.p.LookupCode(te.Code)
		te.class = taskClass(info, known)
		te.Message = c.scrub(te.Message)
	}
	ans.task.RequestID = c.scrub(ans.task.RequestID)
	return ans, nil
}

// apiError is the one place an *APIError is built from an HTTP answer.
func (c *Client) apiError(resp *http.Response, method, path string, data []byte) *APIError {
	if len(data) > maxBodyBytes {
		data = data[:maxBodyBytes]
	}
	return c.finishAPIError(c.p.wire.parseError(resp.StatusCode, resp.Header, data, c.now()), method, path)
}

// finishAPIError notes where the error came from, classifies it by the
// provider's vocabulary and scrubs the key, in case a server echoes it back.
func (c *Client) finishAPIError(e *APIError, method, path string) *APIError {
	e.Method, e.Path = method, path
	for _, s := range []*string{&e.Code, &e.Message, &e.Field, &e.Suggestion, &e.RequestID} {
		*s = c.scrub(*s)
	}
	info, known := c.p.LookupCode(e.Code)
	e.knownCode = known
	e.notCreated = known && c.p.refusesCreate(e.StatusCode)
	e.class = c.p.Classify(e.Code, e.StatusCode)
	e.throttle = c.p.throttleOf(e.Code, e.StatusCode)
	if known {
		e.catalogueSuggestion = info.Suggestion
	}
	return e
}

// scrub hides the key in server-provided text: every string that came from
// the server passes here before anyone else sees it.
func (c *Client) scrub(s string) string {
	if k := c.key.Reveal(); k != "" && s != "" {
		return strings.ReplaceAll(s, k, redacted)
	}
	return s
}

// send does one round trip. It reports whether the request was written to
// the connection, so that a failed create can be told apart from one whose
// outcome is unknown.
func (c *Client) send(ctx context.Context, method, target string, h http.Header, body io.Reader, withKey bool) (*http.Response, bool, error) {
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, target, body)
	if err != nil {
		return nil, false, &RequestError{Method: method, URL: target, Err: err}
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if method == http.MethodPost {
		// net/http silently resends a request carrying an Idempotency-Key
		// when a reused connection breaks after the write. The real API may
		// ignore the key, so that would be a second, unseen create: without
		// GetBody the transport cannot resend, and the caller decides.
		req.GetBody = nil
	}
	req.Header.Set("User-Agent", c.userAgent)
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if withKey && !c.key.IsZero() {
		req.Header.Set("Authorization", string(c.p.authScheme())+" "+c.key.Reveal())
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, wrote.Load(), &RequestError{Method: method, URL: target, Sent: wrote.Load(), Err: unwrapURLError(err)}
	}
	return resp, true, nil
}

// unwrapURLError drops *url.Error's repetition of method and URL, which
// RequestError already carries.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
