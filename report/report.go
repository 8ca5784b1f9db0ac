// Package report renders one self-contained HTML page of a run, or of the
// whole state: a header of the run's figures and a card per video with its
// player, prompt and provenance. The page needs no network: its CSS and
// script are inline and its videos are the downloaded files, by paths
// relative to the page.
//
// Run records and state entries gain fields over time (provider, cost unit,
// the request that made each video). The report reads them loosely, by JSON
// name, so that a field shows as soon as the record carries it and an absent
// one is simply left out.
package report

import (
	"encoding/json"
	"fmt"
	"github.com/ltxform/ltxform/internal/money"
	"github.com/ltxform/ltxform/internal/textdiff"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ltxform/ltxform/media"
	"github.com/ltxform/ltxform/state"
)

// Input is what a report is made of.
type Input struct {
	// Run is the run to show; nil shows every entry of State.
	Run *state.Run
	// State gives each video what the run record lacks (prompt, duration,
	// resolution, output path). May be nil for a run report.
	State *state.State
	// ManifestDir is where outputs are relative to.
	ManifestDir string
	// OutputFile is where the page will be written: video paths are made
	// relative to its directory.
	OutputFile string
	// Generated is the time printed in the footer.
	Generated time.Time
	// Requests are, by address, the requests known to have made the videos
	// (any value that marshals to the create body's JSON), for records that
	// do not carry their request. The caller vouches for them (the manifest's
	// request whose hash is the entry's input hash).
	Requests map[string]any
	// StoredURLs are, by output path (relative to ManifestDir), where a
	// video that is not on this disk plays from storage: a presigned or
	// public URL.
	StoredURLs map[string]string
}

// Page is the report's content, ready for the template.
type Page struct {
	Title        string
	Scope        string // "Run 20261125T221500Z-3fa9c1" or "State"
	Generated    string
	Counts       []Count
	Completed    int
	Failed       int
	Unchanged    int
	Total        int
	CostEstimate string
	CostConsumed string
	Duration     string
	Started      string
	Provider     string
	Endpoint     string
	ManifestHash string
	Message      string
	ExitCode     string
	Statuses     []string // the statuses present, for the filter
	Cards        []Card
}

// Count is one status and how many videos have it.
type Count struct {
	Status string
	N      int
}

// Card is one video.
type Card struct {
	Address      string
	Status       string
	Prompt       string
	Mode         string
	Duration     string
	Resolution   string
	AspectRatio  string
	Model        string
	Cost         string
	CostEstimate string
	Attempts     int
	TaskID       string
	RequestID    string
	Output       string // as recorded, relative to the manifest directory
	VideoSrc     string // relative URL from the page to the file; "" = no player
	Missing      bool   // an output was recorded but the file is not there
	Portrait     bool
	ErrorCode    string
	ErrorMessage string
	Suggestion   string
	Takes        []Take
	Lazy         bool // load the video when its card scrolls into view
	// PromptDiff marks the words the run changed when it replaced the
	// video's prompt; empty otherwise.
	PromptDiff []textdiff.Op
	// Ordered and Delivered: what the file was ordered as (when it arrived
	// otherwise) and what it holds, measured at its download.
	Ordered, Delivered string
}

// Take is an earlier take of a video, kept when a newer one replaced it.
type Take struct {
	Label string
	Src   string
}

// eagerVideos cards get their video's src in the HTML; later ones load as
// they scroll into view, so that a page of 1,000 videos does not open 1,000
// files at once.
const eagerVideos = 48

// Build collects the page's content from in.
func Build(in Input) (*Page, error) {
	return build(in, in.Run)
}

