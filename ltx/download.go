package ltx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
	ref, err := url.Parse(videoURL)
	if err != nil || videoURL == "" {
		return 0, fmt.Errorf("download: bad video URL %q", shortURL(videoURL))
	}
	u := c.base.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" {
		return 0, fmt.Errorf("download: video URL %s is not http(s)", shortURL(u.String()))
	}
	target := u.String()
	shown := shortURL(target)

	h := http.Header{"Accept": {"video/mp4, */*"}}
	resp, _, err := c.send(ctx, http.MethodGet, target, h, nil, c.isAPIOrigin(u))
	if err != nil {
		var re *RequestError
		if errors.As(err, &re) {
			re.URL = shown
		}
		return 0, err
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
		e := c.apiError(resp, http.MethodGet, shown, data)
		e.Download = true
		return 0, e
	}
	if resp.ContentLength > c.maxDownload {
		return 0, fmt.Errorf("download %s: %w (%d bytes announced, cap %d)", shown, ErrTooLarge, resp.ContentLength, c.maxDownload)
	}

	body := &readRecorder{r: io.LimitReader(resp.Body, c.maxDownload)}
	n, err := io.Copy(w, body)
	if err == nil {
		// One byte more than the cap means the file is over it.
		var probe [1]byte
		if m, _ := io.ReadFull(resp.Body, probe[:]); m > 0 {
			return n, fmt.Errorf("download %s: %w (cap %d bytes)", shown, ErrTooLarge, c.maxDownload)
		}
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return n, fmt.Errorf("download %s: %w", shown, ctx.Err())
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
