package command

import (
	"fmt"
	"github.com/ltxform/ltxform/internal/money"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/vbauerster/cupwriter"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/ltxform/ltxform/executor"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
)

// progressSink is an executor.Sink that the command closes when the run is
// over, so that live bars stop drawing before the results table.
type progressSink interface {
	executor.Sink
	// Interrupted tells, once, that Ctrl-C was received.
	Interrupted()
	Close()
}

// newProgressSink picks the view of a run while it goes: JSON lines with
// -json, live bars on a terminal, else one plain line per event with
// Terraform's "Still generating… [10s elapsed]" for long tasks.
func newProgressSink(v *view, p *plan.Plan, parallelism int) progressSink {
	stats := newRunStats(p, parallelism, time.Now)
	switch {
	case v.json:
		return &jsonLinesProgress{v: v}
	case v.s.OutTerminal:
		return newBarProgress(v, stats)
	default:
		return newTextProgress(v, stats, true)
	}
}

// interruptMessage is what Ctrl-C during a run prints.
const interruptMessage = "Interrupt received: no new creates. Waiting for the requests on the wire to answer, so that what they bought is recorded; Ctrl-C again quits at once."

// runStats follows a run for the progress views: what is done, what failed,
// how long finished videos took, what was committed.
type runStats struct {
	mu          sync.Mutex
	now         func() time.Time
	started     time.Time
	work        int // videos the run makes or fetches
	done        int
	failed      int
	left        int // skipped, uncertain or left in flight: not progress
	parallelism int
	rpm         float64
	unit        ltx.Unit
	cost        map[string]float64 // estimate of one create, by address
	committed   money.Amount
	createdAt   map[string]time.Time // first create or first sight of a resumed task
	took        []time.Duration      // of the videos downloaded in this run
}

func newRunStats(p *plan.Plan, parallelism int, now func() time.Time) *runStats {
	s := &runStats{now: now, started: now(), parallelism: max(parallelism, 1),
		cost: map[string]float64{}, createdAt: map[string]time.Time{}}
	if p == nil {
		return s
	}
	s.rpm, s.unit = p.Settings.RequestsPerMinute, p.Settings.Unit
	for i := range p.Changes {
		c := &p.Changes[i]
		switch c.Action {
		case plan.ActionCreate, plan.ActionReplace, plan.ActionRetry, plan.ActionResume, plan.ActionDownload, plan.ActionFetch, plan.ActionStore:
			s.work++
			s.cost[c.Address] = c.Cost
		}
	}
	return s
}

// observe counts an event; it returns how long the video took when the
// event finished it, else 0.
func (s *runStats) observe(e executor.Event) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := e.Time
	if at.IsZero() {
		at = s.now()
	}
	switch e.Kind {
	case executor.EventCreated:
		s.committed += money.FromFloat(s.cost[e.Address])
		if _, ok := s.createdAt[e.Address]; !ok {
			s.createdAt[e.Address] = at
		}
	case executor.EventProgress, executor.EventCompleted:
		if _, ok := s.createdAt[e.Address]; !ok {
			s.createdAt[e.Address] = at // a resumed task: followed from now
		}
	case executor.EventDownloaded, executor.EventFetched, executor.EventStored:
		s.done++
		if t0, ok := s.createdAt[e.Address]; ok {
			delete(s.createdAt, e.Address)
			took := max(at.Sub(t0), 0)
			s.took = append(s.took, took)
			return took
		}
	case executor.EventFailed:
		s.failed++
		delete(s.createdAt, e.Address)
	case executor.EventSkipped, executor.EventInFlight, executor.EventUncertain:
		if _, ok := s.cost[e.Address]; ok {
			s.left++
		}
		delete(s.createdAt, e.Address)
	}
	return 0
}

// eta estimates the time left: the videos still to finish × the median
// time of those finished / the parallelism, and never less than the rate
// limit allows for their creates. ok is false before one has finished.
func (s *runStats) eta() (time.Duration, bool) {
	remaining := s.work - s.done - s.failed - s.left
	if remaining <= 0 || len(s.took) == 0 {
		return 0, remaining <= 0
	}
	took := slices.Clone(s.took)
	slices.Sort(took)
	median := took[len(took)/2]
	waves := math.Ceil(float64(remaining) / float64(s.parallelism))
	eta := time.Duration(waves * float64(median))
	if s.rpm > 0 {
		eta = max(eta, time.Duration(float64(remaining)/s.rpm*float64(time.Minute)))
	}
	return eta, true
}

