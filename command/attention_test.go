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

	// The delivery check's hook: a video delivered unlike its order waits
	// on a decision too.
	defer func(f func(*state.Entry) string) { deliveredUnlikeOrder = f }(deliveredUnlikeOrder)
	deliveredUnlikeOrder = func(e *state.Entry) string {
		if e.Resolution == "720p" {
			return "720p delivered, 1080p ordered"
		}
		return ""
	}
	ds = awaitingDecision(p)
	if len(ds) != 2 || ds[1].Address != "video.c" || !strings.Contains(ds[1].Line, "720p delivered, 1080p ordered") || !strings.Contains(ds[1].Line, "-replace video.c") {
		t.Errorf("decisions %+v", ds)
	}
}
