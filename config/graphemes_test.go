package config

import (
	"testing"

	textseg "github.com/apparentlymart/go-textseg/v15/textseg" // third_party/go-textseg-v15, by go.mod's replace
	upstream "github.com/apparentlymart/go-textseg/v17/textseg"
	"github.com/hashicorp/hcl/v2"
)

// The ASCII fast path of third_party/go-textseg-v15 splits text into the
// same grapheme clusters as go-textseg/v17, which it hands the rest to.
func FuzzGraphemeClustersAsUpstream(f *testing.F) {
	for _, s := range []string{"plain ascii", "e\u0301 and a\u0308", "\r\n\r\r\n\n", "a\u200db", "🇫🇷🇩🇪x", "👩‍🚀!", "\xff\xfea", "ok\u0300"} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, atEOF bool) {
		for len(data) > 0 {
			n, tok, err := textseg.ScanGraphemeClusters(data, atEOF)
			wn, wtok, werr := upstream.ScanGraphemeClusters(data, atEOF)
			if n != wn || string(tok) != string(wtok) || err != werr {
				t.Fatalf("ScanGraphemeClusters(%q, %v) = %d %q %v, upstream %d %q %v", data, atEOF, n, tok, err, wn, wtok, werr)
			}
			if n == 0 {
				return
			}
			data = data[n:]
		}
	})
}

// Columns in diagnostics count characters as a reader sees them: an ASCII
// letter followed by a combining accent is one column.
func TestDiagnosticColumnsCountGraphemes(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": "video \"v\" {\n  prompt = \"cafe\u0301 \\q\"\n}\n"})
	_, diags := Load(dir, LoadOptions{})
	if len(diags) != 1 || diags[0].Subject == nil {
		t.Fatalf("diags = %v, want one invalid escape", diags)
	}
	// prompt = "café \q": the escape starts at column 18 of line 2.
	if got, want := diags[0].Subject.Start, (hcl.Pos{Line: 2, Column: 18, Byte: diags[0].Subject.Start.Byte}); got != want {
		t.Errorf("escape at %+v, want line 2 column 18 (%s)", got, diags[0].Summary)
	}
}
