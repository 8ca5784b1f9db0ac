package executor

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ltxform/ltxform/internal/atomicfile"
	"github.com/ltxform/ltxform/state"
)

// VideoStorage is where finished videos are kept beside the local files
// (storage "s3"; *videostore.Store). Nothing is ever deleted from it.
type VideoStorage interface {
	Key(output string) string
	Bucket() string
	// Put uploads the file at path to key and verifies the stored copy; a
	// file whose sha256 is not wantSHA256 is not uploaded.
	Put(ctx context.Context, key, path, wantSHA256 string) (state.StoredObject, error)
	// Get streams obj into w, checking its size and sha256.
	Get(ctx context.Context, obj state.StoredObject, w io.Writer) error
	// Copy keeps obj under toKey (server-side), verified.
	Copy(ctx context.Context, obj state.StoredObject, toKey string) (state.StoredObject, error)
	// IsNotFound tells an object that is not in the bucket.
	IsNotFound(err error) bool
}

// storeDownloaded uploads a video just downloaded and verified, and sets
// where it is in the entry, which the caller records (one state write for
// the download and the upload). It returns false when it is "downloaded,
// not stored": the row is failed (exit 4) and the next run uploads it.
func (v *video) storeDownloaded(ctx context.Context, file string) bool {
	s := v.r.opts.Storage
	if s == nil || v.entry.Simulated {
		return true
	}
	key := s.Key(v.ch.Output)
	if prev := v.entry.Stored; prev != nil && prev.Bucket == s.Bucket() && prev.Key == key && prev.SHA256 != v.entry.SHA256 {
		// The older take's object would be written over: kept first.
		if err := v.keepStoredTake(ctx, s, *prev); err != nil {
			v.notStored(err)
			return false
		}
	}
	obj, err := s.Put(ctx, key, file, v.entry.SHA256)
	if err != nil {
		v.notStored(err)
		return false
	}
	v.entry.Stored = &obj
	return true
}

// keepStoredTake copies the older take's object under the same prefix, to
// the take's path (.takes/NAME/TIME-TASK.mp4 beside the output), and lists
// it among the entry's takes.
func (v *video) keepStoredTake(ctx context.Context, s VideoStorage, prev state.StoredObject) error {
	takes := slices.Clone(v.entry.Takes) // the prior's slice is the plan's
	i := slices.IndexFunc(takes, func(t state.Take) bool { return t.SHA256 == prev.SHA256 && t.StorageKey == "" })
	if i < 0 {
		takes = append(takes, state.Take{SHA256: prev.SHA256, Bytes: prev.Bytes, KeptAt: v.r.opts.Now().UTC(), Reason: "replaced by a new take"})
		i = len(takes) - 1
		if p := v.ch.Prior; p != nil {
			takes[i].TaskID, takes[i].Request = p.TaskID, p.Request
		}
	}
	rel := takes[i].Path
	if rel == "" {
		// No local file was moved aside: the take lives in storage only,
		// at the path a local take would have.
		rel = takePath(v.ch.Output, takes[i])
		takes[i].Path = rel
	}
	kept, err := s.Copy(ctx, prev, s.Key(rel))
	if err != nil {
		return err
	}
	takes[i].StorageKey = kept.Key
	v.entry.Takes = takes
	return nil
}

// takePath is where a take of output goes, relative to the manifest
// directory, when no local file was moved there: as keepTake names them.
func takePath(output string, t state.Take) string {
	dir, base := path.Split(output)
	ext := path.Ext(base)
	tag := t.TaskID
	if tag == "" {
		tag = "unknown"
	}
	return dir + ".takes/" + strings.TrimSuffix(base, ext) + "/" + t.KeptAt.Format("20060102T150405Z") + "-" + safeTag(tag) + ext
}

func (v *video) notStored(err error) {
	v.res.Status = ResultFailed
	v.res.ErrorCode = "NOT_STORED"
	v.res.ErrorMessage = "downloaded, not stored; the next apply uploads it: " + err.Error()
	v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, TaskID: v.entry.TaskID, ErrorCode: v.res.ErrorCode, Message: v.res.ErrorMessage})
}

