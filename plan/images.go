package plan

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
	"golang.org/x/sync/errgroup"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
)

// MaxImageBytes is the API's limit on an input image (IMAGE_TOO_LARGE).
const MaxImageBytes = 10 * 1024 * 1024

const (
	imageCheckParallelism = 8
	imageCheckTimeout     = 10 * time.Second
)

// imageProbe is what one HEAD request learnt about an image URL.
type imageProbe struct {
	err    error // unreachable, or a non-2xx answer
	length int64 // Content-Length; -1 when not sent
}

// checkImagesOfPlan probes the image_url of every change that will buy a
// video, so that an unreachable or oversized image is refused before any
// credit is spent rather than by the API mid-run.
func checkImagesOfPlan(ctx context.Context, m *config.Manifest, p *Plan, client *http.Client) hcl.Diagnostics {
	videos := make(map[string]*config.Video, len(m.Videos))
	for _, v := range m.Videos {
		videos[v.Address] = v
	}
	var buying []*config.Video
	for i := range p.Changes {
		c := &p.Changes[i]
		if v := videos[c.Address]; v != nil && c.Cost > 0 && v.ImageURL != "" {
			buying = append(buying, v)
		}
	}
	return CheckImages(ctx, buying, client)
}

// CheckImages sends one HEAD request per distinct image_url of videos, a few
// at a time, and reports INVALID_IMAGE_URL for an unreachable image or a
// non-2xx answer and IMAGE_TOO_LARGE for a Content-Length over 10 MB, at
// each video's image_url attribute.
func CheckImages(ctx context.Context, videos []*config.Video, client *http.Client) hcl.Diagnostics {
	if client == nil {
		client = &http.Client{Timeout: imageCheckTimeout}
	}
	var urls []string
	for _, v := range videos {
		if v.ImageURL != "" {
			urls = append(urls, v.ImageURL)
		}
	}
	slices.Sort(urls)
	urls = slices.Compact(urls)

	probes := make([]imageProbe, len(urls))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(imageCheckParallelism)
	for i, u := range urls {
		g.Go(func() error {
			probes[i] = probeImage(gctx, client, u)
			return nil
		})
	}
	_ = g.Wait()

	var diags hcl.Diagnostics
	for _, v := range videos {
		if v.ImageURL == "" {
			continue
		}
		i, _ := slices.BinarySearch(urls, v.ImageURL)
		pr := probes[i]
		var code, detail string
		switch {
		case pr.err != nil:
			code = "INVALID_IMAGE_URL"
			detail = fmt.Sprintf("%s: the image %s cannot be fetched: %v.", v.Address, v.ImageURL, pr.err)
		case pr.length > MaxImageBytes:
			code = "IMAGE_TOO_LARGE"
			detail = fmt.Sprintf("%s: the image %s is %s, over the API's limit of 10 MB.", v.Address, v.ImageURL, formatBytes(pr.length))
		default:
			continue
		}
		if info, ok := ltx.LookupCode(code); ok && info.Suggestion != "" {
			detail += " " + info.Suggestion
		}
		d := &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("The API would refuse this image (%s)", code),
			Detail:   detail,
		}
		if r, ok := v.Ranges["image_url"]; ok {
			d.Subject = &r
		} else {
			d.Subject = &v.DeclRange
		}
		diags = append(diags, d)
	}
	return diags
}

// probeImage asks for the image's headers only. Some servers refuse HEAD;
// for those a GET is sent and closed before the body is read.
func probeImage(ctx context.Context, client *http.Client, rawURL string) imageProbe {
	ctx, cancel := context.WithTimeout(ctx, imageCheckTimeout)
	defer cancel()
	resp, err := send(ctx, client, http.MethodHead, rawURL)
	if err == nil && (resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotImplemented) {
		resp, err = send(ctx, client, http.MethodGet, rawURL)
	}
	if err != nil {
		return imageProbe{err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return imageProbe{err: fmt.Errorf("the server answered %s", resp.Status)}
	}
	return imageProbe{length: resp.ContentLength}
}

func send(ctx context.Context, client *http.Client, method, rawURL string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return nil, urlErr.Err // the URL is in the diagnostic already
	}
	if err != nil {
		return nil, err
	}
	resp.Body.Close() // only the status and headers matter
	return resp, nil
}

func formatBytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}
