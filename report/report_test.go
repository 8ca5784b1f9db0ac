package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/media"
	"github.com/ltxform/ltxform/state"
)

// fixture is a run of n videos (every seventh failed) with the state a real
// apply leaves and a tiny file per completed video.
func fixture(tb testing.TB, n int) (dir string, run *state.Run, st *state.State) {
	tb.Helper()
	dir = tb.TempDir()
	st = state.NewState()
	started := time.Date(2026, 11, 25, 22, 15, 0, 0, time.UTC)
	run = &state.Run{ID: "20261125T221500Z-3fa9c1", Started: started, Finished: started.Add(93 * time.Second), Counts: map[string]int{}}
	if err := os.MkdirAll(filepath.Join(dir, "out"), 0o755); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		addr := fmt.Sprintf(`video.shot["%04d"]`, i)
		out := fmt.Sprintf("out/shot/%04d.mp4", i)
		res := state.RunResult{Address: addr, Status: state.ResultCompleted, TaskID: fmt.Sprintf("task_%020d", i),
			RequestID: fmt.Sprintf("req_%020d", i), Attempts: 1, CostEstimated: 32, CostConsumed: 32, Output: out}
		e := &state.Entry{Address: addr, Status: state.StatusDownloaded, TaskID: res.TaskID, RequestID: res.RequestID,
			Duration: 8, Resolution: "1080p", Output: out, CostEstimated: 32, CostConsumed: 32, Mode: "t2v"}
		if i%7 == 3 {
			res.Status, res.Output, res.CostConsumed = state.ResultFailed, "", 0
			res.ErrorCode, res.ErrorMessage = "CONTENT_POLICY_VIOLATION", "The prompt was refused by the content filter."
			res.Suggestion = "Reword the prompt (or change the image) to stay within the content guidelines."
			e.Status, e.ErrorCode, e.ErrorMessage, e.Output, e.CostConsumed = state.StatusFailed, res.ErrorCode, res.ErrorMessage, "", 0
		} else {
			path := filepath.Join(dir, filepath.FromSlash(out))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				tb.Fatal(err)
			}
			if err := os.WriteFile(path, []byte("mp4"), 0o644); err != nil {
				tb.Fatal(err)
			}
		}
		run.Results = append(run.Results, res)
		run.Counts[string(res.Status)]++
		run.CostEstimated += res.CostEstimated
		run.CostConsumed += res.CostConsumed
		st.Entries[addr] = e
	}
	return dir, run, st
}

// prompts are 150-200 characters, as real ones are.
func prompts(n int) map[string]any {
	out := map[string]any{}
	for i := range n {
		out[fmt.Sprintf(`video.shot["%04d"]`, i)] = map[string]any{
			"prompt": fmt.Sprintf("Shot %d: a slow dolly across a rain-soaked neon street at night, reflections in the puddles, "+
				"a cyclist passing through the frame, cinematic lighting, shallow depth of field", i),
		}
	}
	return out
}

