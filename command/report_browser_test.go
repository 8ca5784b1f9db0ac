package command

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
)

// chromiumPath finds Debian's chromium (or $CHROMIUM). Without one the
// browser tests skip, except in CI, where .ci/run installs it.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	msg := "no Chromium: install it (as root: apt-get update && apt-get install -y chromium), " +
		"or set CHROMIUM to its path, then: go test -run TestReportInChromium ./command/"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile that stays off
// the network, and ends it with the test.
func newBrowser(tb testing.TB) context.Context {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(tb)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("mute-audio", true),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser now
		tb.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// requestLog records every URL the page asks for.
type requestLog struct {
	mu   sync.Mutex
	urls []string
}

func (l *requestLog) listen(tb testing.TB, ctx context.Context) {
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			l.mu.Lock()
			l.urls = append(l.urls, e.Request.URL)
			l.mu.Unlock()
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		tb.Fatal(err)
	}
}

// offLoopback lists the requests that went anywhere but 127.0.0.1.
func (l *requestLog) offLoopback() (bad []string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, u := range l.urls {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "data" && p.Scheme != "about" && p.Hostname() != "127.0.0.1") {
			bad = append(bad, u)
		}
	}
	return bad, len(l.urls)
}

type browserCard struct {
	Address    string  `json:"address"`
	Status     string  `json:"status"`
	RequestID  string  `json:"rid"`
	Code       string  `json:"code"`
	Suggestion string  `json:"sug"`
	Video      bool    `json:"video"`
	Ready      int     `json:"ready"`
	Duration   float64 `json:"duration"`
	Hidden     bool    `json:"hidden"`
}

// cardsJS describes every card as the page shows it now.
const cardsJS = `[...document.querySelectorAll('.card')].map((c) => {
  const v = c.querySelector('video');
  return {
    address: c.getAttribute('aria-label'), status: c.dataset.status, hidden: c.hidden,
    rid: (c.querySelector('.rid') || {}).textContent || '',
    code: (c.querySelector('.fail .code') || {}).textContent || '',
    sug: (c.querySelector('.fail .sug') || {}).textContent || '',
    video: !!v, ready: v ? v.readyState : 0, duration: v ? v.duration : 0,
  };
})`

func readCards(ctx context.Context) ([]browserCard, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]browserCard](cardsJS))
}

// pixelJS seeks the video of card ADDRESS to 0.1 s and answers a pixel of
// the decoded frame, or null while there is none to draw yet: "seeked" can
// come before the frame (readyState 1, a black canvas), and a loaded machine
// can take seconds to decode it.
const pixelJS = `(() => {
  const c = [...document.querySelectorAll('.card')].find((c) => c.getAttribute('aria-label') === ADDRESS);
  const v = c && c.querySelector('video');
  if (!v) return null;
  if (!v.dataset.seekAsked) { v.dataset.seekAsked = '1'; v.currentTime = 0.1; return null; }
  if (v.seeking || v.readyState < 2 || !v.videoWidth) return null;
  const cv = document.createElement('canvas');
  cv.width = v.videoWidth; cv.height = v.videoHeight;
  const g = cv.getContext('2d');
  g.drawImage(v, 0, 0);
  const p = Array.from(g.getImageData(2, 2, 1, 1).data.slice(0, 3));
  return p[0] + p[1] + p[2] > 0 ? p : null;
})()`

// decodedPixel waits until the browser has decoded a frame of address's
// video, and returns the colour of a pixel of its background.
func decodedPixel(ctx context.Context, address string) ([]int, error) {
	js := strings.Replace(pixelJS, "ADDRESS", strconv.Quote(address), 1)
	return chromedp.Run(ctx, chromedp.Poll[[]int](js, chromedp.WithPollingTimeout(60*time.Second)))
}

// nearColour reports whether a decoded pixel is the colour the simulator
// painted, within what the trip through 4:2:0 YUV and back may change.
func nearColour(pixel []int, r, g, b uint8) bool {
	const tolerance = 24
	if len(pixel) != 3 {
		return false
	}
	for i, want := range []uint8{r, g, b} {
		if d := pixel[i] - int(want); d > tolerance || d < -tolerance {
			return false
		}
	}
	return true
}

const browserManifest = `
api {
  requests_per_minute = 6000
}

video "harbour" {
  prompt   = "A slow pan across a harbour at dawn"
  duration = 6
}

video "tower" {
  prompt       = "A clock tower in the rain, vertical"
  duration     = 8
  aspect_ratio = "9:16"
}

video "banned" {
  prompt   = "A forbidden scene"
  duration = 6
}
`

