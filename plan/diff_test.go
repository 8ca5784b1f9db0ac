package plan

import (
	"testing"

	"github.com/ltxform/ltxform/ltx"
)

func TestWordDiffShowsChangedWordsInContext(t *testing.T) {
	before := "Hands unboxing aurora headphones on a walnut desk, soft morning light falling across the table from a tall window, dust in the air, slow push in"
	after := "Hands unboxing aurora headphones on a marble desk, soft morning light falling across the table from a tall window, dust in the air, slow pull out"
	got := WordDiff(before, after, 2)
	want := "… on a [-walnut-] {+marble+} desk, soft … air, slow [-push in-] {+pull out+}"
	if got != want {
		t.Errorf("WordDiff =\n%s\nwant\n%s", got, want)
	}
}

func TestDiffCountsUnchangedAttributes(t *testing.T) {
	seed := int64(7)
	a := ltx.CreateRequest{Prompt: "p", Duration: 6, Resolution: "1080p", Seed: &seed}
	b := a
	b.Duration = 10
	changed, unchanged := Diff(a, b)
	if len(changed) != 1 || changed[0] != (AttributeChange{"duration", "6", "10"}) || unchanged != 3 {
		t.Errorf("Diff = %+v, %d unchanged; want duration 6 -> 10 and 3 unchanged", changed, unchanged)
	}
}
