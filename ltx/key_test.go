package ltx

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secret = "sk-live-9c1e77aa"

func TestKeyNeverPrints(t *testing.T) {
	k := NewKey(secret)
	holder := struct {
		Name string
		Key  Key
		Ptr  *Key
	}{"x", k, &k}
	var outputs []string
	for _, verb := range []string{"%v", "%s", "%+v", "%#v", "%q", "%x", "%X", "%d", "%10s", "%T %v"} {
		outputs = append(outputs, fmt.Sprintf(verb, k), fmt.Sprintf(verb, &k), fmt.Sprintf(verb, holder))
	}
	outputs = append(outputs, fmt.Sprint(k), fmt.Sprintln(k), k.String(), k.GoString())
	// fmt does not call methods of unexported fields; it reflects into them.
	hidden := struct{ key Key }{k}
	client := NewClient(Options{Key: k})
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		outputs = append(outputs, fmt.Sprintf(verb, hidden), fmt.Sprintf(verb, client), fmt.Sprintf(verb, *client))
	}
	for _, v := range []any{k, &k, holder, map[string]Key{"k": k}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		outputs = append(outputs, string(b))
	}
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "key", k, "holder", holder)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "key", k)
	outputs = append(outputs, logged.String())

	for _, out := range outputs {
		if strings.Contains(out, secret) || strings.Contains(out, fmt.Sprintf("%x", secret)) {
			t.Errorf("key leaked: %s", out)
		}
	}
	if got := fmt.Sprint(k); got != "[REDACTED]" {
		t.Errorf("fmt.Sprint(key) = %q, want it to say it is redacted", got)
	}
	if k.Reveal() != secret {
		t.Errorf("Reveal() does not give the key back")
	}
}

func TestNewKeyTrimsAndIsZero(t *testing.T) {
	if !NewKey(" \n").IsZero() || !(Key{}).IsZero() {
		t.Error("blank key is not zero")
	}
	if k := NewKey("  " + secret + "\n"); k.Reveal() != secret || k.IsZero() {
		t.Errorf("NewKey did not trim: %q", k.Reveal())
	}
}

func TestKeyFromEnv(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte("\n"+secret+"\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyFile, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr string
	}{
		{"variable", map[string]string{"LTX_API_KEY": secret}, secret, ""},
		{"variable wins over file", map[string]string{"LTX_API_KEY": secret, "LTX_API_KEY_FILE": emptyFile}, secret, ""},
		{"file, trimmed", map[string]string{"LTX_API_KEY_FILE": keyFile}, secret, ""},
		{"blank variable falls back to file", map[string]string{"LTX_API_KEY": " ", "LTX_API_KEY_FILE": keyFile}, secret, ""},
		{"nothing set", nil, "", "set LTX_API_KEY"},
		{"empty file", map[string]string{"LTX_API_KEY_FILE": emptyFile}, "", "empty file"},
		{"missing file", map[string]string{"LTX_API_KEY_FILE": filepath.Join(dir, "nope")}, "", "cannot be read"},
		// Someone put the key itself in the _FILE variable: do not echo it.
		{"key in the file variable", map[string]string{"LTX_API_KEY_FILE": secret}, "", "cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := KeyFromEnv(func(name string) string { return tt.env[name] })
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("no error; key %q", k.Reveal())
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not say %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error leaks the key: %q", err)
				}
				if !k.IsZero() {
					t.Errorf("key returned with error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.Reveal() != tt.want {
				t.Errorf("key = %q, want %q", k.Reveal(), tt.want)
			}
		})
	}
}
