package ltx

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// CheckVideoFile checks a file on disk as a download is checked: it must
// start with an MP4's ftyp box. An error page saved under a video's name
// ("Access denied" as .mp4) is refused, and said to be a page.
func CheckVideoFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return err
	}
	head = head[:n]
	if looksLikeMP4(head) {
		return nil
	}
	what := "it does not start with an MP4 ftyp box"
	if lower := bytes.ToLower(bytes.TrimSpace(head)); bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) || bytes.Contains(lower, []byte("<body")) {
		what = "it is an HTML page (" + clean(textOf(head)) + ")"
	}
	return fmt.Errorf("%s: %w: %s", path, ErrNotVideo, what)
}
