package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
)

// mdatSize keeps downloads a few KB.
const mdatSize = 4096

// mp4For is the task's video: a small ISO BMFF file whose boxes are ftyp,
// moov (with an mvhd giving the duration), free (naming the task) and mdat
// (bytes drawn from the task id, so each task's file hashes differently).
func mp4For(t *task) []byte {
	ftyp := box("ftyp", []byte("isom"), u32(0x200), []byte("isomiso2avc1mp41"))

	mvhd := make([]byte, 0, 100)
	mvhd = append(mvhd, u32(0)...)                           // version 0, flags
	mvhd = append(mvhd, u32(0)...)                           // creation time
	mvhd = append(mvhd, u32(0)...)                           // modification time
	mvhd = append(mvhd, u32(1000)...)                        // timescale: ms
	mvhd = append(mvhd, u32(uint32(t.req.Duration*1000))...) // duration
	mvhd = append(mvhd, u32(0x00010000)...)                  // rate 1.0
	mvhd = append(mvhd, 0x01, 0x00)                          // volume 1.0
	mvhd = append(mvhd, make([]byte, 10)...)                 // reserved
	for _, m := range []uint32{0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000} {
		mvhd = append(mvhd, u32(m)...) // identity matrix
	}
	mvhd = append(mvhd, make([]byte, 24)...) // pre_defined
	mvhd = append(mvhd, u32(1)...)           // next_track_ID
	moov := box("moov", box("mvhd", mvhd))

	free := box("free", []byte("ltxform simulator "+t.id))

	payload := make([]byte, mdatSize)
	_, _ = rand.NewChaCha8(sha256.Sum256([]byte(t.id))).Read(payload)
	mdat := box("mdat", payload)

	out := make([]byte, 0, len(ftyp)+len(moov)+len(free)+len(mdat))
	for _, b := range [][]byte{ftyp, moov, free, mdat} {
		out = append(out, b...)
	}
	return out
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

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
