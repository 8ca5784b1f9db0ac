// Package textdiff finds the words that changed between two texts, for the
// plan's prompt diffs and the report's marked prompts. It imports nothing of
// ltxform's, so that every room may use it.
package textdiff

import "strings"

// Kind of an Op.
const (
	Same    = '='
	Removed = '-'
	Added   = '+'
)

// Op is one word of a diff.
type Op struct {
	Kind byte
	Word string
}

// Words is a longest-common-subsequence diff of the two texts' words.
// Prompts are at most a few thousand characters, so the quadratic table is
// small.
func Words(before, after string) []Op {
	a, b := strings.Fields(before), strings.Fields(after)
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []Op
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			ops = append(ops, Op{Same, a[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			ops = append(ops, Op{Removed, a[i]})
			i++
		default:
			ops = append(ops, Op{Added, b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, Op{Removed, a[i]})
	}
	for ; j < m; j++ {
		ops = append(ops, Op{Added, b[j]})
	}
	return ops
}
