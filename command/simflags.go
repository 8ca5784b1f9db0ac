package command

import (
	"github.com/ltxform/ltxform/sim"
)

// SimOptionsFromArgs parses `ltxform sim` knob flags into sim.Options. The
// testscript harness uses it to read a script's sim.args file.
func SimOptionsFromArgs(args []string) (sim.Options, error) {
	return sim.Options{}, nil
}
