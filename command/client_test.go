package command

import (
	"errors"
	"testing"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
)

// TestAPIEndpointPrecedence: -endpoint, else LTX_API_URL, else the
// manifest's api.base_url, else the provider's public API.
func TestAPIEndpointPrecedence(t *testing.T) {
	env := func(url string) *Env {
		return &Env{Getenv: func(k string) string {
			if k == envAPIURL {
				return url
			}
			return ""
		}}
	}
	withBase := &config.Manifest{API: config.API{BaseURL: "https://manifest.example"}}
	lightricks := &config.Manifest{API: config.API{Provider: "lightricks"}}
	for _, tc := range []struct {
		name, flag, envURL string
		m                  *config.Manifest
		want               string
	}{
		{"flag wins", "https://flag.example", "https://env.example", withBase, "https://flag.example"},
		{"then LTX_API_URL", "", "https://env.example", withBase, "https://env.example"},
		{"then the manifest", "", "", withBase, "https://manifest.example"},
		{"else the public API", "", "", &config.Manifest{}, ltx.DefaultBaseURL},
		{"of the manifest's provider", "", "", lightricks, "https://api.ltx.video"},
	} {
		args := []string{}
		if tc.flag != "" {
			args = append(args, "-endpoint", tc.flag)
		}
		a, err := parseApply(args)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := plan.ProviderOf(tc.m)
		if got := plan.EndpointOf(tc.m, p, a.Plan.options(env(tc.envURL)).Endpoint); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestNewClientWithoutKeyFailsBeforeSending(t *testing.T) {
	env := &Env{Getenv: func(string) string { return "" }}
	if _, err := newClient(env, plan.Settings{Provider: ltx.DefaultProvider}, ""); !errors.Is(err, ltx.ErrNoKey) {
		t.Errorf("err = %v, want ltx.ErrNoKey", err)
	}
}

// TestLightricksKeyFromItsOwnVariable: that service's own clients read
// LTXV_API_KEY; ltxform does too, when LTX_API_KEY is unset.
func TestLightricksKeyFromItsOwnVariable(t *testing.T) {
	env := &Env{Getenv: func(k string) string {
		if k == "LTXV_API_KEY" {
			return "ltxv-key"
		}
		return ""
	}}
	if _, err := newClient(env, plan.Settings{Provider: "lightricks"}, ""); err != nil {
		t.Errorf("lightricks: %v, want the key from LTXV_API_KEY", err)
	}
	if _, err := newClient(env, plan.Settings{Provider: ltx.DefaultProvider}, ""); !errors.Is(err, ltx.ErrNoKey) {
		t.Errorf("ltx2api-v1: %v, want ltx.ErrNoKey (LTXV_API_KEY is lightricks' own)", err)
	}
}
