package config

import (
	"fmt"
	"sort"

	"github.com/agext/levenshtein"
)

// suggestName returns ` Did you mean "x"?` for the closest of candidates,
// or "" when none is close (the same threshold as HCL's own suggestions).
func suggestName(given string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein.Distance(given, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
