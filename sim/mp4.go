package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/bits"
	"strings"
)

// The simulator's videos are real, playable H.264 MP4 files of the size,
// length and frame rate ordered, with a (silent) AAC sound track when sound
// was ordered, so that a report or a demo shows pictures and the check of
// every download has something true to measure: a still frame in a colour
// drawn from the task id, with the id written on it, and a bar along the
// bottom that fills over the video's duration. They are made here in pure
// Go at download time, small (tens to a few hundred KB even at 4K) and the
// same bytes for the same task every time.
//
// The encoder is the simplest one the standard allows: Constrained Baseline,
// CAVLC, one slice per picture. The first picture is an IDR: a macroblock of
// plain background is Intra 16x16 DC-predicted from plain neighbours with no
// residual (a few bits), any other is I_PCM (raw samples, no transform);
// every later picture is a P picture that skips every macroblock but the
// ones it paints of the bar, again as I_PCM. Every decoder must support
// these, and nothing here needs a DCT.

const (
	videoTimescale  = 90000 // ticks per second in the video's mdhd and stts: whole ticks per frame at 24, 25, 48, 50
	movieTimescale  = 1000  // mvhd and tkhd: milliseconds
	defaultFPS      = 24    // what a service that takes no fps delivers
	macroblock      = 16    // pixels per macroblock side
	glyphW, glyphH  = 5, 7  // the font's cell, without spacing
	textLineSpacing = 3     // font pixels between lines of text
)

// videoSpec is what a video file is made as.
type videoSpec struct {
	w, h    int
	seconds int
	fps     int
	audio   bool
}

// standardSizes are the landscape sizes of the resolution names, for the
// services that take a name and an aspect ratio rather than a size.
var standardSizes = map[string][2]int{
	"480p": {854, 480}, "720p": {1280, 720}, "1080p": {1920, 1080}, "1440p": {2560, 1440}, "4K": {3840, 2160},
}

// specFor is what task t's order asks for; a wrong_media task gets it wrong
// in one way (another size, half the length, no sound).
func specFor(t *task) videoSpec {
	r := t.req
	s := videoSpec{w: r.width, h: r.height, seconds: int(r.Duration), fps: r.fps, audio: r.audio}
	if s.w == 0 {
		size, ok := standardSizes[r.Resolution]
		if !ok {
			size = standardSizes["1080p"]
		}
		s.w, s.h = size[0], size[1]
		if r.AspectRatio == "9:16" {
			s.w, s.h = s.h, s.w
		}
	}
	if s.fps == 0 {
		s.fps = defaultFPS
	}
	switch t.wrongMedia {
	case wrongSize:
		s.w, s.h = s.w*2/3&^1, s.h*2/3&^1
	case wrongLength:
		s.seconds = max(1, s.seconds/2)
	case wrongSilent:
		s.audio = false
	}
	return s
}

// mp4For is the task's video: boxes ftyp, moov (mvhd first), free (naming
// the task) and mdat.
func mp4For(t *task) []byte {
	return taskVideo(t.id, specFor(t))
}

// taskVideo encodes the video of task id as spec says.
func taskVideo(id string, spec videoSpec) []byte {
	spec.seconds = max(spec.seconds, 1)
	enc := newPicture(spec.w, spec.h)
	bg, bar := taskColours(id)
	enc.fill(bg)
	enc.text(strings.ToUpper(id), rgb{255, 255, 255})

	frames := spec.seconds * spec.fps
	samples := make([][]byte, 0, frames)
	samples = append(samples, enc.idrSample(bg))
	barRow := enc.mbH - 1
	painted := 0 // macroblocks of the bar painted so far
	for i := 1; i < frames; i++ {
		// Picture i paints the bar up to its share of the width; the
		// skipped macroblocks keep what the previous picture showed.
		upTo := (i + 1) * enc.mbW / frames
		var paint []int
		for ; painted < upTo; painted++ {
			enc.paintBar(painted, barRow, bar)
			paint = append(paint, barRow*enc.mbW+painted)
		}
		samples = append(samples, enc.pSample(i, paint))
	}
	var audio [][]byte
	if spec.audio {
		audio = silentAAC(spec.seconds)
	}
	return muxMP4(id, spec, samples, audio, enc.sps(spec.fps), enc.pps())
}

type rgb struct{ r, g, b uint8 }

