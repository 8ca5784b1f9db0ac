package plan

import (
	"net"
	"net/url"
	"strings"
)

// CanonicalEndpoint is the one spelling of an API base URL that endpoints
// are recorded and compared in: scheme and host lower-case, the scheme's
// default port and trailing slashes dropped. "HTTPS://API.example.com:443/"
// and "https://api.example.com" are the same service, so a video made at
// one is never bought again at the other. Anything that does not parse as
// an absolute URL ("simulator", a typo) is only trimmed: it stays visibly
// itself in messages.
func CanonicalEndpoint(raw string) string {
	s := strings.TrimSpace(raw)
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return strings.TrimRight(s, "/")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == defaultPort[u.Scheme] {
		port = ""
	}
	switch {
	case port != "":
		u.Host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"): // an IPv6 literal keeps its brackets
		u.Host = "[" + host + "]"
	default:
		u.Host = host
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u.String()
}

var defaultPort = map[string]string{"http": "80", "https": "443"}

// SameEndpoint tells whether two recorded endpoints name the same service,
// whatever spelling each was recorded in (states from before endpoints
// were canonical keep working).
func SameEndpoint(a, b string) bool {
	return CanonicalEndpoint(a) == CanonicalEndpoint(b)
}
