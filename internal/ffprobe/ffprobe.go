// Package ffprobe is for tests: it runs Debian's ffprobe (package ffmpeg)
// on a file, so that what ltxform measures and what the simulator writes
// are checked against a tool everyone trusts.
package ffprobe

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Require skips the test when ffprobe (or ffmpeg, for tests that make
// files) is missing, saying how to run it; under CI=true it fails instead.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range append([]string{"ffprobe"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			msg := tool + " not found: install Debian's ffmpeg package (apt-get install ffmpeg) and run this test again"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// Info is what ffprobe says of a file.
type Info struct {
	DurationS float64
	Width     int
	Height    int
	FPS       float64
	Audio     bool
}

// Probe runs ffprobe on path; a file ffprobe cannot read fails the test.
func Probe(t testing.TB, path string) Info {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-of", "json",
		"-show_entries", "format=duration:stream=codec_type,width,height,avg_frame_rate", path).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("ffprobe %s: %v %s", path, err, stderr)
	}
	var doc struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
		Streams []struct {
			CodecType    string `json:"codec_type"`
			Width        int    `json:"width"`
			Height       int    `json:"height"`
			AvgFrameRate string `json:"avg_frame_rate"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var info Info
	info.DurationS, _ = strconv.ParseFloat(doc.Format.Duration, 64)
	for _, s := range doc.Streams {
		switch s.CodecType {
		case "audio":
			info.Audio = true
		case "video":
			info.Width, info.Height = s.Width, s.Height
			num, den, _ := strings.Cut(s.AvgFrameRate, "/")
			n, _ := strconv.ParseFloat(num, 64)
			d, _ := strconv.ParseFloat(den, 64)
			if d > 0 {
				info.FPS = n / d
			}
		}
	}
	return info
}

// Decode has ffmpeg decode every frame of path, failing the test on any
// error: a file a player would stumble on.
func Decode(t testing.TB, path string) {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-xerror", "-i", path, "-f", "null", "-").CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("ffmpeg could not decode %s cleanly: %v\n%s", path, err, out)
	}
}