// storeOnly uploads a file that was downloaded but not stored.
func (v *video) storeOnly(ctx context.Context) {
	v.res.TaskID, v.res.RequestID, v.res.Attempts = v.entry.TaskID, v.entry.RequestID, v.entry.Attempts
	if v.r.opts.Storage == nil {
		v.notStored(fmt.Errorf("no storage was opened for this run"))
		return
	}
	stored := v.storeDownloaded(ctx, filepath.Join(v.r.plan.Dir, filepath.FromSlash(v.ch.Output)))
	if v.r.record(ctx, v.entry) != nil {
		v.stateFailed()
		return
	}
	if !stored {
		return
	}
	v.res.Status = ResultCompleted
	v.r.emit(Event{Kind: EventStored, Address: v.ch.Address, TaskID: v.entry.TaskID, Output: v.ch.Output})
}

// fetchStored copies the video from storage to its output file: no create,
// no provider download, nothing recorded (the entry already says what the
// file is). A local older take is moved aside first, as for a download.
func (v *video) fetchStored(ctx context.Context) {
	prior := v.ch.Prior
	v.res.TaskID, v.res.RequestID, v.res.Attempts = prior.TaskID, prior.RequestID, prior.Attempts
	s := v.r.opts.Storage
	if s == nil || prior.Stored == nil {
		v.res.Status = ResultFailed
		v.res.ErrorMessage = "fetch from storage: no storage was opened for this run"
		v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, Message: v.res.ErrorMessage})
		return
	}
	file := filepath.Join(v.r.plan.Dir, filepath.FromSlash(v.ch.Output))
	err := v.fetchObject(ctx, s, *prior.Stored, file)
	if err != nil && s.IsNotFound(err) && prior.VideoURL != "" && v.r.api != nil {
		// Gone from the bucket (a lifecycle rule, by hand): the provider's
		// link is tried instead, free while it serves the video, and the
		// download is stored again.
		v.r.emit(Event{Kind: EventRetry, Address: v.ch.Address, TaskID: prior.TaskID, Message: "not in storage (" + err.Error() + "); downloading it from the provider"})
		v.download(ctx)
		return
	}
	if err != nil {
		v.res.Status = ResultFailed
		v.res.ErrorMessage = "fetch from storage failed; the next apply tries again: " + err.Error()
		v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, TaskID: prior.TaskID, Message: v.res.ErrorMessage})
		return
	}
	v.res.Status = ResultCompleted
	v.r.emit(Event{Kind: EventFetched, Address: v.ch.Address, TaskID: prior.TaskID, Output: v.ch.Output})
}

func (v *video) fetchObject(ctx context.Context, s VideoStorage, obj state.StoredObject, file string) error {
	if err := mkdirFor(file); err != nil {
		return err
	}
	var err error
	for try := 1; try <= v.r.opts.MaxAttempts; try++ {
		if err = v.fetchOnce(ctx, s, obj, file); err == nil || ctx.Err() != nil || s.IsNotFound(err) {
			return err
		}
		if sleep(ctx, v.r.backoff(try)) != nil {
			return err
		}
	}
	return err
}

func mkdirFor(file string) error { return os.MkdirAll(filepath.Dir(file), 0o755) }

func (v *video) fetchOnce(ctx context.Context, s VideoStorage, obj state.StoredObject, file string) error {
	tmp, err := atomicfile.Create(file, 0o644)
	if err != nil {
		return err
	}
	defer tmp.Abort()
	if err := s.Get(ctx, obj, tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := v.keepTake(file, obj.SHA256); err != nil {
		return err
	}
	return tmp.Commit()
}

// earlierTake: the file is one of the video's earlier takes (replaced on
// another host after this one downloaded it), not a file changed by hand.
func earlierTake(e *state.Entry, sum string) bool {
	return slices.ContainsFunc(e.Takes, func(t state.Take) bool { return t.SHA256 == sum })
}
