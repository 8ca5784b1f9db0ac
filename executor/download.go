package executor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ltxform/ltxform/internal/atomicfile"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

// defaultDownloadTimeout bounds a download when the plan has no task
// timeout.
const defaultDownloadTimeout = 30 * time.Minute

// errTooLarge is the executor's own size cap, in case the client has none.
var errTooLarge = errors.New("the video is larger than the download limit")

// download fetches the completed video into its output file and records the
// checksum. A failed download is tried again (never the generation), within
// one deadline (task_timeout) that covers the answers, the bodies and the
// waits between tries; after that the state stays completed so that the next plan
// downloads it.
func (v *video) download(ctx context.Context) {
	url := v.entry.VideoURL
	if url == "" {
		v.res.Status = ResultFailed
		v.res.ErrorMessage = errNoVideoURL.Error()
		v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, Message: v.res.ErrorMessage})
		return
	}
	deadline := v.r.taskTimeout
	if deadline <= 0 {
		deadline = defaultDownloadTimeout
	}
	dctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	path := filepath.Join(v.r.plan.Dir, filepath.FromSlash(v.ch.Output))
	var err error
	for try := 1; ; try++ {
		var sum string
		var n int64
		var mtime time.Time
		sum, n, mtime, err = v.fetch(dctx, url, path)
		if err == nil {
			v.entry.Status = state.StatusDownloaded
			v.entry.SHA256, v.entry.Bytes, v.entry.OutputModTime = sum, n, mtime
			v.entry.PriorFile = nil // kept as a take, or the same bytes
			v.entry.Host = v.r.opts.Host
			v.measure(path)
			stored := v.storeDownloaded(ctx, path) // one record for both
			if v.r.record(ctx, v.entry) != nil {
				v.stateFailed()
				return
			}
			if v.entry.Mismatch != nil {
				v.mismatched(v.entry.Mismatch)
				return
			}
			if !stored {
				return
			}
			v.res.Status = ResultCompleted
			v.r.emit(Event{Kind: EventDownloaded, Address: v.ch.Address, TaskID: v.entry.TaskID, Output: v.ch.Output})
			return
		}
		limit := v.r.opts.MaxAttempts
		var apiErr *ltx.APIError
		if errors.As(err, &apiErr) && apiErr.RetryAfter > v.r.opts.MaxRetryAfter {
			// As for an API call: a wait this long ends the attempt.
			err = fmt.Errorf("%w (Retry-After %s, the most apply waits is %s): %w", errRetryAfterTooLong, apiErr.RetryAfter, v.r.opts.MaxRetryAfter, err)
			break
		}
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests {
			// A rate-limited video host gets the patience an API call gets.
			limit *= rateLimitedTriesPerAttempt
		}
		if dctx.Err() != nil || !retryableDownload(err) || try >= limit {
			break
		}
		v.r.emit(Event{Kind: EventRetry, Address: v.ch.Address, TaskID: v.entry.TaskID, Attempt: try + 1, Message: "download: " + err.Error()})
		wait := v.r.backoff(try)
		if apiErr != nil && apiErr.RetryAfter > 0 {
			wait = apiErr.RetryAfter
		}
		if sleep(dctx, wait) != nil {
			break
		}
	}
	if ctx.Err() != nil {
		v.inFlight(v.stopWord(ctx) + " during the download; the next apply downloads it")
		return
	}
	if dctx.Err() != nil {
		err = fmt.Errorf("not finished within %s (task_timeout, which also bounds a download with its retries): %w", deadline, err)
	}
	v.downloadFailed(ctx, err)
}

