package plan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"

	"github.com/ltxform/ltxform/internal/atomicfile"
)

// manifestAndState is what CheckFresh compares a plan with.
type manifestAndState struct {
	videos []*config.Video
	st     *state.State
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	v := video("hero", "", "hero", 6, "4K")
	e := entry(v, state.StatusFailed)
	p, _ := Build(context.Background(), manifest(dir, v, video("extra", "", "x", 8, "1080p")), stateOf(e), Options{})
	path := filepath.Join(dir, "tonight.plan")
	if err := Save(path, p); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("plan file mode = %v, want 0600", perm)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Errorf("loaded plan differs:\n got %+v\nwant %+v", got, p)
	}
	if leftovers := atomicfile.Leftovers(path); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestLoadRefusesWhatIsNotAPlan(t *testing.T) {
	tests := map[string]struct {
		content string
		want    string
	}{
		"newer format":   {`{"format_version":"2.0","manifest_hash":"x","changes":[]}`, "format 2.0; this build of ltxform reads format 1.0"},
		"a state file":   {`{"format_version":1,"serial":3,"lineage":"l","entries":{}}`, "looks like a state file"},
		"other JSON":     {`{"hello":"world"}`, "is not an ltxform plan file"},
		"not JSON":       {"video \"a\" {}\n", "is not an ltxform plan file"},
		"damaged fields": {`{"format_version":"1.0","manifest_hash":"x","changes":[{"address":7}]}`, "damaged plan file"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "some.plan")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestCheckFresh(t *testing.T) {
	dir := t.TempDir()
	a := video("a", "", "first", 6, "1080p")
	b := video("b", "", "second", 6, "1080p")
	p, _ := Build(context.Background(), manifest(dir, a, b), stateOf(entry(a, state.StatusFailed)), Options{})

	tests := []struct {
		name string
		edit func(m *manifestAndState)
		want string // "" = fresh
	}{
		{name: "nothing changed", edit: func(*manifestAndState) {}},
		{name: "prompt edited", edit: func(x *manifestAndState) { x.videos[1].Prompt = "edited" }, want: "manifest in " + dir + " was edited"},
		{name: "state serial moved on", edit: func(x *manifestAndState) { x.st.Serial++ }, want: "serial 8, the plan was made at serial 7"},
		{name: "state replaced", edit: func(x *manifestAndState) { x.st.Lineage = "lin-2" }, want: "the state was replaced"},
		{name: "journal recorded a transition", edit: func(x *manifestAndState) { x.st.Entries[a.Address].Status = state.StatusPending }, want: "a run recorded videos"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a2, b2 := *a, *b
			x := &manifestAndState{videos: []*config.Video{&a2, &b2}, st: stateOf(entry(a, state.StatusFailed))}
			tt.edit(x)
			err := CheckFresh(p, manifest(dir, x.videos...), x.st)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("fresh plan refused: %v", err)
				}
				return
			}
			var stale *StaleError
			if !errors.As(err, &stale) {
				t.Fatalf("err = %v, want a *StaleError", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "ltxform plan") {
				t.Errorf("err = %q, want it to say %q and to run plan again", err, tt.want)
			}
		})
	}
}

func TestCheckFreshPlanMadeBeforeAnyState(t *testing.T) {
	m := manifest(t.TempDir(), video("a", "", "first", 6, "1080p"))
	p, _ := Build(context.Background(), m, nil, Options{})
	if err := CheckFresh(p, m, &state.State{}); err != nil {
		t.Fatalf("still no state, but the plan is refused: %v", err)
	}
	err := CheckFresh(p, m, stateOf())
	if err == nil || !strings.Contains(err.Error(), "state has moved on (serial 7, the plan was made before there was any state)") {
		t.Fatalf("err = %v, want the state to have moved on since there was none", err)
	}
}
