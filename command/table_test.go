package command

import (
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
