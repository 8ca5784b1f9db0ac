package command

import (
	"errors"
	"fmt"
	"time"

	"github.com/ltxform/ltxform/state"
)

// logTime is how apply's log writes a time: ISO 8601 in UTC, so that the
// lines of a night's log sort and compare across hosts and time zones.
func logTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Opening is apply's first line: the run's id and when it began.
func (v *applyView) Opening(runID string, at time.Time) {
	if v.json {
		return
	}
	v.println(fmt.Sprintf("ltxform apply: run %s started %s", runID, logTime(at)))
}

// Closing is apply's last line: the run's id, when it ended, its exit
// status, and whether `ltxform runs` keeps it.
func (v *applyView) Closing(runID string, at time.Time, exit int, recorded bool) {
	if v.json {
		return
	}
	line := fmt.Sprintf("ltxform apply: run %s ended %s, exit %d", runID, logTime(at), exit)
	if !recorded {
		line += " (nothing sent: not kept in ltxform runs)"
	}
	v.println(line)
}

// ReportWritten says where apply -report wrote the page, and of what.
func (v *applyView) ReportWritten(run *state.Run, videos int, file string) {
	if v.json {
		_ = v.jsonLine(jsonMessageLine{envelope("report"), fmt.Sprintf("wrote the report of %s (%d videos) to %s", reportSubject(run), videos, file)})
		return
	}
	v.reportWritten(run, videos, file)
}

// ExitStatus is the exit status of a command's outcome: main's single
// switch, which apply's last line and its notifications name too.
func ExitStatus(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrPlanHasChanges):
		return 2
	case errors.Is(err, ErrFormatNeeded):
		return 3
	case errors.Is(err, ErrSomeVideosFailed):
		return ExitSomeVideosFailed
	}
	return ExitRunError
}
