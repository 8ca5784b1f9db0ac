package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	for _, tt := range []struct {
		name   string
		before []byte // nil: no file yet
		perm   os.FileMode
	}{
		{"new private file", nil, 0o600},
		{"new public file", nil, 0o644},
		{"replaces a file, taking the new mode", []byte("old content that is longer"), 0o640},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.json")
			if tt.before != nil {
				if err := os.WriteFile(path, tt.before, 0o666); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFile(path, []byte("new"), tt.perm); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != "new" {
				t.Fatalf("content %q, %v; want \"new\"", got, err)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != tt.perm {
				t.Errorf("mode %v, want %v", fi.Mode().Perm(), tt.perm)
			}
			if left := Leftovers(path); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

// TestAbortLeavesTheTarget: a write given up half-way (a failed download,
// a report that did not render) leaves the old file and no temporary one.
func TestAbortLeavesTheTarget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "video.mp4")
	if err := os.WriteFile(path, []byte("old video"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(path, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("half a vid")); err != nil {
		t.Fatal(err)
	}
	if left := Leftovers(path); len(left) != 1 {
		t.Fatalf("while writing, leftovers %v; want the one temporary file", left)
	}
	f.Abort()
	f.Abort() // deferred as well: harmless
	if got, _ := os.ReadFile(path); string(got) != "old video" {
		t.Errorf("target now %q, want the old video", got)
	}
	if left := Leftovers(path); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if err := f.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
}

func TestCreateInAMissingDirectory(t *testing.T) {
	if _, err := Create(filepath.Join(t.TempDir(), "no", "such", "f"), 0o600); err == nil {
		t.Error("Create in a missing directory succeeded")
	}
}
