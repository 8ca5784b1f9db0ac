package command

import (
	"fmt"

	"github.com/ltxform/ltxform/state"
)

// reportWritten says where a report went, and of what: report's last line,
// and apply -report's.
func (v *view) reportWritten(run *state.Run, videos int, file string) {
	v.println(fmt.Sprintf("Wrote the report of %s (%s) to %s.", reportSubject(run), plural(videos, "video", "videos"), file))
}

// reportSubject is what a report shows: a run, or the whole state.
func reportSubject(run *state.Run) string {
	if run == nil {
		return "the state"
	}
	return "run " + run.ID
}
