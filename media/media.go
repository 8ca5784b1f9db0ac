// Package media measures a downloaded MP4: how long it is, its picture size
// and frame rate, and whether it has a sound track. It reads only the boxes
// of the file's index (moov), never the pictures.
//
// It is our own small box reader rather than github.com/yapingcat/gomedia
// (the MP4 library served here): gomedia's demuxer names an audio track by
// its codec, not its handler, so an Opus track (ffmpeg writes "Opus")
// comes back as an unknown track; it returns no error for a file cut short
// before its moov (an empty track list), silently drops a track whose box
// is damaged, and indexes its track list unguarded, so a malformed
// download could panic the run that paid for it.
package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Info is what a video file holds, as its index says.
type Info struct {
	DurationS float64 `json:"duration_s"`
	Width     int     `json:"width"`
	Height    int     `json:"height"`
	FPS       float64 `json:"fps"`
	Audio     bool    `json:"audio"`
}

// maxMoov bounds the index read into memory: a 20 s video's is a few KB.
const maxMoov = 64 << 20

// ReadFile measures the MP4 at path.
func ReadFile(path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	return Read(f, st.Size())
}

// Read measures the MP4 in r, size bytes long.
func Read(r io.ReaderAt, size int64) (Info, error) {
	var moov []byte
	for off := int64(0); off < size; {
		var head [16]byte
		if _, err := r.ReadAt(head[:8], off); err != nil {
			return Info{}, fmt.Errorf("box header at byte %d: %w", off, err)
		}
		n, hdr := int64(binary.BigEndian.Uint32(head[:4])), int64(8)
		kind := string(head[4:8])
		switch n {
		case 0:
			n = size - off
		case 1:
			if _, err := r.ReadAt(head[8:16], off+8); err != nil {
				return Info{}, fmt.Errorf("box %q at byte %d: %w", kind, off, err)
			}
			n, hdr = int64(binary.BigEndian.Uint64(head[8:16])), 16
		}
		if n < hdr || off+n > size {
			return Info{}, fmt.Errorf("box %q at byte %d claims %d bytes; the file has %d: cut short or not an MP4", kind, off, n, size)
		}
		if kind == "moov" {
			if n-hdr > maxMoov {
				return Info{}, fmt.Errorf("moov box of %d bytes is larger than %d", n-hdr, maxMoov)
			}
			moov = make([]byte, n-hdr)
			if _, err := r.ReadAt(moov, off+hdr); err != nil {
				return Info{}, fmt.Errorf("moov box: %w", err)
			}
		}
		off += n
	}
	if moov == nil {
		return Info{}, errors.New("no moov box: not a whole MP4")
	}
	return readMoov(moov)
}

// track is what one trak box says.
type track struct {
	handler       string
	timescale     uint32
	duration      uint64 // in timescale units (mdhd)
	samples       uint64 // stts: number of samples
	sampleTime    uint64 // stts: their total duration
	width, height int
}

func readMoov(moov []byte) (Info, error) {
	var info Info
	var movieScale uint32
	var movieDuration uint64
	var video *track
	boxes, whole := children(moov)
	if !whole {
		return Info{}, errors.New("moov box damaged: a box inside it claims more bytes than it holds")
	}
	for _, b := range boxes {
		switch b.kind {
		case "mvhd":
			scale, dur, err := timeHeader(b.body)
			if err != nil {
				return Info{}, fmt.Errorf("mvhd: %w", err)
			}
			movieScale, movieDuration = scale, dur
		case "mvex":
			return Info{}, errors.New("fragmented MP4 (mvex): its length is not in the index")
		case "trak":
			t, err := readTrak(b.body)
			if err != nil {
				return Info{}, err
			}
			switch {
			case t.handler == "soun" && t.samples > 0:
				info.Audio = true
			case t.handler == "vide" && video == nil:
				video = &t
			}
			if t.timescale > 0 && movieDuration == 0 {
				info.DurationS = max(info.DurationS, float64(t.duration)/float64(t.timescale))
			}
		}
	}
	if video == nil {
		return Info{}, errors.New("no video track")
	}
	if movieScale > 0 && movieDuration > 0 {
		info.DurationS = float64(movieDuration) / float64(movieScale)
	}
	info.Width, info.Height = video.width, video.height
	if video.sampleTime > 0 && video.timescale > 0 {
		info.FPS = float64(video.samples) * float64(video.timescale) / float64(video.sampleTime)
	}
	return info, nil
}