// taskColours are a background and a brighter bar colour, with a hue drawn
// from the task id, so that two tasks' videos look different at a glance.
func taskColours(id string) (bg, bar rgb) {
	sum := sha256.Sum256([]byte(id))
	hue := float64(binary.BigEndian.Uint16(sum[:])) / 65536 * 360
	return hsv(hue, 0.65, 0.55), hsv(hue, 0.35, 0.95)
}

func hsv(h, s, v float64) rgb {
	c := v * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := v - c
	var r, g, b float64
	switch {
	case h < 60:
		r, g = c, x
	case h < 120:
		r, g = x, c
	case h < 180:
		g, b = c, x
	case h < 240:
		g, b = x, c
	case h < 300:
		r, b = x, c
	default:
		r, b = c, x
	}
	to8 := func(f float64) uint8 { return uint8(math.Round((f + m) * 255)) }
	return rgb{to8(r), to8(g), to8(b)}
}

// picture is the frame in RGB, cropped size w×h inside whole macroblocks.
type picture struct {
	w, h     int
	mbW, mbH int
	bg       rgb
	// blocks hold the pixels of the macroblocks drawn on after fill; every
	// other one is plain background. A 4K picture is mostly background:
	// it is never held whole.
	blocks map[int]*[macroblock * macroblock]rgb
}

func newPicture(w, h int) *picture {
	mbW, mbH := (w+macroblock-1)/macroblock, (h+macroblock-1)/macroblock
	return &picture{w: w, h: h, mbW: mbW, mbH: mbH, blocks: map[int]*[macroblock * macroblock]rgb{}}
}

// set paints pixel (x, y).
func (p *picture) set(x, y int, c rgb) {
	mb := (y/macroblock)*p.mbW + x/macroblock
	b := p.blocks[mb]
	if b == nil {
		b = new([macroblock * macroblock]rgb)
		for i := range b {
			b[i] = p.bg
		}
		p.blocks[mb] = b
	}
	b[(y%macroblock)*macroblock+x%macroblock] = c
}

func (p *picture) fill(c rgb) {
	p.bg = c
	clear(p.blocks)
}

// paintBar colours the visible part of macroblock (mbX, mbY)'s lower half.
func (p *picture) paintBar(mbX, mbY int, c rgb) {
	top := min(mbY*macroblock+macroblock/2, p.h-macroblock/2)
	for y := top; y < mbY*macroblock+macroblock; y++ {
		for x := mbX * macroblock; x < (mbX+1)*macroblock; x++ {
			p.set(x, y, c)
		}
	}
}

// text writes s, broken into lines that fit, centred in the picture above
// the bar. A task id breaks after its prefix ("TASK_").
func (p *picture) text(s string, c rgb) {
	textScale := max(1, min(p.w, p.h)/270) // font pixels per glyph pixel: 4 at 1080p
	perLine := (p.w - 4) / ((glyphW + 1) * textScale)
	var lines []string
	if prefix, rest, ok := strings.Cut(s, "_"); ok {
		lines = append(lines, prefix+"_")
		s = rest
	}
	for len(s) > perLine {
		lines = append(lines, s[:perLine])
		s = s[perLine:]
	}
	if s != "" {
		lines = append(lines, s)
	}
	lineH := (glyphH + textLineSpacing) * textScale
	y := (p.h - macroblock - len(lines)*lineH) / 2
	for _, line := range lines {
		x := (p.w - len(line)*(glyphW+1)*textScale + textScale) / 2
		for _, ch := range line {
			p.glyph(x, y, textScale, ch, c)
			x += (glyphW + 1) * textScale
		}
		y += lineH
	}
}

func (p *picture) glyph(x0, y0, textScale int, ch rune, c rgb) {
	rows, ok := font5x7[ch]
	if !ok {
		rows = font5x7['?']
	}
	for gy, row := range rows {
		for gx := 0; gx < glyphW; gx++ {
			if row[gx] != '#' {
				continue
			}
			for dy := 0; dy < textScale; dy++ {
				for dx := 0; dx < textScale; dx++ {
					x, y := x0+gx*textScale+dx, y0+gy*textScale+dy
					if x >= 0 && y >= 0 && x < p.w && y < p.h {
						p.set(x, y, c)
					}
				}
			}
		}
	}
}

