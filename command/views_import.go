package command

import (
	"fmt"

	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// importedTask says that import followed taskID to addr's output, and what
// it put in the ledger: nothing was created.
func (v *view) importedTask(addr, taskID, output string, charge state.Charge, s plan.Settings) {
	v.printf("Imported %s from task %s: %s downloaded; %s. No create was sent.\n",
		addr, taskID, output, ledgerCostText(charge, s))
}

// ledgerCostText says what the import put in the ledger, and whose figure
// it is.
func ledgerCostText(charge state.Charge, s plan.Settings) string {
	cost := plan.FormatCost(charge.Cost, s.Unit)
	if charge.Estimated {
		return fmt.Sprintf("%s counted in the ledger, estimated from the manifest's request (%s reports no cost)", cost, s.Provider)
	}
	return fmt.Sprintf("%s counted in the ledger, as %s reports", cost, s.Provider)
}

// filePlacement is how import -file brought a file to its output.
type filePlacement int

const (
	fileAtOutput filePlacement = iota // it was there already
	fileCopied
	fileMoved
)

// importedFile says that import -file recorded src as addr, how it got to
// output, and the start of its sha256: no request was sent.
func (v *view) importedFile(src, addr string, how filePlacement, output, sum string) {
	placed := "already at its output"
	switch how {
	case fileCopied:
		placed = "copied to " + output
	case fileMoved:
		placed = "moved to " + output
	}
	v.printf("Imported %s as %s (%s; sha256 %s). No request was sent.\n", src, addr, placed, sum[:12])
}
