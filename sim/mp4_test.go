package sim

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/ltxform/ltxform/internal/ffprobe"
	"github.com/ltxform/ltxform/media"
)

// findBox returns the payload of the first box at path (e.g. moov/trak/mdia),
// searching each box's payload from its start.
func findBox(t *testing.T, b []byte, path ...string) []byte {
	t.Helper()

	for _, want := range path {
		found := false
		for len(b) >= 8 {
			size := binary.BigEndian.Uint32(b)
			if size < 8 || int(size) > len(b) {
				t.Fatalf("box %q claims %d bytes, %d left", b[4:8], size, len(b))
			}
			if string(b[4:8]) == want {
				b, found = b[8:size], true
				break
			}
			b = b[size:]
		}
		if !found {
			t.Fatalf("no %s box on the path %v", want, path)
		}

	}
	return b
}

func TestTaskVideoIsAnIndexedH264MP4(t *testing.T) {
	for _, tc := range []struct {
		seconds int
		w, h    uint16
		fps     int
	}{{6, 1920, 1080, 24}, {20, 720, 1280, 50}} {
		v := taskVideo("task_abcdefghij234567klmn", videoSpec{w: int(tc.w), h: int(tc.h), seconds: tc.seconds, fps: tc.fps})
		if len(v) > 256<<10 {
			t.Errorf("%d s: %d bytes, over 256 KB", tc.seconds, len(v))
		}
		if kinds := boxes(t, v); len(kinds) != 4 || kinds[0] != "ftyp" || kinds[1] != "moov" || kinds[3] != "mdat" {
			t.Fatalf("boxes %v, want ftyp moov free mdat", kinds)
		}
		stbl := findBox(t, v, "moov", "trak", "mdia", "minf", "stbl")
		// stsd: 8 bytes of header fields, then avc1 with its size at 12.
		avc1 := findBox(t, stbl, "stsd")[8:]
		if string(avc1[4:8]) != "avc1" {
			t.Fatalf("sample entry %q, want avc1", avc1[4:8])
		}
		if w, h := binary.BigEndian.Uint16(avc1[8+24:]), binary.BigEndian.Uint16(avc1[8+26:]); w != tc.w || h != tc.h {
			t.Errorf("avc1 size %d×%d, want %d×%d", w, h, tc.w, tc.h)
		}
		stsz := findBox(t, stbl, "stsz")
		count := binary.BigEndian.Uint32(stsz[8:])
		if int(count) != tc.seconds*tc.fps {
			t.Errorf("%d samples for %d s at %d fps", count, tc.seconds, tc.fps)
		}
		total := 0
		for i := range count {
			total += int(binary.BigEndian.Uint32(stsz[12+4*i:]))
		}
		offset := binary.BigEndian.Uint32(findBox(t, stbl, "stco")[8:])
		mdatStart := bytes.LastIndex(v, []byte("mdat")) + 4
		if int(offset) != mdatStart || mdatStart+total != len(v) {
			t.Errorf("chunk at %d, mdat payload at %d; samples add up to %d of %d bytes", offset, mdatStart, total, len(v)-mdatStart)
		}
		// The first sample is an IDR picture (NAL type 5) after its 4-byte length.
		if nalType := v[offset+4] & 0x1F; nalType != 5 {
			t.Errorf("first sample's NAL type %d, want 5 (IDR)", nalType)
		}
	}
}

func TestTaskVideoIsTheSamePerTaskAndDiffersBetweenTasks(t *testing.T) {
	spec := videoSpec{w: 1280, h: 720, seconds: 6, fps: 24, audio: true}
	a := taskVideo("task_aaaa", spec)
	if !bytes.Equal(a, taskVideo("task_aaaa", spec)) {
		t.Error("the same task gave two different files")
	}
	b := taskVideo("task_bbbb", spec)
	if bytes.Equal(a, b) {
		t.Error("two tasks gave the same file")
	}
	if bgA, _ := taskColours("task_aaaa"); bgA == func() rgb { c, _ := taskColours("task_bbbb"); return c }() {
		t.Error("two tasks share a background colour")
	}
}