// downloadFailed judges a download that ended without the file.
func (v *video) downloadFailed(ctx context.Context, err error) {
	var apiErr *ltx.APIError
	switch {
	case errors.Is(err, ltx.ErrBadVideoURL):
		// Trying again cannot help, on this apply or the next: say so once.
		requestID := firstNonEmpty(v.entry.RequestID, "(none)")
		v.fail(ctx, "BAD_VIDEO_URL", fmt.Sprintf("%s reported task %s completed with a video URL ltxform cannot download (%v); "+
			"the next apply makes the video again (a new task, paid again); if it keeps happening, contact the service with request id %s",
			v.r.plan.Settings.Provider, v.entry.TaskID, err, requestID), v.entry.RequestID, "")
		return
	case errorClass(err) == ltx.ClassTaskLost && errors.As(err, &apiErr):
		// The URL no longer serves the video: only a new task can make it.
		v.fail(ctx, codeOrStatus(apiErr), "the video URL no longer serves the file; the next apply creates the video again: "+apiErr.Error(), apiErr.RequestID, "")
		return
	}
	v.res.Status = ResultFailed
	v.res.ErrorMessage = "download failed; the next apply tries again: " + err.Error()
	if errors.As(err, &apiErr) {
		v.res.ErrorCode, v.res.RequestID = codeOrStatus(apiErr), apiErr.RequestID
	}
	v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, TaskID: v.entry.TaskID, ErrorCode: v.res.ErrorCode, Message: v.res.ErrorMessage})
	v.failFast()
}

// removeStaleParts deletes the temporary files that a download killed
// mid-write (SIGKILL, a power cut) left beside the outputs of this plan:
// ".NAME.mp4.NNN.part". Each directory is read once.
func removeStaleParts(dir string, outputs []string) {
	byDir := map[string]map[string]bool{}
	for _, out := range outputs {
		if out == "" {
			continue
		}
		path := filepath.Join(dir, filepath.FromSlash(out))
		d, base := filepath.Split(path)
		if byDir[d] == nil {
			byDir[d] = map[string]bool{}
		}
		byDir[d]["."+base+"."] = true
	}
	for d, prefixes := range byDir {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if !e.Type().IsRegular() || !strings.HasSuffix(name, ".part") {
				continue
			}
			for prefix := range prefixes {
				if strings.HasPrefix(name, prefix) {
					os.Remove(filepath.Join(d, name))
					break
				}
			}
		}
	}
}

// retryableDownload: the client's classes decide, but for a file over the
// executor's own size limit; what the client does not classify (a short
// read, a reset, a body that is no MP4) is worth another try.
func retryableDownload(err error) bool {
	if errors.Is(err, errTooLarge) {
		return false
	}
	class, ok := ltx.ErrorClass(err)
	return !ok || class == ltx.ClassRetry
}

