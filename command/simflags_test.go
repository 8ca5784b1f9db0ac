package command

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/sim"
)

func TestSimOptionsFromArgs(t *testing.T) {
	tests := []struct {
		args string
		want sim.Options
	}{
		{"", sim.Options{TimeScale: 1}},
		{"-key a,b -key c -expired-key old", sim.Options{Keys: []string{"a", "b", "c"}, ExpiredKeys: []string{"old"}, TimeScale: 1}},
		{"-credits 250 -plan-quota 3", sim.Options{Credits: 250, PlanQuota: 3, TimeScale: 1}},
		{"-rate-limit 2.5 -rate-burst 4", sim.Options{RateLimit: 2.5, RateBurst: 4, TimeScale: 1}},
		{"-latency 1500ms -time-scale 0.01", sim.Options{Latency: 1500 * time.Millisecond, TimeScale: 0.01}},
		{"-realistic -seed 9", sim.Options{RealisticLatency: true, Seed: 9, TimeScale: 1}},
		{"-envelope", sim.Options{Envelope: true, TimeScale: 1}},
		{"-provider lightricks -max-concurrent-generations 3 -retention 2h", sim.Options{TimeScale: 1,
			Provider: "lightricks", MaxConcurrentGenerations: 3, Retention: 2 * time.Hour}},
		{"-provider ltx2api -max-concurrent-generations -1 -retention -1ns", sim.Options{TimeScale: 1,
			Provider: "ltx2api", MaxConcurrentGenerations: -1, Retention: -1}},
		{"-ignore-idempotency-key -echo-key -unreadable-answer huge", sim.Options{TimeScale: 1,
			IgnoreIdempotencyKey: true, EchoKey: true, UnreadableAnswer: sim.UnreadableHuge}},
		{"-fault hang=0.1 -fault unreadable_answer=0.2 -rule x:reset_after_commit:1 -rule y:html_download -rule z:overloaded", sim.Options{TimeScale: 1,
			FaultRates: map[sim.Fault]float64{sim.FaultHang: 0.1, sim.FaultUnreadableAnswer: 0.2},
			Rules: []sim.Rule{
				{PromptContains: "x", Fault: sim.FaultResetAfterCommit, Times: 1},
				{PromptContains: "y", Fault: sim.FaultHTMLDownload},
				{PromptContains: "z", Fault: sim.FaultOverloaded},
			}}},
		{"-fault generation_failed=0.1 -fault unavailable=1", sim.Options{TimeScale: 1,
			FaultRates: map[sim.Fault]float64{sim.FaultGenerationFailed: 0.1, sim.FaultUnavailable: 1}}},
		{"-rule CONTENT:content_policy:1 -rule lost:lose_task -rule a:b:timeout:2 -rule :server_error", sim.Options{TimeScale: 1, Rules: []sim.Rule{
			{PromptContains: "CONTENT", Fault: sim.FaultContentPolicy, Times: 1},
			{PromptContains: "lost", Fault: sim.FaultLoseTask},
			{PromptContains: "a:b", Fault: sim.FaultTimeout, Times: 2},
			{PromptContains: "", Fault: sim.FaultServerError},
		}}},
		{"-unreachable-image-host down.example -large-image-host big.example,huge.example", sim.Options{TimeScale: 1,
			UnreachableImageHosts: []string{"down.example"}, LargeImageHosts: []string{"big.example", "huge.example"}}},
	}
	for _, tt := range tests {
		got, err := SimOptionsFromArgs(strings.Fields(tt.args))
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.args, got, tt.want)
		}
	}
}

func TestSimOptionsFromArgsRefusesBadKnobs(t *testing.T) {
	for _, args := range []string{
		"-fault explode=0.1",
		"-fault timeout",
		"-fault timeout=2",
		"-fault timeout=x",
		"-rule nofault",
		"-rule prompt:explode",
		"-rule prompt:timeout:-1",
		"-time-scale 0",
		"-provider openai",
		"-unreadable-answer xml",
		"-retention soon",
		"-latency soon",
		"-no-such-flag",
		"stray",
	} {
		if _, err := SimOptionsFromArgs(strings.Fields(args)); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}
