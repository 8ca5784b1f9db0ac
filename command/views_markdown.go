package command

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
)

// markdownLimit is the most a plan comment may hold: GitHub refuses a
// comment over 65,536 characters, and a bot adds its own lines.
const markdownLimit = 65000

// markdownMarker starts every plan comment: a bot finds its earlier comment
// for a workspace by it and updates that one instead of adding another.
func markdownMarker(workspace string) string {
	return fmt.Sprintf("<!-- ltxform-plan workspace=%s -->", workspace)
}

// planMarkdownView prints a plan as GitHub-flavoured Markdown for a pull
// request: the summary, a table of the changes, the prompt diffs and
// attribute changes folded in <details>, the videos that wait on a
// decision, the total and the budget. Over markdownLimit the largest
// sections are cut, and it says how many changes are not shown.
type planMarkdownView struct {
	w         io.Writer
	workspace string
	limit     int
}

func newPlanMarkdownView(w io.Writer, workspace string) *planMarkdownView {
	return &planMarkdownView{w: w, workspace: workspace, limit: markdownLimit}
}

// workspaceName names the workspace in a plan comment's marker and a
// notification as the backend picks it: -workspace, else
// LTXFORM_WORKSPACE, else the backend block's, else "default". dir is the
// manifest directory ("" when there is none at hand, as for a plan file).
func workspaceName(env *Env, flag, dir string) string {
	if flag != "" {
		return flag
	}
	if env.Getenv != nil {
		if w := env.Getenv(workspaceEnv); w != "" {
			return w
		}
	}
	if dir != "" {
		if be, _, _ := config.LoadBackend(dir); be != nil && be.Workspace != "" {
			return be.Workspace
		}
	}
	return config.DefaultBackendWorkspace
}

// mdSection is a part of the comment made of one item per change, which
// can be cut from the end.
type mdSection struct {
	head, foot string
	items      []string
	keep       int
	// cut says what the items not shown are, given how many.
	cut  func(n int) string
	sums []int // sums[i] is the length of items[:i]
}

// size is len(s.text()) without building it: the cutting asks it often.
func (s *mdSection) size() int {
	if s.sums == nil {
		s.sums = make([]int, len(s.items)+1)
		for i, it := range s.items {
			s.sums[i+1] = s.sums[i] + len(it)
		}
	}
	n := len(s.head) + s.sums[s.keep] + len(s.foot)
	if cut := len(s.items) - s.keep; cut > 0 {
		n += len(s.cut(cut))
	}
	return n
}

func (s *mdSection) text() string {
	var b strings.Builder
	b.WriteString(s.head)
	for _, it := range s.items[:s.keep] {
		b.WriteString(it)
	}
	b.WriteString(s.foot)
	if n := len(s.items) - s.keep; n > 0 {
		b.WriteString(s.cut(n))
	}
	return b.String()
}

func (v *planMarkdownView) Plan(p *plan.Plan, _ hcl.Diagnostics) error {
	head := markdownMarker(v.workspace) + "\n"
	t := p.Totals
	if !p.HasChanges() && t.Uncertain+t.Altered+t.Parked+t.Elsewhere == 0 {
		head += fmt.Sprintf("### ltxform plan (workspace %s): no changes\n\nYour videos match the manifest.\n", mdEscape(v.workspace))
		_, err := io.WriteString(v.w, head)
		return err
	}
	head += fmt.Sprintf("### ltxform plan (workspace %s)\n\n**%s**\n\n", mdEscape(v.workspace), mdEscape(summaryLine(t)))
	table, details, decisions := mdChangeTable(p), mdDetails(p), mdDecisions(p)
	sections := []*mdSection{table, details, decisions}
	foot := mdTotals(p)
	size := func() int {
		n := len(head) + len(foot)
		for _, s := range sections {
			n += s.size()
		}
		return n
	}
	for size() > v.limit {
		// The largest section gives up items from its end (at least one)
		// until the excess is covered or it is no longer the largest, so
		// that a long table and long diffs are cut alike.
		slices.SortStableFunc(sections, func(a, b *mdSection) int { return b.size() - a.size() })
		largest, next := sections[0], sections[1].size()
		if largest.keep == 0 {
			break // the fixed parts alone are over: nothing left to cut
		}
		for excess := size() - v.limit; largest.keep > 0; {
			largest.keep--
			excess -= len(largest.items[largest.keep])
			if excess <= 0 || largest.size() < next {
				break
			}
		}
	}
	var b strings.Builder
	b.WriteString(head)
	for _, s := range []*mdSection{table, details, decisions} { // in this order, whatever the cutting's
		b.WriteString(s.text())
	}
	b.WriteString(foot)
	text := b.String()
	_, err := io.WriteString(v.w, text)
	return err
}

// Saved tells where the plan went, on stderr's side of the comment: the
// Markdown on stdout stays the comment alone.
func (v *planMarkdownView) Saved(string) {}

// mdChangeTable is the table of changes: action, address, cost, reason.
func mdChangeTable(p *plan.Plan) *mdSection {
	s := &mdSection{
		head: "| | action | address | " + unitHeader(p.Totals.Unit) + " | reason |\n|---|---|---|--:|---|\n",
		cut: func(n int) string {
			return fmt.Sprintf("\n_%s not shown: the comment is limited to %s characters. `ltxform plan` shows them all._\n",
				plural(n, "more change is", "more changes are"), plan.FormatCredits(markdownLimit))
		},
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Action == plan.ActionNoOp {
			continue
		}
		symbol, _ := actionSymbol(c.Action)
		s.items = append(s.items, fmt.Sprintf("| %s | %s | %s | %s | %s |\n",
			mdEscape(symbol), c.Action, mdEscape(c.Address), mdEscape(costCell(c, p.Totals.Unit)), mdEscape(c.Reason)))
	}
	if n := p.Totals.NoOp; n > 0 {
		s.foot = fmt.Sprintf("\n_%s not listed._\n", plural(n, "unchanged video", "unchanged videos"))
	}
	if len(s.items) == 0 {
		s.head, s.foot = "", ""
	}
	s.keep = len(s.items)
	return s
}

