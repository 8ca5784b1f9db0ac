package command

import (
	"fmt"
	"strings"
	"testing"
)

func TestRenderTableIsPlainASCIIAndKeepsCellsWhole(t *testing.T) {
	var b strings.Builder
	long := strings.Repeat("x", 120)
	if err := renderTable(&b, []string{"action", "address"}, [][]string{{"create", long}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, long) {
		t.Errorf("a long cell was wrapped or cut:\n%s", out)
	}
	if !strings.Contains(out, "| action") || strings.ContainsAny(out, "│┌") {
		t.Errorf("want an ASCII table with the header as written:\n%s", out)
	}
}

func TestAnEmptyColumnGoesBeforeAFilledOneWhenTheTableDoesNotFit(t *testing.T) {
	tbl := &table{
		Columns: []tableColumn{{Header: "address"}, {Header: "status"}, {Header: "error", Drop: 1}, {Header: "request id", Drop: 2}},
		Rows: [][]string{
			{"video.lighthouse", "completed", "", "req_jz3iozhb7dq4"},
			{"video.portrait", "completed", "", "req_8m2kq0c1xw7p"},
		},
		Width: 52, // all four need 58; without the empty error column, 50
	}
	var b strings.Builder
	if err := tbl.render(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "error") || !strings.Contains(out, "req_jz3iozhb7dq4") {
		t.Errorf("want the empty error column dropped and the request ids kept:\n%s", out)
	}
}

// A long table is drawn in chunks at once; the bytes must be those of the
// table drawn in one piece, with wrapped cells, colour and dropped columns.
func TestLongTableDrawnInChunksIsTheSameTable(t *testing.T) {
	cols := []tableColumn{{Header: "action"}, {Header: "address", Wrap: 10}, {Header: "mode", Drop: 1}, {Header: "reason", Wrap: 12}}
	var rows [][]string
	for i := range 701 {
		reason := "new video"
		if i%7 == 0 {
			reason = "the prompt changed from a long text to another long one"
		}
		rows = append(rows, []string{"+ create", fmt.Sprintf("video.clip[\"k%05d\"]", i), "text", reason})
	}
	color := func(row, col int) string {
		if col == 0 && row%3 == 0 {
			return ansiGreen
		}
		return ""
	}
	draw := func(minRows, chunks int) string {
		t.Helper()
		defer func(r, c int) { concurrentRows, tableChunks = r, c }(concurrentRows, tableChunks)
		concurrentRows, tableChunks = minRows, chunks
		var b strings.Builder
		if err := (&table{Columns: cols, Rows: rows, Width: 40, Paint: true, Color: color}).render(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	whole := draw(len(rows)+1, 1)
	if !strings.Contains(whole, "| ") || !strings.Contains(whole, ansiGreen) {
		t.Fatalf("the reference table lacks rows or colour:\n%s", whole[:min(len(whole), 400)])
	}
	for _, chunks := range []int{2, 3, 4} {
		if got := draw(256, chunks); got != whole {
			t.Errorf("drawn in %d chunks, the table differs from the one drawn whole", chunks)
		}
	}
}
