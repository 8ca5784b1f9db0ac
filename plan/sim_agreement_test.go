package plan

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/sim"
)

// The limits and the simulator say the same on every provider: each model ×
// resolution × fps × duration is accepted by both or refused by both, so
// that a plan never prices what the service refuses, nor refuses what it
// makes (issue 18, finding 20: ltx-2-3-pro at 720p).
func TestLimitsAndSimulatorAgree(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range ltx.Providers() {
		t.Run(p.Name, func(t *testing.T) {
			srv := httptest.NewServer(sim.New(sim.Options{Provider: p.Name, Keys: []string{"agreement-test-key"}, MaxConcurrentGenerations: -1, Now: func() time.Time { return now }}))
			t.Cleanup(srv.Close)
			client := ltx.NewClient(ltx.Options{Provider: p, BaseURL: srv.URL, Key: ltx.NewKey("agreement-test-key"), HTTPClient: srv.Client()})
			models := []string{""}
			if p.Capabilities.Takes("model") {
				models = models[:0]
				for _, m := range p.Limits.Models {
					models = append(models, m.Name)
				}
			}
			fpsValues := []int{0}
			if p.Capabilities.Takes("fps") {
				fpsValues = append(fpsValues, p.Limits.FPS...)
			}
			walked := 0
			for _, model := range models {
				for _, res := range p.Limits.Resolutions {
					for _, fps := range fpsValues {
						for d := 1; d <= 25; d++ {
							walked++
							name := fmt.Sprintf("walk%d", walked)
							v := video(name, "", fmt.Sprintf("%s %s %d fps %d s", model, res, fps, d), float64(d), res)
							v.Model, v.FPS = model, fps
							planned := len(errorsOf(CheckLimits(withAPIDefaults(manifest("", v), p), p, now))) == 0
							_, err := client.Create(context.Background(), requestFor(withAPIDefaults(manifest("", v), p)[0], p), "")
							var apiErr *ltx.APIError
							if err != nil && !errors.As(err, &apiErr) {
								t.Fatalf("%s: %v", v.Prompt, err)
							}
							if made := err == nil; planned != made {
								t.Errorf("model %q at %s, %d fps, %d s: the limits accept it: %v; the simulator makes it: %v (%v)", model, res, fps, d, planned, made, err)
							}
						}
					}
				}
			}
			t.Logf("%d combinations walked", walked)
		})
	}
}
