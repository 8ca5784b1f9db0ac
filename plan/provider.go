package plan

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
)

// ProviderOf is the provider the manifest targets: api { provider }, else
// the default. An unknown name is an error at the attribute.
func ProviderOf(m *config.Manifest) (*ltx.Provider, hcl.Diagnostics) {
	p, ok := ltx.LookupProvider(m.API.Provider)
	if ok {
		return p, nil
	}
	r := m.API.Ranges["provider"]
	return ltx.MustProvider(ltx.DefaultProvider), hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unknown provider",
		Detail:   fmt.Sprintf("provider %q is not one ltxform speaks; use one of %s.", m.API.Provider, ltx.ProviderNames()),
		Subject:  rangePtr(r),
	}}
}

// SimulatedEndpoint is the endpoint recorded for tasks of apply -simulate.
const SimulatedEndpoint = "simulator"

// settingsFor is the api block with the provider's defaults filled in: what
// a saved plan carries so that `apply PLANFILE` needs nothing else.
func settingsFor(m *config.Manifest, p *ltx.Provider, opts Options) Settings {
	s := Settings{
		Provider:           p.Name,
		BaseURL:            m.API.BaseURL,
		Endpoint:           EndpointOf(m, p, opts.Endpoint),
		Simulated:          opts.Simulated,
		RequestsPerMinute:  m.API.RequestsPerMinute,
		Parallelism:        m.API.Parallelism,
		MaxAttempts:        m.API.MaxAttempts,
		MaxConcurrentTasks: p.Capabilities.MaxConcurrentTasks,
		TaskTimeoutSeconds: int64(p.Capabilities.DefaultTaskTimeout() / time.Second),
		// A guess never decides a purchase: an assumed key is not trusted
		// unless the manifest says so (ARCHITECTURE.md, "Money rules").
		IdempotencyKey: p.Capabilities.IdempotencyKey && !p.Capabilities.IdempotencyAssumed,
		Unit:           p.Unit,
	}
	if opts.Simulated {
		s.Endpoint = SimulatedEndpoint
	}
	if m.API.MaxConcurrentTasks > 0 {
		s.MaxConcurrentTasks = m.API.MaxConcurrentTasks
	}
	if m.API.TaskTimeout > 0 {
		s.TaskTimeoutSeconds = int64(m.API.TaskTimeout / time.Second)
	}
	if m.API.IdempotencyKey != nil {
		// A manifest may trust a key the service is only assumed to honour
		// (on the user's word), or withhold trust; it cannot make a
		// service that takes no key honour one.
		s.IdempotencyKey = p.Capabilities.IdempotencyKey && *m.API.IdempotencyKey
		s.IdempotencyKeyOnYourWord = s.IdempotencyKey && p.Capabilities.IdempotencyAssumed
	}
	return s
}

// EndpointOf is where the plan's tasks go: override (the -endpoint flag or
// LTX_API_URL), else api.base_url, else the provider's public API; in
// canonical form, as every endpoint is recorded.
func EndpointOf(m *config.Manifest, p *ltx.Provider, override string) string {
	switch {
	case override != "":
		return CanonicalEndpoint(override)
	case m.API.BaseURL != "":
		return CanonicalEndpoint(m.API.BaseURL)
	default:
		return CanonicalEndpoint(p.DefaultBaseURL)
	}
}

// TaskTimeout is Settings' per-task deadline as a Duration.
func (s Settings) TaskTimeout() time.Duration {
	return time.Duration(s.TaskTimeoutSeconds) * time.Second
}

func rangePtr(r hcl.Range) *hcl.Range {
	if r.Filename == "" {
		return nil
	}
	return &r
}