func readTrak(trak []byte) (track, error) {
	var t track
	mdia, ok := child(trak, "mdia")
	if !ok {
		return t, errors.New("trak without mdia")
	}
	boxes, whole := children(mdia)
	if !whole {
		return t, errors.New("mdia box damaged: a box inside it claims more bytes than it holds")
	}
	for _, b := range boxes {
		switch b.kind {
		case "mdhd":
			scale, dur, err := timeHeader(b.body)
			if err != nil {
				return t, fmt.Errorf("mdhd: %w", err)
			}
			t.timescale, t.duration = scale, dur
		case "hdlr":
			if len(b.body) < 12 {
				return t, errors.New("hdlr box too short")
			}
			t.handler = string(b.body[8:12]) // after version, flags, pre_defined
		}
	}
	minf, _ := child(mdia, "minf")
	stbl, _ := child(minf, "stbl")
	if stts, ok := child(stbl, "stts"); ok {
		if err := t.readStts(stts); err != nil {
			return t, err
		}
	}
	if t.handler == "vide" {
		stsd, ok := child(stbl, "stsd")
		// version, flags, entry_count, then the first entry's size and type
		// and the VisualSampleEntry: 6 reserved, data_reference_index,
		// 16 pre_defined/reserved, width, height.
		if !ok || len(stsd) < 8+8+28+4 {
			return t, errors.New("video track without a sample description")
		}
		e := stsd[16:]
		t.width, t.height = int(binary.BigEndian.Uint16(e[24:26])), int(binary.BigEndian.Uint16(e[26:28]))
	}
	return t, nil
}

func (t *track) readStts(b []byte) error {
	if len(b) < 8 {
		return errors.New("stts box too short")
	}
	n := int(binary.BigEndian.Uint32(b[4:8]))
	if n < 0 || len(b) < 8+8*n {
		return errors.New("stts box shorter than its entry count")
	}
	for i := range n {
		e := b[8+8*i:]
		count, delta := uint64(binary.BigEndian.Uint32(e[:4])), uint64(binary.BigEndian.Uint32(e[4:8]))
		t.samples += count
		t.sampleTime += count * delta
	}
	return nil
}

// timeHeader reads the timescale and duration of an mvhd or mdhd body.
func timeHeader(b []byte) (scale uint32, duration uint64, err error) {
	switch {
	case len(b) >= 20 && b[0] == 0:
		return binary.BigEndian.Uint32(b[12:16]), uint64(binary.BigEndian.Uint32(b[16:20])), nil
	case len(b) >= 32 && b[0] == 1:
		return binary.BigEndian.Uint32(b[20:24]), binary.BigEndian.Uint64(b[24:32]), nil
	}
	return 0, 0, errors.New("too short, or an unknown version")
}

type rawBox struct {
	kind string
	body []byte
}

// children splits a container's body into its boxes; a damaged tail ends
// the list, and whole is false.
func children(b []byte) (out []rawBox, whole bool) {
	for len(b) >= 8 {
		n, hdr := uint64(binary.BigEndian.Uint32(b[:4])), uint64(8)
		if n == 1 && len(b) >= 16 {
			n, hdr = binary.BigEndian.Uint64(b[8:16]), 16
		} else if n == 0 {
			n = uint64(len(b))
		}
		if n < hdr || n > uint64(len(b)) {
			return out, false
		}
		out = append(out, rawBox{kind: string(b[4:8]), body: b[hdr:n]})
		b = b[n:]
	}
	return out, len(b) == 0
}

func child(b []byte, kind string) ([]byte, bool) {
	boxes, _ := children(b)
	for _, c := range boxes {
		if c.kind == kind {
			return c.body, true
		}
	}
	return nil, false
}