func TestNALEscapesStartCodes(t *testing.T) {
	got := nal(3, nalSPS, []byte{0, 0, 1, 0, 0, 0, 0, 0, 3})
	want := []byte{0x67, 0, 0, 3, 1, 0, 0, 3, 0, 0, 3, 0, 3}
	if !bytes.Equal(got, want) {
		t.Errorf("nal = % x, want % x", got, want)
	}
}

// TestTaskVideoIsWhatWasOrdered: at every resolution either service offers,
// in both shapes, ffprobe finds the size, length, frame rate and sound
// ordered, ffmpeg decodes every frame without an error, and media.Read (what
// apply checks deliveries with) agrees with ffprobe.
func TestTaskVideoIsWhatWasOrdered(t *testing.T) {
	ffprobe.Require(t, "ffmpeg")
	type order struct {
		res, aspect string
		seconds     int
		fps         int
		audio       bool
	}
	var orders []order
	for i, res := range []string{"480p", "720p", "1080p", "1440p", "4K"} {
		for j, aspect := range []string{"16:9", "9:16"} {
			fps := []int{24, 25, 48, 50}[(i+j)%4]
			orders = append(orders, order{res, aspect, 2 + (i+j)%3, fps, (i+j)%2 == 0})
		}
	}
	for _, o := range orders {
		t.Run(fmt.Sprintf("%s_%s_%ds_%dfps_audio=%v", o.res, o.aspect, o.seconds, o.fps, o.audio), func(t *testing.T) {
			t.Parallel()
			tk := &task{id: "task_" + o.res, req: &createRequest{Resolution: o.res, AspectRatio: o.aspect, Duration: int64(o.seconds), fps: o.fps, audio: o.audio}}
			spec := specFor(tk)
			path := filepath.Join(t.TempDir(), "v.mp4")
			if err := os.WriteFile(path, mp4For(tk), 0o644); err != nil {
				t.Fatal(err)
			}
			probe := ffprobe.Probe(t, path)
			if probe.Width != spec.w || probe.Height != spec.h || probe.Audio != o.audio ||
				math.Abs(probe.DurationS-float64(o.seconds)) > 0.05 || math.Abs(probe.FPS-float64(o.fps)) > 0.01 {
				t.Errorf("ffprobe: %+v; ordered %dx%d, %d s, %d fps, audio %v", probe, spec.w, spec.h, o.seconds, o.fps, o.audio)
			}
			ffprobe.Decode(t, path)
			got, err := media.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got.Width != probe.Width || got.Height != probe.Height || got.Audio != probe.Audio ||
				math.Abs(got.DurationS-probe.DurationS) > 0.01 || math.Abs(got.FPS-probe.FPS) > 0.01 {
				t.Errorf("media.Read = %+v, ffprobe = %+v", got, probe)
			}
		})
	}
}

// TestWrongMediaDiffersFromTheOrder: each kind of wrong_media delivery is
// told apart from the order by the check apply makes.
func TestWrongMediaDiffersFromTheOrder(t *testing.T) {
	audio := true
	order := media.Order{Width: 1920, Height: 1080, DurationS: 6, FPS: 25, Audio: &audio}
	for kind, want := range map[wrongMediaKind]string{
		rightMedia:  "",
		wrongSize:   "size 1280x720, ordered 1920x1080",
		wrongLength: "3.01 s long, ordered 6 s",
		wrongSilent: "no sound track, ordered with sound (generate_audio)",
	} {
		tk := &task{id: "task_w", wrongMedia: kind, req: &createRequest{Resolution: "1080p", Duration: 6, width: 1920, height: 1080, fps: 25, audio: true}}
		v := mp4For(tk)
		info, err := media.Read(bytes.NewReader(v), int64(len(v)))
		if err != nil {
			t.Fatal(err)
		}
		diffs := order.Differences(info)
		if want == "" && len(diffs) != 0 || want != "" && (len(diffs) != 1 || diffs[0] != want) {
			t.Errorf("kind %d: differences %q, want %q", kind, diffs, want)
		}
	}
}
