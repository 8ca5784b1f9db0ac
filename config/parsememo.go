package config

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// A command reads its manifest files twice: LoadBackend, to open the state,
// and Load. Parsing is most of the time a plan takes (HCL segments every
// token into grapheme clusters), so the second read reuses the first's
// parse of a file whose bytes are unchanged. An entry serves one reuse, by
// the other reader (two Loads in a row parse twice, so a benchmark of Load
// measures a parse), and the memo holds the files of one directory at a
// time, so it keeps at most one manifest's syntax trees alive. Parsed files
// are never modified (HCL's bodies are read-only), so sharing one between
// two readers is safe.
var parseMemo struct {
	sync.Mutex
	dir   string // absolute
	files map[string]memoEntry
}

type memoEntry struct {
	shown string // the file name in the parse's ranges and diagnostics
	// byBackend: LoadBackend made it, so Load may reuse it; else the reverse.
	byBackend bool
	src       []byte
	file      *hcl.File
	diags     hcl.Diagnostics
}

// parseManifestFile parses the manifest file dir/name for LoadBackend
// (byBackend) or Load, bounded as parseBounded is. It returns the other
// reader's parse from the memo when that was made from the bytes now in the
// file under the same shown name, or under another one that reusable
// accepts (nil: none); otherwise a new parse, which it leaves in the memo for
// the other reader. The entry's file is nil when the file could not be read
// or was refused, its diags saying why.
func parseManifestFile(dir, name string, byBackend bool, reusable func(memoEntry) bool) memoEntry {
	shown := shownPath(dir, name)
	src, diags := readSized(shown)
	if diags.HasErrors() {
		return memoEntry{shown: shown, diags: diags}
	}
	abs, err := filepath.Abs(shown)
	if err == nil {
		// The memo's bytes passed the nesting check when they were parsed.
		if e, ok := takeMemo(abs, src, !byBackend); ok && (e.shown == shown || reusable != nil && reusable(e)) {
			return e
		}
	}
	if d := CheckNesting(shown, src); d != nil {
		return memoEntry{shown: shown, diags: d}
	}
	f, diags := parseSource(src, shown)
	e := memoEntry{shown: shown, byBackend: byBackend, src: src, file: f, diags: diags}
	if err == nil { // else no working directory: no key to share the parse by
		putMemo(abs, e)
	}
	return e
}

func parseSource(src []byte, filename string) (*hcl.File, hcl.Diagnostics) {
	if strings.HasSuffix(filename, ".json") {
		return hcljson.Parse(src, filename)
	}
	return hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
}

// takeMemo removes and returns the memo's entry for the file at abs when it
// was parsed from src, by LoadBackend if byBackend, else by Load.
func takeMemo(abs string, src []byte, byBackend bool) (memoEntry, bool) {
	parseMemo.Lock()
	defer parseMemo.Unlock()
	e, ok := parseMemo.files[abs]
	if !ok || e.byBackend != byBackend || !bytes.Equal(e.src, src) {
		return memoEntry{}, false
	}
	delete(parseMemo.files, abs)
	return e, true
}

func putMemo(abs string, e memoEntry) {
	parseMemo.Lock()
	defer parseMemo.Unlock()
	if dir := filepath.Dir(abs); dir != parseMemo.dir || parseMemo.files == nil {
		parseMemo.dir, parseMemo.files = dir, map[string]memoEntry{}
	}
	parseMemo.files[abs] = e
}
