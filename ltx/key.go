package ltx

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
)

// Key holds the API key. Every way of printing or encoding it redacts it, so
// that a Key that slips into a log line, an error or a JSON document does no
// harm; only Reveal gives the secret back, for the Authorization header.
//
// The secret sits behind a pointer: fmt prints a struct's unexported fields
// by reflection, without calling their methods, and a pointer below the top
// level prints as an address. So a Key inside another type's unexported
// field (the Client's, say) still does not show.
type Key struct {
	secret *string
}

const redacted = "[REDACTED]"

// NewKey wraps s. Surrounding whitespace (a newline from a file or a shell)
// is not part of a key.
func NewKey(s string) Key {
	s = strings.TrimSpace(s)
	if s == "" {
		return Key{}
	}
	return Key{secret: &s}
}

// Reveal returns the secret. Call it only to build the Authorization header.
func (k Key) Reveal() string {
	if k.secret == nil {
		return ""
	}
	return *k.secret
}

// IsZero reports whether no key is held.
func (k Key) IsZero() bool { return k.Reveal() == "" }

func (k Key) String() string {
	if k.IsZero() {
		return "[no key]"
	}
	return redacted
}

func (k Key) GoString() string { return "ltx.Key{" + k.String() + "}" }

// Format redacts under every verb, including %#v, %q and %x, which would
// otherwise reach the unexported field.
func (k Key) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, k.GoString())
		return
	}
	fmt.Fprint(f, k.String())
}

func (k Key) MarshalJSON() ([]byte, error) { return []byte(`"` + k.String() + `"`), nil }

func (k Key) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// LogValue keeps slog from reflecting into the struct.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

// Environment variables the key is read from.
const (
	EnvKey     = "LTX_API_KEY"
	EnvKeyFile = "LTX_API_KEY_FILE"
)

// ErrNoKey is returned by KeyFromEnv when neither variable gives a key.
var ErrNoKey = errors.New("no API key: set " + EnvKey + " to your LTX-2 API key, or " +
	EnvKeyFile + " to the path of a file that holds it")

// KeyFromEnv reads the key from LTX_API_KEY, else from the file named by
// LTX_API_KEY_FILE. Its errors never contain the key; they do not even echo
// the file's path, in case the key itself was put in LTX_API_KEY_FILE by
// mistake.
func KeyFromEnv(getenv func(string) string) (Key, error) {
	return KeyFromEnvFor(nil, getenv)
}

// KeyFromEnvFor is KeyFromEnv that also reads the provider's own variables
// (LTXV_API_KEY for lightricks) when LTX_API_KEY and LTX_API_KEY_FILE are
// unset. A key is read strictly: a byte-order mark and surrounding
// whitespace are dropped, and a key with a line break, a space or a control
// character inside is refused here, once, rather than by every request.
func KeyFromEnvFor(p *Provider, getenv func(string) string) (Key, error) {
	if raw := getenv(EnvKey); strings.TrimSpace(raw) != "" {
		return strictKey(raw, EnvKey)
	}
	path := strings.TrimSpace(getenv(EnvKeyFile))
	if path == "" {
		if p != nil {
			for _, name := range p.KeyEnv {
				if raw := getenv(name); strings.TrimSpace(raw) != "" {
					return strictKey(raw, name)
				}
			}
		}
		return Key{}, ErrNoKey
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return Key{}, fmt.Errorf("%s names a file that cannot be read (%v); set it to the path of a file holding the key, or set %s", EnvKeyFile, err, EnvKey)
	}
	if strings.TrimSpace(strings.TrimPrefix(string(b), "\uFEFF")) == "" {
		return Key{}, fmt.Errorf("%s names an empty file; put the API key in it, or set %s", EnvKeyFile, EnvKey)
	}
	return strictKey(string(b), "the file named by "+EnvKeyFile)
}

// strictKey trims a byte-order mark and surrounding whitespace, and refuses
// what no HTTP header can carry.
func strictKey(raw, source string) (Key, error) {
	s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(raw), "\uFEFF"))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			return Key{}, fmt.Errorf("the API key in %s has a line break inside it; put the key alone on one line", source)
		case r < 0x21 || r == 0x7f || r == '\uFEFF':
			return Key{}, fmt.Errorf("the API key in %s holds a space or a control character; copy the key again", source)
		case r > 0x7e:
			return Key{}, fmt.Errorf("the API key in %s holds a character that is not plain ASCII; copy the key again", source)
		}
	}
	return NewKey(s), nil
}
