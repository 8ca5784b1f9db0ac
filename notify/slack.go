package notify

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// slackFailuresShown is how many failed videos a Slack message lists; the
// rest are counted.
const slackFailuresShown = 10

// SlackText is the Slack message of a run: what happened, the counts and
// cost, and the failed videos with their code and request id.
func SlackText(s Summary) string {
	var b strings.Builder
	verdict := "completed"
	switch {
	case s.ExitCode == 1:
		verdict = "stopped"
	case s.ExitCode != 0:
		verdict = "needs attention"
	}
	fmt.Fprintf(&b, "ltxform apply %s: run %s, workspace %s, exit %d", verdict, s.RunID, s.Workspace, s.ExitCode)
	if counts := countsText(s.Counts); counts != "" {
		b.WriteString("\n" + counts)
	}
	fmt.Fprintf(&b, "; %s %s consumed", strconv.FormatFloat(s.Cost.Total, 'f', -1, 64), s.Cost.Unit)
	if s.Message != "" {
		b.WriteString("\n" + s.Message)
	}
	for i, f := range s.Failed {
		if i == slackFailuresShown {
			fmt.Fprintf(&b, "\n… and %d more", len(s.Failed)-i)
			break
		}
		fmt.Fprintf(&b, "\n• %s %s (request_id %s): %s", f.Address, f.Code, f.RequestID, f.Message)
	}
	return slackEscape(b.String())
}

func countsText(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k, n := range counts {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", counts[k], k)
	}
	return strings.Join(parts, ", ")
}

// slackEscape escapes the three characters Slack's text reads as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
