package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/config"
)

// A provider's estimate is a sum of many prices: it is added exactly, so
// that plan -compare never shows 1.3199999999999998 dollars.
func TestCompareAddsPricesExactly(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 37 {
		fmt.Fprintf(&b, "video \"v%d\" {\n  prompt = \"a lighthouse at dusk, take %d\"\n  duration = 6\n}\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	m, diags := config.Load(dir, config.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	rows := Compare(m, time.Now())
	if len(rows) < 2 {
		t.Fatalf("compare gave %d rows, want one per provider", len(rows))
	}
	for _, r := range rows {
		text := strconv.FormatFloat(r.Estimate, 'f', -1, 64)
		if _, frac, ok := strings.Cut(text, "."); ok && len(frac) > 6 {
			t.Errorf("%s: estimate %s for %d videos is not a whole number of micro-units", r.Provider, text, r.Videos)
		}
		if r.Videos == 0 {
			t.Errorf("%s: no video priced; the test needs videos every provider can make (cannot make: %v)", r.Provider, r.CannotMake)
		}
	}
}
