package ltx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Download streams the video at videoURL into w and returns the bytes
// written. A relative videoURL resolves against the API base URL. The API
// key is sent only when the URL's scheme and host are the API's: video files
// usually live on a CDN that must never see it.
//
// Errors: *APIError (Download set) for a non-2xx answer, *RequestError when
// no answer arrived, ErrTooLarge past Options.MaxDownloadBytes, ErrTruncated
// when the body ends before its Content-Length. w may have received part of
// the file in every error case; write to a temporary file.
func (c *Client) Download(ctx context.Context, videoURL string, w io.Writer) (int64, error) {
	if c.baseErr != nil {
		return 0, c.baseErr
	}
	u, err := c.resolveVideoURL(videoURL)
	if err != nil {
		return 0, err
	}
	target := u.String()
	d := &download{c: c, shown: shortURL(target), outer: ctx}

	// The watchdog cuts a download that goes silent: no answer, or no byte
	// of the body, for the idle timeout. Every read that brings data
	// rearms it.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	d.ctx = ctx
	watchdog := time.AfterFunc(c.idle, func() { cancel(errDownloadIdle) })
	defer watchdog.Stop()

	h := http.Header{"Accept": {"video/mp4, */*"}}
	resp, _, err := c.send(ctx, http.MethodGet, target, h, nil, c.isAPIOrigin(u))
	if err != nil {
		if s := d.stalled(); s != nil {
			return 0, s
		}
		var re *RequestError
		if errors.As(err, &re) {
			re.URL = d.shown
		}
		return 0, err
	}
	defer resp.Body.Close()
	resp.Body = &idleBody{ReadCloser: resp.Body, watchdog: watchdog, idle: c.idle}
	if err := d.checkAnswer(resp); err != nil {
		return 0, err
	}
	m, err := d.copyHead(resp, w)
	if err != nil {
		return 0, err
	}
	return d.copyRest(resp, w, m)
}

// resolveVideoURL resolves a task's video URL against the API base, and
// refuses what is not http(s).
func (c *Client) resolveVideoURL(videoURL string) (*url.URL, error) {
	ref, err := url.Parse(videoURL)
	if err != nil || videoURL == "" {
		return nil, fmt.Errorf("download: %w: %q", ErrBadVideoURL, shortURL(videoURL))
	}
	u := c.base.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("download: %w: %s is not http(s)", ErrBadVideoURL, shortURL(u.String()))
	}
	return u, nil
}

// download is one Download in flight: shown is its URL without the query
// (for errors), outer the caller's context and ctx the watchdog's.
type download struct {
	c          *Client
	shown      string
	outer, ctx context.Context
}

// stalled is the error of a download the watchdog cut, nil otherwise.
func (d *download) stalled() error {
	if d.outer.Err() == nil && errors.Is(context.Cause(d.ctx), errDownloadIdle) {
		return fmt.Errorf("download %s: %w for %s; the connection was given up", d.shown, ErrDownloadStalled, d.c.idle)
	}
	return nil
}

// checkAnswer refuses an answer that cannot be the video: not 2xx, over
// the size cap, or a page.
func (d *download) checkAnswer(resp *http.Response) error {
	c := d.c
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
		e := c.apiError(resp, http.MethodGet, d.shown, data)
		e.Download = true
		return e
	}
	if resp.ContentLength > c.maxDownload {
		return fmt.Errorf("download %s: %w (%d bytes announced, cap %d)", d.shown, ErrTooLarge, resp.ContentLength, c.maxDownload)
	}
	if ct := resp.Header.Get("Content-Type"); isPageType(ct) {
		// An error page served with 200: saving it as the video would
		// record a paid video as downloaded while it is lost.
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
		return fmt.Errorf("download %s: %w: the answer is %s, not a video (%s)", d.shown, ErrNotVideo, ct, c.scrub(textOf(data)))
	}
	return nil
}

