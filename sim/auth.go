package sim

import (
	"net/http"
	"strings"
)

// keyring holds the keys' standing; guarded by Server.mu.
type keyring struct {
	accepted map[string]bool // empty: any non-empty key is accepted
	expired  map[string]bool
	revoked  map[string]bool
}

func newKeyring(o Options) keyring {
	k := keyring{accepted: map[string]bool{}, expired: map[string]bool{}, revoked: map[string]bool{}}
	for _, key := range o.Keys {
		k.accepted[key] = true
	}
	for _, key := range o.ExpiredKeys {
		k.expired[key] = true
	}
	return k
}

// bearerKey returns the key of "Authorization: Bearer KEY", or "" when the
// header is missing or empty; ok is false for another scheme.
func bearerKey(r *http.Request) (key string, ok bool) {
	return schemeKey(r, "Bearer")
}

// schemeKey is bearerKey for the provider's scheme ("Bearer", fal's "Key").
func schemeKey(r *http.Request, want string) (key string, ok bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return "", true
	}
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, want) {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// authenticate answers the request's key, sent with scheme, or the 401 it
// deserves. The caller holds s.mu.
func (k *keyring) authenticate(r *http.Request, scheme string) (string, *apiError) {
	key, ok := schemeKey(r, scheme)
	switch {
	case !ok:
		return "", &apiError{Status: http.StatusUnauthorized, Code: codeInvalidAPIKey,
			Message: "the Authorization header must use the " + scheme + " scheme", Field: "Authorization",
			Suggestion: `Send "Authorization: ` + scheme + ` YOUR_API_KEY".`}
	case key == "":
		return "", &apiError{Status: http.StatusUnauthorized, Code: codeMissingAPIKey,
			Message: "no API key in the Authorization header", Field: "Authorization",
			Suggestion: `Send "Authorization: ` + scheme + ` YOUR_API_KEY".`}
	case k.revoked[key]:
		return "", &apiError{Status: http.StatusUnauthorized, Code: codeInvalidAPIKey,
			Message: "the API key has been revoked", Field: "Authorization",
			Suggestion: "Create a new key in the dashboard and use it instead."}
	case k.expired[key]:
		return "", &apiError{Status: http.StatusUnauthorized, Code: codeAPIKeyExpired,
			Message: "the API key has expired", Field: "Authorization",
			Suggestion: "Generate a new API key in the dashboard."}
	case len(k.accepted) > 0 && !k.accepted[key]:
		return "", &apiError{Status: http.StatusUnauthorized, Code: codeInvalidAPIKey,
			Message: "the API key is not valid", Field: "Authorization",
			Suggestion: "Check the key in the dashboard; copy it without spaces or quotes."}
	}
	return key, nil
}
