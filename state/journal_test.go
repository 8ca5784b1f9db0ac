package state

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzParseJournal: whatever a crash or a disk leaves in the journal, parsing
// never panics, the good prefix parses to the same operations on its own,
// and appending after it starts a clean line.
func FuzzParseJournal(f *testing.F) {
	f.Add([]byte(lineA + lineB))
	f.Add([]byte(lineA + `{"op":"set","entry":{"addr`))
	f.Add([]byte(lineA + "garbage\n" + lineB))
	f.Add([]byte(`{"op":"rm","address":"video.a"}` + "\n\n"))
	f.Add([]byte("\x00\x00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, valid, err := parseJournal("journal.jsonl", data)
		if err != nil {
			return
		}
		if valid > len(data) || (valid > 0 && data[valid-1] != '\n') {
			t.Fatalf("valid prefix %d of %d does not end a line", valid, len(data))
		}
		again, valid2, err := parseJournal("journal.jsonl", data[:valid])
		if err != nil || valid2 != valid || !reflect.DeepEqual(again, ops) {
			t.Fatalf("the good prefix parses differently: %v, %d vs %d", err, valid2, valid)
		}
		appended := append(bytes.Clone(data[:valid]), lineB...)
		if more, _, err := parseJournal("journal.jsonl", appended); err != nil || len(more) != len(ops)+1 {
			t.Fatalf("a line appended after the good prefix: %v, %d ops after %d", err, len(more), len(ops))
		}
	})
}