// pcm appends macroblock (mbX, mbY) as I_PCM samples: 256 luma, then 64 Cb
// and 64 Cr (4:2:0), in raster order, BT.601 studio range.
func (p *picture) pcm(out []byte, mbX, mbY int) []byte {
	block := p.blocks[mbY*p.mbW+mbX]
	at := func(x, y int) rgb {
		if block == nil {
			return p.bg
		}
		return block[y*macroblock+x]
	}
	for y := 0; y < macroblock; y++ {
		for x := 0; x < macroblock; x++ {
			out = append(out, lumaOf(at(x, y)))
		}
	}
	for _, plane := range []func(r, g, b float64) uint8{cbOf, crOf} {
		for y := 0; y < macroblock; y += 2 {
			for x := 0; x < macroblock; x += 2 {
				var r, g, b float64
				for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
					c := at(x+d[0], y+d[1])
					r, g, b = r+float64(c.r), g+float64(c.g), b+float64(c.b)
				}
				out = append(out, plane(r/4, g/4, b/4))
			}
		}
	}
	return out
}

func clampSample(v float64) uint8 { return uint8(max(16, min(235, math.Round(v)))) }

func lumaOf(c rgb) uint8 {
	return clampSample(16 + (65.481*float64(c.r)+128.553*float64(c.g)+24.966*float64(c.b))/255)
}
func cbOf(r, g, b float64) uint8 { return clampSample(128 + (-37.797*r-74.203*g+112*b)/255) }
func crOf(r, g, b float64) uint8 { return clampSample(128 + (112*r-93.786*g-18.214*b)/255) }

// H.264 parameters shared by the headers below.
const (
	log2MaxFrameNum = 8 // frame_num counts pictures mod 256
	mbTypeIPCMInI   = 25
	mbTypeI16x16DC  = 3  // I_16x16_2_0_0: DC prediction, no coded AC or chroma
	mbTypeIPCMInP   = 30 // intra types follow the 5 inter ones in a P slice
	nalIDR          = 5
	nalNonIDR       = 1
	nalSPS          = 7
	nalPPS          = 8
)

// sps is the sequence parameter set: Constrained Baseline, the lowest level
// whose frame size and macroblock rate hold the picture, picture order from
// frame_num (type 2), one reference frame, cropped to w×h.
func (p *picture) sps(fps int) []byte {
	var b bitWriter
	b.u(8, 66)   // profile_idc: Baseline
	b.u(8, 0xC0) // constraint_set0 and set1: Constrained Baseline
	b.u(8, uint32(levelFor(p.mbW*p.mbH, p.mbW*p.mbH*fps)))
	b.ue(0) // seq_parameter_set_id
	b.ue(log2MaxFrameNum - 4)
	b.ue(2) // pic_order_cnt_type
	b.ue(1) // max_num_ref_frames
	b.u(1, 0)
	b.ue(uint32(p.mbW - 1))
	b.ue(uint32(p.mbH - 1))
	b.u(1, 1) // frame_mbs_only_flag
	b.u(1, 1) // direct_8x8_inference_flag
	cropRight, cropBottom := (p.mbW*macroblock-p.w)/2, (p.mbH*macroblock-p.h)/2
	if cropRight > 0 || cropBottom > 0 {
		b.u(1, 1) // frame_cropping_flag, in units of 2 pixels for 4:2:0
		b.ue(0)
		b.ue(uint32(cropRight))
		b.ue(0)
		b.ue(uint32(cropBottom))
	} else {
		b.u(1, 0)
	}
	b.u(1, 0) // vui_parameters_present_flag
	return nal(3, nalSPS, b.trailing())
}

// levelFor is the lowest H.264 level (Table A-1) with room for frames of
// mbs macroblocks at mbps macroblocks a second.
func levelFor(mbs, mbps int) int {
	for _, l := range []struct{ idc, frame, rate int }{
		{30, 1620, 40500}, {31, 3600, 108000}, {32, 5120, 216000}, {40, 8192, 245760},
		{42, 8704, 522240}, {50, 22080, 589824}, {51, 36864, 983040}, {52, 36864, 2073600},
	} {
		if mbs <= l.frame && mbps <= l.rate {
			return l.idc
		}
	}
	return 52
}

