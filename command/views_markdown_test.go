package command

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
)

// markdownPlan is a plan of n changes: every third a replace whose long
// prompt changed, one uncertain, the rest creates; addresses with keys and
// reasons with the characters Markdown reads (| * _ < >).
func markdownPlan(n int) *plan.Plan {
	p := &plan.Plan{FormatVersion: plan.FormatVersion, Settings: plan.Settings{Provider: "ltx2api-v1", Unit: ltx.UnitCredits},
		Totals: plan.Totals{Unit: ltx.UnitCredits, NoOp: 3, MaxCost: 200000, WorstCase: 1, MaxAttempts: 5}}
	long := strings.Repeat("a slow dolly over the harbour at dawn, gulls wheeling, ", 3)
	for i := range n {
		v := goldenVideo("clip", 8, "1080p")
		v.Address = fmt.Sprintf(`video.clip["k%05d"]`, i)
		v.Prompt = long + "the lighthouse *beam* <sweeps> | the_water " + strconv.Itoa(i)
		req := plan.RequestFor(v, ltx.MustProvider(ltx.DefaultProvider))
		c := plan.Change{Address: v.Address, Action: plan.ActionCreate, Mode: req.Mode(), Request: req,
			Output: fmt.Sprintf("out/clip/k%05d.mp4", i), Cost: 32, Reason: "new video"}
		switch {
		case i == n-1 && n > 1:
			c.Action, c.Reason = plan.ActionUncertain, "uncertain: a create was sent and its answer never arrived | may be bought"
		case i%3 == 1:
			before := req
			before.Prompt = long + "the lighthouse dark " + strconv.Itoa(i)
			before.Duration = 6
			c.Action, c.Before, c.Reason = plan.ActionReplace, &before, "prompt changed, duration 6 → 8"
			p.Totals.Replace++
		default:
			p.Totals.Create++
		}
		p.Totals.Cost += c.Cost
		p.Changes = append(p.Changes, c)
	}
	p.Totals.WorstCase = p.Totals.Cost * 5
	return p
}

// renderGFM renders Markdown as GitHub does: GFM tables, raw HTML kept.
func renderGFM(t *testing.T, md []byte) string {
	t.Helper()
	var out bytes.Buffer
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	if err := gm.Convert(md, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestMarkdownPlanSurvivesRenderingAt1And50And5000Changes(t *testing.T) {
	notShown := regexp.MustCompile(`(\d+) more changes? (?:is|are) not shown`)
	for _, n := range []int{1, 50, 5000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			p := markdownPlan(n)
			var md bytes.Buffer
			if err := newPlanMarkdownView(&md, "nightly").Plan(p, nil); err != nil {
				t.Fatal(err)
			}
			text := md.String()
			if first, _, _ := strings.Cut(text, "\n"); first != "<!-- ltxform-plan workspace=nightly -->" {
				t.Errorf("first line %q", first)
			}
			if len(text) > markdownLimit {
				t.Errorf("%d characters, over %d", len(text), markdownLimit)
			}
			page := renderGFM(t, md.Bytes())
			if !strings.Contains(page, "<table>") || !strings.Contains(page, "<th>address</th>") {
				t.Fatalf("no table in the rendered page:\n%.2000s", page)
			}
			rows := strings.Count(page, "<tr>") - 1 // the header's
			shown := n
			if m := notShown.FindStringSubmatch(page); m != nil {
				cut, _ := strconv.Atoi(m[1])
				shown = n - cut
			}
			if rows != shown || shown < 1 {
				t.Errorf("%d table rows rendered, %d changes said shown of %d", rows, shown, n)
			}
			if n <= 50 && shown != n {
				t.Errorf("%d of %d changes shown, well under the limit", shown, n)
			}
			// Each row has its five cells: no | in a reason split a row.
			if cells := strings.Count(page, "<td"); cells != 5*rows {
				t.Errorf("%d cells for %d rows", cells, rows)
			}
			if !strings.Contains(page, `<td>video.clip[&quot;k00000&quot;]</td>`) {
				t.Errorf("the first address is not whole in its cell:\n%.1500s", page)
			}
			if !strings.Contains(page, `<details><summary>video.clip["k00000"]: create</summary>`) ||
				!strings.Contains(page, `<code class="language-diff">+ prompt = &quot;a slow dolly`) {
				t.Errorf("the prompt of the first create is not in its details:\n%.3000s", page)
			}
			if n >= 50 && (!strings.Contains(page, "- prompt = &quot;a slow dolly") || !strings.Contains(page, "+ duration = 8")) {
				t.Errorf("no prompt diff of a replace")
			}
			if n > 1 && !strings.Contains(page, "Videos that need your decision") {
				t.Errorf("the uncertain video is not listed")
			}
			if !strings.Contains(page, "<strong>Total:</strong> estimated") || !strings.Contains(page, "<strong>Budget:</strong> 200,000 credits") {
				t.Errorf("no total or budget:\n%s", page[max(0, len(page)-800):])
			}
			if n == 5000 && (shown == n || !strings.Contains(page, "more prompt or attribute changes are not shown")) {
				t.Errorf("5,000 changes: %d shown in the table, and the diffs not cut alike, in %d characters", shown, len(text))
			}
			if n == 5000 && len(text) < markdownLimit*9/10 {
				t.Errorf("cut to %d characters, far under the limit", len(text))
			}
		})
	}
}

func TestMarkdownPlanWithoutChanges(t *testing.T) {
	var md bytes.Buffer
	if err := newPlanMarkdownView(&md, "default").Plan(&plan.Plan{}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(md.String(), "<!-- ltxform-plan workspace=default -->\n") || !strings.Contains(md.String(), "no changes") {
		t.Errorf("got %q", md.String())
	}
}
