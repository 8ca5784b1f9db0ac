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
