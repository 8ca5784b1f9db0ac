package command

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// stateView is the output of state list, state show, state rm and show of
// a directory: tables and sentences, or under -json one document on stdout
// (jsonStateList, jsonStateShow, jsonStateRemoved).
type stateView struct{ documentView }

func newStateView(env *Env, jsonOut bool) *stateView {
	return &stateView{newDocumentView(env, jsonOut)}
}

// List prints the addresses the state holds, with their status and file.
func (v *stateView) List(st *state.State, exists bool) error {
	if v.document {
		out := jsonStateList{FormatVersion: uiFormatVersion, Exists: exists, Serial: st.Serial, Lineage: st.Lineage, Entries: []jsonStateListItem{}}
		for _, e := range st.Sorted() {
			out.Entries = append(out.Entries, jsonStateListItem{e.Address, string(e.Status), e.Output})
		}
		return writeJSON(v.s.Out, out)
	}
	if !exists {
		v.println(noStateMessage)
		return nil
	}
	entries := st.Sorted()
	if len(entries) == 0 {
		v.println("The state is empty.")
		return nil
	}
	rows := make([][]string, 0, len(entries))
	for _, e := range entries {
		rows = append(rows, []string{e.Address, string(e.Status), e.Output})
	}
	return renderTable(v.s.Out, []string{"address", "status", "output"}, rows)
}

// Show prints one video's record, attribute by attribute.
func (v *stateView) Show(e *state.Entry) error {
	if v.document {
		return writeJSON(v.s.Out, jsonStateShow{uiFormatVersion, entryJSON(e)})
	}
	rows := [][]string{
		{"address", e.Address},
		{"status", string(e.Status)},
		{"mode", e.Mode},
		{"task_id", e.TaskID},
		{"request_id", e.RequestID},
		{"attempts", strconv.Itoa(e.Attempts)},
		{"duration", stateSeconds(e.Duration)},
		{"resolution", e.Resolution},
		{"credits_estimated", plan.FormatCredits(e.CostEstimated)},
		{"credits_consumed", plan.FormatCredits(e.CostConsumed)},
		{"output", e.Output},
		{"sha256", e.SHA256},
		{"bytes", stateBytes(e.Bytes)},
		{"input_hash", e.InputHash},
		{"idempotency_key", e.IdempotencyKey},
		{"video_url", e.VideoURL},
		{"error_code", e.ErrorCode},
		{"error_message", e.ErrorMessage},
		{"created_at", stateTime(e.CreatedAt)},
		{"updated_at", stateTime(e.UpdatedAt)},
		{"completed_at", stateTime(e.CompletedAt)},
	}
	rows = append(rows, entryDetailRows(e)...)
	return renderTable(v.s.Out, []string{"attribute", "value"}, rows)
}

// entryDetailRows are the rows of what only some records hold: the
// provider, the task's addresses, how the file differs from the order, the
// request, the takes kept aside.
func entryDetailRows(e *state.Entry) [][]string {
	var rows [][]string
	if e.Provider != "" {
		rows = append(rows, []string{"provider", e.Provider}, []string{"endpoint", e.Endpoint})
	}
	for _, u := range [][2]string{{"status", e.TaskURLs.Status}, {"result", e.TaskURLs.Result}, {"cancel", e.TaskURLs.Cancel}} {
		if u[1] != "" {
			rows = append(rows, []string{"task_urls." + u[0], u[1]})
		}
	}
	if e.Simulated {
		rows = append(rows, []string{"simulated", "true (made by apply -simulate)"})
	}
	if e.RequestSource != "" {
		rows = append(rows, []string{"request_source", e.RequestSource})
	}
	if e.Media != nil {
		rows = append(rows, []string{"media", e.Media.String()})
	}
	if m := e.Mismatch; m != nil {
		rows = append(rows, []string{"ordered", m.Ordered.String()})
		if !m.AcceptedAt.IsZero() {
			rows = append(rows, []string{"accepted_at", stateTime(m.AcceptedAt) + " (delivered unlike the order: " + strings.Join(m.Differences, "; ") + ")"})
		}
	}
	if e.Request != nil {
		// The request that made the file: which prompt made out/hero.mp4.
		for _, a := range plan.RequestAttributes(*e.Request) {
			rows = append(rows, []string{"request." + a[0], a[1]})
		}
	}
	for i, t := range e.Takes {
		rows = append(rows, []string{fmt.Sprintf("take[%d]", i), fmt.Sprintf("%s (task %s, kept %s: %s)", t.Path, t.TaskID, stateTime(t.KeptAt), t.Reason)})
	}
	return rows
}

// Removed tells what state rm removed, each with the command that takes it
// back.
func (v *stateView) Removed(es []*state.Entry) error {
	if v.document {
		addrs := make([]string, 0, len(es))
		for _, e := range es {
			addrs = append(addrs, e.Address)
		}
		return writeJSON(v.s.Out, jsonStateRemoved{uiFormatVersion, addrs})
	}
	for _, e := range es {
		v.removedEntry(e)
	}
	v.println(fmt.Sprintf("Removed %s.", plural(len(es), "address", "addresses")))
	return nil
}

// removedEntry is one address state rm removed, and how to undo it.
func (v *stateView) removedEntry(e *state.Entry) {
	if e.Output != "" {
		v.println(fmt.Sprintf("Removed %s from the state; its file %s stays.", e.Address, e.Output))
	} else {
		v.println(fmt.Sprintf("Removed %s from the state.", e.Address))
	}
	if undo := undoRemove(e); undo != "" {
		v.printWrapped("  To undo: "+undo, "    ")
	}
}

// undoRemove is the import command that takes a removed entry back
// without buying it again: its downloaded file as it is, else its task.
func undoRemove(e *state.Entry) string {
	addr := shellQuote(e.Address)
	var ways []string
	if e.Status == state.StatusDownloaded && e.Output != "" {
		ways = append(ways, fmt.Sprintf("ltxform import %s -file %s", addr, e.Output))
	}
	if e.TaskID != "" {
		ways = append(ways, fmt.Sprintf("ltxform import %s %s", addr, e.TaskID))
	}
	return strings.Join(ways, "  (or, to fetch the task again: ") + strings.Repeat(")", max(len(ways)-1, 0))
}

func stateSeconds(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n) + "s"
}

func stateBytes(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}
