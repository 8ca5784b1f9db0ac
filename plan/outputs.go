package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/ltxform/ltxform/ltx"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"
)

// checkOutputs decides, for each downloaded video in idx, whether its file is
// still what was downloaded: no-op if so, download if it is missing or
// altered. A size that differs from the state's settles it without reading
// the file, and so does a size and modification time both unchanged since
// the download; otherwise the sha256 is compared, a few files at a time.
func checkOutputs(ctx context.Context, dir string, changes []Change, idx []int, t target) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, i := range idx {
		c := &changes[i] // each goroutine writes only its own element
		g.Go(func() error {
			a, why := checkOutput(ctx, dir, c, t)
			c.Action, c.Reason = storeIfNeeded(c, t, a, why)
			if c.Action == ActionNoOp && c.Prior.DeliveredUnlikeOrder() {
				c.Action, c.Reason = ActionMismatch, mismatchReason(c)
			}
			return nil
		})
	}
	_ = g.Wait()
}

func checkOutput(ctx context.Context, dir string, c *Change, t target) (Action, string) {
	prior := c.Prior
	path := outputPath(dir, c.Output)
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && storedAsPlanned(c, t):
		return ActionFetch, fetchReason(c, t)
	case errors.Is(err, fs.ErrNotExist) && prior.Host != "" && prior.Host != t.host:
		// Another host of a shared state has the file: fetch it here while
		// the provider still serves it; never buy it again unasked. Its
		// name is another machine's text: printed as server strings are.
		host := ltx.CleanText(prior.Host)
		if expired(firstNonZero(prior.CompletedAt, prior.CreatedAt), t) {
			return ActionElsewhere, fmt.Sprintf("made by host %s, whose disk has %s; %s no longer serves it (results are kept %s): copy it from %s, or -replace %s to buy it again",
				host, c.Output, t.provider.Name, t.provider.Capabilities.ResultRetention, host, c.Address)
		}
		return ActionDownload, fmt.Sprintf("downloaded by host %s; fetched here too while %s still serves it", host, t.provider.Name)
	case errors.Is(err, fs.ErrNotExist):
		if prior.Output != "" && prior.Output != c.Output {
			return ActionDownload, fmt.Sprintf("output moved from %s to %s", prior.Output, c.Output)
		}
		return ActionDownload, fmt.Sprintf("output file %s missing", c.Output)
	case err != nil:
		return ActionDownload, fmt.Sprintf("cannot read %s: %v", c.Output, err)
	case !info.Mode().IsRegular():
		return ActionDownload, fmt.Sprintf("%s is not a regular file", c.Output)
	case prior.Bytes > 0 && info.Size() != prior.Bytes && !hasTakeOfSize(prior, info.Size()):
		return ActionAltered, alteredReason(c, fmt.Sprintf("%d bytes, the state says %d", info.Size(), prior.Bytes))
	case prior.Bytes > 0 && !prior.OutputModTime.IsZero() && info.ModTime().Equal(prior.OutputModTime):
		// Untouched since it was written: hashing every video on every plan
		// would cost seconds per gigabyte of a library.
		return ActionNoOp, fmt.Sprintf("%s unchanged since it was downloaded", c.Output)
	}
	sum, err := fileSHA256(ctx, path)
	if err != nil {
		return ActionDownload, fmt.Sprintf("cannot read %s: %v", c.Output, err)
	}
	if sum != prior.SHA256 {
		if a, why, ok := replacedElsewhere(c, sum, t); ok {
			return a, why
		}
		return ActionAltered, alteredReason(c, "its sha256 differs from the downloaded file's")
	}
	return ActionNoOp, fmt.Sprintf("%s matches the state's sha256", c.Output)
}

// mismatchReason: a paid file unlike its order waits for the user's word.
func mismatchReason(c *Change) string {
	m := c.Prior.Mismatch
	return fmt.Sprintf("%s; request id %s. Kept: ltxform accept %s to take it as it is, or -replace %s to order it again",
		m.Message(), firstNonEmpty(m.RequestID, "(none)"), c.Address, c.Address)
}

// alteredReason: a file changed since it was downloaded was probably
// changed on purpose (graded, trimmed); it is not written over.
func alteredReason(c *Change, how string) string {
	return fmt.Sprintf("%s was changed since it was downloaded (%s); left as it is. -replace %s makes the video again and keeps this file as a take", c.Output, how, c.Address)
}

func fileSHA256(ctx context.Context, path string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	bufp := hashBuffers.Get().(*[]byte)
	defer hashBuffers.Put(bufp)
	h := sha256.New()
	// The struct hides (*os.File).WriteTo, which would allocate its own
	// 32 KiB buffer per file: 160 MB for 5,000 files.
	if _, err := io.CopyBuffer(h, struct{ io.Reader }{f}, *bufp); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashBuffers are reused between files so that hashing thousands of outputs
// costs no more memory than a few buffers.
var hashBuffers = sync.Pool{New: func() any {
	b := make([]byte, 64*1024)
	return &b
}}