// copyHead writes the first bytes only when they are an MP4's ftyp box, so
// that nothing else is ever written; it returns how many it wrote.
func (d *download) copyHead(resp *http.Response, w io.Writer) (int, error) {
	head := make([]byte, 12)
	m, err := io.ReadFull(resp.Body, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		if s := d.stalled(); s != nil {
			return 0, s
		}
		return 0, fmt.Errorf("download %s: %w after 0 of %s (%v)", d.shown, ErrTruncated, announced(resp.ContentLength), err)
	}
	head = head[:m]
	if !looksLikeMP4(head) {
		return 0, fmt.Errorf("download %s: %w: the file does not start with an MP4 ftyp box", d.shown, ErrNotVideo)
	}
	if _, err := w.Write(head); err != nil {
		return 0, fmt.Errorf("download %s: writing the video: %w", d.shown, err)
	}
	return m, nil
}

// copyRest copies the body after the m bytes of its head, up to the cap,
// and tells a stall, an interrupt, a broken connection, a failing writer
// and a short body apart.
func (d *download) copyRest(resp *http.Response, w io.Writer, m int) (int64, error) {
	c, shown := d.c, d.shown
	body := &readRecorder{r: io.LimitReader(resp.Body, c.maxDownload-int64(m))}
	rest, err := io.Copy(w, body)
	n := rest + int64(m)
	if err == nil {
		// One byte more than the cap means the file is over it.
		var probe [1]byte
		if m, _ := io.ReadFull(resp.Body, probe[:]); m > 0 {
			return n, fmt.Errorf("download %s: %w (cap %d bytes)", shown, ErrTooLarge, c.maxDownload)
		}
	}
	if err != nil {
		if s := d.stalled(); s != nil {
			return n, s
		}
	}
	switch {
	case err != nil && d.ctx.Err() != nil:
		return n, fmt.Errorf("download %s: %w", shown, d.outer.Err())
	case body.err != nil && errors.Is(err, body.err):
		// The connection broke mid-body; net/http reports a body shorter
		// than its Content-Length as io.ErrUnexpectedEOF.
		return n, fmt.Errorf("download %s: %w after %d of %s (%v)", shown, ErrTruncated, n, announced(resp.ContentLength), err)
	case err != nil:
		return n, fmt.Errorf("download %s: writing the video: %w", shown, err)
	case resp.ContentLength >= 0 && n < resp.ContentLength:
		return n, fmt.Errorf("download %s: %w after %d of %s", shown, ErrTruncated, n, announced(resp.ContentLength))
	}
	return n, nil
}

// ErrBadVideoURL: the service gave a video URL that is not one ltxform
// downloads (not http(s), or unparsable). Trying again cannot help.
var ErrBadVideoURL = errors.New("the video URL cannot be downloaded")

// ErrNotVideo: the download answered something that is not an MP4 (an HTML
// error page, a JSON body). It is retried like a broken download; the task's
// video is not recorded as downloaded.
var ErrNotVideo = errors.New("not a video")

// ErrDownloadStalled: no byte of a download arrived for the idle timeout.
// It is retried like a broken download.
var ErrDownloadStalled = errors.New("no data arrived")

// errDownloadIdle is the watchdog's cause of cancellation.
var errDownloadIdle = errors.New("download idle")

// idleBody rearms the watchdog whenever data arrives.
type idleBody struct {
	io.ReadCloser
	watchdog *time.Timer
	idle     time.Duration
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.watchdog.Reset(b.idle)
	}
	return n, err
}

// isPageType tells content types that are pages or API bodies, never video.
func isPageType(ct string) bool {
	mt := strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	return mt == "text/html" || mt == "application/json" || mt == "text/plain" || mt == "application/xhtml+xml"
}

// looksLikeMP4 checks for an ISO base media file: a box of type ftyp first.
func looksLikeMP4(head []byte) bool {
	return len(head) >= 8 && string(head[4:8]) == "ftyp"
}

func announced(n int64) string {
	if n < 0 {
		return "an unannounced length"
	}
	return fmt.Sprintf("%d bytes", n)
}

// shortURL leaves out the query string: video URLs are often signed, and
// their signatures have no business in logs.
func shortURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.RawQuery != "" {
		u.RawQuery = ""
		return u.String() + "?…"
	}
	return u.String()
}

// readRecorder remembers the last read error, to tell a broken connection
// from a failing writer after io.Copy.
type readRecorder struct {
	r   io.Reader
	err error
}

func (rr *readRecorder) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil && err != io.EOF {
		rr.err = err
	}
	return n, err
}
