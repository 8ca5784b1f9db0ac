package sim

import (
	"bytes"
	"encoding/binary"
	"testing"
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
		seconds  int
		portrait bool
		w, h     uint16
	}{{6, false, 160, 90}, {20, true, 90, 160}} {
		v := taskVideo("task_abcdefghij234567klmn", tc.seconds, tc.portrait)
		if len(v) > 64<<10 {
			t.Errorf("%d s: %d bytes, over 64 KB", tc.seconds, len(v))
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
		if int(count) != tc.seconds*videoFPS {
			t.Errorf("%d samples for %d s at %d fps", count, tc.seconds, videoFPS)
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
	a := taskVideo("task_aaaa", 6, false)
	if !bytes.Equal(a, taskVideo("task_aaaa", 6, false)) {
		t.Error("the same task gave two different files")
	}
	b := taskVideo("task_bbbb", 6, false)
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
