package command

import "github.com/ltxform/ltxform/state"

// stateCopied says what state push or pull copied, from where to where.
func (v *view) stateCopied(m state.Moved, from, to string) {
	v.printf("Copied the state (serial %d, %d videos), %s and %d run records from %s to %s.\n",
		m.Serial, m.Videos, plural(m.Charges, "ledger line", "ledger lines"), m.Runs, from, to)
}