// summary is "8/12 done · 1 failed · 1m10s elapsed · ETA 2m · 184 credits so far".
func (s *runStats) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := []string{fmt.Sprintf("%d/%d done", s.done, s.work)}
	if s.failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", s.failed))
	}
	parts = append(parts, shortDuration(s.now().Sub(s.started))+" elapsed")
	if eta, ok := s.eta(); ok && eta > 0 {
		parts = append(parts, "ETA "+shortDuration(eta))
	}
	parts = append(parts, plan.FormatCost(s.committed.Float(), s.unit)+" so far")
	return strings.Join(parts, " · ")
}

// inFlight lists the videos created and not finished, with when.
func (s *runStats) inFlight() map[string]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]time.Time, len(s.createdAt))
	for a, t := range s.createdAt {
		out[a] = t
	}
	return out
}

// shortDuration is Terraform's "1m12s", "10s", "2h3m".
func shortDuration(d time.Duration) string {
	switch d = d.Round(time.Second); {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// textProgress writes one line per event, for logs and cron mail, each with
// its date and time in UTC:
//
//	2026-12-06T12:00:01Z video.hero created task_abc (req_123)
//	2026-12-06T12:00:11Z video.hero: Still generating… [10s elapsed]
//	2026-12-06T12:01:13Z video.hero downloaded to out/hero.mp4 after 1m12s
type textProgress struct {
	mu    sync.Mutex
	v     *view
	w     io.Writer
	stats *runStats
	// said is, per video in flight, the elapsed time of its last "Still
	// generating" line.
	said map[string]time.Duration
	stop chan struct{}
	wg   sync.WaitGroup
}

// stillEvery is how often a long task gets its "Still generating" line in
// its first minute; after that, once a minute.
const stillEvery = 10 * time.Second

// newTextProgress starts the ticker of the "Still generating" lines when
// ticking is set (tests call tick themselves).
func newTextProgress(v *view, stats *runStats, ticking bool) *textProgress {
	p := &textProgress{v: v, w: v.s.Out, stats: stats, said: map[string]time.Duration{}, stop: make(chan struct{})}
	if ticking {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-p.stop:
					return
				case now := <-t.C:
					p.tick(now)
				}
			}
		}()
	}
	return p
}

func (p *textProgress) Event(e executor.Event) {
	took := p.stats.observe(e)
	line := eventLine(e)
	if line == "" {
		return
	}
	if took > 0 {
		line += " after " + shortDuration(took)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.said, e.Address)
	p.print(e.Time, line, eventColor(e.Kind))
}

// print writes one line stamped with its date and time, wrapped to the
// width (not at all in a log).
func (p *textProgress) print(at time.Time, line, color string) {
	stamp := logTime(at) + " "
	lines := wrapLine(stamp+line, p.v.s.Width, strings.Repeat(" ", len(stamp)))
	out := p.v.out()
	for i, l := range lines {
		if i == 0 {
			l = stamp + out.paint(color, l[len(stamp):])
		} else {
			l = out.paint(color, l)
		}
		fmt.Fprintln(p.w, l)
	}
}

// tick prints "video.hero: Still generating… [20s elapsed]" for each video
// whose next mark has come: every 10 s in its first minute, then every
// minute; and the run's summary line once a minute.
func (p *textProgress) tick(now time.Time) {
	flying := p.stats.inFlight()
	addrs := make([]string, 0, len(flying))
	for a := range flying {
		addrs = append(addrs, a)
	}
	slices.Sort(addrs)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range addrs {
		elapsed := now.Sub(flying[a])
		step := stillEvery
		if elapsed >= time.Minute {
			step = time.Minute
		}
		mark := elapsed.Truncate(step)
		if mark < stillEvery || mark <= p.said[a] {
			continue
		}
		p.said[a] = mark
		p.print(now, fmt.Sprintf("%s: Still generating… [%s elapsed]", a, shortDuration(mark)), "")
	}
	if elapsed := now.Sub(p.stats.started); elapsed >= time.Minute {
		if mark := elapsed.Truncate(time.Minute); mark > p.said[""] {
			p.said[""] = mark
			p.print(now, "Progress: "+p.stats.summary(), ansiBold)
		}
	}
}

func (p *textProgress) Interrupted() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.print(p.stats.now(), interruptMessage, ansiBold+ansiYellow)
}