// mdDetails are, one fold per video, the prompt of each create and each
// attribute a replace changes, old and new in full, as a diff (red and
// green on GitHub). Sensitive values stay hidden.
func mdDetails(p *plan.Plan) *mdSection {
	s := &mdSection{cut: func(n int) string {
		return fmt.Sprintf("\n_%s not shown._\n", plural(n, "more prompt or attribute change is", "more prompt or attribute changes are"))
	}}
	for i := range p.Changes {
		c := p.Changes[i].Redacted()
		var summary string
		var lines []string
		switch c.Action {
		case plan.ActionCreate:
			summary = c.Address + ": create"
			set, _ := plan.Diff(ltx.CreateRequest{}, c.Request) // every attribute it sets
			for _, a := range set {
				lines = append(lines, fmt.Sprintf("+ %s = %s", a.Name, attrText(a.After)))
			}
		case plan.ActionReplace:
			if c.Before == nil {
				continue
			}
			before := *c.Before
			if c.Prior != nil && slices.Contains(c.Sensitive, "prompt") {
				before.Prompt = plan.SensitiveValue
			}
			changed, unchanged := plan.Diff(before, c.Request)
			summary = fmt.Sprintf("%s: replace, %s changed, %d unchanged", c.Address, plural(len(changed), "attribute", "attributes"), unchanged)
			for _, a := range changed {
				lines = append(lines, fmt.Sprintf("- %s = %s", a.Name, attrText(a.Before)), fmt.Sprintf("+ %s = %s", a.Name, attrText(a.After)))
			}
		default:
			continue
		}
		body := strings.Join(lines, "\n")
		fence := mdFence(body)
		s.items = append(s.items, fmt.Sprintf("<details><summary>%s</summary>\n\n%sdiff\n%s\n%s\n\n</details>\n",
			htmlEscape(summary), fence, body, fence))
	}
	if len(s.items) > 0 {
		s.head = "\n#### Prompts and attribute changes\n\n"
	}
	s.keep = len(s.items)
	return s
}

// mdDecisions are the videos that wait on someone: uncertain, altered by
// hand, refused before, elsewhere.
func mdDecisions(p *plan.Plan) *mdSection {
	s := &mdSection{cut: func(n int) string {
		return fmt.Sprintf("- _%s not shown._\n", plural(n, "more video", "more videos"))
	}}
	for i := range p.Changes {
		c := &p.Changes[i]
		switch c.Action {
		case plan.ActionUncertain, plan.ActionAltered, plan.ActionParked, plan.ActionElsewhere:
			s.items = append(s.items, fmt.Sprintf("- **%s** %s: %s\n", c.Action, mdEscape(c.Address), mdEscape(c.Reason)))
		}
	}
	if len(s.items) > 0 {
		s.head = "\n#### Videos that need your decision\n\n"
	}
	s.keep = len(s.items)
	return s
}

// mdTotals is the total, the worst case, the budget and the spend to date.
func mdTotals(p *plan.Plan) string {
	t := p.Totals
	var lines []string
	lines = append(lines, fmt.Sprintf("**Total:** estimated %s.", plan.FormatCost(t.Cost, t.Unit)))
	if t.WorstCase > t.Cost && t.Cost > 0 {
		lines = append(lines, fmt.Sprintf("**Worst case:** %s if every create takes max_attempts = %d tasks.", plan.FormatCost(t.WorstCase, t.Unit), t.MaxAttempts))
	}
	if t.MaxCost > 0 {
		against := "the estimate"
		if t.BudgetWorstCase {
			against = "the worst case"
		}
		lines = append(lines, fmt.Sprintf("**Budget:** %s, checked against %s.", plan.FormatCost(t.MaxCost, t.Unit), against))
	} else {
		lines = append(lines, "**Budget:** none set.")
	}
	if len(t.SpendByUnit) > 0 {
		lines = append(lines, fmt.Sprintf("**Spent so far:** %s.", spendText(t.SpendByUnit)))
	}
	if len(t.AssumedPrices) > 0 {
		lines = append(lines, fmt.Sprintf("\\* Assumed prices (%s): %s does not publish them.", mdEscape(strings.Join(t.AssumedPrices, ", ")), mdEscape(p.Settings.Provider)))
	}
	return "\n" + strings.Join(mdLines(lines), "\n") + "\n"
}

// mdLines ends each line but the last with a hard break.
func mdLines(lines []string) []string {
	for i := range lines[:len(lines)-1] {
		lines[i] += "\\"
	}
	return lines
}

// mdEscape makes text literal in Markdown, in a table cell too: the
// punctuation Markdown reads is escaped, and a line break becomes a space.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '&', '#', '!', '(', ')', '{', '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// htmlEscape makes text literal inside an HTML tag's content.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\n", " ").Replace(s)
}

// mdFence is a code fence longer than any run of backticks in body.
func mdFence(body string) string {
	longest, run := 0, 0
	for _, r := range body {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}
