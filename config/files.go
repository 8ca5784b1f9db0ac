package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// MaxReadFileBytes bounds what file() and templatefile() read: a prompt is
// at most a few thousand characters, and the bound keeps a mistaken path
// (a video, a disk image) from filling memory.
const MaxReadFileBytes = 8 << 20

// readFiles remembers every file the manifest reads during evaluation
// (file(), templatefile(), image_file), so that no output may overwrite one.
// It owns the manifest directory opened as an os.Root, the one judge of what
// is inside it, for the duration of a load.
type readFiles struct {
	root    *os.Root // nil if dir could not be opened; rootErr says why
	rootErr error
	// escapeErr is the error root gives for a path that leads out of it
	// (os does not export it).
	escapeErr error
	paths     map[string]string // lower-case slash path relative to dir → what reads it
	// identities are the files read and the directories holding them, by
	// file identity: an output that reaches one through another name (a
	// symbolic or hard link) would overwrite it all the same.
	identities map[fileKey][]readIdentity
	noted      map[string]bool // slash paths relative to dir already in identities
	// images caches image_file results: a for_each block of a thousand
	// videos with one image hashes it once.
	images map[string]imageFile
}

// readIdentity is a file read, or a directory holding one.
type readIdentity struct {
	info  fs.FileInfo
	path  string // slash path relative to dir of the file read
	holds bool   // a directory holding the file read, not the file itself
	why   string
}

type imageFile struct {
	sha256 string
	size   int64
	err    error
}

// newReadFiles opens dir as the root of every read and check of one load;
// close releases it.
func newReadFiles(dir string) *readFiles {
	r := &readFiles{paths: map[string]string{}, identities: map[fileKey][]readIdentity{},
		noted: map[string]bool{}, images: map[string]imageFile{}}
	r.root, r.rootErr = os.OpenRoot(dir)
	if r.root != nil {
		// ".." leaves any root before a file is touched.
		if _, err := r.root.Lstat(".."); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				r.escapeErr = pe.Err
			}
		}
	}
	return r
}

// close releases the manifest directory; r may be nil.
func (r *readFiles) close() {
	if r != nil && r.root != nil {
		r.root.Close()
	}
}

// escapes reports whether err is the root's refusal of a path that leads out.
func (r *readFiles) escapes(err error) bool {
	return r.escapeErr != nil && errors.Is(err, r.escapeErr)
}

// note records a file read: its path as written, its identity (for an output
// that reaches it through a link) and the identities of the directories
// holding it, both along the path as written and along the links it is
// reached through.
func (r *readFiles) note(clean string, info fs.FileInfo, isLink bool, why string) {
	if _, ok := r.paths[strings.ToLower(clean)]; !ok {
		r.paths[strings.ToLower(clean)] = why
	}
	if r.noted[clean] {
		return // a file read again: a for_each of a thousand videos with one prompt
	}
	r.noted[clean] = true
	r.remember(readIdentity{info: info, path: clean, why: why})
	r.noteParents(clean, clean, why)
	// The file itself is a link, perhaps to a file in another directory:
	// follow the chain (the open succeeded, so it stays inside) to note the
	// directories on the way.
	for at, i := clean, 0; isLink && i < 40; i++ { // 40: the kernel's own bound on a chain of links
		target, err := r.root.Readlink(filepath.FromSlash(at))
		if err != nil || filepath.IsAbs(target) {
			break
		}
		at = path.Join(path.Dir(at), filepath.ToSlash(target))
		if at == ".." || strings.HasPrefix(at, "../") {
			break
		}
		r.noteParents(at, clean, why)
		li, err := r.root.Lstat(filepath.FromSlash(at))
		isLink = err == nil && li.Mode()&fs.ModeSymlink != 0
	}
}

// noteParents records the directories holding p, once each.
func (r *readFiles) noteParents(p, read, why string) {
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		if r.noted[d] {
			return // and its parents with it
		}
		r.noted[d] = true
		if info, err := r.root.Stat(filepath.FromSlash(d)); err == nil {
			r.remember(readIdentity{info: info, path: read, holds: true, why: why})
		}
	}
}

func (r *readFiles) remember(id readIdentity) {
	k := keyOf(id.info)
	r.identities[k] = append(r.identities[k], id)
}

// sameAs returns what was read as the file or directory info is, if any.
func (r *readFiles) sameAs(info fs.FileInfo) (readIdentity, bool) {
	for _, id := range r.identities[keyOf(info)] {
		if os.SameFile(id.info, info) {
			return id, true
		}
	}
	return readIdentity{}, false
}