func (p *textProgress) Close() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	p.wg.Wait()
}

// eventColor is the colour of an event's line.
func eventColor(kind executor.EventKind) string {
	switch kind {
	case executor.EventFailed:
		return ansiRed
	case executor.EventRetry, executor.EventRunStop, executor.EventInFlight, executor.EventUncertain, executor.EventSkipped:
		return ansiYellow
	case executor.EventDownloaded, executor.EventFetched, executor.EventStored:
		return ansiGreen
	}
	return ""
}

// eventLine is the human text of an event without its time; "" for events
// not worth a line (the start, the end, unchanged videos).
func eventLine(e executor.Event) string {
	var b strings.Builder
	b.WriteString(e.Address)
	switch e.Kind {
	case executor.EventCreated:
		fmt.Fprintf(&b, " created %s", e.TaskID)
		if e.Attempt > 1 {
			fmt.Fprintf(&b, " (attempt %d)", e.Attempt)
		}
	case executor.EventProgress:
		if e.Progress == nil {
			fmt.Fprintf(&b, " %s waiting", e.TaskID)
		} else {
			fmt.Fprintf(&b, " %s %.0f%%", e.TaskID, *e.Progress)
		}
	case executor.EventCompleted:
		fmt.Fprintf(&b, " %s completed", e.TaskID)
	case executor.EventDownloaded:
		fmt.Fprintf(&b, " downloaded to %s", e.Output)
	case executor.EventFetched:
		fmt.Fprintf(&b, " fetched from storage to %s", e.Output)
	case executor.EventStored:
		fmt.Fprintf(&b, " %s uploaded to storage", e.Output)
	case executor.EventRetry:
		b.WriteString(" retrying")
		if e.ErrorCode != "" {
			b.WriteString(" after " + e.ErrorCode)
		}
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
	case executor.EventFailed:
		b.WriteString(" failed")
		if e.ErrorCode != "" {
			b.WriteString(" " + e.ErrorCode)
		}
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
	case executor.EventSkipped:
		b.WriteString(" skipped: " + e.Message)
	case executor.EventInFlight:
		b.WriteString(" in flight — will resume")
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
	case executor.EventUncertain:
		b.WriteString(" uncertain: may have been bought; not sent again")
	case executor.EventSlotWait:
		b.WriteString(" waiting for a generation slot")
	case executor.EventForgotten:
		b.WriteString(" forgotten")
	case executor.EventRunStop:
		return "no new creates: " + e.Message
	default:
		return ""
	}
	if e.RequestID != "" && !strings.Contains(b.String(), e.RequestID) {
		fmt.Fprintf(&b, " (%s)", e.RequestID)
	}
	return b.String()
}

// jsonLinesProgress writes each event as one JSON line of the envelope.
type jsonLinesProgress struct{ v *view }

func (p *jsonLinesProgress) Event(e executor.Event) {
	_ = p.v.jsonLine(jsonEventLine{
		jsonEnvelope: envelope("event"),
		Time:         e.Time, Kind: string(e.Kind), Address: e.Address, TaskID: e.TaskID, RequestID: e.RequestID,
		Attempt: e.Attempt, Progress: e.Progress, ErrorCode: e.ErrorCode, Message: e.Message,
		Total: e.Total, Output: e.Output,
	})
}

func (p *jsonLinesProgress) Interrupted() {
	_ = p.v.jsonLine(jsonMessageLine{envelope("interrupt"), interruptMessage})
}

func (p *jsonLinesProgress) Close() {}

// barProgress draws one bar for the whole run (done videos only: a failure
// is not progress) with elapsed time, ETA and cost so far, and one bar per
// video in flight; a line per finished or failed video is printed above.
type barProgress struct {
	mu     sync.Mutex
	v      *view
	stats  *runStats
	p      *mpb.Progress
	total  *mpb.Bar
	videos map[string]*mpb.Bar
	closed bool
}

func newBarProgress(v *view, stats *runStats) *barProgress {
	return &barProgress{
		v: v, stats: stats,
		p:      mpb.New(mpb.WithConsoleWriter(barConsole(v.s.Out)), mpb.WithWidth(barWidth(v.s.Width)), mpb.WithRefreshRate(150*time.Millisecond)),
		videos: map[string]*mpb.Bar{},
	}
}

