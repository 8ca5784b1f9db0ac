package command

import (
	"strings"
	"testing"

	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

func TestVideosAwaitingADecision(t *testing.T) {
	p := &plan.Plan{Changes: []plan.Change{
		{Address: "video.a", Action: plan.ActionUncertain},
		{Address: "video.b", Action: plan.ActionParked, Prior: &state.Entry{Address: "video.b"}},
		{Address: "video.c", Action: plan.ActionNoOp, Prior: &state.Entry{Address: "video.c", Resolution: "720p"}},
	}}
	ds := awaitingDecision(p)
	if len(ds) != 1 || ds[0].Address != "video.a" || !strings.Contains(ds[0].Line, "ltxform apply -retry-uncertain") {
		t.Fatalf("decisions %+v: want video.a only (a parked refusal waits on the manifest)", ds)
	}

	// A video delivered unlike its order waits on a decision too: accept
	// it, or order it again.
	p.Changes[2] = plan.Change{Address: "video.c", Action: plan.ActionMismatch, Prior: &state.Entry{Address: "video.c",
		Mismatch: &state.Mismatch{Differences: []string{"1280x720 delivered, 1920x1080 ordered"}, RequestID: "req_9"}}}
	ds = awaitingDecision(p)
	if len(ds) != 2 || ds[1].Address != "video.c" || !strings.Contains(ds[1].Line, "1280x720 delivered, 1920x1080 ordered, request_id req_9") ||
		!strings.Contains(ds[1].Line, "ltxform accept video.c") || !strings.Contains(ds[1].Line, "-replace video.c") {
		t.Errorf("decisions %+v", ds)
	}
}