// openRegularInside opens name, a slash path relative to dir, for reading
// through the root, so that neither "..", an absolute path nor a symbolic
// link can lead outside dir. It refuses anything but a regular file: a named
// pipe would block the load forever, a device would read without end. The
// type is checked before opening, and again on the open file (opened without
// blocking, in case the path changed between the two). It returns the clean
// path, the open file's info and whether name itself is a symbolic link.
func (r *readFiles) openRegularInside(name string) (f *os.File, clean string, info fs.FileInfo, isLink bool, err error) {
	clean, err = cleanRelative(name)
	if err != nil {
		return nil, "", nil, false, err
	}
	if r.root == nil {
		return nil, "", nil, false, fmt.Errorf("cannot read %q: %w", name, unwrapPathError(r.rootErr))
	}
	native := filepath.FromSlash(clean)
	info, err = r.root.Lstat(native)
	if err == nil && info.Mode()&fs.ModeSymlink != 0 {
		isLink = true
		info, err = r.root.Stat(native)
	}
	if err != nil {
		return nil, "", nil, false, r.readError(name, err)
	}
	if err := requireRegular(name, info.Mode()); err != nil {
		return nil, "", nil, false, err
	}
	f, err = r.root.OpenFile(native, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, "", nil, false, r.readError(name, err)
	}
	info, err = f.Stat()
	if err == nil {
		err = requireRegular(name, info.Mode())
	}
	if err != nil {
		f.Close()
		return nil, "", nil, false, err
	}
	return f, clean, info, isLink, nil
}

// readError words the root's refusal; cleanRelative has already refused ".."
// and absolute paths, so a path that still leads out does so through a link.
func (r *readFiles) readError(name string, err error) error {
	if r.escapes(err) {
		return fmt.Errorf("%q %s", name, r.linkRefusal(name))
	}
	return fmt.Errorf("cannot read %q: %w", name, unwrapPathError(err))
}

// linkRefusal says why the root refused the slash path name (relative to
// the manifest directory), naming the first symbolic link on it that it
// would not follow: one that leads out, or an absolute one, which is
// refused even when it points inside (the fix is to make it relative).
func (r *readFiles) linkRefusal(name string) string {
	const leadsOut = "leads outside the manifest directory through a symbolic link"
	clean, err := cleanRelative(name)
	if err != nil || r.root == nil {
		return leadsOut
	}
	parts := strings.Split(clean, "/")
	for i := range parts {
		at := strings.Join(parts[:i+1], "/")
		info, err := r.root.Lstat(filepath.FromSlash(at))
		if err != nil {
			break
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		target, err := r.root.Readlink(filepath.FromSlash(at))
		switch {
		case err != nil:
		case filepath.IsAbs(target) && r.holdsAbsolute(target):
			return fmt.Sprintf("is reached through a symbolic link with an absolute target (%s points to %s); only relative links that stay inside the manifest directory are followed, so make it relative", at, target)
		case filepath.IsAbs(target) || !r.insideAfterLink(at, target):
			return fmt.Sprintf("%s: %s points to %s, outside the directory", leadsOut, at, target)
		}
	}
	return leadsOut + " (only relative links that stay inside it are followed)"
}

// holdsAbsolute tells whether the absolute path p names a place inside the
// manifest directory (lexically, for a message).
func (r *readFiles) holdsAbsolute(p string) bool {
	dir, err := filepath.Abs(r.root.Name())
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// insideAfterLink tells whether the relative link target, read at the slash
// path at, names a path inside the directory (lexically).
func (r *readFiles) insideAfterLink(at, target string) bool {
	p := path.Join(path.Dir(at), filepath.ToSlash(target))
	return p != ".." && !strings.HasPrefix(p, "../")
}

func requireRegular(name string, mode fs.FileMode) error {
	if mode.IsRegular() {
		return nil
	}
	what := "something else"
	switch {
	case mode.IsDir():
		what = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0, mode&fs.ModeCharDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%q is %s, not a regular file", name, what)
}

// readInside reads name, which must be a regular file inside dir of at most
// MaxReadFileBytes, and records it as read.
func (r *readFiles) readInside(name string) ([]byte, error) {
	f, clean, info, isLink, err := r.openRegularInside(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r.note(clean, info, isLink, "a file the manifest reads with file() or templatefile()")
	b, err := io.ReadAll(io.LimitReader(f, MaxReadFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %w", name, unwrapPathError(err))
	}
	if len(b) > MaxReadFileBytes {
		return nil, fmt.Errorf("%q is larger than %d MiB; a manifest reads only small text files", name, MaxReadFileBytes>>20)
	}
	return b, nil
}

// image checks an image_file and takes its sha256 and size. It returns the
// clean slash path relative to dir.
func (r *readFiles) image(name string) (clean string, info imageFile) {
	clean, err := cleanRelative(name)
	if err != nil {
		return "", imageFile{err: err}
	}
	if cached, ok := r.images[clean]; ok {
		return clean, cached
	}
	info = hashImage(r, name)
	r.images[clean] = info
	return clean, info
}

func hashImage(r *readFiles, name string) imageFile {
	f, clean, info, isLink, err := r.openRegularInside(name)
	if err != nil {
		return imageFile{err: err}
	}
	defer f.Close()
	r.note(clean, info, isLink, "an image_file")
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return imageFile{err: fmt.Errorf("cannot read %q: %w", name, unwrapPathError(err))}
	}
	return imageFile{sha256: hex.EncodeToString(h.Sum(nil)), size: n}
}
