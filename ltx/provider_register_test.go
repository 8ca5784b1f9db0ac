package ltx

import (
	"strings"
	"testing"
)

// Two providers with one name are refused when the program starts (register
// runs at package init), before any manifest is read.
func TestRegisterRefusesATakenName(t *testing.T) {
	for _, p := range Providers() {
		dup := *p
		err := checkProvider(&dup)
		if err == nil || !strings.Contains(err.Error(), "two providers are named "+`"`+p.Name+`"`) {
			t.Errorf("a second %s: %v", p.Name, err)
		}
	}
	incomplete := &Provider{Name: "half", wire: wire{create: providerFal.wire.create}}
	if err := checkProvider(incomplete); err == nil {
		t.Error("a provider without poll and decoders was accepted")
	}
	defer func() {
		if recover() == nil {
			t.Error("register took a second fal")
		}
	}()
	dup := *providerFal
	register(&dup)
}
