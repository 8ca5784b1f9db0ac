package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"net/http"
	"strconv"
	"testing"
)

// boxes walks the top-level ISO BMFF boxes of b, failing on a size that
// does not add up.
func boxes(t *testing.T, b []byte) []string {
	t.Helper()
	var kinds []string
	for len(b) > 0 {
		if len(b) < 8 {
			t.Fatalf("%d stray bytes after the last box", len(b))
		}
		size := binary.BigEndian.Uint32(b)
		if size < 8 || int(size) > len(b) {
			t.Fatalf("box %q claims %d bytes, %d left", b[4:8], size, len(b))
		}
		kinds = append(kinds, string(b[4:8]))
		b = b[size:]
	}
	return kinds
}

func TestDownloadIsASmallMP4PerTask(t *testing.T) {
	h := newHarness(t, Options{})
	a := h.mustCreate(`{"prompt":"a","duration":8}`)
	b := h.mustCreate(`{"prompt":"b"}`)

	da := h.do(http.MethodGet, "/v1/videos/"+a+".mp4", "", "Authorization:")
	if da.Status != http.StatusOK || da.Header.Get("Content-Type") != "video/mp4" || da.Header.Get("X-Request-Id") == "" {
		t.Fatalf("download without a key: %d %v", da.Status, da.Header)
	}
	if cl := da.Header.Get("Content-Length"); cl != strconv.Itoa(len(da.Raw)) {
		t.Errorf("Content-Length %s for %d bytes", cl, len(da.Raw))
	}
	// A real 1080p picture, yet small: plain macroblocks cost a few bits.
	if len(da.Raw) < 1024 || len(da.Raw) > 256<<10 {
		t.Errorf("%d bytes; want at most a few hundred KB", len(da.Raw))
	}
	kinds := boxes(t, da.Raw)
	if len(kinds) == 0 || kinds[0] != "ftyp" {
		t.Fatalf("boxes %v; the first must be ftyp", kinds)
	}
	if want := []string{"ftyp", "moov", "free", "mdat"}; len(kinds) != len(want) {
		t.Errorf("boxes %v, want %v", kinds, want)
	}
	// mvhd's duration (ms, timescale 1000) is the requested 8 s.
	if ms := binary.BigEndian.Uint32(da.Raw[32+8+8+16:]); ms != 8000 {
		t.Errorf("mvhd duration %d ms, want 8000", ms)
	}

	again := h.do(http.MethodGet, "/v1/videos/"+a+".mp4", "")
	db := h.do(http.MethodGet, "/v1/videos/"+b+".mp4", "")
	if sha256.Sum256(again.Raw) != sha256.Sum256(da.Raw) {
		t.Errorf("the same task downloaded twice gave different bytes")
	}
	if sha256.Sum256(db.Raw) == sha256.Sum256(da.Raw) {
		t.Errorf("two tasks gave the same bytes")
	}
	if c := h.counters(); c.Downloads != 3 || c.Requests != 2 {
		t.Errorf("counters %+v, want Downloads 3, Requests 2 (the creates)", c)
	}
}

func TestDownloadOfUnknownVideo(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.mustCreate(`{"prompt":"a"}`)
	for _, path := range []string{"/v1/videos/task_nope.mp4", "/v1/videos/" + id, "/v1/videos/" + id + ".mov"} {
		if r := h.do(http.MethodGet, path, ""); r.Status != http.StatusNotFound || r.code() != "TASK_NOT_FOUND" {
			t.Errorf("%s: %d %s", path, r.Status, r.Raw)
		}
	}
}