// pps: CAVLC, one slice group, deblocking control present (to turn it off).
func (p *picture) pps() []byte {
	var b bitWriter
	b.ue(0)   // pic_parameter_set_id
	b.ue(0)   // seq_parameter_set_id
	b.u(1, 0) // entropy_coding_mode_flag: CAVLC
	b.u(1, 0) // bottom_field_pic_order_in_frame_present_flag
	b.ue(0)   // num_slice_groups_minus1
	b.ue(0)   // num_ref_idx_l0_default_active_minus1
	b.ue(0)   // num_ref_idx_l1_default_active_minus1
	b.u(1, 0) // weighted_pred_flag
	b.u(2, 0) // weighted_bipred_idc
	b.se(0)   // pic_init_qp_minus26
	b.se(0)   // pic_init_qs_minus26
	b.se(0)   // chroma_qp_index_offset
	b.u(1, 1) // deblocking_filter_control_present_flag
	b.u(1, 0) // constrained_intra_pred_flag
	b.u(1, 0) // redundant_pic_cnt_present_flag
	return nal(3, nalPPS, b.trailing())
}

// idrSample is the first picture: a plain background macroblock whose
// upper and left neighbours are plain too is Intra 16x16 DC-predicted with
// no residual (the prediction is exactly the background); every other one
// is I_PCM.
func (p *picture) idrSample(bg rgb) []byte {
	var b bitWriter
	b.ue(0)                 // first_mb_in_slice
	b.ue(7)                 // slice_type: I, as every slice of the picture
	b.ue(0)                 // pic_parameter_set_id
	b.u(log2MaxFrameNum, 0) // frame_num
	b.ue(0)                 // idr_pic_id
	b.u(1, 0)               // no_output_of_prior_pics_flag
	b.u(1, 0)               // long_term_reference_flag
	b.se(0)                 // slice_qp_delta
	b.ue(1)                 // disable_deblocking_filter_idc: off
	plain := make([]bool, p.mbW*p.mbH)
	for i := range plain {
		plain[i] = p.plain(i%p.mbW, i/p.mbW, bg)
	}
	isPCM := make([]bool, len(plain))
	var mb []byte
	for mbY := 0; mbY < p.mbH; mbY++ {
		for mbX := 0; mbX < p.mbW; mbX++ {
			i := mbY*p.mbW + mbX
			left, top := mbX > 0, mbY > 0
			if plain[i] && (left || top) && (!left || plain[i-1]) && (!top || plain[i-p.mbW]) {
				b.ue(mbTypeI16x16DC) // no residual but the (empty) luma DC block
				b.ue(0)              // intra_chroma_pred_mode: DC
				b.se(0)              // mb_qp_delta
				// coeff_token of the empty Intra16x16DCLevel: its table
				// follows nC, from the neighbours' coefficient counts (an
				// I_PCM macroblock counts 16, a predicted one here 0).
				nA, nB := 0, 0
				if left && isPCM[i-1] {
					nA = 16
				}
				if top && isPCM[i-p.mbW] {
					nB = 16
				}
				nC := nA + nB
				if left && top {
					nC = (nA + nB + 1) >> 1
				}
				if nC >= 8 {
					b.u(6, 0b000011)
				} else {
					b.u(1, 1) // nC is 0: no neighbour here is between
				}
				continue
			}
			isPCM[i] = true
			b.ue(mbTypeIPCMInI)
			b.alignZero()
			b.bytes(p.pcm(mb[:0], mbX, mbY))
		}
	}
	return lengthPrefixed(nal(3, nalIDR, b.trailing()))
}

// plain: every pixel of macroblock (mbX, mbY) is the background.
func (p *picture) plain(mbX, mbY int, bg rgb) bool {
	b := p.blocks[mbY*p.mbW+mbX]
	if b == nil {
		return true
	}
	for _, c := range b {
		if c != bg {
			return false
		}
	}
	return true
}

// pSample is picture n: the macroblocks in paint (ascending) as I_PCM,
// every other one skipped.
func (p *picture) pSample(n int, paint []int) []byte {
	var b bitWriter
	b.ue(0)                                              // first_mb_in_slice
	b.ue(5)                                              // slice_type: P
	b.ue(0)                                              // pic_parameter_set_id
	b.u(log2MaxFrameNum, uint32(n%(1<<log2MaxFrameNum))) // frame_num
	b.u(1, 0)                                            // num_ref_idx_active_override_flag
	b.u(1, 0)                                            // ref_pic_list_modification_flag_l0
	b.u(1, 0)                                            // adaptive_ref_pic_marking_mode_flag: sliding window
	b.se(0)                                              // slice_qp_delta
	b.ue(1)                                              // disable_deblocking_filter_idc: off
	next := 0                                            // the first macroblock not yet coded
	for _, mb := range paint {
		b.ue(uint32(mb - next)) // mb_skip_run before the painted macroblock
		b.ue(mbTypeIPCMInP)
		b.alignZero()
		b.bytes(p.pcm(nil, mb%p.mbW, mb/p.mbW))
		next = mb + 1
	}
	if rest := p.mbW*p.mbH - next; rest > 0 {
		b.ue(uint32(rest))
	}
	return lengthPrefixed(nal(2, nalNonIDR, b.trailing()))
}