// fetch streams url into a temporary file beside path, hashing as it
// writes, and renames it into place only when it is whole and synced: a
// reader of path never sees half a video.
func (v *video) fetch(ctx context.Context, url, path string) (sum string, n int64, mtime time.Time, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, time.Time{}, err
	}
	tmp, err := atomicfile.Create(path, 0o644) // a video is not a secret
	if err != nil {
		return "", 0, time.Time{}, err
	}
	defer tmp.Abort()
	h := sha256.New()
	w := &cappedWriter{w: io.MultiWriter(tmp, h), left: v.r.opts.MaxDownloadBytes}
	n, err = v.r.api.Download(ctx, url, w)
	if err != nil {
		return "", 0, time.Time{}, err
	}
	// Whole on disk before the file it replaces is moved aside.
	if err = tmp.Sync(); err != nil {
		return "", 0, time.Time{}, err
	}
	if err = v.keepTake(path, hex.EncodeToString(h.Sum(nil))); err != nil {
		return "", 0, time.Time{}, err
	}
	if err = v.keepMovedOutput(hex.EncodeToString(h.Sum(nil))); err != nil {
		return "", 0, time.Time{}, err
	}
	if err = tmp.Commit(); err != nil {
		return "", 0, time.Time{}, fmt.Errorf("moving the video into place: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", 0, time.Time{}, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, info.ModTime().UTC(), nil
}

// keepTake moves the file at path aside before a new video takes its
// place, unless it is the same video: a paid take, or a file graded by hand
// (then the plan was -replace), is never written over. It goes to
// DIR/.takes/NAME/<UTC time>-<task>.mp4 beside the output, and the entry
// lists it.
func (v *video) keepTake(path, newSum string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("looking at the file to replace: %w", err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file; move it away and apply again", v.ch.Output)
	}
	prior := v.ch.Prior
	oldSum := ""
	if prior != nil && prior.SHA256 != "" && prior.Bytes == info.Size() && prior.OutputModTime.Equal(info.ModTime().UTC()) {
		oldSum = prior.SHA256
	} else if oldSum, err = sha256File(path); err != nil {
		return fmt.Errorf("reading the file to replace: %w", err)
	}
	if oldSum == newSum {
		return nil // the same bytes: nothing is lost
	}
	take := v.takeOf(oldSum, info.Size())
	dir, base := filepath.Split(path)
	name := strings.TrimSuffix(base, filepath.Ext(base))
	tag := take.TaskID
	if tag == "" {
		tag = "unknown"
	}
	takeDir := filepath.Join(dir, ".takes", name)
	if err := os.MkdirAll(takeDir, 0o755); err != nil {
		return fmt.Errorf("keeping the previous take: %w", err)
	}
	takePath := filepath.Join(takeDir, take.KeptAt.Format("20060102T150405Z")+"-"+safeTag(tag)+filepath.Ext(base))
	if err := os.Rename(path, takePath); err != nil {
		return fmt.Errorf("keeping the previous take: %w", err)
	}
	if rel, err := filepath.Rel(v.r.plan.Dir, takePath); err == nil {
		take.Path = filepath.ToSlash(rel)
	}
	v.entry.Takes = append(slices.Clone(v.entry.Takes), take) // the prior's slice is the plan's
	return nil
}

// takeOf is the take of the file at the output, whose bytes hash to sum:
// labelled with the task and request that made that file, never with the
// task now replacing it (issue 18, finding 9).
func (v *video) takeOf(sum string, size int64) state.Take {
	take := state.Take{SHA256: sum, Bytes: size, KeptAt: v.r.opts.Now().UTC(), Reason: "replaced by a new take"}
	prior, made := v.ch.Prior, v.entry.PriorFile
	switch {
	case made != nil:
		// A replace began after this file was downloaded.
		take.TaskID, take.Request, take.Reason = made.TaskID, made.Request, made.Reason
		if made.SHA256 != sum {
			take.Reason = "changed by hand after it was downloaded, then replaced"
		}
	case prior != nil && prior.SHA256 != "":
		take.TaskID, take.Request = prior.TaskID, prior.Request
		if prior.SHA256 != sum {
			take.Reason = "changed by hand after it was downloaded, then replaced (-replace)"
		}
		if earlierTake(prior, sum) {
			take.Reason = "an earlier take, replaced on another host"
		}
		if prior.Simulated {
			take.Reason = "made by the simulator, replaced by a real video"
		}
	default:
		take.Reason = "a file of unknown origin, replaced by a new take"
	}
	return take
}

// priorFileOf is what made the file at the output of a downloaded entry,
// kept while a newer task replaces it; nil when the entry has no file.
func priorFileOf(e *state.Entry) *state.Take {
	if e == nil {
		return nil
	}
	if e.PriorFile != nil {
		return e.PriorFile
	}
	if e.SHA256 == "" {
		return nil
	}
	reason := "replaced by a new take"
	if e.Simulated {
		reason = "made by the simulator, replaced by a real video"
	}
	return &state.Take{TaskID: e.TaskID, Request: e.Request, SHA256: e.SHA256, Bytes: e.Bytes, Reason: reason}
}

// maxTagBytes bounds the part of a file name built from an id: a
// 250-character task id would make a name longer than file systems take.
const maxTagBytes = 64

// safeTag makes an id fit in a file name: no separators, and at most
// maxTagBytes, the rest of a longer id replaced by a hash of all of it.
func safeTag(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == ':' {
			return '_'
		}
		return r
	}, s)
	if len(s) <= maxTagBytes {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return strings.ToValidUTF8(s[:maxTagBytes-17], "") + "-" + hex.EncodeToString(sum[:8])
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// cappedWriter refuses to write past its limit.
type cappedWriter struct {
	w    io.Writer
	left int64
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		return 0, errTooLarge
	}
	n, err := c.w.Write(p)
	c.left -= int64(n)
	return n, err
}
