package ltx

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
)

// UploadError is a failed image upload. No create was sent: the video's
// outcome is certain (nothing bought), whatever the upload's own state.
type UploadError struct {
	File string
	Err  error
}

func (e *UploadError) Error() string { return fmt.Sprintf("uploading %s: %v", e.File, e.Err) }
func (e *UploadError) Unwrap() error { return e.Err }

// upload reads file (relative to the manifest directory, confined to it),
// checks that its bytes are still the ones the plan hashed, and uploads them:
// POST the provider's upload path for a signed URL, PUT the bytes there with
// the headers it requires (never the API key: the URL is not the API's), and
// return the storage URI a create refers to.
func (c *Client) upload(ctx context.Context, file, wantSHA256 string) (string, error) {
	fail := func(err error) (string, error) { return "", &UploadError{File: file, Err: err} }
	if c.p.wire.upload == "" {
		return fail(fmt.Errorf("provider %s takes no uploaded images; use image_url", c.p.Name))
	}
	data, err := readConfined(c.imageDir, file)
	if err != nil {
		return fail(err)
	}
	if max := c.p.Limits.UploadMaxBytes; max > 0 && int64(len(data)) > max {
		return fail(fmt.Errorf("the file is %d bytes; %s takes at most %d", len(data), c.p.Name, max))
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); wantSHA256 != "" && got != wantSHA256 {
		return fail(errors.New("the file changed since the plan was made; plan again"))
	}

	resp, _, err := c.send(ctx, http.MethodPost, c.endpoint(c.p.wire.upload), http.Header{}, nil, true)
	if err != nil {
		return fail(err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	resp.Body.Close()
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fail(c.finishAPIError(c.p.wire.parseError(resp.StatusCode, resp.Header, body, c.now()), http.MethodPost, c.p.wire.upload))
	}
	ticket := object(body)
	uploadURL, storageURI := ticket.str("upload_url"), ticket.str("storage_uri")
	if uploadURL == "" || storageURI == "" {
		return fail(fmt.Errorf("%w: the upload answer has no upload_url or storage_uri", ErrMalformedResponse))
	}
	h := http.Header{}
	if req := ticket.obj("required_headers"); req != nil {
		for name := range req {
			h.Set(name, req.str(name))
		}
	}
	put, _, err := c.send(ctx, http.MethodPut, uploadURL, h, bytes.NewReader(data), false)
	if err != nil {
		return fail(err)
	}
	putBody, _ := io.ReadAll(io.LimitReader(put.Body, maxBodyBytes))
	put.Body.Close()
	if put.StatusCode < 200 || put.StatusCode > 299 {
		e := c.finishAPIError(c.p.wire.parseError(put.StatusCode, put.Header, putBody, c.now()), http.MethodPut, shortURL(uploadURL))
		return fail(e)
	}
	return storageURI, nil
}

// readConfined reads name inside dir, refusing a path that leaves it (by
// "..", an absolute path or a symbolic link) and anything not a regular file.
func readConfined(dir, name string) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	return io.ReadAll(f)
}