// barConsole is mpb's own terminal writer, each frame starting at the start
// of its line: the terminal's echo of ^C moves the cursor, and a frame's
// "cursor up" keeps the column, which left the first letters of the run's
// bar on the screen before the lines that followed (interrupt_pty_test.go).
func barConsole(out io.Writer) mpb.ConsoleWriter {
	cw := cupwriter.New(lineStartWriter{out}, true)
	if f, ok := out.(*os.File); ok {
		cw.SetTermFd(int(f.Fd())) // the terminal's size, as mpb would read it
	}
	return cw
}

// lineStartWriter writes a carriage return before each write, in the same
// write.
type lineStartWriter struct{ w io.Writer }

func (l lineStartWriter) Write(p []byte) (int, error) {
	if _, err := l.w.Write(append([]byte{'\r'}, p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// barWidth leaves room on the line for the name and the figures.
func barWidth(width int) int { return min(max(width-70, 10), 40) }

// nameWidth is the longest video name a bar shows.
func (p *barProgress) nameWidth() int { return max(p.v.s.Width-barWidth(p.v.s.Width)-10, 8) }

func (p *barProgress) Event(e executor.Event) {
	took := p.stats.observe(e)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	out := p.v.out()
	switch e.Kind {
	case executor.EventStart:
		p.total = p.p.AddBar(int64(max(p.stats.work, 1)), mpb.BarPriority(-1),
			mpb.PrependDecorators(decor.Name("videos", decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
				return truncate(p.stats.summary(), max(p.v.s.Width-barWidth(p.v.s.Width)-10, 10))
			})))
	case executor.EventCreated, executor.EventProgress:
		bar := p.video(e.Address)
		if e.Progress != nil {
			bar.SetCurrent(int64(*e.Progress))
		}
	case executor.EventCompleted:
		p.video(e.Address).SetCurrent(100)
	case executor.EventDownloaded:
		p.above(out.green(fmt.Sprintf("%s: downloaded after %s", e.Address, shortDuration(took))))
		p.finish(e.Address, true)
	case executor.EventFetched, executor.EventStored:
		p.above(out.green(eventLine(e)))
		p.finish(e.Address, true)
	case executor.EventFailed:
		p.above(out.red(e.Address + ": " + strings.TrimPrefix(eventLine(e), e.Address+" ")))
		p.finish(e.Address, false)
	case executor.EventRetry, executor.EventRunStop, executor.EventSlotWait:
		p.above(out.yellow(eventLine(e)))
	case executor.EventUncertain, executor.EventSkipped:
		p.above(out.yellow(eventLine(e)))
		p.finish(e.Address, false)
	case executor.EventInFlight, executor.EventForgotten:
		// A video left in flight is listed once, by the results that
		// follow at once with its task and why it stopped.
		p.finish(e.Address, false)
	}
}

// above prints a line over the bars, cut to the width.
func (p *barProgress) above(line string) {
	for _, l := range wrapLine(line, p.v.s.Width, "    ") {
		fmt.Fprintln(p.p, l)
	}
}

func (p *barProgress) Interrupted() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.above(p.v.out().paint(ansiBold+ansiYellow, interruptMessage))
	}
}

// video returns the address's bar, adding it on first sight.
func (p *barProgress) video(addr string) *mpb.Bar {
	bar := p.videos[addr]
	if bar == nil {
		bar = p.p.AddBar(100, mpb.BarRemoveOnComplete(),
			mpb.PrependDecorators(decor.Name(truncate(addr, p.nameWidth()), decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.Percentage()))
		p.videos[addr] = bar
	}
	return bar
}

// finish drops a video's bar; only a video done moves the run's bar.
func (p *barProgress) finish(addr string, done bool) {
	if bar := p.videos[addr]; bar != nil {
		bar.Abort(true)
		delete(p.videos, addr)
	}
	if done && p.total != nil {
		p.total.Increment()
	}
}

// Close ends every bar and waits for the last frame, so that nothing is
// drawn over the results table.
func (p *barProgress) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	for addr, bar := range p.videos {
		bar.Abort(true)
		delete(p.videos, addr)
	}
	if p.total != nil && !p.total.Completed() {
		p.total.Abort(false)
	}
	p.mu.Unlock()
	p.p.Wait()
}

// truncate cuts s to width columns, marking the cut with "…".
func truncate(s string, width int) string {
	if textWidth(s) <= width || width < 2 {
		return s
	}
	w := 0
	for i, r := range s {
		if w += runewidth.RuneWidth(r); w > width-1 {
			return s[:i] + "…"
		}
	}
	return s
}
