package media

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ltxform/ltxform/internal/ffprobe"
)

// TestReadAgreesWithFFprobe makes files with ffmpeg at odd sizes, frame
// rates and durations, with and without sound, and compares what Read
// finds with what ffprobe says.
func TestReadAgreesWithFFprobe(t *testing.T) {
	ffprobe.Require(t, "ffmpeg")
	cases := []struct {
		w, h    int
		fps     string
		seconds string
		audio   string // "" for none, else the encoder
	}{
		{202, 114, "25", "3.3", "aac"},
		{1080, 1920, "24", "1.5", ""},
		{98, 66, "30000/1001", "2.7", "libopus"},
		{640, 360, "50", "0.84", "aac"},
		{176, 144, "48", "6", ""},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%dx%d@%s_%ss_%s", c.w, c.h, c.fps, c.seconds, c.audio), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "v.mp4")
			args := []string{"-v", "error", "-f", "lavfi", "-i", fmt.Sprintf("testsrc=size=%dx%d:rate=%s", c.w, c.h, c.fps)}
			if c.audio != "" {
				args = append(args, "-f", "lavfi", "-i", "sine=sample_rate=48000", "-c:a", c.audio)
			}
			args = append(args, "-t", c.seconds, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path)
			if out, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg: %v\n%s", err, out)
			}
			want := ffprobe.Probe(t, path)
			got, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got.Width != want.Width || got.Height != want.Height || got.Audio != want.Audio {
				t.Errorf("Read = %+v, ffprobe = %+v", got, want)
			}
			if math.Abs(got.DurationS-want.DurationS) > 0.01 || math.Abs(got.FPS-want.FPS) > 0.01 {
				t.Errorf("Read = %+v, ffprobe = %+v", got, want)
			}
		})
	}
}

func TestReadRefusesWhatIsNoWholeMP4(t *testing.T) {
	ffprobe.Require(t, "ffmpeg")
	path := filepath.Join(t.TempDir(), "v.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-t", "1",
		"-c:v", "libx264", "-preset", "ultrafast", "-movflags", "+faststart", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{
		"cut short":    whole[:len(whole)/2],
		"html page":    []byte("<!doctype html><html><body>Not found</body></html>"),
		"no moov":      whole[:32],
		"damaged trak": damageTrak(whole),
	} {
		p := filepath.Join(t.TempDir(), "bad.mp4")
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		if info, err := ReadFile(p); err == nil {
			t.Errorf("%s: Read = %+v, want an error", name, info)
		}
	}
}

// damageTrak makes the trak box claim more bytes than moov holds.
func damageTrak(b []byte) []byte {
	b = append([]byte(nil), b...)
	for i := 4; i+4 <= len(b); i++ {
		if string(b[i:i+4]) == "trak" {
			b[i-4], b[i-3] = 0x7f, 0xff
			return b
		}
	}
	return b
}