// bitWriter writes an RBSP most significant bit first.
type bitWriter struct {
	buf  []byte
	cur  byte
	nbit uint
}

func (b *bitWriter) u(n uint, v uint32) {
	for i := int(n) - 1; i >= 0; i-- {
		b.cur = b.cur<<1 | byte(v>>uint(i)&1)
		b.nbit++
		if b.nbit == 8 {
			b.buf = append(b.buf, b.cur)
			b.cur, b.nbit = 0, 0
		}
	}
}

// ue is Exp-Golomb: as many zeros as v+1 has bits after its first, then v+1.
func (b *bitWriter) ue(v uint32) {
	n := uint(bits.Len32(v + 1))
	b.u(n-1, 0)
	b.u(n, v+1)
}

func (b *bitWriter) se(v int32) {
	if v > 0 {
		b.ue(uint32(2*v - 1))
	} else {
		b.ue(uint32(-2 * v))
	}
}

func (b *bitWriter) alignZero() {
	for b.nbit != 0 {
		b.u(1, 0)
	}
}

// bytes appends whole bytes; the writer must be aligned.
func (b *bitWriter) bytes(p []byte) { b.buf = append(b.buf, p...) }

// trailing ends the RBSP: a stop bit, then zeros to the byte boundary.
func (b *bitWriter) trailing() []byte {
	b.u(1, 1)
	b.alignZero()
	return b.buf
}

