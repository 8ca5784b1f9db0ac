package plan

import (
	"strings"
	"testing"
)

// shortTextBefore is ShortText as it was first written (collapse, then cut
// the runes): the one-pass version must give the same text.
func shortTextBefore(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	if n < 2 {
		return "…"
	}
	return string(r[:n-1]) + "…"
}

func TestShortTextCases(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"a slow dolly", 20, "a slow dolly"},
		{"  a \t slow\n\ndolly  ", 20, "a slow dolly"},
		{"a slow dolly", 12, "a slow dolly"},
		{"a slow dolly", 11, "a slow dol…"},
		{"a slow dolly", 7, "a slow…"},
		{"a slow dolly", 8, "a slow …"},
		{"été à l'eau", 4, "été…"},
		{"a slow dolly", 1, "…"},
		{"", 0, ""},
	}
	for _, tt := range tests {
		if got := ShortText(tt.s, tt.n); got != tt.want {
			t.Errorf("ShortText(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func FuzzShortTextAsBefore(f *testing.F) {
	for _, s := range []string{"", " ", "a b", "  a \t slow\n\ndolly  ", "été\u00a0à", "\xff\xfe x", "\u2028x\u3000y"} {
		for _, n := range []int{-1, 0, 1, 2, 3, 5, 80} {
			f.Add(s, n)
		}
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		if got, want := ShortText(s, n), shortTextBefore(s, n); got != want {
			t.Errorf("ShortText(%q, %d) = %q, want %q", s, n, got, want)
		}
	})
}