// build reads the run's fields from record, in.Run as JSON, so that fields
// added to the record after this code was written still reach the page.
func build(in Input, record any) (*Page, error) {
	p := &Page{Generated: in.Generated.UTC().Format(time.RFC3339)}
	if in.Generated.IsZero() {
		p.Generated = time.Now().UTC().Format(time.RFC3339)
	}
	entries := map[string]fields{}
	if in.State != nil {
		for addr, e := range in.State.Entries {
			entries[addr] = loose(e)
		}
	}
	pageDir, err := filepath.Abs(filepath.Dir(in.OutputFile))
	if err != nil {
		return nil, err
	}
	manifestDir, err := filepath.Abs(in.ManifestDir)
	if err != nil {
		return nil, err
	}
	rel := pathResolver{pageDir: pageDir, manifestDir: manifestDir, stored: in.StoredURLs}

	var unit string
	var est, used float64
	var estSum, usedSum money.Amount // the state's entries, summed exactly
	if in.Run != nil {
		run := loose(record)
		unit = run.str("cost_unit", "unit", "currency")
		if cost := fields(asMap(run["cost"])); unit == "" && cost != nil {
			unit = cost.str("unit")
		}
		p.Scope = "Run " + in.Run.ID
		p.Started = timeText(in.Run.Started)
		if !in.Run.Finished.IsZero() && !in.Run.Started.IsZero() && !in.Run.Finished.Before(in.Run.Started) {
			p.Duration = durationText(in.Run.Finished.Sub(in.Run.Started))
		}
		p.Provider = run.str("provider")
		p.Endpoint = run.str("endpoint", "base_url")
		p.ManifestHash = run.str("manifest_hash", "manifest_digest", "manifest_sha256")
		p.Message = in.Run.Message
		p.ExitCode = strconv.Itoa(in.Run.ExitCode)
		est, used = in.Run.CostEstimated, in.Run.CostConsumed
		results, _ := run["results"].([]any)
		for _, r := range results {
			res := fields(asMap(r))
			addr := res.str("address")
			p.Cards = append(p.Cards, card(res, entries[addr], looseOrNil(in.Requests[addr]), unit, rel))
		}
	} else {
		p.Scope = "State"
		var providers, endpoints []string
		for _, e := range sortedEntries(in.State) {
			f := loose(e)
			if unit == "" {
				unit = f.str("cost_unit", "unit", "currency")
			}
			providers = append(providers, f.str("provider"))
			endpoints = append(endpoints, f.str("endpoint", "base_url"))
			estSum += money.FromFloat(e.CostEstimated)
			usedSum += money.FromFloat(e.CostConsumed)
			p.Cards = append(p.Cards, card(nil, f, looseOrNil(in.Requests[e.Address]), unit, rel))
		}
		p.Provider, p.Endpoint = same(providers), same(endpoints)
		est, used = estSum.Float(), usedSum.Float()
	}
	p.Title = "ltxform report: " + p.Scope
	p.CostEstimate = costText(est, unit)
	p.CostConsumed = costText(used, unit)

	players := 0
	for i := range p.Cards {
		if p.Cards[i].VideoSrc != "" {
			p.Cards[i].Lazy = players >= eagerVideos
			players++
		}
	}
	counts := map[string]int{}
	for _, c := range p.Cards {
		counts[c.Status]++
	}
	p.Completed, p.Failed, p.Unchanged, p.Total = counts["completed"], counts["failed"], counts["unchanged"], len(p.Cards)
	for _, s := range statusOrder(counts) {
		p.Counts = append(p.Counts, Count{s, counts[s]})
		p.Statuses = append(p.Statuses, s)
	}
	return p, nil
}

// card merges a run result (nil for a state report) with the state entry of
// the same address; the result wins where both have a field.
func card(res, entry, known fields, unit string, rel pathResolver) Card {
	both := []fields{res, entry}
	first := func(keys ...string) string {
		for _, f := range both {
			if s := f.str(keys...); s != "" {
				return s
			}
		}
		return ""
	}
	request := func(keys ...string) string {
		for _, f := range both {
			if s := f.obj("request", "create_request").str(keys...); s != "" {
				return s
			}
		}
		if s := first(keys...); s != "" {
			return s
		}
		return known.str(keys...)
	}
	c := Card{
		Address:      first("address"),
		Status:       first("status"),
		Prompt:       request("prompt"),
		Mode:         request("mode"),
		Resolution:   request("resolution"),
		AspectRatio:  request("aspect_ratio"),
		Model:        request("model"),
		TaskID:       first("task_id"),
		RequestID:    first("request_id"),
		Output:       first("output"),
		ErrorCode:    first("error_code"),
		ErrorMessage: first("error_message"),
		Suggestion:   first("suggestion"),
	}
	if res == nil {
		// A state entry's "completed" means the file is still to download.
		switch state.Status(c.Status) {
		case state.StatusDownloaded:
			c.Status = "completed"
		case state.StatusCompleted:
			c.Status = "not downloaded"
		}
	}
	if c.Status == "" {
		c.Status = "unknown"
	}
	if res != nil {
		if old := res.obj("before").str("prompt"); old != "" && c.Prompt != "" && old != c.Prompt {
			c.PromptDiff = textdiff.Words(old, c.Prompt)
		}
	}
	if d := request("duration"); d != "" {
		c.Duration = d + " s"
	}
	c.Portrait = c.AspectRatio == "9:16"
	costUnit := unit
	if costUnit == "" {
		costUnit = first("cost_unit", "unit", "currency")
	}
	for _, f := range both {
		if f == nil {
			continue
		}
		if v, ok := f.num("credits_consumed", "cost_consumed"); ok && c.Cost == "" {
			c.Cost = costText(v, costUnit)
		}
		if v, ok := f.num("credits_estimated", "cost_estimated"); ok && c.CostEstimate == "" {
			c.CostEstimate = costText(v, costUnit)
		}
		if n, ok := f.num("attempts"); ok && c.Attempts == 0 {
			c.Attempts = int(n)
		}
	}
	c.Ordered, c.Delivered = deliveryText(entry)
	if c.Output != "" && (c.Status != "failed" || c.ErrorCode == state.CodeDeliveryMismatch) {
		c.VideoSrc, c.Missing = rel.src(c.Output)
		if c.Missing {
			c.VideoSrc = ""
		}
	}
	for _, f := range both {
		takes, _ := f["takes"].([]any)
		for i, t := range takes {
			tf := fields(asMap(t))
			out := tf.str("output", "path", "file")
			if out == "" {
				continue
			}
			label := tf.str("task_id", "created_at", "replaced_at")
			if label == "" {
				label = "take " + strconv.Itoa(i+1)
			}
			if src, missing := rel.src(out); !missing {
				c.Takes = append(c.Takes, Take{Label: label, Src: src})
			}
		}
	}
	return c
}

