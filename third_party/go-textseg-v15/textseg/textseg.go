// Package textseg is github.com/apparentlymart/go-textseg/v15/textseg with
// an ASCII fast path: see ../README.md.
package textseg

import (
	"bufio"
	"bytes"
	"unicode/utf8"

	v17 "github.com/apparentlymart/go-textseg/v17/textseg"
)

// ScanGraphemeClusters is a bufio.SplitFunc that returns each grapheme
// cluster of the input (Unicode 17's rules).
func ScanGraphemeClusters(data []byte, atEOF bool) (int, []byte, error) {
	// Two ASCII characters: the first is a cluster of its own (UAX #29 joins
	// an ASCII character only in CR LF; what extends a character is never
	// ASCII, and the second byte is not the start of one).
	if len(data) >= 2 && data[0] < utf8.RuneSelf && data[1] < utf8.RuneSelf && data[0] != '\r' {
		return 1, data[:1], nil
	}
	return v17.ScanGraphemeClusters(data, atEOF)
}

// ScanUTF8Sequences is a bufio.SplitFunc that returns each UTF-8 sequence
// of the input (as v15 does: before EOF, an invalid byte asks for more).
func ScanUTF8Sequences(data []byte, atEOF bool) (int, []byte, error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	r, seqLen := utf8.DecodeRune(data)
	if r == utf8.RuneError && !atEOF {
		return 0, nil, nil
	}
	return seqLen, data[:seqLen], nil
}

// AllTokens is every token splitFunc finds in buf.
func AllTokens(buf []byte, splitFunc bufio.SplitFunc) ([][]byte, error) {
	scanner := bufio.NewScanner(bytes.NewReader(buf))
	scanner.Split(splitFunc)
	var ret [][]byte
	for scanner.Scan() {
		ret = append(ret, scanner.Bytes())
	}
	return ret, scanner.Err()
}

// TokenCount is the number of tokens splitFunc finds in buf.
func TokenCount(buf []byte, splitFunc bufio.SplitFunc) (int, error) {
	scanner := bufio.NewScanner(bytes.NewReader(buf))
	scanner.Split(splitFunc)
	var ret int
	for scanner.Scan() {
		ret++
	}
	return ret, scanner.Err()
}
