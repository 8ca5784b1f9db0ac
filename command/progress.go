package command

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/ltxform/ltxform/executor"
)

// progressSink is an executor.Sink that the command closes when the run is
// over, so that live bars stop drawing before the results table.
type progressSink interface {
	executor.Sink
	Close()
}

// newProgressSink picks the view of a run while it goes: JSON lines with
// -json, live bars on a terminal, else one plain line per event.
func newProgressSink(env *Env, jsonOut bool) progressSink {
	switch {
	case jsonOut:
		return &jsonLinesProgress{w: env.Stdout}
	case env.StdoutIsTerminal:
		return newBarProgress(env.Stdout)
	default:
		return &textProgress{w: env.Stdout}
	}
}

// textProgress writes one line per event, for logs and cron mail:
//
//	12:00:01 video.hero created task_abc (req_123)
type textProgress struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *textProgress) Event(e executor.Event) {
	line := eventLine(e)
	if line == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s %s\n", e.Time.Local().Format(time.TimeOnly), line)
}

func (p *textProgress) Close() {}

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
	case executor.EventForgotten:
		b.WriteString(" forgotten")
	case executor.EventRunStop:
		return "no new creates: " + e.Message
	default:
		return ""
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (%s)", e.RequestID)
	}
	return b.String()
}

// progressFormatVersion versions the JSON-lines events.
const progressFormatVersion = "1.0"

// jsonLinesProgress writes each event as one JSON line.
type jsonLinesProgress struct {
	mu sync.Mutex
	w  io.Writer
}

type jsonEvent struct {
	FormatVersion string `json:"format_version"`
	Type          string `json:"type"` // "event"
	executor.Event
}

func (p *jsonLinesProgress) Event(e executor.Event) {
	data, err := json.Marshal(jsonEvent{FormatVersion: progressFormatVersion, Type: "event", Event: e})
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.w.Write(append(data, '\n'))
}

func (p *jsonLinesProgress) Close() {}

// barProgress draws one bar for the whole run and one per video in flight,
// with the API's progress; failures and retries are printed above the bars.
type barProgress struct {
	mu     sync.Mutex
	p      *mpb.Progress
	total  *mpb.Bar
	videos map[string]*mpb.Bar
	closed bool
}

func newBarProgress(w io.Writer) *barProgress {
	return &barProgress{
		p:      mpb.New(mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithRefreshRate(150*time.Millisecond)),
		videos: map[string]*mpb.Bar{},
	}
}

func (p *barProgress) Event(e executor.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	switch e.Kind {
	case executor.EventStart:
		p.total = p.p.AddBar(int64(e.Total), mpb.BarPriority(-1),
			mpb.PrependDecorators(decor.Name("videos", decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.CountersNoUnit("%d / %d")))
	case executor.EventCreated, executor.EventProgress:
		bar := p.video(e.Address)
		if e.Progress != nil {
			bar.SetCurrent(int64(*e.Progress))
		}
	case executor.EventCompleted:
		p.video(e.Address).SetCurrent(100)
	case executor.EventFailed, executor.EventRetry, executor.EventRunStop:
		fmt.Fprintf(p.p, "%s %s\n", e.Time.Local().Format(time.TimeOnly), eventLine(e))
		if e.Kind == executor.EventFailed {
			p.finish(e.Address)
		}
	case executor.EventDownloaded, executor.EventSkipped, executor.EventUnchanged, executor.EventForgotten:
		p.finish(e.Address)
	}
}

// video returns the address's bar, adding it on first sight.
func (p *barProgress) video(addr string) *mpb.Bar {
	bar := p.videos[addr]
	if bar == nil {
		bar = p.p.AddBar(100, mpb.BarRemoveOnComplete(),
			mpb.PrependDecorators(decor.Name(addr, decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.Percentage()))
		p.videos[addr] = bar
	}
	return bar
}

// finish counts a video as done and drops its bar.
func (p *barProgress) finish(addr string) {
	if bar := p.videos[addr]; bar != nil {
		bar.Abort(true)
		delete(p.videos, addr)
	}
	if p.total != nil {
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
