package command

import (
	"errors"
	"testing"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
)

func TestAPIEndpointPrecedence(t *testing.T) {
	env := func(url string) *Env {
		return &Env{Getenv: func(k string) string {
			if k == envAPIURL {
				return url
			}
			return ""
		}}
	}
	manifest := plan.Settings{BaseURL: "https://manifest.example"}
	for _, tc := range []struct {
		name, flag, envURL string
		settings           plan.Settings
		want               string
	}{
		{"flag wins", "https://flag.example", "https://env.example", manifest, "https://flag.example"},
		{"then LTX_API_URL", "", "https://env.example", manifest, "https://env.example"},
		{"then the manifest", "", "", manifest, "https://manifest.example"},
		{"else the public API", "", "", plan.Settings{}, ltx.DefaultBaseURL},
	} {
		if got := apiEndpoint(env(tc.envURL), tc.settings, tc.flag); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestNewClientWithoutKeyFailsBeforeSending(t *testing.T) {
	env := &Env{Getenv: func(string) string { return "" }}
	if _, err := newClient(env, plan.Settings{}, ""); !errors.Is(err, ltx.ErrNoKey) {
		t.Errorf("err = %v, want ltx.ErrNoKey", err)
	}
}
