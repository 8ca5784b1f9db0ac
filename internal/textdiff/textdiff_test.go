package textdiff

import (
	"strings"
	"testing"
)

func TestWordsKeepsTheCommonWordsInOrder(t *testing.T) {
	var b strings.Builder
	for _, op := range Words("a red kite over hills", "a blue kite over green hills") {
		b.WriteString(string(op.Kind) + op.Word + " ")
	}
	if got, want := b.String(), "=a -red +blue =kite =over +green =hills "; got != want {
		t.Errorf("Words = %q, want %q", got, want)
	}
}