// nal wraps an RBSP in a NAL unit, inserting emulation-prevention bytes so
// that no start code appears inside it.
func nal(refIdc, kind byte, rbsp []byte) []byte {
	out := make([]byte, 0, len(rbsp)+len(rbsp)/64+1)
	out = append(out, refIdc<<5|kind)
	zeros := 0
	for _, c := range rbsp {
		if zeros >= 2 && c <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, c)
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// lengthPrefixed is one MP4 sample holding one NAL unit (avcC: 4-byte lengths).
func lengthPrefixed(n []byte) []byte {
	return append(u32(uint32(len(n))), n...)
}

// muxMP4 lays out ftyp, moov, free, mdat: moov first, so a browser reading
// only the start of the file (preload="metadata") has the whole index. The
// video's samples are one chunk, the sound's (if any) another after it.
func muxMP4(id string, spec videoSpec, samples, audio [][]byte, sps, pps []byte) []byte {
	ftyp := box("ftyp", []byte("isom"), u32(0x200), []byte("isomiso2avc1mp41"))
	free := box("free", []byte("ltxform simulator "+id))

	videoMs := uint32(spec.seconds * movieTimescale)
	movieMs := videoMs
	if len(audio) > 0 {
		movieMs = max(movieMs, uint32((len(audio)*aacFrameSamples*movieTimescale+aacRate-1)/aacRate))
	}
	videoBytes, audioBytes := 0, 0
	for _, s := range samples {
		videoBytes += len(s)
	}
	for _, s := range audio {
		audioBytes += len(s)
	}
	// The chunk offsets depend on moov's size, which does not depend on
	// their values: build once with 0, then again with the real ones.
	moovWith := func(videoChunk uint32) []byte {
		nextTrack := uint32(2)
		if len(audio) > 0 {
			nextTrack = 3
		}
		mvhd := fullBox("mvhd", 0, 0,
			u32(0), u32(0), u32(movieTimescale), u32(movieMs), // times, timescale ms, duration
			u32(0x00010000), []byte{0x01, 0x00}, make([]byte, 10), // rate, volume, reserved
			matrix(), make([]byte, 24), u32(nextTrack)) // pre_defined, next_track_ID
		traks := [][]byte{mvhd, videoTrak(spec, samples, sps, pps, videoMs, videoChunk)}
		if len(audio) > 0 {
			traks = append(traks, audioTrak(audio, videoChunk+uint32(videoBytes)))
		}
		return box("moov", traks...)
	}
	moov := moovWith(0)
	moov = moovWith(uint32(len(ftyp) + len(moov) + len(free) + 8))

	out := make([]byte, 0, len(ftyp)+len(moov)+len(free)+8+videoBytes+audioBytes)
	out = append(out, ftyp...)
	out = append(out, moov...)
	out = append(out, free...)
	out = append(out, u32(uint32(8+videoBytes+audioBytes))...)
	out = append(out, "mdat"...)
	for _, s := range samples {
		out = append(out, s...)
	}
	for _, s := range audio {
		out = append(out, s...)
	}
	return out
}

func videoTrak(spec videoSpec, samples [][]byte, sps, pps []byte, durationMs, chunk uint32) []byte {
	w, h := spec.w, spec.h
	sizes := make([]byte, 0, 4*len(samples))
	for _, s := range samples {
		sizes = append(sizes, u32(uint32(len(s)))...)
	}
	tkhd := fullBox("tkhd", 0, 3, // enabled, in movie
		u32(0), u32(0), u32(1), u32(0), u32(durationMs), // times, track 1, reserved, duration
		make([]byte, 8), u16(0), u16(0), u16(0), u16(0), // reserved, layer, group, volume, reserved
		matrix(), u32(uint32(w)<<16), u32(uint32(h)<<16))
	frameTicks := uint32(videoTimescale / spec.fps)
	mdhd := fullBox("mdhd", 0, 0,
		u32(0), u32(0), u32(videoTimescale), u32(uint32(len(samples))*frameTicks),
		u16(0x55C4), u16(0)) // language "und"
	hdlr := fullBox("hdlr", 0, 0, u32(0), []byte("vide"), make([]byte, 12), []byte("VideoHandler\x00"))
	vmhd := fullBox("vmhd", 0, 1, make([]byte, 8))
	avcC := box("avcC", []byte{1, sps[1], sps[2], sps[3], 0xFF, 0xE1},
		u16(uint16(len(sps))), sps, []byte{1}, u16(uint16(len(pps))), pps)
	avc1 := box("avc1", make([]byte, 6), u16(1), // reserved, data_reference_index
		make([]byte, 16), u16(uint16(w)), u16(uint16(h)), // pre_defined, reserved; size
		u32(0x00480000), u32(0x00480000), u32(0), u16(1), // 72 dpi, reserved, frame_count
		make([]byte, 32), u16(0x0018), u16(0xFFFF), avcC) // compressor name, depth, pre_defined
	stbl := box("stbl",
		fullBox("stsd", 0, 0, u32(1), avc1),
		fullBox("stts", 0, 0, u32(1), u32(uint32(len(samples))), u32(frameTicks)),
		fullBox("stss", 0, 0, u32(1), u32(1)),
		fullBox("stsc", 0, 0, u32(1), u32(1), u32(uint32(len(samples))), u32(1)),
		fullBox("stsz", 0, 0, u32(0), u32(uint32(len(samples))), sizes),
		fullBox("stco", 0, 0, u32(1), u32(chunk)))
	return box("trak", tkhd, box("mdia", mdhd, hdlr, box("minf", vmhd, dataInfo(), stbl)))
}

func dataInfo() []byte { return box("dinf", fullBox("dref", 0, 0, u32(1), fullBox("url ", 0, 1))) }

// The sound track: AAC-LC, mono, 48 kHz, every frame silent.
const (
	aacRate         = 48000
	aacFrameSamples = 1024
)

// silentAACFrame is one raw AAC-LC frame of mono silence (what ffmpeg's
// encoder writes for it), and aacConfig its AudioSpecificConfig: object
// type 2 (LC), sampling index 3 (48 kHz), one channel.
var (
	silentAACFrame = []byte{0x01, 0x18, 0x20, 0x07}
	aacConfig      = []byte{0x11, 0x88}
)

// silentAAC is seconds of silence, in frames.
func silentAAC(seconds int) [][]byte {
	n := (seconds*aacRate + aacFrameSamples - 1) / aacFrameSamples
	frames := make([][]byte, n)
	for i := range frames {
		frames[i] = silentAACFrame
	}
	return frames
}

func audioTrak(frames [][]byte, chunk uint32) []byte {
	n := uint32(len(frames))
	durationMs := (n*aacFrameSamples*movieTimescale + aacRate - 1) / aacRate
	tkhd := fullBox("tkhd", 0, 3,
		u32(0), u32(0), u32(2), u32(0), u32(durationMs), // times, track 2, reserved, duration
		make([]byte, 8), u16(0), u16(1), u16(0x0100), u16(0), // reserved, layer, alternate group, volume 1.0
		matrix(), u32(0), u32(0))
	mdhd := fullBox("mdhd", 0, 0, u32(0), u32(0), u32(aacRate), u32(n*aacFrameSamples), u16(0x55C4), u16(0))
	hdlr := fullBox("hdlr", 0, 0, u32(0), []byte("soun"), make([]byte, 12), []byte("SoundHandler\x00"))
	smhd := fullBox("smhd", 0, 0, u16(0), u16(0))
	// ES_Descriptor ← DecoderConfigDescriptor (MPEG-4 audio) ← the
	// AudioSpecificConfig; then an SLConfigDescriptor.
	decSpecific := append([]byte{0x05, byte(len(aacConfig))}, aacConfig...)
	decConfig := append([]byte{0x04, byte(13 + len(decSpecific)), 0x40, 0x15, 0, 0, 0}, append(append(u32(0), u32(0)...), decSpecific...)...)
	es := append([]byte{0x03, byte(3 + len(decConfig) + 3), 0, 2, 0}, append(decConfig, 0x06, 0x01, 0x02)...)
	mp4a := box("mp4a", make([]byte, 6), u16(1), // reserved, data_reference_index
		make([]byte, 8), u16(1), u16(16), u16(0), u16(0), // reserved, channels, sample size, pre_defined, reserved
		u32(aacRate<<16), fullBox("esds", 0, 0, es))
	stbl := box("stbl",
		fullBox("stsd", 0, 0, u32(1), mp4a),
		fullBox("stts", 0, 0, u32(1), u32(n), u32(aacFrameSamples)),
		fullBox("stsc", 0, 0, u32(1), u32(1), u32(n), u32(1)),
		fullBox("stsz", 0, 0, u32(uint32(len(silentAACFrame))), u32(n)),
		fullBox("stco", 0, 0, u32(1), u32(chunk)))
	return box("trak", tkhd, box("mdia", mdhd, hdlr, box("minf", smhd, dataInfo(), stbl)))
}

func matrix() []byte {
	var m []byte
	for _, v := range []uint32{0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000} {
		m = append(m, u32(v)...)
	}
	return m
}

func box(kind string, parts ...[]byte) []byte {
	size := 8
	for _, p := range parts {
		size += len(p)
	}
	b := make([]byte, 0, size)
	b = append(b, u32(uint32(size))...)
	b = append(b, kind...)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// fullBox is a box with a version and 24 bits of flags before its fields.
func fullBox(kind string, version byte, flags uint32, parts ...[]byte) []byte {
	head := u32(uint32(version)<<24 | flags&0xFFFFFF)
	return box(kind, append([][]byte{head}, parts...)...)
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// font5x7 covers what task ids are made of (base32: A–Z, 2–7) and digits.
var font5x7 = map[rune][glyphH]string{
	'A': {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"},
	'B': {"####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."},
	'C': {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."},
	'D': {"####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."},
	'E': {"#####", "#....", "#....", "####.", "#....", "#....", "#####"},
	'F': {"#####", "#....", "#....", "####.", "#....", "#....", "#...."},
	'G': {".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"},
	'H': {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"},
	'I': {".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."},
	'J': {"..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."},
	'K': {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"},
	'L': {"#....", "#....", "#....", "#....", "#....", "#....", "#####"},
	'M': {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"},
	'N': {"#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"},
	'O': {".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."},
	'P': {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."},
	'Q': {".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"},
	'R': {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"},
	'S': {".####", "#....", "#....", ".###.", "....#", "....#", "####."},
	'T': {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."},
	'U': {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."},
	'V': {"#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."},
	'W': {"#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."},
	'X': {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"},
	'Y': {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."},
	'Z': {"#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"},
	'0': {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."},
	'1': {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."},
	'2': {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"},
	'3': {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."},
	'4': {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."},
	'5': {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."},
	'6': {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."},
	'7': {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."},
	'8': {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."},
	'9': {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."},
	'_': {".....", ".....", ".....", ".....", ".....", ".....", "#####"},
	'-': {".....", ".....", ".....", "#####", ".....", ".....", "....."},
	'?': {".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."},
}