// deliveryText is what an entry's file was ordered as, when it arrived
// otherwise, and what it holds.
func deliveryText(entry fields) (ordered, delivered string) {
	var d struct {
		Media    *media.Info     `json:"media"`
		Mismatch *state.Mismatch `json:"mismatch"`
	}
	if entry == nil {
		return "", ""
	}
	if b, err := json.Marshal(map[string]any(entry)); err != nil || json.Unmarshal(b, &d) != nil {
		return "", ""
	}
	if d.Media != nil {
		delivered = d.Media.String()
	}
	if m := d.Mismatch; m != nil {
		ordered = m.Ordered.String()
		if !m.AcceptedAt.IsZero() {
			ordered += " (accepted as delivered)"
		}
	}
	return ordered, delivered
}

// pathResolver turns an output path (relative to the manifest directory)
// into a URL relative to the page.
type pathResolver struct {
	pageDir, manifestDir string
	stored               map[string]string // output path → URL in storage
}

// src is the page-relative path of the local file, or its URL in storage
// when the file is not on this disk.
func (r pathResolver) src(output string) (src string, missing bool) {
	src, missing = r.local(output)
	if u := r.stored[output]; missing && u != "" {
		return u, false
	}
	return src, missing
}

func (r pathResolver) local(output string) (src string, missing bool) {
	abs := output
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(r.manifestDir, filepath.FromSlash(output))
	}
	_, err := os.Stat(abs)
	relPath, rerr := filepath.Rel(r.pageDir, abs)
	if rerr != nil {
		return "", true
	}
	segs := strings.Split(filepath.ToSlash(relPath), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	src = strings.Join(segs, "/")
	if strings.Contains(segs[0], ":") {
		// "take:1.mp4" would read as a URL scheme, which the page's
		// escaper refuses: "./" keeps it a relative path.
		src = "./" + src
	}
	return src, err != nil
}

// fields is a record read by JSON name, so that new fields need no code here.
type fields map[string]any

func loose(v any) fields {
	data, err := json.Marshal(v)
	if err != nil {
		return fields{}
	}
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return fields{}
	}
	return m
}

func looseOrNil(v any) fields {
	if v == nil {
		return nil
	}
	return loose(v)
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// str is the first of keys that holds a non-empty string or a number.
func (f fields) str(keys ...string) string {
	for _, k := range keys {
		switch v := f[k].(type) {
		case string:
			if v != "" {
				return v
			}
		case float64:
			if v != 0 {
				return strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	}
	return ""
}

func (f fields) num(keys ...string) (float64, bool) {
	for _, k := range keys {
		if v, ok := f[k].(float64); ok {
			return v, true
		}
	}
	return 0, false
}

func (f fields) obj(keys ...string) fields {
	for _, k := range keys {
		if m, ok := f[k].(map[string]any); ok {
			return m
		}
	}
	return nil
}

func sortedEntries(s *state.State) []*state.Entry {
	if s == nil {
		return nil
	}
	return s.Sorted()
}

// same is the one value all of vs share, or "" when they differ.
func same(vs []string) string {
	out := ""
	for _, v := range vs {
		if v == "" {
			continue
		}
		if out != "" && v != out {
			return ""
		}
		out = v
	}
	return out
}

// costText is an amount in its unit: US dollars when the record says so,
// credits otherwise.
func costText(v float64, unit string) string {
	switch strings.ToLower(unit) {
	case "usd", "dollar", "dollars", "$":
		return fmt.Sprintf("$%.2f", v)
	}
	v = math.Round(v*100) / 100
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if s == "1" {
		return "1 credit"
	}
	return s + " credits"
}

func durationText(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// statusOrder puts the outcomes people look for first, then any other.
func statusOrder(counts map[string]int) []string {
	known := []string{"completed", "failed", "uncertain", "skipped", "unchanged", "forgotten", "not downloaded", "created", "pending"}
	var out []string
	seen := map[string]bool{}
	for _, s := range known {
		seen[s] = true
		if counts[s] > 0 {
			out = append(out, s)
		}
	}
	var other []string
	for s, n := range counts {
		if !seen[s] && n > 0 {
			other = append(other, s)
		}
	}
	sort.Strings(other)
	return append(out, other...)
}