func render(tb testing.TB, in Input) string {
	tb.Helper()
	var b bytes.Buffer
	if err := Write(&b, in); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

func TestPageOf1000VideosIsUnder2MB(t *testing.T) {
	dir, run, st := fixture(t, 1000)
	html := render(t, Input{Run: run, State: st, ManifestDir: dir, OutputFile: filepath.Join(dir, "r.html"), Requests: prompts(1000)})
	if len(html) >= 2<<20 {
		t.Errorf("page of 1,000 videos is %d bytes, want under 2 MB", len(html))
	}
	if n := strings.Count(html, `<article class="card"`); n != 1000 {
		t.Errorf("%d cards, want 1000", n)
	}
	// Only the first cards name their video in src; the rest load on scroll.
	if n := strings.Count(html, `<video src="out/shot/`); n != eagerVideos {
		t.Errorf("%d videos load at once, want %d", n, eagerVideos)
	}
	t.Logf("%d bytes for 1,000 videos", len(html))
}

func TestHeaderAndCards(t *testing.T) {
	dir, run, st := fixture(t, 4)
	page := filepath.Join(dir, "site", "report.html")
	html := render(t, Input{Run: run, State: st, ManifestDir: dir, OutputFile: page})
	for _, want := range []string{
		`<dd id="n-completed">3</dd>`, `<dd id="n-failed">1</dd>`, `<dd id="n-unchanged">0</dd>`,
		`<dd id="cost-est">128 credits</dd>`, `<dd id="cost-used">96 credits</dd>`, `<dd>1m33s</dd>`,
		// paths are relative to the page, and the address is escaped
		`src="../out/shot/0000.mp4"`, `aria-label="video.shot[&#34;0000&#34;]"`,
		`<code class="rid">req_00000000000000000002</code>`,
		`<p class="code">CONTENT_POLICY_VIOLATION</p>`, `<p class="sug">Reword the prompt`,
		`<dt>Duration</dt><dd>8 s</dd>`, `<dt>Resolution</dt><dd>1080p</dd>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(html, "http://") || strings.Contains(html, "https://") {
		t.Error("the page names a network address")
	}
}

func TestMissingFileShowsNoPlayer(t *testing.T) {
	dir, run, st := fixture(t, 1)
	if err := os.Remove(filepath.Join(dir, "out", "shot", "0000.mp4")); err != nil {
		t.Fatal(err)
	}
	html := render(t, Input{Run: run, State: st, ManifestDir: dir, OutputFile: filepath.Join(dir, "r.html")})
	if strings.Contains(html, "<video") || !strings.Contains(html, "File not found: out/shot/0000.mp4") {
		t.Error("a missing file should be named, without a broken player")
	}
}

// Fields that records gain later are read by name when present.
func TestReadsNewFieldsByName(t *testing.T) {
	type futureResult struct {
		state.RunResult
		Request struct {
			Prompt      string `json:"prompt"`
			AspectRatio string `json:"aspect_ratio"`
			Model       string `json:"model"`
		} `json:"request"`
	}
	type futureRun struct {
		state.Run
		Provider     string         `json:"provider"`
		Endpoint     string         `json:"endpoint"`
		CostUnit     string         `json:"cost_unit"`
		ManifestHash string         `json:"manifest_hash"`
		Results      []futureResult `json:"results"`
	}
	dir, run, st := fixture(t, 1)
	fr := futureRun{Run: *run, Provider: "lightricks", Endpoint: "https://api.ltx.video", CostUnit: "usd", ManifestHash: "sha256:abc"}
	r := futureResult{RunResult: run.Results[0]}
	r.Request.Prompt, r.Request.AspectRatio, r.Request.Model = "A <b>bold</b> prompt", "9:16", "ltx-2-fast"
	fr.Results = []futureResult{r}
	p, err := buildFrom(fr, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Cards[0]
	if p.Provider != "lightricks" || p.Endpoint != "https://api.ltx.video" || p.ManifestHash != "sha256:abc" ||
		p.CostConsumed != "$32.00" || c.Cost != "$32.00" || c.Prompt != "A <b>bold</b> prompt" ||
		c.AspectRatio != "9:16" || c.Model != "ltx-2-fast" {
		t.Errorf("page %+v\ncard %+v", p, c)
	}
	var b bytes.Buffer
	if err := p.WriteHTML(&b); err != nil || !strings.Contains(b.String(), "A &lt;b&gt;bold&lt;/b&gt; prompt") {
		t.Errorf("prompt not escaped (%v)", err)
	}
}

func buildFrom(record any, st *state.State, dir string) (*Page, error) {
	var run state.Run
	data, _ := json.Marshal(record)
	if err := json.Unmarshal(data, &run); err != nil {
		return nil, err
	}
	return build(Input{Run: &run, State: st, ManifestDir: dir, OutputFile: filepath.Join(dir, "r.html")}, record)
}

func TestStateReport(t *testing.T) {
	dir, _, st := fixture(t, 8)
	p, err := Build(Input{State: st, ManifestDir: dir, OutputFile: filepath.Join(dir, "r.html")})
	if err != nil {
		t.Fatal(err)
	}
	if p.Scope != "State" || p.Total != 8 || p.Completed != 7 || p.Failed != 1 || p.CostConsumed != "224 credits" {
		t.Errorf("state page: %s, %d videos, %d completed, %d failed, %s", p.Scope, p.Total, p.Completed, p.Failed, p.CostConsumed)
	}
}

// TestReplacedPromptMarksChangedWords: when the run replaced a video, its
// card marks the words of the prompt that changed, old struck, new marked.
func TestReplacedPromptMarksChangedWords(t *testing.T) {
	dir, run, st := fixture(t, 1)
	run.Results[0].Request = &ltx.CreateRequest{Prompt: "A blue kite over green hills", Duration: 8, Resolution: "1080p"}
	run.Results[0].Before = &ltx.CreateRequest{Prompt: "A red kite over green hills", Duration: 8, Resolution: "1080p"}
	html := render(t, Input{Run: run, State: st, ManifestDir: dir, OutputFile: filepath.Join(dir, "report.html")})
	if !strings.Contains(html, "A <del>red</del> <ins>blue</ins> kite over green hills") {
		t.Errorf("the card does not mark the changed words:\n%s", html[strings.Index(html, `class="p"`)-20:][:300])
	}
}

// TestTakesAreLinkedFromTheirCard: the earlier takes the state keeps are
// reachable from their video's card.
func TestTakesAreLinkedFromTheirCard(t *testing.T) {
	dir, run, st := fixture(t, 1)
	e := st.Entries[run.Results[0].Address]
	e.Takes = []state.Take{{Path: "out/shot/.takes/0000/20261125T221500Z-task_1.mp4", TaskID: "task_1", Reason: "replaced by a new take"}}
	take := filepath.Join(dir, "out", "shot", ".takes", "0000", "20261125T221500Z-task_1.mp4")
	if err := os.MkdirAll(filepath.Dir(take), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(take, []byte("mp4"), 0o644); err != nil {
		t.Fatal(err)
	}
	html := render(t, Input{Run: run, State: st, ManifestDir: dir, OutputFile: filepath.Join(dir, "report.html")})
	if !strings.Contains(html, `href="out/shot/.takes/0000/20261125T221500Z-task_1.mp4"`) {
		t.Error("the card does not link the earlier take")
	}
}

// An output whose name holds a colon is linked as a relative URL
// ("./take:1.mp4"), never read as a scheme that the page's escaper
// replaces with "#ZgotmplZ" (issue 18, finding 18).
func TestOutputWithAColonGetsAPlayer(t *testing.T) {
	dir, run, st := fixture(t, 1)
	addr := run.Results[0].Address
	run.Results[0].Output, st.Entries[addr].Output = "take:1.mp4", "take:1.mp4"
	st.Entries[addr].Takes = []state.Take{{Path: "take:0.mp4", TaskID: "task_0"}}
	for _, name := range []string{"take:1.mp4", "take:0.mp4"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("mp4"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	html := render(t, Input{Run: run, State: st, ManifestDir: dir, OutputFile: filepath.Join(dir, "report.html")})
	if !strings.Contains(html, `<video src="./take:1.mp4"`) || !strings.Contains(html, `href="./take:0.mp4"`) || strings.Contains(html, "ZgotmplZ") {
		t.Errorf("the video and its take are not linked as ./take:N.mp4:\n%s", html[strings.Index(html, `class="m"`)-20:][:300])
	}
}

// TestMismatchCardShowsOrderedAndDelivered: a video delivered unlike its
// order shows both, its code and request id, and its (paid, kept) file.
func TestMismatchCardShowsOrderedAndDelivered(t *testing.T) {
	dir, run, st := fixture(t, 1)
	res := &run.Results[0]
	e := st.Entries[res.Address]
	audio := true
	arrived := media.Info{DurationS: 8, Width: 1280, Height: 720, FPS: 24, Audio: true}
	e.Media = &arrived
	e.Mismatch = &state.Mismatch{Ordered: media.Order{Width: 1920, Height: 1080, DurationS: 8, Audio: &audio}, Arrived: arrived,
		Differences: []string{"size 1280x720, ordered 1920x1080"}, RequestID: res.RequestID}
	res.Status, res.ErrorCode, res.ErrorMessage = state.ResultFailed, state.CodeDeliveryMismatch, e.Mismatch.Message()
	html := render(t, Input{Run: run, State: st, ManifestDir: dir, OutputFile: filepath.Join(dir, "report.html")})
	for _, want := range []string{
		"<dt>Ordered</dt><dd>1920x1080, 8 s, with sound</dd>",
		"<dt>Delivered</dt><dd>1280x720, 8 s, 24 fps, with sound</dd>",
		`<p class="code">DELIVERY_MISMATCH</p>`,
		res.RequestID,
		`src="out/shot/0000.mp4"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the card lacks %s", want)
		}
	}
}
