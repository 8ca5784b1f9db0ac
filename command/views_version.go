package command

import (
	"runtime"
)

// version tells which ltxform this is, and the Go and platform it was built
// for, as terraform version does.
func (v *view) version(version string) {
	v.printf("ltxform %s (%s %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// noInitNeeded answers `ltxform init`, which Terraform users type first:
// there are no plugins or modules to fetch.
func (v *view) noInitNeeded() {
	v.printf("ltxform needs no init; run ltxform plan\n")
}