// simulatedApply runs apply against a simulator that refuses the prompts
// containing "forbidden", and returns the run it recorded.
func simulatedApply(t *testing.T, dir string) *state.Run {
	t.Helper()
	s := sim.New(sim.Options{
		Keys:    []string{"sk-browser-test"},
		Latency: 50 * time.Millisecond,
		Rules:   []sim.Rule{{PromptContains: "forbidden", Fault: sim.FaultContentPolicy}},
	})
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close() })
	vars := map[string]string{"LTX_API_URL": srv.URL, "LTX_API_KEY": "sk-browser-test"}
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return vars[k] }, Environ: func() []string { return nil }}
	if err := Run(context.Background(), env, []string{"apply", "-auto-approve", dir}); !errors.Is(err, ErrSomeVideosFailed) {
		t.Fatalf("apply: %v, want ErrSomeVideosFailed (exit 4) for the refused video\n%s\n%s", err, stdout.String(), stderr.String())
	}
	runs, err := state.ListRuns(dir)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v, %v", runs, err)
	}
	return runs[0]
}

func writeReportCLI(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }, Environ: func() []string { return nil }}
	if err := Run(context.Background(), env, append([]string{"report"}, args...)); err != nil {
		t.Fatalf("report %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

func TestReportInChromium(t *testing.T) {
	ctx := newBrowser(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(browserManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	run := simulatedApply(t, dir)
	// The page lives in a subdirectory, so that the videos' paths must
	// really be relative to it.
	if err := os.Mkdir(filepath.Join(dir, "site"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeReportCLI(t, "-o", filepath.Join(dir, "site", "index.html"), dir)

	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	log := &requestLog{}
	log.listen(t, ctx)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/site/index.html")); err != nil {
		t.Fatalf("loading the report: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll('.card[data-status=completed] video')]
			.every(v => v.readyState >= 1 && v.duration > 0)`, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		t.Fatalf("waiting for every completed video's metadata: %v", err)
	}

	cards, err := readCards(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byAddr := map[string]browserCard{}
	for _, c := range cards {
		byAddr[c.Address] = c
	}
	if len(cards) != len(run.Results) {
		t.Errorf("%d cards for %d results", len(cards), len(run.Results))
	}
	for _, res := range run.Results {
		c, ok := byAddr[res.Address]
		switch {
		case !ok:
			t.Errorf("no card for %s", res.Address)
		case c.RequestID != res.RequestID || c.RequestID == "":
			t.Errorf("%s: card shows request id %q, run has %q", res.Address, c.RequestID, res.RequestID)
		case res.Status == state.ResultFailed:
			if c.Code != "CONTENT_POLICY_VIOLATION" || c.Suggestion == "" || c.Suggestion != res.Suggestion || c.Video {
				t.Errorf("failed card %+v: want its code and suggestion, and no player", c)
			}
		case res.Status == state.ResultCompleted:
			if !c.Video || c.Ready < 1 || c.Duration <= 0 {
				t.Errorf("%s: video readyState %d, duration %v", res.Address, c.Ready, c.Duration)
			}
			// Each player shows its own task's picture: a colour drawn
			// from the task id, so two videos showing one file would fail.
			r, g, b := sim.VideoColour(res.TaskID)
			if pixel, err := decodedPixel(ctx, res.Address); err != nil {
				t.Errorf("%s: no decoded frame: %v", res.Address, err)
			} else if !nearColour(pixel, r, g, b) {
				t.Errorf("%s: decoded pixel %v, want the colour of task %s, [%d %d %d]", res.Address, pixel, res.TaskID, r, g, b)
			}
		}
	}
	if run.Counts["completed"] != 2 || run.Counts["failed"] != 1 {
		t.Errorf("counts %v; want 2 completed videos and 1 failed", run.Counts)
	}

	visible := func() []string {
		cs, err := readCards(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			if !c.Hidden {
				out = append(out, c.Address)
			}
		}
		sort.Strings(out)
		return out
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#status button[data-status="failed"]`))); err != nil {
		t.Fatal(err)
	}
	if got := visible(); fmt.Sprint(got) != "[video.banned]" {
		t.Errorf("status filter failed shows %v, want [video.banned]", got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#status button[data-status=""]`))); err != nil {
		t.Fatal(err)
	}
	if got := visible(); len(got) != 3 {
		t.Errorf("status filter all shows %v, want the 3 cards", got)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), "harbour")); err != nil {
		t.Fatal(err)
	}
	if got := visible(); fmt.Sprint(got) != "[video.harbour]" {
		t.Errorf("search for harbour shows %v", got)
	}

	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "report.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil || len(png) < 1000 {
		t.Fatalf("screenshot %s: %d bytes, %v", shot, len(png), err)
	}

	bad, n := log.offLoopback()
	if n == 0 || len(bad) > 0 {
		t.Errorf("%d requests seen; these left the loopback address: %v", n, bad)
	}
}

// BenchmarkReport1000InChromium renders the report of a 1,000-video run in
// headless Chromium and reports, per load, the milliseconds to the first
// contentful paint, to DOMContentLoaded and to the load event (which waits
// for the first videos' metadata), and the page's size.
func BenchmarkReport1000InChromium(b *testing.B) {
	ctx := newBrowser(b)
	dir, page := report1000Fixture(b)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	fi, err := os.Stat(page)
	if err != nil {
		b.Fatal(err)
	}
	type timing struct {
		FCP, DCL, Load float64
		Cards          int
	}
	var fcp, dcl, load float64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/%s?%d", srv.URL, filepath.Base(page), i))); err != nil {
			b.Fatal(err)
		}
		// The load event has fired; loadEventEnd is set once its handlers ran.
		tm, err := chromedp.Run(ctx, chromedp.Poll[timing](`(() => {
			const n = performance.getEntriesByType('navigation')[0];
			const p = performance.getEntriesByName('first-contentful-paint')[0];
			if (!n || !n.loadEventEnd || !p) return null;
			return {FCP: p.startTime, DCL: n.domContentLoadedEventEnd, Load: n.loadEventEnd,
				Cards: document.querySelectorAll('.card').length};
		})()`, chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			b.Fatal(err)
		}
		if tm.Cards != 1000 {
			b.Fatalf("%d cards rendered, want 1000", tm.Cards)
		}
		fcp, dcl, load = fcp+tm.FCP, dcl+tm.DCL, load+tm.Load
	}
	b.StopTimer()
	// The cards past the first ones get their player on scrolling to them.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
			window.scrollTo(0, document.body.scrollHeight);
			const v = [...document.querySelectorAll('.card video')].pop();
			return !!v && v.closest('.card').getAttribute('aria-label') === 'video.shot["0999"]' && v.readyState >= 1;
		})()`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		b.Fatalf("the last card's video did not load on scrolling: %v", err)
	}
	n := float64(b.N)
	b.ReportMetric(fcp/n, "ms-paint/op")
	b.ReportMetric(dcl/n, "ms-dcl/op")
	b.ReportMetric(load/n, "ms-load/op")
	b.ReportMetric(float64(fi.Size()), "page-bytes")
}

// report1000Fixture writes a 1,000-video run's report (one in seven failed,
// 170-character prompts) beside 1,000 real simulator videos.
func report1000Fixture(b *testing.B) (dir, page string) {
	b.Helper()
	dir = b.TempDir()
	s := sim.New(sim.Options{Keys: []string{"k"}})
	srv := httptest.NewServer(s)
	defer srv.Close()
	video := fetchSimVideo(b, srv.URL)

	st := state.NewState()
	started := time.Date(2026, 11, 25, 22, 15, 0, 0, time.UTC)
	run := &state.Run{ID: "20261125T221500Z-3fa9c1", Started: started, Finished: started.Add(41 * time.Minute), Counts: map[string]int{}}
	requests := map[string]any{}
	for i := range 1000 {
		addr := fmt.Sprintf(`video.shot["%04d"]`, i)
		out := fmt.Sprintf("out/shot/%04d.mp4", i)
		res := state.RunResult{Address: addr, Status: state.ResultCompleted, TaskID: fmt.Sprintf("task_%020d", i),
			RequestID: fmt.Sprintf("req_%020d", i), Attempts: 1, CostEstimated: 32, CostConsumed: 32, Output: out}
		if i%7 == 3 {
			res.Status, res.Output, res.CostConsumed = state.ResultFailed, "", 0
			res.ErrorCode, res.ErrorMessage = "CONTENT_POLICY_VIOLATION", "The prompt was refused by the content filter."
			res.Suggestion = "Reword the prompt (or change the image) to stay within the content guidelines."
		} else {
			path := filepath.Join(dir, filepath.FromSlash(out))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(path, video, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		run.Results = append(run.Results, res)
		run.Counts[string(res.Status)]++
		st.Entries[addr] = &state.Entry{Address: addr, Status: state.StatusDownloaded, Duration: 8, Resolution: "1080p", Output: res.Output}
		requests[addr] = map[string]any{"prompt": fmt.Sprintf("Shot %d: a slow dolly across a rain-soaked neon street at night, "+
			"reflections in the puddles, a cyclist passing through the frame, cinematic lighting, shallow depth of field", i)}
	}
	page = filepath.Join(dir, "report.html")
	if _, err := writeReport(dir, run, st, page, requests); err != nil {
		b.Fatal(err)
	}
	return dir, page
}

// fetchSimVideo creates one task on the simulator and downloads its video.
func fetchSimVideo(b *testing.B, base string) []byte {
	b.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/text-to-video", strings.NewReader(`{"prompt":"a street","duration":8}`))
	req.Header.Set("Authorization", "Bearer k")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var created struct {
		TaskID string `json:"task_id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if err != nil || created.TaskID == "" {
		b.Fatalf("create: %v", err)
	}
	resp, err = http.Get(base + "/v1/videos/" + created.TaskID + ".mp4")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	video, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("download: %d %v", resp.StatusCode, err)
	}
	return video
}
